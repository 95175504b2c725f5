// The lesson editor's Markdown preview, rendered and sanitized by the server.
(function () {
  const button = document.getElementById("preview-button");
  const source = document.getElementById("id_content");
  const target = document.getElementById("preview");
  const csrf = document.querySelector("#lesson-form [name=csrfmiddlewaretoken]").value;
  async function render() {
    const reply = await fetch(button.dataset.previewUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      credentials: "same-origin",
      body: JSON.stringify({content: source.value}),
    });
    if (reply.ok) {
      // The server sanitized this HTML (nh3), as it does for the saved lesson.
      target.innerHTML = (await reply.json()).content;
    }
  }
  button.addEventListener("click", render);
})();
