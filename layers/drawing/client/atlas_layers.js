/*
 * Layers: loading, drawing, styling, visibility and selection; a session layer's features.
 * (Part of the map client, loaded after atlas_base.js and atlas_core.js: offline.CLIENT_SCRIPTS.)
 */
(function (global) {
  'use strict';
  var A = global.AtlasLib;
  var SESSION_SOURCE = A.SESSION_SOURCE;
  var ASK_AGAIN_MS = A.ASK_AGAIN_MS;
  var ASK_MAX = A.ASK_MAX;
  var HIT_WIDTH_PX = A.HIT_WIDTH_PX;
  var SELECTED_EXTRA_PX = A.SELECTED_EXTRA_PX;
  var HOVER_EXTRA_PX = A.HOVER_EXTRA_PX;
  var POINT_RADIUS_PX = A.POINT_RADIUS_PX;
  var PANE_Z = A.PANE_Z;
  var MAX_PANE_ORDER = A.MAX_PANE_ORDER;
  var SELECTED_COLOR = A.SELECTED_COLOR;
  var el = A.el;
  var escapeHtml = A.escapeHtml;
  var setText = A.setText;
  var pathStyle = A.pathStyle;
  var AtlasMap = global.AtlasMap;

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
      out.weight = out.weight + SELECTED_EXTRA_PX;
      out.color = SELECTED_COLOR;
    }
    return out;
  };

  /* One pane per layer, stacked by the layer's order within its kind: fills, then
     outlines, lines and points, so the stacking never depends on which file arrived first. */
  AtlasMap.prototype._paneFor = function (cfg, order) {
    var base = cfg.kind === 'point' ? PANE_Z.point : (cfg.kind === 'line' ? PANE_Z.line
      : (cfg.outline ? PANE_Z.outline : PANE_Z.fill));
    var name = 'atlas-layer-' + cfg.id;
    var pane = this.map.getPane(name) || this.map.createPane(name);
    pane.style.zIndex = String(base + Math.min(order, MAX_PANE_ORDER));
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
      self._untabbable(layer);
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
        return L.circleMarker(latlng, {radius: POINT_RADIUS_PX, pane: pane});
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
            (state.features[fid] || []).forEach(function (l) { l.setStyle({weight: l.options.weight + HOVER_EXTRA_PX}); });
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

  AtlasMap.prototype._dateAllows = function (state) {
    // A stored layer's version shows on its own days: the date shown, or the step played.
    var cfg = state.config;
    var day = this.shownDate;
    if (!cfg || !cfg.valid_from || !day) { return true; }
    return cfg.valid_from <= day && (!cfg.valid_until || day < cfg.valid_until);
  };

  AtlasMap.prototype._onMap = function (state) {
    return state.visible && this._dateAllows(state);
  };

  AtlasMap.prototype._placeDated = function (day) {
    // The date shown changed (a rerun, a step played): each stored version is placed anew,
    // and its row in the layer panel shows on its days only. True when there is one.
    var self = this;
    var dated = false;
    this.shownDate = day;
    Object.keys(this.layers).forEach(function (id) {
      var state = self.layers[id];
      if (!state.config.valid_from) { return; }
      dated = true;
      self._place(state);
      var box = self._layerList.querySelector('input[data-layer="' + id + '"]');
      if (box) { box.parentNode.style.display = self._dateAllows(state) ? '' : 'none'; }
    });
    return dated;
  };

  AtlasMap.prototype._place = function (state) {
    // On the map while switched on, on its days and (a detailed layer) zoomed in far enough.
    if (!state.group) { return; }
    var wanted = this._onMap(state) && this._zoomAllows(state);
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
    this._emit({kind: 'select', selected: key});
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
}(window));
