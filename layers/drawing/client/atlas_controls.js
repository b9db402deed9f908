/*
 * Map controls: the control frame, "Go to", the layer panel, the date box, the legend,
 * the notice and the basemap.
 * (Part of the map client, loaded after atlas_base.js and atlas_core.js: offline.CLIENT_SCRIPTS.)
 */
(function (global) {
  'use strict';
  var A = global.AtlasLib;
  var NARROW_PX = A.NARROW_PX;
  var POPUP_MAX_PX = A.POPUP_MAX_PX;
  var POPUP_MIN_PX = A.POPUP_MIN_PX;
  var POPUP_PAN_PX = A.POPUP_PAN_PX;
  var POPUP_CHROME_PX = A.POPUP_CHROME_PX;
  var UNDER_POPUP = A.UNDER_POPUP;
  var FIT_PADDING_PX = A.FIT_PADDING_PX;
  var FIT_MAX_ZOOM = A.FIT_MAX_ZOOM;
  var LEGEND_HEIGHT_SHARE = A.LEGEND_HEIGHT_SHARE;
  var LEGEND_MIN_HEIGHT_PX = A.LEGEND_MIN_HEIGHT_PX;
  var LEGEND_WIDTH_SHARE = A.LEGEND_WIDTH_SHARE;
  var LEGEND_MIN_WIDTH_PX = A.LEGEND_MIN_WIDTH_PX;
  var LEGEND_MAX_WIDTH_PX = A.LEGEND_MAX_WIDTH_PX;
  var BASEMAP_WEIGHT = A.BASEMAP_WEIGHT;
  var EDGE_LINE = A.EDGE_LINE;
  var el = A.el;
  var setText = A.setText;
  var AtlasMap = global.AtlasMap;

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


  AtlasMap.prototype._addGoTo = function () {
    var self = this;
    this._control('topleft', function (div) {
      div.classList.add('atlas-goto');
      var label = el('label', null, div);
      self._gotoText = el('span', null, label);
      var select = el('select', null, label);
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
    this.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], {padding: [FIT_PADDING_PX, FIT_PADDING_PX], maxZoom: FIT_MAX_ZOOM});
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
      self._layersSummary = summary;
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
      setText(self._prevButton, '◀');
      self._playButton = el('button', 'atlas-play', row);
      setText(self._playButton, '▶');
      self._nextButton = el('button', 'atlas-next', row);
      setText(self._nextButton, '▶|');
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
      self._legendSummary = summary;
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
    this._legendBody.style.maxHeight =
      Math.max(LEGEND_MIN_HEIGHT_PX, Math.round(size.y * LEGEND_HEIGHT_SHARE)) + 'px';
    this._legendBox.style.maxWidth = Math.max(LEGEND_MIN_WIDTH_PX,
      Math.min(LEGEND_MAX_WIDTH_PX, Math.round(size.x * LEGEND_WIDTH_SHARE))) + 'px';
  };

  AtlasMap.prototype._renderLegend = function (legend) {
    var body = this._legendBody;
    this._fitLegend();
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var self = this;
    legend.forEach(function (group) {
      if (group.layer && !(self.layers[group.layer] && self._onMap(self.layers[group.layer]))) { return; }
      var block = el('div', 'atlas-legend-group', body);
      if (group.layer) { block.setAttribute('data-layer', group.layer); }
      setText(el('div', 'atlas-legend-title', block), group.title);
      var state = group.layer ? self.layers[group.layer] : null;
      if (state && !self._zoomAllows(state)) {
        var labels = self.labels || {};
        setText(el('div', 'atlas-legend-note', block),
          (labels.zoom_in_note || '').replace('{zoom}', String(state.config.min_zoom)));
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
          style: function () { return {color: basemap.stroke, weight: BASEMAP_WEIGHT, fillColor: basemap.fill, fillOpacity: 1}; }
        }).addTo(map);
        if (basemap.edge) {
          var e = basemap.edge;   // [lon, south, north]: everything east of lon is off the map
          L.rectangle([[e[1], e[0]], [e[2], 180]], {
            pane: 'atlas-basemap', interactive: false, stroke: false,
            fillColor: basemap.edge_fill, fillOpacity: 1
          }).addTo(self._basemap);
          L.polyline([[e[1], e[0]], [e[2], e[0]]], {
            pane: 'atlas-basemap', interactive: false, color: EDGE_LINE.color, weight: EDGE_LINE.weight
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
}(window));
