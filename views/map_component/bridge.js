/*
 * The Streamlit side of the map: speaks the custom-component protocol (postMessage) and hands
 * each new configuration to the one AtlasMap that lives as long as this frame.
 */
(function () {
  'use strict';
  var atlas = null;
  var height = null;

  function post(type, extra) {
    var message = {isStreamlitMessage: true, type: type};
    Object.keys(extra || {}).forEach(function (k) { message[k] = extra[k]; });
    window.parent.postMessage(message, '*');
  }

  function fitHeight(config) {
    var wanted = config.height_px;
    if (config.height_vh) {
      var top = window.top || window.parent;
      var viewport = top && top.innerHeight ? top.innerHeight : 800;
      wanted = Math.max(config.height_min_px || 320, Math.round(viewport * config.height_vh));
    }
    if (wanted !== height) {
      height = wanted;
      document.getElementById('map').style.height = wanted + 'px';
      post('streamlit:setFrameHeight', {height: wanted});
      if (atlas) { atlas.map.invalidateSize(); }
    }
  }

  window.addEventListener('message', function (event) {
    var data = event.data || {};
    if (data.type !== 'streamlit:render') { return; }
    var config = data.args && data.args.config;
    if (!config) { return; }
    fitHeight(config);
    if (!atlas) {
      atlas = new window.AtlasMap(document.getElementById('map'), {
        send: function (value) { post('streamlit:setComponentValue', {value: value, dataType: 'json'}); }
      });
      window.atlas = atlas;  // for the browser tests
    }
    atlas.update(config);
  });

  post('streamlit:componentReady', {apiVersion: 1});
}());
