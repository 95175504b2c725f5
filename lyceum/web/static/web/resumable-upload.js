// Resumable uploads over the tus protocol (1.0.0) that /api/uploads/ speaks: the file goes in
// chunks; a dropped connection or a reload resumes at the byte the server has (README "Video
// lessons and recordings"). Forms marked data-resumable-upload use it instead of posting the file
// whole; the recording page calls window.LyceumUpload.send.
(function () {
  "use strict";
  const CHUNK = 8 * 1024 * 1024;
  const RETRIES = 6;
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";

  function b64(text) {
    return btoa(unescape(encodeURIComponent(text)));
  }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
  function headers(extra) {
    return Object.assign({ "Tus-Resumable": "1.0.0", "X-CSRFToken": csrf }, extra || {});
  }
  async function problem(response) {
    try { const body = await response.json(); return body.error || {}; } catch (e) { return {}; }
  }

  async function open(file, options) {
    const key = "lyceum-upload:" + options.purpose + ":" + file.name + ":" + file.size + ":" + (file.lastModified || "");
    const known = file.name ? localStorage.getItem(key) : null;
    if (known) {
      const head = await fetch(known, { method: "HEAD", headers: headers(), credentials: "same-origin" });
      if (head.ok) return { key: key, url: known, offset: parseInt(head.headers.get("Upload-Offset"), 10) || 0 };
      localStorage.removeItem(key);
    }
    const created = await fetch(options.uploadsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: headers({
        "Upload-Length": String(file.size),
        "Upload-Metadata": "purpose " + b64(options.purpose) + ",filename " + b64(file.name || options.filename || "upload"),
      }),
    });
    if (!created.ok) throw new Error((await problem(created)).message || "The upload could not start.");
    const url = created.headers.get("Location");
    if (file.name) localStorage.setItem(key, url);
    return { key: key, url: url, offset: 0 };
  }

  async function send(file, options) {
    const upload = await open(file, options);
    let offset = upload.offset;
    let failures = 0;
    while (offset < file.size) {
      if (options.onProgress) options.onProgress(offset, file.size);
      let response;
      try {
        response = await fetch(upload.url, {
          method: "PATCH",
          credentials: "same-origin",
          headers: headers({ "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" }),
          body: file.slice(offset, Math.min(file.size, offset + CHUNK)),
        });
      } catch (networkError) {
        response = null;
      }
      if (response && response.ok) {
        offset = parseInt(response.headers.get("Upload-Offset"), 10);
        failures = 0;
        continue;
      }
      if (response && response.status === 409) {
        const error = await problem(response);
        if (typeof error.offset === "number") { offset = error.offset; continue; }
      }
      if (response && response.status < 500 && response.status !== 423) {
        localStorage.removeItem(upload.key);
        throw new Error((await problem(response)).message || "The upload was refused.");
      }
      failures += 1;
      if (failures > RETRIES) throw new Error("The connection keeps failing; choose the file again to resume.");
      await wait(Math.min(30000, 500 * Math.pow(2, failures)));
      const head = await fetch(upload.url, { method: "HEAD", headers: headers(), credentials: "same-origin" }).catch(function () { return null; });
      if (head && head.ok) offset = parseInt(head.headers.get("Upload-Offset"), 10) || offset;
    }
    if (options.onProgress) options.onProgress(file.size, file.size);
    const form = new FormData(); // the same multipart form a file would go in, with the upload's id
    form.append("upload", upload.url.replace(/\/$/, "").split("/").pop());
    Object.entries(options.fields || {}).forEach(function (entry) { form.append(entry[0], entry[1]); });
    const attached = await fetch(options.attachUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf },
      body: form,
    });
    localStorage.removeItem(upload.key);
    if (!attached.ok) {
      const error = await problem(attached);
      const fields = error.fields ? Object.values(error.fields).flat().join(" ") : "";
      throw new Error(fields || error.message || "The file could not be saved.");
    }
    return attached.json();
  }

  window.LyceumUpload = { send: send };

  document.querySelectorAll("form[data-resumable-upload]").forEach(function (form) {
    const input = form.querySelector("input[type=file]");
    const bar = form.querySelector(".upload-progress");
    const state = form.querySelector(".upload-state");
    form.addEventListener("submit", function (event) {
      if (!input.files.length || !window.fetch) return; // the plain form still works
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      bar.hidden = false;
      send(input.files[0], {
        purpose: form.dataset.purpose,
        uploadsUrl: form.dataset.uploadsUrl,
        attachUrl: form.dataset.attachUrl,
        onProgress: function (done, total) {
          bar.value = total ? Math.floor((100 * done) / total) : 0;
          state.textContent = "Uploaded " + Math.floor(done / 1048576) + " of " + Math.ceil(total / 1048576) + " MB";
        },
      }).then(function () {
        state.textContent = "Uploaded. Processing…";
        window.location.reload();
      }).catch(function (error) {
        state.textContent = error.message;
        state.classList.add("error-text");
        button.disabled = false;
      });
    });
  });
})();
