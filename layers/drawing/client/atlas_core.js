/*
 * The map client's core: the AtlasMap object, its events to the host and `update`.
 * (Part of the map client, loaded after atlas_base.js and atlas_core.js: offline.CLIENT_SCRIPTS.)
 */
(function (global) {
  'use strict';
  var A = global.AtlasLib;
  var PANES = A.PANES;
  var VIEW_REPORT_MS = A.VIEW_REPORT_MS;
  var installHatch = A.installHatch;

  function AtlasMap(container, options) {
    this.options = options || {};
    this.container = container;
    this.layers = {};          // id -> {config, url, group, hits, features: {fid -> [leaflet layers]}, props}
    this.data = {};            // url (or session source) -> Promise of GeoJSON
    this._asked = {};          // session layer key -> {at: ms, n: requests sent}
    this._askTimer = null;
    this.config = null;
    this.viewRequest = null;
    this.selected = null;
    this.timeline = [];
    this.playing = null;
    this.playIndex = -1;
    this._awaiting = null;     // {date, since}: the step sent to the page, until it shows it
    this._sentDate = null;     // the last step date sent while playing
    this._shownAt = 0;         // when the current step was shown (ms)
    this._followedAt = 0;      // when the page showed it too (ms)
    this.shownDate = null;     // the date shown: the page's, or the step being played
    this.measuring = false;
    this._reportTimer = null;
    this._create();
  }

  AtlasMap.prototype._create = function () {
    var self = this;
    installHatch(this.container.ownerDocument);
    this.container.classList.add('atlas-map');
    var map = L.map(this.container, {
      zoomSnap: 0.5, zoomDelta: 0.5, worldCopyJump: false,
      attributionControl: true, keyboard: true
    });
    this.map = map;
    PANES.forEach(function (spec) {
      var pane = map.createPane(spec[0]);
      pane.style.zIndex = String(spec[1]);
      if (!spec[2]) { pane.style.pointerEvents = 'none'; }
    });
    map.attributionControl.setPrefix(false);
    this._scale = L.control.scale({imperial: false}).addTo(map);
    this._addTools();
    this._addGoTo();
    this._addLayerPanel();
    this._addDateBox();
    this._addLegend();
    this._addNotice();
    this._addAccess();
    map.on('moveend', function () { self._scheduleReport(); });
    map.on('resize', function () { self._fitLegend(); });
    map.on('zoomend', function () {
      Object.keys(self.layers).forEach(function (id) { self._place(self.layers[id]); });
      if (self.config) { self._renderLegend(self.config.legend || []); }
    });
    // An open popup says what the tooltip says: the tooltip hides while it is open. The
    // legend folds away, and any control that would still cover the popup (on a phone, the
    // tools and the "Go to" box) hides until the popup closes or moves clear of it.
    var clearControls = function () { self._clearControlsForPopup(); };
    map.on('popupopen', function (e) {
      self._legendForPopup(true);
      self._labelPopup(e.popup);
      self.container.classList.add('atlas-popup-open');
      clearControls();
      map.on('move zoomend resize', clearControls);
    });
    map.on('popupclose', function () {
      map.off('move zoomend resize', clearControls);
      self._legendForPopup(false);
      self.container.classList.remove('atlas-popup-open');
      clearControls();
    });
    this.container.addEventListener('keydown', function (e) { self._onKey(e); });
  };

  /* ------------------------------------------------------------------ events to the host */

  /* Send one change (atlas_events.js: queued until the page acknowledges it). A move not yet
     reported goes first, so the page gets both, in the order the user made them. */
  AtlasMap.prototype._emit = function (event) {
    if (!this.options.send) { return; }
    if (event.kind !== 'view' && this._reportTimer !== null) { this._reportView(); }
    this.options.send(event);
  };

  AtlasMap.prototype._reportView = function () {
    clearTimeout(this._reportTimer);
    this._reportTimer = null;
    // A map that reports nothing (the compare view's second map, an export) reads no view:
    // the second map may be removed before its timer fires.
    if (!this.options.send) { return; }
    var center = this.map.getCenter();
    this._emit({kind: 'view', center: [Math.round(center.lat * 1e4) / 1e4,
      Math.round(center.lng * 1e4) / 1e4], zoom: this.map.getZoom()});
  };

  AtlasMap.prototype._scheduleReport = function () {
    var self = this;
    if (this._suppressReport || !this.options.send) { return; }
    clearTimeout(this._reportTimer);
    this._reportTimer = setTimeout(function () { self._reportView(); }, VIEW_REPORT_MS);
  };

  /* ------------------------------------------------------------------------- update */

  AtlasMap.prototype.update = function (config) {
    var first = this.config === null;
    // A rerun that does not change the date (a view report, another widget) lets a
    // play-through go on; a new date from the page stops it.
    // While playing, the page follows each step: its rerun on the step's date goes on too.
    var step = this.playing ? this.timeline[this.playIndex] : null;
    var followed = Boolean(step) && step.date === config.date;
    if (followed && this._awaiting) { this._awaiting = null; this._followedAt = Date.now(); }
    var keepPlaying = this.playing && !first && (this.config.date === config.date || followed);
    if (this.playing && !keepPlaying) { this.stopPlay(false); }
    this.config = config;
    this._present(config);  // atlas_present.js: the projector view's controls and figures
    this._describe(!!config.present);
    if (config.zoom_range) {  // the host's zoom bounds (layers/drawing/basemaps.py)
      this.map.setMinZoom(config.zoom_range[0]);
      this.map.setMaxZoom(config.zoom_range[1]);
    }
    var view = config.view;
    if (view && view.request !== this.viewRequest) {
      // The host asks for a view (a link, a preset, "fit my layer"); otherwise the user's stays.
      this.viewRequest = view.request;
      this._suppressReport = !first;
      if (view.bounds) { this.fitBounds(view.bounds); }
      else { this.map.setView(view.center, view.zoom, {animate: false}); }
      this._suppressReport = false;
    }
    var labelsKey = JSON.stringify(config.labels || {});
    if (labelsKey !== this._labelsKey) { this._labelsKey = labelsKey; this._applyLabels(config.labels || {}); }
    this._setBasemap(config.basemap);
    if (!keepPlaying) { this.shownDate = config.date; }
    this._applyLayers(config.layers || [], keepPlaying ? {} : (config.patches || {}));
    // The layer panel, legend and "Go to" list are rebuilt only when their input changed (a
    // date change leaves all three as they were; a box's tick is set by setVisible).
    var panelKey = JSON.stringify((config.layers || []).map(function (c) { return [c.id, c.title]; }));
    if (panelKey !== this._panelKey) { this._panelKey = panelKey; this._renderLayerPanel(config.layers || []); }
    if (this._placeDated(this.shownDate)) { this._renderLegend(config.legend || []); }
    var legendKey = JSON.stringify(config.legend || []);
    if (legendKey !== this._legendKey) { this._legendKey = legendKey; this._renderLegend(config.legend || []); }
    var presetsKey = JSON.stringify(config.presets || []);
    if (presetsKey !== this._presetsKey) { this._presetsKey = presetsKey; this._renderGoTo(config.presets || []); }
    this._setTimeline(config.timeline);
    if (!keepPlaying) { this._showDate(config.date_label, this._captionFor(config.date)); }
    if (config.selected !== undefined && config.selected !== this.selected) {
      this.selected = config.selected;
      var self = this;
      Object.keys(this.layers).forEach(function (id) { self._restyle(self.layers[id]); });
    }
    this._askForMissing();
    this._setCompare(config);
  };

  /* ------------------------------------------------------------------------ test API */

  /* What the browser tests read (window.atlasTest): a small, stable view of the client. */
  AtlasMap.prototype.testApi = function () {
    var self = this;
    var shown = null;
    var times = null;
    var applyStep = this._applyStep;
    this._applyStep = function (index) {
      applyStep.call(self, index);
      if (shown && self.timeline[index]) {
        shown.push(self.timeline[index].date);
        times.push(performance.now());
      }
    };
    return {
      /** The measured points, [[lon, lat], …] in degrees. */
      measurePoints: function () {
        return self._measure ? self._measure.points.map(function (p) { return [p.lng, p.lat]; }) : [];
      },
      /** Show step n of the play-through. */
      step: function (n) { self._applyStep(n); },
      /** Start recording the dates of the steps shown; returns the list it fills. */
      watchSteps: function () { shown = []; times = []; return shown; },
      /** The dates of the steps shown since watchSteps(). */
      stepsShown: function () { return shown ? shown.slice() : []; },
      /** When each of those steps was shown (performance.now(), ms). */
      stepTimes: function () { return times ? times.slice() : []; },
      /** Whether the offline basemap is drawn. */
      basemap: function () { return Boolean(self._basemap) && self.map.hasLayer(self._basemap); }
    };
  };

  global.AtlasMap = AtlasMap;
}(window));
