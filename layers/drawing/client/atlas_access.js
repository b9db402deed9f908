/*
 * Keyboard and screen readers: the map's name and text alternative, features kept out of the
 * Tab order, Space on the link-buttons, a press focusing the map without scrolling the page,
 * the wheel only once the map has the focus, and the distance measure by keyboard.
 * (Part of the map client, loaded after atlas_base.js and atlas_core.js: offline.CLIENT_SCRIPTS.)
 */
(function (global) {
  'use strict';
  var A = global.AtlasLib;
  var HINT_MS = A.HINT_MS;
  var el = A.el;
  var setText = A.setText;
  var AtlasMap = global.AtlasMap;

  /* Called once from _create, after the controls exist. */
  AtlasMap.prototype._addAccess = function () {
    var self = this;
    var map = this.map;
    var box = this.container;
    if (!box.hasAttribute('tabindex')) { box.setAttribute('tabindex', '0'); }
    box.setAttribute('role', 'region');
    // The text alternative: where the same features are listed as a table, and the keys.
    this._about = el('p', 'atlas-visually-hidden', box);
    this._about.id = 'atlas-map-about';
    this._describe(false);
    box.setAttribute('aria-describedby', this._about.id);

    // One message over the map (the wheel, the measure), read out too.
    this._hint = el('div', 'atlas-hint', box);
    this._hint.setAttribute('role', 'status');
    this._hint.setAttribute('aria-live', 'polite');

    // Leaflet's zoom buttons and the tools are links acting as buttons: Space presses them too.
    box.addEventListener('keydown', function (e) {
      var t = e.target;
      if (e.key === ' ' && t && t.tagName === 'A' && t.getAttribute('role') === 'button') {
        e.preventDefault();
        t.click();
      }
      if (e.key === 'Enter' && t === box && self.measuring && self._measure) {
        // Measuring by keyboard: the map's centre is the next point (move with the arrows).
        e.preventDefault();
        self._measure.onClick({latlng: map.getCenter()});
      }
    });

    this._focusWithoutScroll();

    // ◀ ▶ ▶| are read by their titles (what they do), not as triangles; play's title changes.
    [this._prevButton, this._playButton, this._nextButton].forEach(function (button) {
      var sync = function () {
        if (button.title) { button.setAttribute('aria-label', button.title); }
      };
      sync();
      new MutationObserver(sync).observe(button, {attributes: true, attributeFilter: ['title']});
    });

    // A scrolling legend can be scrolled from the keyboard.
    this._legendBody.setAttribute('tabindex', '0');
    this._legendBody.setAttribute('role', 'region');
    map.on('popupopen', function (e) {
      var content = e.popup.getElement() && e.popup.getElement().querySelector('.leaflet-popup-content');
      if (content) { content.setAttribute('tabindex', '0'); }
    });

    if (this.options.wheelAfterFocus) { this._wheelAfterFocus(); }
  };

  /* The map's description: where its features are listed as text (not in present mode). */
  AtlasMap.prototype._describe = function (present) {
    var labels = this.labels || {};
    setText(this._about, present ? labels.map_about_present : labels.map_about);
  };

  /* The words above, in the page's language (MapConfig.labels: called by _applyLabels), and
     the page's "Skip to the map" link (views/map_component/skip_link.js) when there is one. */
  AtlasMap.prototype._labelAccess = function (labels) {
    var box = this.container;
    box.setAttribute('aria-roledescription', labels.map_role);
    box.setAttribute('aria-label', labels.map_label);
    this._legendBody.setAttribute('aria-label', labels.legend_entries);
    this._describe(!!(this.config && this.config.present));
    var skip = null;
    try { skip = global.parent !== global ? global.parent.document.getElementById('atlas-skip-to-map') : null; } catch (e) { skip = null; }
    if (skip) { setText(skip, labels.skip_to_map); }
  };

  /* A feature's path is not a Tab stop (its tooltip's focus listener makes it one in
     Chromium): the table below the map lists the features. */
  AtlasMap.prototype._untabbable = function (layer) {
    layer.on('add', function () {
      var path = layer.getElement && layer.getElement();
      if (path) { path.setAttribute('tabindex', '-1'); }
    });
  };

  /* A press on the map gives it the focus without scrolling the page. Leaflet's keyboard
     handler focuses the map on mousedown with a plain focus(), which scrolls the host page
     until the whole map frame is in view: a map partly below the fold (e.g. under a stored
     layer's notes) then moves under the pointer between press and release, the release lands
     on another element, and no click (no selection) happens. Focused first, here, Leaflet's
     handler finds the map focused and does nothing. Presses on controls and popups keep
     Leaflet's rule: they do not focus the map. */
  AtlasMap.prototype._focusWithoutScroll = function () {
    var box = this.container;
    box.addEventListener('mousedown', function (e) {
      var t = e.target;
      if (document.activeElement === box || (t.closest && t.closest('.leaflet-control, .leaflet-popup'))) {
        return;
      }
      box.focus({preventScroll: true});
    }, true);
  };

  /* The wheel scrolls the page until the map is clicked or focused; then it zooms the map,
     until the focus leaves the map. A wheel over the map before that says how. */
  AtlasMap.prototype._wheelAfterFocus = function () {
    var self = this;
    var map = this.map;
    var box = this.container;
    map.scrollWheelZoom.disable();
    box.addEventListener('focusin', function () {
      map.scrollWheelZoom.enable();
      self.hint('');
    });
    box.addEventListener('focusout', function (e) {
      if (!e.relatedTarget || !box.contains(e.relatedTarget)) { map.scrollWheelZoom.disable(); }
    });
    box.addEventListener('wheel', function () {
      var labels = self.labels || {};
      if (!map.scrollWheelZoom.enabled()) { self.hint(labels.wheel_hint); }
    }, {passive: true});
  };

  /* Show a short message over the map for a moment ('' hides it). */
  AtlasMap.prototype.hint = function (text) {
    var hint = this._hint;
    clearTimeout(this._hintTimer);
    setText(hint, text);
    hint.classList.toggle('atlas-hint-shown', !!text);
    if (text) {
      this._hintTimer = setTimeout(function () {
        setText(hint, '');
        hint.classList.remove('atlas-hint-shown');
      }, HINT_MS);
    }
  };
}(window));
