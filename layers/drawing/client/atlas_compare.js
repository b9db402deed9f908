/*
 * The compare view: a second map on another date beside the first (side by side; one above
 * the other on a narrow screen), panned and zoomed with it. The second map is an AtlasMap of
 * its own that draws the same layers from the same files, with the dated layers' properties
 * of the compare date (MapConfig.compare); it sends the page nothing itself. A session's own
 * layers (imports, stored layers) are the same on both maps. Its layout, side by side or a
 * swipe (the second map over the first, right of a divider), is atlas_swipe.js's.
 * (Part of the map client, loaded after atlas_time.js: offline.CLIENT_SCRIPTS.)
 */
(function (global) {
  'use strict';
  var A = global.AtlasLib;
  var el = A.el;
  var setText = A.setText;
  var AtlasMap = global.AtlasMap;
  AtlasMap.prototype._setCompare = function (config) {
    if (this.options.twin) { return; }
    if (this.options.send && !this._compareButton) { this._addCompareButton(); }
    var compare = config.compare;
    var labels = config.labels || {};  // the client's words, in the page's language
    if (this._compareButton) {
      this._compareButton.setAttribute('aria-pressed', compare ? 'true' : 'false');
      this._compareButton.title = compare ? labels.compare_close : labels.compare_open;
      this._compareButton.setAttribute('aria-label', this._compareButton.title);
    }
    if (!compare) { this._closeTwin(); return; }
    var twin = this._twin || this._openTwin();
    var center = this.map.getCenter();
    var copy = {};
    Object.keys(config).forEach(function (k) { if (k !== 'compare') { copy[k] = config[k]; } });
    copy.date = compare.date;
    copy.date_label = compare.date_label;
    copy.patches = compare.patches;
    copy.timeline = null;
    // Asked once (request 1); afterwards the twin follows this map's moves.
    copy.view = {request: 1, center: [center.lat, center.lng], zoom: this.map.getZoom()};
    twin.update(copy);
    twin.container.setAttribute('aria-label', labels.compare_map);
    twin._compareInput.setAttribute('aria-label', labels.compare_date);
    twin._compareClose.title = labels.compare_close;
    twin._compareClose.setAttribute('aria-label', labels.compare_close);
    var input = twin._compareInput;
    input.min = config.date_range[0];
    input.max = config.date_range[1];
    if (input.value !== compare.date) { input.value = compare.date; }
    var swipe = compare.mode === 'swipe';
    twin._compareMode.setAttribute('aria-pressed', swipe ? 'true' : 'false');
    twin._compareMode.title = swipe ? labels.compare_side : labels.compare_swipe;
    twin._compareMode.setAttribute('aria-label', twin._compareMode.title);
    setText(twin._compareMode, swipe ? '◫' : '◧');
    this._setSwipe(swipe, labels);  // atlas_swipe.js
  };

  /* The ⇆ button in the date box: opens the compare view on the first date, or closes it. */
  AtlasMap.prototype._addCompareButton = function () {
    var self = this;
    var button = el('button', 'atlas-compare', this._nextButton.parentNode);
    setText(button, '⇆');
    L.DomEvent.on(button, 'click', function () {
      var open = Boolean(self.config && self.config.compare);
      self._emit({kind: 'compare', date: open ? null : self.config.date_range[0]});
    });
    this._compareButton = button;
  };

  AtlasMap.prototype._openTwin = function () {
    var self = this;
    var holder = this.container.parentNode;
    var div = el('div', 'atlas-twin');
    holder.insertBefore(div, this.container.nextSibling);
    holder.classList.add('atlas-comparing');
    this.container.classList.add('atlas-compare-main');
    this.map.invalidateSize();
    var twin = new AtlasMap(div, {twin: true, wheelAfterFocus: this.options.wheelAfterFocus});
    if (twin._about) {  // its own text alternative (ids are unique in the page)
      twin._about.id = this._about.id + '-compare';
      div.setAttribute('aria-describedby', twin._about.id);
    }
    // One store of features for both: the twin draws the session's own layers (imports,
    // stored layers) from what this map was sent, and fetches no file twice.
    twin.data = this.data;
    this._twin = twin;
    // The twin's date box: its date (a date field) and a close button instead of play.
    var row = twin._nextButton.parentNode;
    var input = el('input', 'atlas-compare-date', row);
    input.type = 'date';
    L.DomEvent.on(input, 'change', function () {
      if (/^\d{4}-\d{2}-\d{2}$/.test(input.value)) { self._emit({kind: 'compare', date: input.value}); }
    });
    twin._compareInput = input;
    // Side by side or a swipe: the page keeps the layout in the URL (compare_mode).
    var mode = el('button', 'atlas-compare-mode', row);
    L.DomEvent.on(mode, 'click', function () {
      var compare = self.config && self.config.compare;
      if (!compare) { return; }
      self._emit({kind: 'compare', date: compare.date,
                  compare_mode: compare.mode === 'swipe' ? 'side' : 'swipe'});
    });
    twin._compareMode = mode;
    var close = el('button', 'atlas-compare-close', row);
    setText(close, '×');
    twin._compareClose = close;
    L.DomEvent.on(close, 'click', function () { self._emit({kind: 'compare', date: null}); });
    // Each map follows the other's moves (the flag stops the echo).
    var syncing = false;
    var follow = function (from, to) {
      return function () {
        if (syncing) { return; }
        syncing = true;
        to.setView(from.getCenter(), from.getZoom(), {animate: false});
        syncing = false;
      };
    };
    this._followMain = follow(this.map, twin.map);
    this.map.on('move zoomend', this._followMain);
    twin.map.on('move zoomend', follow(twin.map, this.map));
    return twin;
  };

  AtlasMap.prototype._closeTwin = function () {
    var twin = this._twin;
    if (!twin) { return; }
    this.map.off('move zoomend', this._followMain);
    this._setSwipe(false);
    twin.map.remove();
    twin.container.parentNode.removeChild(twin.container);
    this.container.parentNode.classList.remove('atlas-comparing');
    this.container.classList.remove('atlas-compare-main');
    this._twin = null;
    this.map.invalidateSize();
  };
}(window));
