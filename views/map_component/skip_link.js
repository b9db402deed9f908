/*
 * "Skip to the map": the first link of the page that holds the map (the Streamlit page around
 * this frame, same origin), shown when it has the keyboard focus. It moves the focus into the
 * map. The link is the page's while this frame lives; the frame that replaces this one (a
 * rerun, a new page) takes it over, and a page without a map loses it.
 */
(function () {
  'use strict';
  var LINK_ID = 'atlas-skip-to-map';
  var STYLE_ID = 'atlas-skip-to-map-style';
  var FRAME_ID = 'atlas-map-frame';
  var CSS = '#' + LINK_ID + ' { position: absolute; left: 8px; top: -200px; z-index: 1000100;' +
    ' padding: 8px 14px; background: #fff; color: #0A3D91; border: 2px solid #0A3D91;' +
    ' border-radius: 4px; font: 600 16px/1.3 "Source Sans Pro", system-ui, sans-serif; }' +
    '#' + LINK_ID + ':focus { top: 8px; outline: 3px solid #0A58CA; outline-offset: 2px; }';

  var page;
  try { page = window.parent !== window ? window.parent.document : null; } catch (e) { page = null; }
  if (!page || !page.body) { return; }
  var frame = window.frameElement;

  if (!page.getElementById(STYLE_ID)) {
    var style = page.createElement('style');
    style.id = STYLE_ID;
    style.textContent = CSS;
    page.head.appendChild(style);
  }
  var link = page.getElementById(LINK_ID);
  if (!link) {
    link = page.createElement('a');
    link.id = LINK_ID;
    link.href = '#';
    page.body.insertBefore(link, page.body.firstChild);
  }
  // Its words come with the map's configuration, in the page's language (atlas_access.js).

  function toMap(e) {
    e.preventDefault();
    var map = document.getElementById('map');
    if (frame && frame.isConnected && map) {
      frame.scrollIntoView({block: 'nearest'});
      map.focus();
    }
  }
  link.onclick = toMap;
  // An address in the page (not a bare '#'): the map's frame, which takes the focus. That is
  // what marks a skip link for assistive technology and axe (whose 'region' rule exempts it);
  // the click handler moves the focus into the map itself.
  if (frame && !frame.id) { frame.id = FRAME_ID; }
  if (frame) { link.href = '#' + frame.id; }

  // The frame leaves (another page, a rerun that replaces it): so does its link, unless a
  // newer frame has taken it over.
  window.addEventListener('pagehide', function () {
    if (link.onclick === toMap) { link.remove(); }
  });
}());
