/*
 * The tools bar (full screen) and the distance measure.
 * (Part of the map client, loaded after atlas_base.js and atlas_core.js: offline.CLIENT_SCRIPTS.)
 */
(function (global) {
  'use strict';
  var A = global.AtlasLib;
  var MEASURE_LINE = A.MEASURE_LINE;
  var el = A.el;
  var icon = A.icon;
  var AtlasMap = global.AtlasMap;

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
    this.hint(A.WORDS.measure_keys);
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
          color: MEASURE_LINE.color, weight: MEASURE_LINE.weight, dashArray: MEASURE_LINE.dashArray,
          interactive: false, pane: 'atlas-hits'
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
}(window));
