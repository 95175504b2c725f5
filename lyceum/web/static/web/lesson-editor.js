// The lesson editor's Markdown preview, rendered and sanitized by the server: it follows the text
// as the instructor types (at most one request per pause in typing), and on the Preview button.
(function () {
  const button = document.getElementById("preview-button");
  const source = document.getElementById("id_content");
  const target = document.getElementById("preview");
  const state = document.getElementById("preview-state");
  const csrf = document.querySelector("#lesson-form [name=csrfmiddlewaretoken]").value;
  let timer = null;
  let sent = 0;

  async function render() {
    const ticket = ++sent;
    state.textContent = "updating…";
    const reply = await fetch(button.dataset.previewUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      credentials: "same-origin",
      body: JSON.stringify({content: source.value}),
    }).catch(() => null);
    if (ticket !== sent) return; // a newer preview is on its way
    if (reply && reply.ok) {
      // The server sanitized this HTML (nh3), as it does for the saved lesson.
      target.innerHTML = (await reply.json()).content;
      state.textContent = "up to date";
    } else if (reply && reply.status === 429) {
      state.textContent = "paused: too many previews, it resumes shortly";
    } else {
      state.textContent = "could not update the preview";
    }
  }

  source.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(render, 400);
  });
  button.addEventListener("click", () => { clearTimeout(timer); render(); });
})();
