/*
 * The map's events to the page: a queue of changes, each numbered, sent whole until the page
 * acknowledges them. (Part of the map client: offline.CLIENT_SCRIPTS.)
 *
 * Streamlit keeps one component value per rerun, so the value is the whole queue
 * (EventQueue): two changes made before the page reruns are both in it. `client` is a random
 * id of this map instance (a new frame starts its own count); the page applies each event
 * numbered after the last it applied and sends that number back (ConfigDelta.ack); the
 * queue then drops what was acknowledged. A later change of the same kind (of the same layer)
 * replaces an earlier one still queued: each kind states a value, not a step, so the queue
 * stays short however fast the user (or a play-through) goes. Each event carries only what
 * changed (layers/drawing/protocol.py; views/map_events.py checks every field):
 *
 * @typedef {Object} ViewEvent
 * @property {string} kind  'view': the user stopped moving the map
 * @property {number} seq
 * @property {number[]} center  [lat, lon], degrees
 * @property {number} zoom
 *
 * @typedef {Object} SelectEvent
 * @property {string} kind  'select'
 * @property {number} seq
 * @property {?string} selected  '<layer id>:<feature id>', or null
 *
 * @typedef {Object} LayersEvent
 * @property {string} kind  'layers': one layer switched in the map's panel
 * @property {number} seq
 * @property {string} layer
 * @property {boolean} on
 *
 * @typedef {Object} DateEvent
 * @property {string} kind  'date': a step or a play-through step
 * @property {number} seq
 * @property {string} date  ISO
 *
 * @typedef {Object} ModeEvent
 * @property {string} kind  'mode': the projector view left
 * @property {number} seq
 * @property {string} mode
 *
 * @typedef {Object} CompareEvent
 * @property {string} kind  'compare'
 * @property {number} seq
 * @property {?string} date  ISO; null: the compare view closed
 *
 * @typedef {Object} NeedEvent
 * @property {string} kind  'need'
 * @property {number} seq
 * @property {string[]} need  session-layer keys the client lacks
 * @property {boolean} [full]  the whole configuration is wanted
 *
 * @typedef {Object} EventQueue
 * @property {string} client
 * @property {Array<ViewEvent|SelectEvent|LayersEvent|DateEvent|ModeEvent|CompareEvent|NeedEvent>} events
 *
 * @typedef {Object} EventAck
 * @property {string} client
 * @property {number} seq  the last event the page applied
 */
(function (global) {
  'use strict';
  var CLIENT_ID_BYTES = 12;

  function clientId() {
    var bytes = new Uint8Array(CLIENT_ID_BYTES);
    global.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); })
      .join('');
  }

  /* The place an event takes in the queue: a later event with the same slot replaces it. */
  function slot(event) {
    if (event.kind === 'layers') { return 'layers:' + event.layer; }
    if (event.kind === 'need') { return 'need:' + JSON.stringify([event.need, Boolean(event.full)]); }
    return event.kind;
  }

  /* A queue that hands its whole self to `post` on every change. */
  function EventQueue(post) {
    this.client = clientId();
    this.seq = 0;
    this.events = [];
    this._post = post;
  }

  /* Number `event`, queue it (in place of a queued one of the same slot) and send the queue. */
  EventQueue.prototype.push = function (event) {
    var key = slot(event);
    this.seq += 1;
    event.seq = this.seq;
    this.events = this.events.filter(function (queued) { return slot(queued) !== key; });
    this.events.push(event);
    this._post({client: this.client, events: this.events.slice()});
  };

  /* Drop the events the page applied (an `ack` of another instance is not ours). */
  EventQueue.prototype.acknowledge = function (ack) {
    if (!ack || ack.client !== this.client) { return; }
    this.events = this.events.filter(function (queued) { return queued.seq > ack.seq; });
  };

  global.AtlasEvents = {EventQueue: EventQueue};
}(window));
