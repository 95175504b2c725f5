// The lesson video player: HLS through hls.js (Safari plays HLS itself; the file itself as a last
// resort), speed, resume where you left off, and reports of the parts really played, which the
// server merges and counts toward completion (README "Video lessons and recordings").
(function () {
  "use strict";
  const root = document.querySelector("[data-video-player]");
  if (!root) return;
  const data = JSON.parse(document.getElementById("video-data").textContent);
  const video = root.querySelector("video");
  const bar = root.querySelector("[data-watched-bar]");
  const label = root.querySelector("[data-watched]");
  const speed = root.querySelector("[data-speed]");
  const reporting = root.dataset.report === "1";
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  const REPORT_EVERY_MS = 5000;
  const SEEK_JUMP = 1.5; // seconds between two timeupdates that only a seek explains

  let duration = data.duration || 0;
  let saved = (data.progress && data.progress.segments) || [];
  let pending = []; // played since the last report: [[start, end], ...]
  let start = null; // where the current stretch of playing began
  let last = null; // the play head at the last timeupdate
  let sequence = 0;
  let sending = false;

  // --- the source ---
  if (window.Hls && window.Hls.isSupported()) {
    const hls = new window.Hls({ enableWorker: false, capLevelToPlayerSize: true, startPosition: -1 });
    hls.loadSource(data.stream.hls);
    hls.attachMedia(video);
    hls.on(window.Hls.Events.ERROR, function (event, error) {
      if (error.fatal && error.type === window.Hls.ErrorTypes.NETWORK_ERROR) hls.startLoad();
      else if (error.fatal && error.type === window.Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    });
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = data.stream.hls;
  } else {
    video.src = data.stream.source;
  }

  // --- resume and speed ---
  video.addEventListener("loadedmetadata", function () {
    if (isFinite(video.duration) && video.duration > 0) duration = video.duration;
    const at = data.progress ? data.progress.last_position : 0;
    if (at > 1 && at < duration - 2) {
      video.currentTime = at;
      last = at;
      label.textContent = "Resumed at " + clock(at) + " · " + watchedText();
    }
  }, { once: true });
  speed.addEventListener("change", function () { video.playbackRate = parseFloat(speed.value) || 1; });
  video.addEventListener("ratechange", function () { speed.value = String(video.playbackRate); });

  // --- what was played ---
  function close(at) {
    if (start !== null && at > start) pending.push([start, at]);
    start = null;
  }
  video.addEventListener("playing", function () { start = video.currentTime; last = start; });
  video.addEventListener("timeupdate", function () {
    const now = video.currentTime;
    if (start !== null && last !== null && (now < last || now - last > SEEK_JUMP * Math.max(1, video.playbackRate))) {
      close(last); // a seek the seeking event did not show first
      start = video.paused ? null : now;
    }
    last = now;
  });
  video.addEventListener("seeking", function () { close(last === null ? video.currentTime : last); });
  video.addEventListener("seeked", function () { last = video.currentTime; if (!video.paused) start = last; });
  video.addEventListener("pause", function () { close(video.currentTime); report(); });
  video.addEventListener("ended", function () { close(video.currentTime); report(); });

  function merged(list) {
    const out = [];
    list.slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (s) {
      const tail = out[out.length - 1];
      if (tail && s[0] <= tail[1] + 0.3) tail[1] = Math.max(tail[1], s[1]);
      else out.push([s[0], s[1]]);
    });
    return out;
  }
  function watchedSeconds() {
    return merged(saved.concat(pending)).reduce(function (sum, s) { return sum + s[1] - s[0]; }, 0);
  }
  function watchedText() {
    const percent = duration ? Math.min(100, (100 * watchedSeconds()) / duration) : 0;
    return "Watched " + percent.toFixed(0) + "% (complete at " + Math.round(data.completion_share * 100) + "%)";
  }
  function draw() {
    if (!duration) return;
    bar.replaceChildren();
    merged(saved.concat(pending)).forEach(function (s) {
      const piece = document.createElement("span");
      piece.style.left = (100 * s[0] / duration) + "%";
      piece.style.width = Math.max(0.3, 100 * (s[1] - s[0]) / duration) + "%";
      bar.appendChild(piece);
    });
    bar.setAttribute("aria-label", watchedText());
  }

  function report(keepalive) {
    // One report at a time, but the last one (the page going away) goes regardless.
    if (!reporting || (sending && !keepalive)) return;
    if (start !== null && !video.paused) { // report the stretch so far and go on
      const at = video.currentTime;
      close(at);
      start = at;
    }
    const segments = pending.filter(function (s) { return s[1] - s[0] >= 0.05; })
      .map(function (s) { return [Math.max(0, s[0]), Math.min(duration || s[1], s[1])]; });
    sequence = Math.max(sequence + 1, Date.now());
    const body = { segments: segments, position: Math.min(video.currentTime, duration || video.currentTime), sequence: sequence };
    const sent = pending;
    pending = [];
    if (!keepalive) sending = true;
    fetch(root.dataset.progressUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (payload) {
        if (response.ok) {
          saved = payload.progress.segments;
          label.textContent = payload.progress.completed ? "Watched " + payload.progress.percent + "% · complete" : watchedText();
          if (payload.lesson_completed) {
            label.textContent += " · lesson completed";
            document.dispatchEvent(new CustomEvent("lyceum:lesson-completed"));
          }
          root.dataset.saved = String(payload.progress.last_position);
        } else if (response.status >= 500) {
          pending = sent.concat(pending); // try again with the next report
        }
        draw();
      });
    }).catch(function () {
      pending = sent.concat(pending);
    }).finally(function () { if (!keepalive) sending = false; });
  }

  function clock(seconds) {
    const s = Math.floor(seconds);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  setInterval(function () { if (!video.paused || pending.length) report(); draw(); }, REPORT_EVERY_MS);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") report(true); });
  window.addEventListener("pagehide", function () { report(true); });
  draw();
})();
