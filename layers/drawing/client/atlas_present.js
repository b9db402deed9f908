/*
 * The projector view (present mode): the control that leaves it (and Escape), the key
 * figures drawn large over the map, and a legend in columns that shows every class at once.
 * (Part of the map client, loaded after atlas_controls.js: offline.CLIENT_SCRIPTS.)
 */
(function (global) {
  'use strict';
  var A = global.AtlasLib;
  var el = A.el;
  var setText = A.setText;
  var AtlasMap = global.AtlasMap;
  var LEAVE_TO = 'explore';           // the mode the "leave" control returns to
  var LEGEND_COLUMN_PX = 262;         // width of one legend column in the projector view
  var LEGEND_MAX_COLUMNS = 3;
  var LEGEND_WIDTH_SHARE = 0.5;       // the columns take at most this share of the map's width…
  var LEGEND_WIDE_SHARE = 0.7;        // … or this, when they would not fit in the height
  var LEGEND_GAP_PX = 12;             // between the legend and the controls above it
  var LEGEND_MIN_ROOM_PX = 120;

  /* Called by update(): the projector view's class, controls and key figures. */
  AtlasMap.prototype._present = function (config) {
    var present = !!config.present;
    var changed = present !== this.container.classList.contains('atlas-present');
    this.container.classList.toggle('atlas-present', present);
    // Only the live page can be left (the standalone export has no page to return to).
    var leavable = present && Boolean(this.options.send);
    if (leavable && !this._leaveBox) { this._addLeave(); }
    if (this._leaveBox) {
      this._leaveBox.style.display = leavable ? '' : 'none';
      var labels = config.labels || {};  // in the page's language
      // On a phone only the cross (the page's own button above the map says it in words).
      var narrow = this.container.clientWidth > 0 && this.container.clientWidth < A.NARROW_PX;
      setText(this._leaveButton, narrow ? '✕' : labels.leave_present);
      this._leaveButton.setAttribute('aria-label', labels.leave_present || '');
      this._leaveButton.title = labels.leave_present_title || '';
    }
    if (!this._figuresResize) {
      var self = this;
      this._figuresResize = true;
      this.map.on('resize', function () { self._placeFigures(); });
      // A legend opened later is measured then (a folded one has no height to split).
      this._legendDetails.addEventListener('toggle', function () { self._fitLegend(); });
    }
    this._renderFigures(present ? (config.figures || []) : []);
    if (changed && this._legendBody) { this._fitLegend(); }
  };

  AtlasMap.prototype._addLeave = function () {
    var self = this;
    this._leaveBox = this._control('topleft', function (div) {
      div.classList.add('atlas-leave');
      var button = el('button', null, div);
      button.type = 'button';
      self._leaveButton = button;  // its words: MapConfig.labels (set by _present)
      L.DomEvent.on(button, 'click', function () { self.leavePresent(); });
    });
    // First in its corner, above the zoom buttons: the first thing a presenter looks for.
    var corner = this._leaveBox.parentNode;
    corner.insertBefore(this._leaveBox, corner.firstChild);
    // Escape leaves too, once nothing that Escape closes first is open (capture: before the
    // measuring tool and Leaflet's popup handler see the key).
    this.container.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && self.escapeLeaves()) { self.leavePresent(); }
    }, true);
  };

  /* Whether Escape now leaves the projector view (not while a popup or a measurement is open). */
  AtlasMap.prototype.escapeLeaves = function () {
    return Boolean(this.config && this.config.present && this.options.send) && !this.measuring &&
      !this.container.classList.contains('atlas-popup-open');
  };

  AtlasMap.prototype.leavePresent = function () {
    this._emit({kind: 'mode', mode: LEAVE_TO});
  };

  /* The key figures, large, in a box over the map (present mode only). */
  AtlasMap.prototype._renderFigures = function (figures) {
    var key = JSON.stringify(figures);
    if (key !== this._figuresKey) { this._figuresKey = key; this._fillFigures(figures); }
    this._placeFigures();
  };

  AtlasMap.prototype._fillFigures = function (figures) {
    if (!this._figuresBox) {
      var self = this;
      this._figuresBox = this._control('topright', function (div) {
        div.classList.add('atlas-figures');
        self._figuresList = div;
      });
    }
    var list = this._figuresList;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    figures.forEach(function (figure) {
      var item = el('div', 'atlas-figure', list);
      setText(el('div', 'atlas-figure-value', item), figure.value);
      setText(el('div', 'atlas-figure-label', item), figure.label);
    });
    this._figuresBox.style.display = figures.length ? '' : 'none';
  };

  AtlasMap.prototype._placeFigures = function () {
    if (!this._figuresBox) { return; }
    // On a phone the top corners are full (tools, "Go to", layers, date): the figures sit in a
    // row at the bottom, above the legend.
    var narrow = this.container.clientWidth > 0 && this.container.clientWidth < A.NARROW_PX;
    this._figuresBox.classList.toggle('atlas-figures-row', narrow);
    var corner = this.map._controlCorners[narrow ? 'bottomleft' : 'topright'];
    if (this._figuresBox.parentNode !== corner) {
      corner.insertBefore(this._figuresBox, narrow ? this._legendBox : null);
    }
  };

  /* How many columns the legend's classes need in the room they have, and may have. */
  AtlasMap.prototype._legendColumns = function (size, share) {
    var body = this._legendBody;
    this._legendBox.style.maxWidth = LEGEND_COLUMN_PX + 'px';
    body.style.maxHeight = 'none';
    body.style.columnCount = '';
    var above = this.map._controlCorners.topleft.getBoundingClientRect().bottom;
    var box = this._legendBox.getBoundingClientRect();
    var room = Math.max(LEGEND_MIN_ROOM_PX,
      box.bottom - above - LEGEND_GAP_PX - (box.height - body.offsetHeight));
    var needed = Math.max(1, Math.ceil(body.scrollHeight / room));
    var n = Math.max(1, Math.min(LEGEND_MAX_COLUMNS, needed,
      Math.floor(size.x * share / LEGEND_COLUMN_PX)));
    return {n: n, needed: needed, room: room};
  };

  /* In the projector view the open legend shows every class without scrolling: in as many
     columns as the room under the top-left controls needs, up to half the map's width. */
  var fitLegend = AtlasMap.prototype._fitLegend;
  AtlasMap.prototype._fitLegend = function () {
    var body = this._legendBody;
    // A folded legend is not measured: its body can still report its full height (Chromium),
    // which would leave a cap taller than the map for the moment it opens. It is fitted when
    // it opens (the 'toggle' listener above).
    if (this.container.classList.contains('atlas-present') && !this._legendDetails.open) {
      return;
    }
    body.style.columnCount = '';
    this._legendBox.classList.remove('atlas-legend-compact');
    fitLegend.call(this);
    if (!this.container.classList.contains('atlas-present')) { return; }
    var size = this.map.getSize();
    var fit = this._legendColumns(size, LEGEND_WIDTH_SHARE);
    if (fit.n < fit.needed) {  // a short map (a longer title row): smaller type first,
      this._legendBox.classList.add('atlas-legend-compact');
      fit = this._legendColumns(size, LEGEND_WIDTH_SHARE);
    }
    if (fit.n < fit.needed) {  // … then wider, rather than over "Go to"
      fit = this._legendColumns(size, LEGEND_WIDE_SHARE);
    }
    var columns = fit.n;
    this._legendBox.style.maxWidth = (columns * LEGEND_COLUMN_PX) + 'px';
    // Columns balance to the height they need (a height cap would push classes into extra
    // columns outside the box); one column keeps the cap, and scrolls on a small map.
    body.style.maxHeight = columns > 1 ? 'none' : fit.room + 'px';
    body.style.columnCount = columns > 1 ? String(columns) : '';
  };
}(window));
