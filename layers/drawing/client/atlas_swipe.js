/*
 * The compare view as a swipe: the second map (atlas_compare.js) lies exactly over the first
 * and shows only right of a divider, so one map shows the first date left of the divider and
 * the compare date right of it. The divider is dragged with the mouse or a finger, or moved
 * with the arrow keys once focused (Home, End: to the edges); it names both dates. The
 * second map's date box joins the first's (its controls would be clipped away).
 * (Part of the map client, loaded after atlas_compare.js: offline.CLIENT_SCRIPTS.)
 */
(function (global) {
  'use strict';
  var A = global.AtlasLib;
  var el = A.el;
  var setText = A.setText;
  var AtlasMap = global.AtlasMap;
  var SWIPE_START = 0.5;     // the divider starts half-way across the map
  var SWIPE_KEY_STEP = 0.05; // an arrow key moves it by this share of the map's width
  var SWIPE_FINE_STEP = 0.01; // … with Shift, by this

  /* Swipe (true) or side by side (false) for the open compare view. */
  AtlasMap.prototype._setSwipe = function (on, labels) {
    var twin = this._twin;
    if (!twin || (!on && !this._divider)) { return; }  // side by side already
    var holder = this.container.parentNode;
    var box = twin._compareInput.closest('.atlas-date');
    var mainBox = this._dateText.closest('.atlas-date');
    holder.classList.toggle('atlas-swiping', on);
    holder.classList.toggle('atlas-comparing', !on);
    box.classList.toggle('atlas-twin-date', on);
    if (!on) {
      if (this._divider) {
        this._divider.parentNode.removeChild(this._divider);
        this.map.off('resize', this._placeSwipeBound);
        this.container.removeEventListener('toggle', this._placeSwipeBound, true);
        this._divider = null;
      }
      // Back in its own map's corner; the second map unclipped.
      var corner = twin.map._controlCorners.topright;
      corner.insertBefore(box, corner.firstChild);
      ['clipPath', 'top', 'left', 'width', 'height', 'position'].forEach(function (k) {
        twin.container.style[k] = '';
      });
      this.map.invalidateSize();
      twin.map.invalidateSize();
      return;
    }
    if (box.parentNode !== mainBox.parentNode) {
      mainBox.parentNode.insertBefore(box, mainBox.nextSibling);
    }
    this.map.invalidateSize({pan: false});  // the first map is whole again (it was half)
    if (!this._divider) { this._addDivider(holder); }
    var divider = this._divider;
    labels = labels || {};
    divider.setAttribute('aria-label', labels.compare_divider || '');
    setText(divider._left, (this.config || {}).date_label);
    setText(divider._right, ((this.config || {}).compare || {}).date_label);
    this._placeSwipe();
  };

  /* The divider: a focusable separator (the window-splitter pattern) with both dates. */
  AtlasMap.prototype._addDivider = function (holder) {
    var self = this;
    var divider = el('div', 'atlas-swipe-divider', holder);
    divider.tabIndex = 0;
    divider.setAttribute('role', 'separator');
    divider.setAttribute('aria-orientation', 'vertical');
    divider.setAttribute('aria-valuemin', '0');
    divider.setAttribute('aria-valuemax', '100');
    el('span', 'atlas-swipe-grip', divider).setAttribute('aria-hidden', 'true');
    divider._left = el('span', 'atlas-swipe-date atlas-swipe-left', divider);
    divider._right = el('span', 'atlas-swipe-date atlas-swipe-right', divider);
    this._divider = divider;
    this._swipeAt = this._swipeAt === undefined ? SWIPE_START : this._swipeAt;
    this._placeSwipeBound = function () { self._placeSwipe(); };
    this.map.on('resize', this._placeSwipeBound);
    // The legend folded or opened: the tags may have to move (toggle does not bubble).
    this.container.addEventListener('toggle', this._placeSwipeBound, true);
    var dragging = null;
    divider.addEventListener('pointerdown', function (e) {
      dragging = e.pointerId;
      divider.setPointerCapture(e.pointerId);
      divider.focus();
      e.preventDefault();
    });
    divider.addEventListener('pointermove', function (e) {
      if (dragging !== e.pointerId) { return; }
      var rect = self.container.getBoundingClientRect();
      self._moveSwipe((e.clientX - rect.left) / rect.width);
    });
    var stop = function (e) {
      if (dragging === e.pointerId) { dragging = null; }
    };
    divider.addEventListener('pointerup', stop);
    divider.addEventListener('pointercancel', stop);
    divider.addEventListener('keydown', function (e) {
      var step = e.shiftKey ? SWIPE_FINE_STEP : SWIPE_KEY_STEP;
      var to = {ArrowLeft: self._swipeAt - step, ArrowDown: self._swipeAt - step,
                ArrowRight: self._swipeAt + step, ArrowUp: self._swipeAt + step,
                Home: 0, End: 1}[e.key];
      if (to === undefined) { return; }
      self._moveSwipe(to);
      e.preventDefault();
      e.stopPropagation();
    });
  };

  /* Move the divider to `share` of the map's width (0: left edge, 1: right edge). */
  AtlasMap.prototype._moveSwipe = function (share) {
    this._swipeAt = Math.max(0, Math.min(1, share));
    this._placeSwipe();
  };

  /* The second map over the first (same box, so the same view lands on the same pixels), shown
     right of the divider only. */
  AtlasMap.prototype._placeSwipe = function () {
    var twin = this._twin;
    var divider = this._divider;
    if (!twin || !divider) { return; }
    var holder = this.container.parentNode.getBoundingClientRect();
    var rect = this.container.getBoundingClientRect();
    var css = twin.container.style;
    var top = rect.top - holder.top + 'px';
    var left = rect.left - holder.left + 'px';
    var size = [rect.width + 'px', rect.height + 'px'];
    css.position = 'absolute';  // Leaflet wrote 'relative' on the element itself
    if (css.width !== size[0] || css.height !== size[1] || css.top !== top || css.left !== left) {
      css.top = top; css.left = left; css.width = size[0]; css.height = size[1];
      twin.map.invalidateSize({pan: false});
      twin.map.setView(this.map.getCenter(), this.map.getZoom(), {animate: false});
    }
    var x = Math.round(this._swipeAt * rect.width);
    css.clipPath = 'inset(0 0 0 ' + x + 'px)';
    divider.style.top = top;
    divider.style.height = size[1];
    divider.style.left = rect.left - holder.left + x + 'px';
    var percent = Math.round(this._swipeAt * 100);
    divider.setAttribute('aria-valuenow', String(percent));
    divider.setAttribute('aria-valuetext', percent + ' %');
    // The date tags stay on the map: the left one hides at the left edge, the right at the right.
    divider.classList.toggle('atlas-swipe-at-left', x < 120);
    divider.classList.toggle('atlas-swipe-at-right', rect.width - x < 120);
    this._placeSwipeTags(rect.height);
  };

  /* The date tags at the first height (below the grip, above it, at the top, …) where no
     control of the map (legend, date boxes, key figures) covers them. */
  AtlasMap.prototype._placeSwipeTags = function (height) {
    var tags = [this._divider._left, this._divider._right];
    var controls = Array.prototype.slice.call(this.container.querySelectorAll('.leaflet-control'))
      .map(function (c) { return c.getBoundingClientRect(); })
      .filter(function (r) { return r.width > 0 && r.height > 0; });
    var free = function () {
      return tags.every(function (tag) {
        var t = tag.getBoundingClientRect();
        return t.width === 0 || controls.every(function (r) {
          return t.right <= r.left || r.right <= t.left || t.bottom <= r.top || r.bottom <= t.top;
        });
      });
    };
    var tops = [height / 2 + 26, height / 2 - 52, 8, height * 0.25, height * 0.75, height - 40];
    for (var i = 0; i < tops.length; i += 1) {
      tags.forEach(function (tag) { tag.style.top = Math.round(tops[i]) + 'px'; });
      if (free()) { return; }
    }
    tags.forEach(function (tag) { tag.style.top = Math.round(tops[0]) + 'px'; });
  };
}(window));
