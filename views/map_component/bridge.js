/*
 * The Streamlit side of the map: speaks the custom-component protocol (postMessage) and hands
 * each new configuration to the one AtlasMap that lives as long as this frame.
 *
 * The page sends updates, not the whole configuration (ConfigDelta, layers/drawing/protocol.py):
 * `set` is merged into the configuration of revision `base` (objects key by key, anything else
 * replaced), the paths in `unset` are removed. A frame that does not hold revision `base` (a new
 * frame, a rerun that never arrived) asks for the whole configuration with a `need` event.
 * Each update acknowledges the map's events the page has applied (`ack`).
 */
(function () {
  'use strict';
  var DEFAULT_VIEWPORT_PX = 800;  // window height when the top window cannot be read
  var MIN_HEIGHT_PX = 320;
  var atlas = null;
  var height = null;
  var config = null;  // the whole configuration of revision `rev`
  var rev = null;
  var askedFor = null;  // the update revision a whole configuration was asked for after
  // The page's charts draw their date rule from this input (views/charts.py AS_OF_PARAM):
  // their spec holds no date, so a date change sends no chart; the map fills it instead.
  var CHART_DATE_INPUT = 'input[name="atlas_as_of"]';
  var chartsWatched = false;

  function post(type, extra) {
    var message = {isStreamlitMessage: true, type: type};
    Object.keys(extra || {}).forEach(function (k) { message[k] = extra[k]; });
    window.parent.postMessage(message, '*');
  }

  // The map's events: a queue, sent whole until the page acknowledges them (atlas_events.js).
  var events = new window.AtlasEvents.EventQueue(function (queue) {
    post('streamlit:setComponentValue', {value: queue, dataType: 'json'});
  });
  function send(event) { events.push(event); }

  function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  /* A new object: `base` with `changes` merged in (`base` itself is left as it was). */
  function merge(base, changes) {
    var out = {};
    Object.keys(base).forEach(function (k) { out[k] = base[k]; });
    Object.keys(changes).forEach(function (k) {
      out[k] = isObject(changes[k]) && isObject(out[k]) ? merge(out[k], changes[k]) : changes[k];
    });
    return out;
  }

  function without(base, path) {
    var out = merge(base, {});
    if (path.length === 1) { delete out[path[0]]; }
    else if (isObject(out[path[0]])) { out[path[0]] = without(out[path[0]], path.slice(1)); }
    return out;
  }

  /* The frame's top edge on the page as first shown (scrolled back to the top), in px; null
     when the page cannot be read. */
  function frameTop() {
    try {
      var frame = window.frameElement;
      if (!frame) { return null; }
      var top = frame.getBoundingClientRect().top + frame.ownerDocument.defaultView.scrollY;
      for (var node = frame.parentElement; node; node = node.parentElement) { top += node.scrollTop; }
      return top;
    } catch (err) { return null; }
  }

  /* A new size (a mode change: the width, then the height) keeps the centre of the view the
     user chose, exactly. Leaflet re-centres by panning half the change, rounded to a pixel; a
     change that rounds to no pan fires no 'resize' at all, so the legend and the key figures
     would keep their old fit and the centre would be read half a pixel off. Every size change
     Leaflet sees (this page's own, a window resize) goes through one wrapper that puts the kept
     centre back and, where Leaflet stayed silent, fires the 'resize' itself. */
  var keptCenter = null;
  var resizing = false;
  function whileResizing(change) {
    resizing = true;
    try { return change(); } finally { resizing = false; }
  }
  function keepCenterOnResize(map) {
    map.on('moveend', function () { if (!resizing) { keptCenter = map.getCenter(); } });
    var invalidate = map.invalidateSize;
    map.invalidateSize = function (options) {
      var before = map.getSize();
      var out = whileResizing(function () { return invalidate.call(map, options); });
      var after = map.getSize();
      if (after.equals(before)) { return out; }
      if (keptCenter) {
        whileResizing(function () {
          map.setView(keptCenter, map.getZoom(), {animate: false});
          // Less than a pixel off pans by nothing (Leaflet truncates the offset): reset then.
          if (!map.getCenter().equals(keptCenter)) {
            map.setView(keptCenter, map.getZoom(), {reset: true});
          }
        });
      }
      if (before.divideBy(2).round().equals(after.divideBy(2).round())) {
        map.fire('resize', {oldSize: before, newSize: after});
      }
      return out;
    };
  }

  function fitHeight(config) {
    var wanted = config.height_px;
    if (config.height_fill_px !== undefined) {
      // The projector view: the map reaches from where it starts to the window's bottom edge.
      var top = window.top || window.parent;
      var viewport = top && top.innerHeight ? top.innerHeight : DEFAULT_VIEWPORT_PX;
      var start = frameTop();
      wanted = Math.max(config.height_min_px || MIN_HEIGHT_PX,
        Math.floor(viewport - (start === null ? 0 : start) - config.height_fill_px));
    }
    if (wanted !== height) {
      height = wanted;
      document.getElementById('map').style.height = wanted + 'px';
      post('streamlit:setFrameHeight', {height: wanted});
      if (atlas) { whileResizing(function () { atlas.map.invalidateSize(); }); }
    }
  }

  // Escape on the page (outside the map) leaves the projector view too. A frame the page has
  // since replaced (a rerun) stops listening.
  var escapePage = null;
  function onPageKey(e) {
    if (!window.frameElement || !window.frameElement.isConnected) {
      escapePage.removeEventListener('keydown', onPageKey);
      return;
    }
    if (e.key === 'Escape' && atlas && atlas.escapeLeaves()) { atlas.leavePresent(); }
  }
  try {
    escapePage = window.parent.document;
    escapePage.addEventListener('keydown', onPageKey);
  } catch (err) { escapePage = null; }  // a page of another origin: Escape on the map only
  // A window resized (a projector connected, a phone turned), or the page above the map laid
  // out anew (the title row drawn after the map), refits the projector view.
  function refit() {
    if (config && window.frameElement && window.frameElement.isConnected) { fitHeight(config); }
  }
  try {
    (window.top || window.parent).addEventListener('resize', refit);
    var mainBlock = window.frameElement &&
      window.frameElement.closest('[data-testid="stMainBlockContainer"]');
    if (mainBlock && window.ResizeObserver) { new window.ResizeObserver(refit).observe(mainBlock); }
  } catch (err) { /* another origin: the height stays */ }

  /* The page's document (same origin), or null when it cannot be read. */
  function pageDocument() {
    try { return window.parent.document; } catch (error) { return null; }
  }

  /* Set the charts' date inputs to the map's date (an input event tells Vega). */
  function showChartDate() {
    var page = pageDocument();
    if (!page || !config) { return; }
    var inputs = page.querySelectorAll(CHART_DATE_INPUT);
    for (var i = 0; i < inputs.length; i += 1) {
      if (inputs[i].value !== config.date) {
        inputs[i].value = config.date;
        inputs[i].dispatchEvent(new page.defaultView.Event('input'));
      }
    }
  }

  /* A chart drawn later (a new page size, present mode) gets the date too. */
  function watchCharts() {
    var page = pageDocument();
    if (chartsWatched || !page || !page.defaultView.MutationObserver) { return; }
    chartsWatched = true;
    new page.defaultView.MutationObserver(showChartDate)
      .observe(page.body, {childList: true, subtree: true});
  }

  window.addEventListener('message', function (event) {
    var data = event.data || {};
    if (data.type !== 'streamlit:render') { return; }
    var update = data.args && data.args.message;
    if (!update) { return; }
    events.acknowledge(update.ack);
    if (update.rev === rev) { return; }
    if (update.base !== null && update.base !== rev) {
      if (askedFor !== update.rev) {
        askedFor = update.rev;
        send({kind: 'need', need: [], full: true});
      }
      return;
    }
    var next = merge(update.base === null ? {} : config, update.set);
    update.unset.forEach(function (path) { next = without(next, path); });
    config = next;
    rev = update.rev;
    fitHeight(config);
    if (!atlas) {
      // On a page that scrolls, the wheel zooms the map only once it has the focus.
      atlas = new window.AtlasMap(document.getElementById('map'), {send: send, wheelAfterFocus: true});
      window.atlas = atlas;
      window.atlasTest = atlas.testApi();  // what the browser tests read
      /** The kinds of the events not yet acknowledged by the page. */
      window.atlasTest.queued = function () { return events.events.map(function (e) { return e.kind; }); };
      keepCenterOnResize(atlas.map);
    }
    atlas.update(config);
    showChartDate();
    watchCharts();
  });

  post('streamlit:componentReady', {apiVersion: 1});
}());
