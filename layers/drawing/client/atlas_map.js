/*
 * Eastern Flank Mine Atlas — the map client.
 *
 * One Leaflet map that lives as long as the page: `update(config)` is called with each new
 * view and changes only what changed (a layer's data is fetched once per URL; a date change
 * restyles features from a small table of properties). The same file draws the live page
 * (inside a Streamlit component) and the standalone HTML export (data inline, no server).
 *
 * A user's own layer (an import, a joined table) has no URL: the page sends its features
 * inline once, under a `key`, and then the key alone (views/session_layers.py); the client
 * keeps them while the layer is in the configuration, and asks with a `need` event for a
 * key it lacks (a new frame, a rerun that never arrived).
 *
 * Every text that can come from data is written with textContent, never as HTML.
 *
 * The protocol (layers/drawing/protocol.py; tests/test_map_protocol.py holds both sides to it):
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
 *
 * @typedef {Object} ViewRequest
 * @property {number} request
 * @property {number[]} [center]  [lat, lon]
 * @property {number} [zoom]
 * @property {number[]} [bounds]
 *
 * @typedef {Object} TimelineStep
 * @property {string} date
 * @property {string} caption
 * @property {Object<string, Object<string, FeatureProps>>} patches
 *
 * @typedef {Object} MapConfig
 * @property {string} date
 * @property {string} date_prefix
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
 * @property {number} [height_px]
 * @property {number} [height_vh]
 * @property {number} [height_min_px]
 *
 * Events (one per user action; each carries seq, center, zoom, selected, visible):
 * 'view'; 'select'; 'layers' with layer and on; 'date' with date; 'need' with need.
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
    var weight = (style.weight || 1) * (present ? 1.6 : 1);
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
    L.control.scale({imperial: false}).addTo(map);
    this._addTools();
    this._addGoTo();
    this._addLayerPanel();
    this._addDateBox();
    this._addLegend();
    this._addNotice();
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
    map.on('popupopen', function () {
      self._legendForPopup(true);
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

  AtlasMap.prototype._emit = function (extra) {
    if (!this.options.send) { return; }
    // Every event carries the view, so a view report still pending is redundant, and harmful:
    // sent while the page is still applying this event, its rerun would carry the sidebar's
    // values from before this event (a layer toggled here would be switched back).
    clearTimeout(this._reportTimer);
    var center = this.map.getCenter();
    var visible = [];
    var self = this;
    Object.keys(this.layers).forEach(function (id) {
      if (self.layers[id].visible) { visible.push(id); }
    });
    var event = {
      center: [Math.round(center.lat * 1e4) / 1e4, Math.round(center.lng * 1e4) / 1e4],
      zoom: this.map.getZoom(),
      selected: this.selected,
      visible: visible.sort(),
      seq: Date.now()
    };
    Object.keys(extra || {}).forEach(function (k) { event[k] = extra[k]; });
    this.options.send(event);
  };

  AtlasMap.prototype._scheduleReport = function () {
    var self = this;
    if (this._suppressReport) { return; }
    clearTimeout(this._reportTimer);
    this._reportTimer = setTimeout(function () { self._emit({kind: 'view'}); }, VIEW_REPORT_MS);
  };

  /* ------------------------------------------------------------------------- controls */

  AtlasMap.prototype._control = function (position, build) {
    var Control = L.Control.extend({
      options: {position: position},
      onAdd: function () {
        var div = L.DomUtil.create('div', 'atlas-control');
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        build(div);
        return div;
      }
    });
    var control = new Control();
    control.addTo(this.map);
    return control.getContainer();
  };

  AtlasMap.prototype._addTools = function () {
    var self = this;
    this._control('topleft', function (bar) {
      bar.classList.add('leaflet-bar', 'atlas-tools');
      var full = el('a', 'atlas-fullscreen', bar);
      full.href = '#'; full.title = 'Full screen'; full.setAttribute('role', 'button');
      full.appendChild(icon('M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5'));
      var measure = el('a', 'atlas-measure', bar);
      measure.href = '#'; measure.setAttribute('role', 'button');
      measure.title = 'Measure a distance over land: click points, double-click to finish';
      measure.appendChild(icon('M1 5h14v6H1zM4 5v3M7 5v2M10 5v3M13 5v2'));
      self._measureButton = measure;
      L.DomEvent.on(full, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        var doc = self.container.ownerDocument;
        if (doc.fullscreenElement) { doc.exitFullscreen(); }
        else if (self.container.requestFullscreen) { self.container.requestFullscreen(); }
      });
      L.DomEvent.on(measure, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        self.setMeasuring(!self.measuring);
      });
    });
  };

  AtlasMap.prototype.setMeasuring = function (on) {
    var map = this.map;
    this.measuring = on;
    this._measureButton.classList.toggle('atlas-active', on);
    this.container.classList.toggle('atlas-measuring', on);
    if (this._measure) {
      if (this._measure.line) { map.removeLayer(this._measure.line); }
      if (this._measure.label) { map.removeLayer(this._measure.label); }
      map.off('click', this._measure.onClick);
      map.off('dblclick', this._measure.onDouble);
      this._measure = null;
    }
    if (!on) { map.doubleClickZoom.enable(); return; }
    map.closePopup();
    map.doubleClickZoom.disable();
    var state = {points: [], line: null, label: null, done: false};
    state.onClick = function (e) {
      if (state.done) { state.points = []; state.done = false; }
      state.points.push(e.latlng);
      var km = 0;
      for (var i = 1; i < state.points.length; i++) {
        km += map.distance(state.points[i - 1], state.points[i]) / 1000;
      }
      if (state.line) { state.line.setLatLngs(state.points); }
      else {
        state.line = L.polyline(state.points, {
          color: '#000', weight: 2, dashArray: '4 4', interactive: false, pane: 'atlas-hits'
        }).addTo(map);
      }
      var text = km.toFixed(1) + ' km';
      if (state.label) { state.label.setLatLng(e.latlng).setContent(text); }
      else {
        state.label = L.tooltip({permanent: true, className: 'atlas-measure-label', direction: 'right'})
          .setLatLng(e.latlng).setContent(text).addTo(map);
      }
      state.km = km;
    };
    state.onDouble = function () { state.done = true; };
    map.on('click', state.onClick);
    map.on('dblclick', state.onDouble);
    this._measure = state;
  };

  AtlasMap.prototype.measuredKm = function () {
    return this._measure && this._measure.km !== undefined ? this._measure.km : null;
  };

  AtlasMap.prototype._addGoTo = function () {
    var self = this;
    this._control('topleft', function (div) {
      div.classList.add('atlas-goto');
      var label = el('label', null, div);
      setText(label, 'Go to ');
      var select = el('select', null, label);
      select.setAttribute('aria-label', 'Go to a view');
      self._goto = select;
      L.DomEvent.on(select, 'change', function () {
        var preset = (self._presets || []).filter(function (p) { return p.id === select.value; })[0];
        if (preset) { self.fitBounds(preset.bounds); }
        select.value = '';
      });
    });
  };

  AtlasMap.prototype.fitBounds = function (b) {
    // b = [south, west, north, east] in degrees
    this.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], {padding: [12, 12], maxZoom: 10});
  };

  AtlasMap.prototype._renderGoTo = function (presets) {
    var select = this._goto;
    this._presets = presets;
    while (select.firstChild) { select.removeChild(select.firstChild); }
    var first = el('option', null, select);
    first.value = ''; setText(first, '…');
    presets.forEach(function (preset) {
      var option = el('option', null, select);
      option.value = preset.id;
      setText(option, preset.label);
    });
  };

  AtlasMap.prototype._addLayerPanel = function () {
    var self = this;
    this._layerPanel = this._control('topright', function (div) {
      div.classList.add('atlas-layers');
      var details = el('details', null, div);
      var summary = el('summary', null, details);
      setText(summary, 'Layers');
      self._layerList = el('div', 'atlas-layer-list', details);
      self._layerDetails = details;
    });
  };

  AtlasMap.prototype._renderLayerPanel = function (layers) {
    var self = this;
    var list = this._layerList;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    layers.forEach(function (cfg) {
      var row = el('label', 'atlas-layer-row', list);
      var box = el('input', null, row);
      box.type = 'checkbox';
      box.checked = !!cfg.visible;
      box.setAttribute('data-layer', cfg.id);
      setText(el('span', null, row), ' ' + cfg.title);
      L.DomEvent.on(box, 'change', function () {
        self.setVisible(cfg.id, box.checked);
        self._emit({kind: 'layers', layer: cfg.id, on: box.checked});
      });
    });
  };

  AtlasMap.prototype._addDateBox = function () {
    var self = this;
    this._control('topright', function (div) {
      div.classList.add('atlas-date');
      var row = el('div', 'atlas-date-row', div);
      self._prevButton = el('button', 'atlas-prev', row);
      setText(self._prevButton, '◀'); self._prevButton.title = 'Previous treaty event';
      self._playButton = el('button', 'atlas-play', row);
      setText(self._playButton, '▶'); self._playButton.title = 'Play the treaty events';
      self._nextButton = el('button', 'atlas-next', row);
      setText(self._nextButton, '▶|'); self._nextButton.title = 'Next treaty event';
      self._dateText = el('span', 'atlas-date-text', row);
      self._caption = el('div', 'atlas-date-caption', div);
      L.DomEvent.on(self._playButton, 'click', function () { self.togglePlay(); });
      L.DomEvent.on(self._prevButton, 'click', function () { self.stepEvent(-1); });
      L.DomEvent.on(self._nextButton, 'click', function () { self.stepEvent(1); });
    });
  };

  AtlasMap.prototype._addLegend = function () {
    var self = this;
    this._legendBox = this._control('bottomleft', function (div) {
      div.classList.add('atlas-legend');
      var details = el('details', null, div);
      var summary = el('summary', null, details);
      setText(summary, 'Legend');
      self._legendBody = el('div', 'atlas-legend-body', details);
      self._legendDetails = details;
    });
    var narrow = this.container.clientWidth > 0 && this.container.clientWidth < NARROW_PX;
    this._legendDetails.open = !narrow;
  };

  AtlasMap.prototype._legendForPopup = function (opening) {
    var details = this._legendDetails;
    if (opening) {
      this._legendWasOpen = details.open;
      details.open = false;
    } else if (this._legendWasOpen) {
      details.open = true;
      this._legendWasOpen = false;
    }
  };

  // A popup at most 320 px wide, narrower on a small map so that all of it (its close button
  // too) fits inside the map with the auto-pan margin on both sides.
  AtlasMap.prototype._popupOptions = function () {
    var room = this.container.clientWidth - 2 * POPUP_PAN_PX - POPUP_CHROME_PX;
    return {
      maxWidth: Math.max(POPUP_MIN_PX, Math.min(POPUP_MAX_PX, room)),
      minWidth: Math.min(POPUP_MIN_PX, room),
      autoPanPadding: [POPUP_PAN_PX, POPUP_PAN_PX]
    };
  };

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  // Hide each control whose box meets the open popup's box; show every control otherwise.
  AtlasMap.prototype._clearControlsForPopup = function () {
    var popup = this.container.querySelector('.leaflet-popup');
    var box = popup && this.container.classList.contains('atlas-popup-open')
      ? popup.getBoundingClientRect() : null;
    var controls = this.container.querySelectorAll('.leaflet-control');
    Array.prototype.forEach.call(controls, function (control) {
      control.classList.remove(UNDER_POPUP);
      if (box && overlaps(control.getBoundingClientRect(), box)) {
        control.classList.add(UNDER_POPUP);
      }
    });
  };

  function swatch(parent, entry) {
    var box = el('span', 'atlas-swatch atlas-swatch-' + (entry.kind || 'fill'), parent);
    if (entry.kind === 'line') {
      box.style.borderTopColor = entry.color;
      if (entry.dash) { box.style.borderTopStyle = 'dashed'; }
    } else if (entry.kind === 'hatch') {
      box.classList.add('atlas-swatch-hatch');
    } else if (entry.kind === 'point') {
      box.style.background = entry.color;
    } else {
      box.style.background = entry.color;
      if (entry.opacity !== undefined && entry.opacity < 1) { box.style.opacity = entry.opacity; }
    }
    return box;
  }

  AtlasMap.prototype._fitLegend = function () {
    // The open legend never takes more than a small share of the map.
    var size = this.map.getSize();
    this._legendBody.style.maxHeight = Math.max(60, Math.round(size.y * 0.3)) + 'px';
    this._legendBox.style.maxWidth = Math.max(150, Math.min(260, Math.round(size.x * 0.4))) + 'px';
  };

  AtlasMap.prototype._renderLegend = function (legend) {
    var body = this._legendBody;
    this._fitLegend();
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var self = this;
    legend.forEach(function (group) {
      if (group.layer && !(self.layers[group.layer] && self.layers[group.layer].visible)) { return; }
      var block = el('div', 'atlas-legend-group', body);
      if (group.layer) { block.setAttribute('data-layer', group.layer); }
      setText(el('div', 'atlas-legend-title', block), group.title);
      var state = group.layer ? self.layers[group.layer] : null;
      if (state && !self._zoomAllows(state)) {
        setText(el('div', 'atlas-legend-note', block),
          'Zoom in to see this layer (from zoom ' + state.config.min_zoom + ')');
      }
      group.entries.forEach(function (entry) {
        var row = el('div', 'atlas-legend-row', block);
        var holder = el('span', 'atlas-swatch-holder', row);
        swatch(holder, entry);
        setText(el('span', 'atlas-legend-label', row), entry.label);
      });
    });
  };

  AtlasMap.prototype._addNotice = function () {
    var self = this;
    this._noticeBox = this._control('bottomright', function (div) {
      div.classList.add('atlas-notice');
      div.style.display = 'none';
      self._noticeText = div;
    });
  };

  AtlasMap.prototype.notice = function (text) {
    setText(this._noticeText, text);
    this._noticeText.style.display = text ? '' : 'none';
  };

  /* ------------------------------------------------------------------------ basemap */

  AtlasMap.prototype._setBasemap = function (basemap) {
    var map = this.map;
    var self = this;
    if (this._basemapUrl !== basemap.url) {
      this._basemapUrl = basemap.url;
      if (this._basemap) { map.removeLayer(this._basemap); }
      this._load(basemap.url, basemap.data).then(function (data) {
        if (self._basemapUrl !== basemap.url) { return; }
        self._basemap = L.geoJSON(data, {
          pane: 'atlas-basemap', interactive: false,
          style: function () { return {color: basemap.stroke, weight: 0.6, fillColor: basemap.fill, fillOpacity: 1}; }
        }).addTo(map);
        if (basemap.edge) {
          var e = basemap.edge;   // [lon, south, north]: everything east of lon is off the map
          L.rectangle([[e[1], e[0]], [e[2], 180]], {
            pane: 'atlas-basemap', interactive: false, stroke: false,
            fillColor: basemap.edge_fill, fillOpacity: 1
          }).addTo(self._basemap);
          L.polyline([[e[1], e[0]], [e[2], e[0]]], {
            pane: 'atlas-basemap', interactive: false, color: '#555555', weight: 1.5
          }).addTo(self._basemap);
        }
      });
    }
    var tiles = basemap.tiles || null;
    var key = tiles ? tiles.url : '';
    if (this._tilesKey !== key) {
      this._tilesKey = key;
      if (this._tiles) { map.removeLayer(this._tiles); this._tiles = null; }
      this.notice('');
      if (tiles) {
        var failed = false;
        this._tiles = L.tileLayer(tiles.url, {attribution: tiles.attribution, maxZoom: this.map.getMaxZoom()});
        this._tiles.on('tileerror', function () {
          if (failed) { return; }
          failed = true;
          self.notice(tiles.offline_notice);
        });
        this._tiles.addTo(map);
      }
    }
    var control = map.attributionControl;
    (this._attributions || []).forEach(function (text) { control.removeAttribution(text); });
    this._attributions = (basemap.attribution || []).slice();
    this._attributions.forEach(function (text) { control.addAttribution(text); });
  };

  /* ------------------------------------------------------------------------- layers */

  AtlasMap.prototype._load = function (url, inline) {
    if (inline) { return Promise.resolve(inline); }
    if (!this.data[url]) {
      this.data[url] = fetch(url, {credentials: 'same-origin'}).then(function (r) {
        if (!r.ok) { throw new Error('could not load ' + url + ': ' + r.status); }
        return r.json();
      });
    }
    return this.data[url];
  };

  AtlasMap.prototype._content = function (state, fid) {
    var props = state.props[fid] || {};
    var cfg = state.config;
    var box = el('div', 'atlas-tip');
    var texts = props.t || [];
    (cfg.fields || []).forEach(function (label, i) {
      if (texts[i] === undefined || texts[i] === '') { return; }
      var row = el('div', 'atlas-tip-row', box);
      setText(el('span', 'atlas-tip-label', row), label + ': ');
      setText(el('span', 'atlas-tip-value', row), texts[i]);
    });
    return box;
  };

  AtlasMap.prototype._styleFor = function (state, fid) {
    var cfg = state.config;
    var props = state.props[fid] || {};
    var style = cfg.styles[props.s] || cfg.styles[''] || {};
    var out = pathStyle(style, this.config && this.config.present);
    out.className = 'atlas-layer atlas-layer-' + cfg.id;
    if (this.selected === cfg.id + ':' + fid) {
      out.weight = out.weight + 2.5;
      out.color = '#000000';
    }
    return out;
  };

  /* One pane per layer, stacked by the layer's order within its kind: fills, then
     outlines, lines and points, so the stacking never depends on which file arrived first. */
  AtlasMap.prototype._paneFor = function (cfg, order) {
    var base = cfg.kind === 'point' ? 480 : (cfg.kind === 'line' ? 450
      : (cfg.outline ? 440 : 400));
    var name = 'atlas-layer-' + cfg.id;
    var pane = this.map.getPane(name) || this.map.createPane(name);
    pane.style.zIndex = String(base + Math.min(order, 9));
    return name;
  };

  AtlasMap.prototype._buildLayer = function (state, data) {
    var self = this;
    var cfg = state.config;
    var map = this.map;
    state.features = {};
    var pane = this._paneFor(cfg, state.order || 0);
    function remember(feature, layer) {
      var fid = String(feature.properties.id);
      (state.features[fid] = state.features[fid] || []).push(layer);
      if (!state.fromArgs) { state.props[fid] = feature.properties; }
      return fid;
    }
    function bind(feature, layer) {
      var fid = String(feature.properties.id);
      layer.bindTooltip(function () { return self._content(state, fid); }, {sticky: true, className: 'atlas-tooltip'});
      layer.on('click', function () {
        if (self.measuring) { return; }
        self.select(cfg.id + ':' + fid);
        layer.bindPopup(function () { return self._content(state, fid); }, self._popupOptions()).openPopup();
      });
    }
    var visible = L.geoJSON(data, {
      pane: pane,
      interactive: cfg.kind !== 'line',
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {radius: 6, pane: pane});
      },
      style: function (feature) { return self._styleFor(state, String(feature.properties.id)); },
      onEachFeature: function (feature, layer) {
        remember(feature, layer);
        if (cfg.kind !== 'line') { bind(feature, layer); }
      }
    });
    // The attributions its sources' licences require show while the layer is on the map.
    var credit = (cfg.attribution || []).map(escapeHtml).join(' · ');
    state.group = L.layerGroup([visible], credit ? {attribution: credit} : {});
    state.visibleLayer = visible;
    if (cfg.kind === 'line') {
      // A wide, invisible twin takes the hover and the clicks, so a border is easy to hit.
      var hits = L.geoJSON(data, {
        pane: 'atlas-hits',
        style: function () {
          return {weight: HIT_WIDTH_PX, opacity: 0, color: '#000', className: 'atlas-hit'};
        },
        onEachFeature: function (feature, layer) {
          bind(feature, layer);
          var fid = String(feature.properties.id);
          layer.on('mouseover', function () {
            (state.features[fid] || []).forEach(function (l) { l.setStyle({weight: l.options.weight + 2}); });
          });
          layer.on('mouseout', function () { self._restyle(state); });
        }
      });
      state.group.addLayer(hits);
    }
    this._place(state);
  };

  AtlasMap.prototype._zoomAllows = function (state) {
    var least = state.config && state.config.min_zoom;
    return !least || this.map.getZoom() >= least;
  };

  AtlasMap.prototype._place = function (state) {
    // On the map while switched on and (for a detailed layer) zoomed in far enough.
    if (!state.group) { return; }
    var wanted = state.visible && this._zoomAllows(state);
    var present = this.map.hasLayer(state.group);
    if (wanted && !present) { state.group.addTo(this.map); }
    if (!wanted && present) { this.map.removeLayer(state.group); }
  };

  AtlasMap.prototype._restyle = function (state) {
    var self = this;
    Object.keys(state.features || {}).forEach(function (fid) {
      var style = self._styleFor(state, fid);
      state.features[fid].forEach(function (layer) { layer.setStyle(style); });
    });
  };

  AtlasMap.prototype.setVisible = function (id, on) {
    var state = this.layers[id];
    if (!state) { return; }
    state.visible = on;
    this._place(state);
    if (!on && this.selected && this.selected.indexOf(id + ':') === 0) {
      this.selected = null;
      this.map.closePopup();
    }
    var box = this._layerList.querySelector('input[data-layer="' + id + '"]');
    if (box) { box.checked = on; }
    if (this.config) { this._renderLegend(this.config.legend || []); }
  };

  AtlasMap.prototype.select = function (key) {
    var previous = this.selected;
    this.selected = key;
    var self = this;
    [previous, key].forEach(function (k) {
      if (!k) { return; }
      var state = self.layers[k.split(':')[0]];
      if (state) { self._restyle(state); }
    });
    this._emit({kind: 'select'});
  };

  AtlasMap.prototype._applyLayers = function (layers, patches) {
    var self = this;
    var wanted = {};
    layers.forEach(function (cfg, order) {
      wanted[cfg.id] = true;
      var state = self.layers[cfg.id];
      var source = cfg.url || (cfg.key ? SESSION_SOURCE + cfg.key : null) ||
        (cfg.data ? 'inline:' + cfg.id : null);
      if (!state || (source && state.source !== source)) {
        if (state) { self._drop(state); }
        state = {config: cfg, source: source, props: {}, visible: !!cfg.visible, fromArgs: !!cfg.dynamic};
        self.layers[cfg.id] = state;
      }
      if (cfg.key && cfg.geojson && !self.data[source]) {
        self.data[source] = Promise.resolve(JSON.parse(cfg.geojson));
      }
      if (!state.requested && (cfg.url || cfg.data || self.data[source])) {
        // A switched-off layer arrives without data; it is loaded when it is first shown.
        state.requested = true;
        (cfg.key ? self.data[source] : self._load(cfg.url, cfg.data)).then(function (data) {
          if (self.layers[cfg.id] !== state) { return; }
          self._buildLayer(state, data);
          self._restyle(state);
        }).catch(function (err) {
          self.notice('A layer could not be loaded: ' + cfg.title + ' (' + err.message + ')');
        });
      }
      state.config = cfg;
      state.order = order;
      if (cfg.dynamic && patches && patches[cfg.id]) {
        state.props = patches[cfg.id];
        self._restyle(state);
      }
      if (state.visible !== !!cfg.visible) { self.setVisible(cfg.id, !!cfg.visible); }
    });
    Object.keys(this.layers).forEach(function (id) {
      if (!wanted[id]) {
        self._drop(self.layers[id]);
        delete self.layers[id];
        if (self.selected && self.selected.indexOf(id + ':') === 0) { self.selected = null; }
      }
    });
  };

  AtlasMap.prototype._drop = function (state) {
    // A layer leaves the map; a session layer's features leave the page with it.
    if (state.group) { this.map.removeLayer(state.group); }
    if (state.source && state.source.indexOf(SESSION_SOURCE) === 0) {
      delete this.data[state.source];
      delete this._asked[state.source.slice(SESSION_SOURCE.length)];
    }
  };

  AtlasMap.prototype._askForMissing = function () {
    // Session layers whose features this page lacks: ask the page once, again after a pause.
    var self = this;
    var now = Date.now();
    var missing = [];
    var waiting = false;
    Object.keys(this.layers).forEach(function (id) {
      var state = self.layers[id];
      var key = state.config.key;
      if (!key || state.requested) { return; }
      var asked = self._asked[key] || {at: 0, n: 0};
      if (asked.n >= ASK_MAX) { return; }
      if (now - asked.at < ASK_AGAIN_MS) { waiting = true; return; }
      self._asked[key] = {at: now, n: asked.n + 1};
      missing.push(key);
    });
    clearTimeout(this._askTimer);
    if (missing.length || waiting) {
      this._askTimer = setTimeout(function () { self._askForMissing(); }, ASK_AGAIN_MS);
    }
    if (missing.length) { this._emit({kind: 'need', need: missing.sort()}); }
  };

  /* ------------------------------------------------------------------------ time */

  AtlasMap.prototype._showDate = function (text, caption) {
    setText(this._dateText, text);
    setText(this._caption, caption || '');
  };

  AtlasMap.prototype._applyStep = function (index) {
    var step = this.timeline[index];
    var self = this;
    if (!step) { return; }
    this.playIndex = index;
    Object.keys(step.patches || {}).forEach(function (id) {
      var state = self.layers[id];
      if (!state) { return; }
      var patch = step.patches[id];
      Object.keys(patch).forEach(function (fid) { state.props[fid] = patch[fid]; });
      self._restyle(state);
    });
    this._showDate(this.config.date_prefix + step.date, step.caption);
  };

  AtlasMap.prototype._stepIndexFor = function (date) {
    // the last event on or before date (ISO strings compare as dates)
    var index = -1;
    for (var i = 0; i < this.timeline.length; i++) {
      if (this.timeline[i].date <= date) { index = i; }
    }
    return index;
  };

  AtlasMap.prototype._setTimeline = function (source) {
    // An array (the export) or the URL of one (the live page, fetched once per URL).
    var self = this;
    if (Array.isArray(source)) { this.timeline = source; this._timelineSource = null; return; }
    if (!source) { this.timeline = []; this._timelineSource = null; return; }
    if (source === this._timelineSource) { return; }
    this._timelineSource = source;
    this.timeline = [];
    this._load(source).then(function (steps) {
      if (self._timelineSource === source) { self.timeline = steps; }
    });
  };

  AtlasMap.prototype.togglePlay = function () {
    var self = this;
    if (this.playing) { this.stopPlay(true); return; }
    if (!this.timeline.length) { return; }
    setText(this._playButton, '❚❚');
    this._playButton.title = 'Pause';
    this.container.classList.add('atlas-playing');
    this._applyStep(0);
    this.playing = setInterval(function () {
      if (self.playIndex >= self.timeline.length - 1) { self.stopPlay(true); return; }
      self._applyStep(self.playIndex + 1);
    }, PLAY_STEP_MS);
  };

  AtlasMap.prototype.stopPlay = function (report) {
    clearInterval(this.playing);
    this.playing = null;
    setText(this._playButton, '▶');
    this._playButton.title = 'Play the treaty events';
    this.container.classList.remove('atlas-playing');
    if (report && this.playIndex >= 0) {
      this._emit({kind: 'date', date: this.timeline[this.playIndex].date});
    }
  };

  AtlasMap.prototype.stepEvent = function (direction) {
    if (this.playing) { this.stopPlay(false); }
    if (!this.timeline.length || !this.config) { return; }
    var current = this._stepIndexFor(this.config.date);
    var index;
    if (direction > 0) {
      index = current + 1;
    } else {
      index = this.timeline[current] && this.timeline[current].date === this.config.date
        ? current - 1 : current;
    }
    index = Math.max(0, Math.min(this.timeline.length - 1, index));
    this._applyStep(index);
    this._emit({kind: 'date', date: this.timeline[index].date});
  };

  AtlasMap.prototype._onKey = function (e) {
    var target = e.target && e.target.tagName;
    if (target === 'SELECT' || target === 'INPUT') { return; }
    if (e.key === 'PageDown' || (e.key === ']')) { this.stepEvent(1); e.preventDefault(); }
    if (e.key === 'PageUp' || (e.key === '[')) { this.stepEvent(-1); e.preventDefault(); }
    if (e.key === ' ' && e.target === this.container) { this.togglePlay(); e.preventDefault(); }
    if (e.key === 'Escape' && this.measuring) { this.setMeasuring(false); }
  };

  /* ------------------------------------------------------------------------- update */

  AtlasMap.prototype.update = function (config) {
    var first = this.config === null;
    // A rerun that does not change the date (a view report, another widget) lets a
    // play-through go on; a new date from the page stops it.
    var keepPlaying = this.playing && !first && this.config.date === config.date;
    if (this.playing && !keepPlaying) { this.stopPlay(false); }
    this.config = config;
    this.container.classList.toggle('atlas-present', !!config.present);
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
    this._setBasemap(config.basemap);
    this._applyLayers(config.layers || [], keepPlaying ? {} : (config.patches || {}));
    this._renderLayerPanel(config.layers || []);
    this._renderLegend(config.legend || []);
    this._renderGoTo(config.presets || []);
    this._setTimeline(config.timeline);
    if (!keepPlaying) { this._showDate(config.date_prefix + config.date, ''); }
    if (config.selected !== undefined && config.selected !== this.selected) {
      this.selected = config.selected;
      var self = this;
      Object.keys(this.layers).forEach(function (id) { self._restyle(self.layers[id]); });
    }
    this._askForMissing();
  };

  global.AtlasMap = AtlasMap;
}(window));
