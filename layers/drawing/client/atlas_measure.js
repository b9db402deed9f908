/*
 * The tools bar (full screen) and the distance measure.
 * (Part of the map client, loaded after atlas_base.js and atlas_core.js: offline.CLIENT_SCRIPTS.)
 */
(function (global) {
  'use strict';
  var A = global.AtlasLib;
  var MEASURE_LINE = A.MEASURE_LINE;
  var el = A.el;
  var setText = A.setText;
  var icon = A.icon;
  var AtlasMap = global.AtlasMap;

  AtlasMap.prototype._addTools = function () {
    var self = this;
    this._control('topleft', function (bar) {
      bar.classList.add('leaflet-bar', 'atlas-tools');
      var full = el('a', 'atlas-fullscreen', bar);
      full.href = '#'; full.setAttribute('role', 'button');
      full.appendChild(icon('M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5'));
      var measure = el('a', 'atlas-measure', bar);
      measure.href = '#'; measure.setAttribute('role', 'button');
      measure.appendChild(icon('M1 5h14v6H1zM4 5v3M7 5v2M10 5v3M13 5v2'));
      self._measureButton = measure;
      self._fullButton = full;
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
    var labels = this.labels || {};
    this.hint(labels.measure_keys);
    map.closePopup();
    map.doubleClickZoom.disable();
    var state = {points: [], line: null, label: null, done: false};
    var self = this;
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
          color: MEASURE_LINE.color, weight: MEASURE_LINE.weight, dashArray: MEASURE_LINE.dashArray,
          interactive: false, pane: 'atlas-hits'
        }).addTo(map);
      }
      var labels = self.labels || {};
      var text = (labels.distance || '{km}').replace('{km}', km.toFixed(1).replace('.', labels.decimal || '.'));
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

  /* ------------------------------------------------------------- the client's words */

  // Every word the client writes itself comes from Python (MapConfig.labels, in the page's
  // language): set once per language on the controls built before the first update.
  AtlasMap.prototype._applyLabels = function (labels) {
    this.labels = labels;
    setText(this._gotoText, labels.go_to + ' ');
    this._goto.setAttribute('aria-label', labels.go_to_view);
    setText(this._layersSummary, labels.layers);
    setText(this._legendSummary, labels.legend);
    this._prevButton.title = labels.previous_event;
    this._nextButton.title = labels.next_event;
    this._playButton.title = this.playing ? labels.pause : labels.play;
    this._fullButton.title = labels.full_screen;
    this._measureButton.title = labels.measure;
    var zoom = this.map.zoomControl;
    if (zoom) {
      [[zoom._zoomInButton, labels.zoom_in], [zoom._zoomOutButton, labels.zoom_out]].forEach(function (pair) {
        pair[0].title = pair[1]; pair[0].setAttribute('aria-label', pair[1]);
      });
    }
    // The scale bar's units ("500 km" → the language's word).
    this._scale._updateMetric = function (maxMeters) {
      var meters = this._getRoundNum(maxMeters);
      var text = meters < 1000 ? meters + ' ' + labels.meters : meters / 1000 + ' ' + labels.kilometers;
      this._updateScale(this._mScale, text, meters / maxMeters);
    };
    this._scale._update();
    if (this.config && this.config.legend) { this._renderLegend(this.config.legend); }
    this._labelAccess(labels);
  };

  AtlasMap.prototype._labelPopup = function (popup) {
    var close = popup && popup._closeButton;
    var labels = this.labels;
    if (close && labels) { close.setAttribute('aria-label', labels.close); }
  };

  AtlasMap.prototype.measuredKm = function () {
    return this._measure && this._measure.km !== undefined ? this._measure.km : null;
  };
}(window));
