// The recording page: MediaRecorder over the camera (getUserMedia) or the screen
// (getDisplayMedia), a preview, then a resumable upload to /api/upload-recording/.
(function () {
  "use strict";
  const root = document.querySelector("[data-recorder]");
  if (!root) return;
  const preview = root.querySelector("[data-preview]");
  const result = root.querySelector("[data-result]");
  const state = root.querySelector("[data-recorder-state]");
  const startButton = root.querySelector("[data-start]");
  const stopButton = root.querySelector("[data-stop]");
  const uploadButton = root.querySelector("[data-upload]");
  const clock = root.querySelector("[data-clock]");
  const form = root.querySelector("[data-save]");
  const bar = form.querySelector(".upload-progress");
  let recorder = null;
  let stream = null;
  let chunks = [];
  let blob = null;
  let startedAt = 0;
  let ticking = null;

  if (!window.MediaRecorder || !navigator.mediaDevices) {
    state.textContent = "This browser cannot record. Try a recent Chrome, Edge or Firefox.";
    startButton.disabled = true;
    return;
  }

  function type() {
    const wanted = ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm", "video/mp4"];
    return wanted.find(function (t) { return MediaRecorder.isTypeSupported(t); }) || "";
  }

  async function media(source) {
    if (source === "screen") {
      const screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
      try {
        const voice = await navigator.mediaDevices.getUserMedia({ audio: true });
        voice.getAudioTracks().forEach(function (track) { screen.addTrack(track); });
      } catch (e) { /* no microphone: the screen alone */ }
      return screen;
    }
    return navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: true });
  }

  function stopTracks() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    preview.srcObject = null;
  }

  startButton.addEventListener("click", async function () {
    const source = root.querySelector("input[name=source]:checked").value;
    try {
      stream = await media(source);
    } catch (error) {
      state.textContent = "No access to the " + (source === "screen" ? "screen" : "camera") + ": " + error.message;
      return;
    }
    preview.srcObject = stream;
    chunks = [];
    const mimeType = type();
    recorder = new MediaRecorder(stream, mimeType ? { mimeType: mimeType } : undefined);
    recorder.addEventListener("dataavailable", function (event) { if (event.data.size) chunks.push(event.data); });
    recorder.addEventListener("stop", function () {
      blob = new Blob(chunks, { type: recorder.mimeType || "video/webm" });
      result.src = URL.createObjectURL(blob);
      result.hidden = false;
      uploadButton.disabled = false;
      state.textContent = "Recorded " + clock.textContent + ". Watch it, then upload it.";
      stopTracks();
    });
    stream.getVideoTracks().forEach(function (track) {
      track.addEventListener("ended", function () { if (recorder.state === "recording") recorder.stop(); });
    });
    recorder.start(1000);
    startedAt = Date.now();
    ticking = setInterval(function () {
      const s = Math.floor((Date.now() - startedAt) / 1000);
      clock.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    }, 500);
    state.textContent = "Recording…";
    startButton.disabled = true;
    stopButton.disabled = false;
    uploadButton.disabled = true;
  });

  stopButton.addEventListener("click", function () {
    clearInterval(ticking);
    stopButton.disabled = true;
    startButton.disabled = false;
    if (recorder && recorder.state !== "inactive") recorder.stop();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!blob) return;
    uploadButton.disabled = true;
    bar.hidden = false;
    const data = new FormData(form);
    const extension = (blob.type.indexOf("mp4") >= 0) ? "mp4" : "webm";
    const file = new File([blob], "recording-" + Date.now() + "." + extension, { type: blob.type });
    const fields = { title: data.get("title") || "", visibility: data.get("visibility") };
    if (data.get("course")) fields.course = data.get("course"); // the server reads the duration itself
    window.LyceumUpload.send(file, {
      purpose: "recording",
      uploadsUrl: root.dataset.uploadsUrl,
      attachUrl: root.dataset.attachUrl,
      fields: fields,
      onProgress: function (done, total) { bar.value = total ? Math.floor((100 * done) / total) : 0; },
    }).then(function () {
      window.location.href = root.dataset.doneUrl;
    }).catch(function (error) {
      state.textContent = error.message;
      uploadButton.disabled = false;
    });
  });
})();
