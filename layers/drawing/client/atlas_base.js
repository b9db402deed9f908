/*
 * Eastern Flank Mine Atlas — the map client: shared constants, helpers and the protocol.
 *
 * One Leaflet map for the page's life: `update(config)` changes only what changed; a user's
 * layer comes inline once under a `key` (views/session_layers.py); text goes in as textContent.
 * The protocol (layers/drawing/protocol.py; tests/test_map_protocol.py holds both sides):
 *
 * @typedef {Object} StyleRecord
 * @property {string} color
 * @property {string} stroke
 * @property {number} weight
 * @property {boolean} fill
 * @property {number} fill_opacity
 * @property {?string} dash
 * @property {boolean} hatch
 *
 * @typedef {Object} FeatureProps
 * @property {string} s  style key
 * @property {string[]} t  tooltip texts, in the order of the layer's fields
 *
 * @typedef {Object} LegendRow
 * @property {string} label
 * @property {string} color
 * @property {string} kind  'fill', 'hatch', 'line' or 'point'
 * @property {number} opacity
 * @property {boolean} dash
 *
 * @typedef {Object} LegendGroup
 * @property {?string} layer  null: the basemap's
 * @property {string} title
 * @property {LegendRow[]} entries
 *
 * @typedef {Object} GoTo
 * @property {string} id
 * @property {string} label
 * @property {number[]} bounds  [south, west, north, east], degrees
 *
 * @typedef {Object} TilesEntry
 * @property {string} url
 * @property {string} attribution
 * @property {string} offline_notice
 *
 * @typedef {Object} BasemapEntry
 * @property {string} fill
 * @property {string} stroke
 * @property {number[]} edge  [east edge lon, south lat, north lat]
 * @property {string} edge_fill
 * @property {?TilesEntry} tiles
 * @property {string[]} attribution
 * @property {string} [url]
 * @property {Object} [data]
 *
 * @typedef {Object} LayerEntry
 * @property {string} id
 * @property {string} title
 * @property {boolean} visible
 * @property {string} [kind]  'polygon', 'line' or 'point'
 * @property {boolean} [dynamic]  its properties come in MapConfig.patches
 * @property {boolean} [outline]
 * @property {string[]} [fields]
 * @property {Object<string, StyleRecord>} [styles]
 * @property {string[]} [attribution]
 * @property {?number} [min_zoom]
 * @property {string} [url]
 * @property {Object} [data]
 * @property {string} [key]  a session layer's key
 * @property {string} [geojson]  a session layer's features, on the rerun that sends them
 * @property {string} [valid_from]  a stored version: drawn on the days from this date (ISO) …
 * @property {?string} [valid_until]  … to the day before this one (null: the latest version)
 *
 * @typedef {Object} ViewRequest
 * @property {number} request
 * @property {number[]} [center]  [lat, lon]
 * @property {number} [zoom]
 * @property {number[]} [bounds]
 *
 * @typedef {Object} TimelineStep
 * @property {string} date  ISO
 * @property {string} label  the date as the map shows it
 * @property {string} caption
 * @property {Object<string, Object<string, FeatureProps>>} patches
 *
 * @typedef {Object} MapLabels
 * @property {string} go_to
 * @property {string} go_to_view
 * @property {string} layers
 * @property {string} legend
 * @property {string} previous_event
 * @property {string} play
 * @property {string} pause
 * @property {string} next_event
 * @property {string} zoom_in_note  holds {zoom}
 * @property {string} full_screen
 * @property {string} measure
 * @property {string} distance  holds {km}
 * @property {string} decimal  the decimal mark
 * @property {string} meters
 * @property {string} kilometers
 * @property {string} zoom_in
 * @property {string} zoom_out
 * @property {string} close
 * @property {string} map_role
 * @property {string} map_label
 * @property {string} map_about
 * @property {string} map_about_present
 * @property {string} legend_entries
 * @property {string} wheel_hint
 * @property {string} measure_keys
 * @property {string} skip_to_map
 * @property {string} leave_present
 * @property {string} leave_present_title
 * @property {string} compare_open
 * @property {string} compare_close
 * @property {string} compare_date
 * @property {string} compare_map
 *
 * @typedef {Object} CompareView
 * @property {string} date  the second map's date (ISO)
 * @property {string} date_label  as the second map shows it
 * @property {Object<string, Object<string, FeatureProps>>} patches  the dated layers on it
 *
 * @typedef {Object} MapConfig
 * @property {string} date  ISO
 * @property {string} date_label  the date as the map shows it
 * @property {MapLabels} labels
 * @property {boolean} present
 * @property {BasemapEntry} basemap
 * @property {LayerEntry[]} layers
 * @property {Object<string, Object<string, FeatureProps>>} patches
 * @property {LegendGroup[]} legend
 * @property {(string|TimelineStep[]|null)} timeline
 * @property {GoTo[]} presets
 * @property {ViewRequest} view
 * @property {number[]} zoom_range  [min, max]
 * @property {?string} selected
 * @property {string[]} date_range  [first, last] date a date control may choose (ISO)
 * @property {CompareView} [compare]  the compare view's second map
 * @property {number} [height_px]
 * @property {number} [height_min_px]
 * @property {number} [height_fill_px]
 * @property {KeyFigure[]} [figures]
 *
 * @typedef {Object} KeyFigure
 * @property {string} value
 * @property {string} label
 * The events back to the page: atlas_events.js.
 */
(function (global) {
  'use strict';

  var PANES = [
    ['atlas-basemap', 150, false],
    ['atlas-hits', 470, true]
  ];
  var HATCH_ID = 'atlas-hatch';
  var VIEW_REPORT_MS = 400;
  var PLAY_STEP_MS = 400;  // 2.5 steps a second: the target is at least 2
  var NARROW_PX = 600;
  var POPUP_MAX_PX = 320;
  var POPUP_MIN_PX = 120;
  var POPUP_PAN_PX = 20;    // the popup keeps this far from the map's edges
  var POPUP_CHROME_PX = 48; // Leaflet's padding around the popup text and its border
  var UNDER_POPUP = 'atlas-under-popup';  // a control hidden while it would cover the popup
  var SESSION_SOURCE = 'session:';  // prefix of a session layer's source (its key follows)
  var ASK_AGAIN_MS = 3000;  // a request for a session layer's features is repeated after this…
  var ASK_MAX = 5;          // … at most this often per key
  var HIT_WIDTH_PX = 16;    // width of a line's invisible twin that takes hover and clicks
  var PRESENT_WEIGHT = 1.6; // lines are this much heavier in projector mode
  var SELECTED_EXTRA_PX = 2.5;  // a selected feature's outline is this much wider
  var HOVER_EXTRA_PX = 2;   // a hovered line is this much wider
  var POINT_RADIUS_PX = 6;
  var FIT_PADDING_PX = 12;  // margin around a "Go to" view
  var FIT_MAX_ZOOM = 10;    // a "Go to" view never zooms in further
  var LEGEND_HEIGHT_SHARE = 0.3;  // the open legend takes at most this share of the map's height…
  var LEGEND_MIN_HEIGHT_PX = 60;
  var LEGEND_WIDTH_SHARE = 0.4;   // … and of its width, within these bounds
  var LEGEND_MIN_WIDTH_PX = 150;
  var LEGEND_MAX_WIDTH_PX = 260;
  // Panes of the layers, by kind (a layer's order within its kind adds up to MAX_PANE_ORDER).
  var PANE_Z = {fill: 400, outline: 440, line: 450, point: 480};
  var MAX_PANE_ORDER = 9;
  var BASEMAP_WEIGHT = 0.6;
  var EDGE_LINE = {color: '#555555', weight: 1.5};
  var MEASURE_LINE = {color: '#000', weight: 2, dashArray: '4 4'};
  var SELECTED_COLOR = '#000000';
  var HINT_MS = 2500;       // a message over the map (the wheel, the measure) shows this long

  function el(tag, className, parent) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function escapeHtml(text) {
    return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
  }

  function setText(node, value) {
    node.textContent = value === undefined || value === null ? '' : String(value);
    return node;
  }

  function icon(path) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '16'); svg.setAttribute('height', '16');
    svg.setAttribute('viewBox', '0 0 16 16'); svg.setAttribute('aria-hidden', 'true');
    var shape = document.createElementNS(ns, 'path');
    shape.setAttribute('d', path); shape.setAttribute('fill', 'none');
    shape.setAttribute('stroke', '#333'); shape.setAttribute('stroke-width', '1.6');
    svg.appendChild(shape);
    return svg;
  }

  function installHatch(doc) {
    if (doc.getElementById(HATCH_ID)) { return; }
    var ns = 'http://www.w3.org/2000/svg';
    var svg = doc.createElementNS(ns, 'svg');
    svg.setAttribute('width', '0');
    svg.setAttribute('height', '0');
    svg.setAttribute('aria-hidden', 'true');
    svg.style.position = 'absolute';
    var pattern = doc.createElementNS(ns, 'pattern');
    pattern.setAttribute('id', HATCH_ID);
    pattern.setAttribute('patternUnits', 'userSpaceOnUse');
    pattern.setAttribute('width', '8');
    pattern.setAttribute('height', '8');
    pattern.setAttribute('patternTransform', 'rotate(45)');
    var back = doc.createElementNS(ns, 'rect');
    back.setAttribute('width', '8');
    back.setAttribute('height', '8');
    back.setAttribute('fill', '#FFFFFF');
    var line = doc.createElementNS(ns, 'rect');
    line.setAttribute('width', '2.5');
    line.setAttribute('height', '8');
    line.setAttribute('fill', '#6B6B6B');
    pattern.appendChild(back);
    pattern.appendChild(line);
    var defs = doc.createElementNS(ns, 'defs');
    defs.appendChild(pattern);
    svg.appendChild(defs);
    doc.body.appendChild(svg);
  }

  /* Leaflet path options for a style record sent by the server. */
  function pathStyle(style, present) {
    var weight = (style.weight || 1) * (present ? PRESENT_WEIGHT : 1);
    var out = {
      color: style.stroke || style.color || '#222222',
      weight: weight,
      opacity: 1,
      dashArray: style.dash || null,
      fill: style.fill !== false,
      fillColor: style.hatch ? 'url(#' + HATCH_ID + ')' : (style.color || '#888888'),
      fillOpacity: style.fill === false ? 0 : (style.fill_opacity === undefined ? 1 : style.fill_opacity)
    };
    return out;
  }

  global.AtlasLib = {
    PANES: PANES,
    HATCH_ID: HATCH_ID,
    VIEW_REPORT_MS: VIEW_REPORT_MS,
    PLAY_STEP_MS: PLAY_STEP_MS,
    NARROW_PX: NARROW_PX,
    POPUP_MAX_PX: POPUP_MAX_PX, POPUP_MIN_PX: POPUP_MIN_PX,
    POPUP_PAN_PX: POPUP_PAN_PX,
    POPUP_CHROME_PX: POPUP_CHROME_PX,
    UNDER_POPUP: UNDER_POPUP,
    SESSION_SOURCE: SESSION_SOURCE,
    ASK_AGAIN_MS: ASK_AGAIN_MS,
    ASK_MAX: ASK_MAX,
    HIT_WIDTH_PX: HIT_WIDTH_PX,
    PRESENT_WEIGHT: PRESENT_WEIGHT,
    SELECTED_EXTRA_PX: SELECTED_EXTRA_PX,
    HOVER_EXTRA_PX: HOVER_EXTRA_PX,
    POINT_RADIUS_PX: POINT_RADIUS_PX,
    FIT_PADDING_PX: FIT_PADDING_PX,
    FIT_MAX_ZOOM: FIT_MAX_ZOOM,
    LEGEND_HEIGHT_SHARE: LEGEND_HEIGHT_SHARE, LEGEND_MIN_HEIGHT_PX: LEGEND_MIN_HEIGHT_PX,
    LEGEND_WIDTH_SHARE: LEGEND_WIDTH_SHARE,
    LEGEND_MIN_WIDTH_PX: LEGEND_MIN_WIDTH_PX, LEGEND_MAX_WIDTH_PX: LEGEND_MAX_WIDTH_PX,
    PANE_Z: PANE_Z,
    MAX_PANE_ORDER: MAX_PANE_ORDER,
    BASEMAP_WEIGHT: BASEMAP_WEIGHT,
    EDGE_LINE: EDGE_LINE,
    MEASURE_LINE: MEASURE_LINE,
    SELECTED_COLOR: SELECTED_COLOR,
    HINT_MS: HINT_MS,
    el: el,
    escapeHtml: escapeHtml,
    setText: setText,
    icon: icon,
    installHatch: installHatch,
    pathStyle: pathStyle
  };
}(window));
