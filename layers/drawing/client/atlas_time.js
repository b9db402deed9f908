/*
 * The treaty timeline: stepping and playing through the events, and the keyboard.
 * (Part of the map client, loaded after atlas_base.js and atlas_core.js: offline.CLIENT_SCRIPTS.)
 */
(function (global) {
  'use strict';
  var A = global.AtlasLib;
  var PLAY_STEP_MS = A.PLAY_STEP_MS;
  var PLAY_WAIT_MS = 5000;     // a step the page has not shown after this long pauses play
  var PLAY_FOLLOWED_MS = 100;  // the least time the page's figures of a step stay up
  var PLAY_TICK_MS = 20;       // how often play checks whether the next step may come
  var setText = A.setText;
  var AtlasMap = global.AtlasMap;

  /* ------------------------------------------------------------------------ time */

  AtlasMap.prototype._showDate = function (text, caption) {
    setText(this._dateText, text);
    setText(this._caption, caption || '');
  };

  AtlasMap.prototype._applyStep = function (index) {
    var step = this.timeline[index];
    var self = this;
    if (!step) { return; }
    this.playIndex = index;
    Object.keys(step.patches || {}).forEach(function (id) {
      var state = self.layers[id];
      if (!state) { return; }
      var patch = step.patches[id];
      Object.keys(patch).forEach(function (fid) { state.props[fid] = patch[fid]; });
      self._restyle(state);
    });
    if (this._placeDated(step.date)) { this._renderLegend(this.config.legend || []); }
    this._showDate(step.label, step.caption);
  };

  AtlasMap.prototype._stepIndexFor = function (date) {
    // the last event on or before date (ISO strings compare as dates)
    var index = -1;
    this.timeline.forEach(function (step, i) { if (step.date <= date) { index = i; } });
    return index;
  };

  AtlasMap.prototype._setTimeline = function (source) {
    // An array (the export) or the URL of one (the live page, fetched once per URL).
    var self = this;
    if (Array.isArray(source)) { this.timeline = source; this._timelineSource = null; return; }
    if (!source) { this.timeline = []; this._timelineSource = null; return; }
    if (source === this._timelineSource) { return; }
    this._timelineSource = source;
    this.timeline = [];
    this._load(source).then(function (steps) {
      if (self._timelineSource !== source) { return; }
      self.timeline = steps;
      if (!self.playing && self.config) { setText(self._caption, self._captionFor(self.config.date)); }
    });
  };

  /* The caption of the step on `date` ('' for a day with no event). */
  AtlasMap.prototype._captionFor = function (date) {
    var index = this._stepIndexFor(date);
    var step = this.timeline[index];
    return step && step.date === date ? step.caption : '';
  };

  /* Show step `index` and tell the page, which follows (key figures, sidebar date). */
  AtlasMap.prototype._playTo = function (index) {
    this._applyStep(index);
    this._shownAt = Date.now();
    if (!this.options.send) { return; }
    var day = this.timeline[index].date;
    this._awaiting = {date: day, since: this._shownAt};
    this._sentDate = day;
    this._emit({kind: 'date', date: day});
  };

  /* Whether the next step must wait. Steps are PLAY_STEP_MS apart, counted from each step's
     start (the page's rerun runs within that time, not after it); a step goes on only once
     the page shows it too (key figures, sidebar date) and PLAY_FOLLOWED_MS later, so a slow
     rerun slows the play rather than being skipped. A step the page has not shown after
     PLAY_WAIT_MS pauses the play, and the caption says why (the page may have failed). */
  AtlasMap.prototype._stepTooSoon = function () {
    var now = Date.now();
    if (this._awaiting) {
      if (now - this._awaiting.since < PLAY_WAIT_MS) { return true; }
      var labels = this.labels || {};
      this.stopPlay(false);
      setText(this._caption, labels.play_paused);
      return true;
    }
    return now - this._shownAt < PLAY_STEP_MS || now - this._followedAt < PLAY_FOLLOWED_MS;
  };

  AtlasMap.prototype.togglePlay = function () {
    var self = this;
    if (this.playing) { this.stopPlay(true); return; }
    if (!this.timeline.length) { return; }
    setText(this._playButton, '❚❚');
    this._playButton.title = (this.labels || {}).pause || '';
    this.container.classList.add('atlas-playing');
    this._sentDate = null;
    this._followedAt = 0;
    this.playing = setInterval(function () {
      if (self._stepTooSoon()) { return; }
      if (self.playIndex >= self.timeline.length - 1) { self.stopPlay(true); return; }
      self._playTo(self.playIndex + 1);
    }, PLAY_TICK_MS);
    this._playTo(0);
  };

  AtlasMap.prototype.stopPlay = function (report) {
    clearInterval(this.playing);
    this.playing = null;
    this._awaiting = null;
    setText(this._playButton, '▶');
    this._playButton.title = (this.labels || {}).play || '';
    this.container.classList.remove('atlas-playing');
    var step = this.timeline[this.playIndex];
    if (report && step && step.date !== this._sentDate) {
      this._emit({kind: 'date', date: step.date});
    }
  };

  AtlasMap.prototype.stepEvent = function (direction) {
    if (this.playing) { this.stopPlay(false); }
    if (!this.timeline.length || !this.config) { return; }
    var current = this._stepIndexFor(this.config.date);
    var index;
    if (direction > 0) {
      index = current + 1;
    } else {
      index = this.timeline[current] && this.timeline[current].date === this.config.date
        ? current - 1 : current;
    }
    index = Math.max(0, Math.min(this.timeline.length - 1, index));
    this._applyStep(index);
    this._emit({kind: 'date', date: this.timeline[index].date});
  };

  AtlasMap.prototype._onKey = function (e) {
    var target = e.target && e.target.tagName;
    if (target === 'SELECT' || target === 'INPUT') { return; }
    if (e.key === 'PageDown' || (e.key === ']')) { this.stepEvent(1); e.preventDefault(); }
    if (e.key === 'PageUp' || (e.key === '[')) { this.stepEvent(-1); e.preventDefault(); }
    if (e.key === ' ' && e.target === this.container) { this.togglePlay(); e.preventDefault(); }
    if (e.key === 'Escape' && this.measuring) { this.setMeasuring(false); }
  };
}(window));
