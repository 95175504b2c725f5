// A result whose programs are still being run: the page is read again once the attempt says no
// program waits (asked every few seconds), or at once when the "quiz graded" notification lands.
(function () {
  const head = document.getElementById("code-running");
  if (!head) return;
  const url = head.dataset.attemptUrl;
  const attemptId = url.split("/").filter(Boolean).pop();
  let tries = 60;
  async function ask() {
    if (tries-- <= 0) return;
    try {
      const reply = await fetch(url, {credentials: "same-origin"});
      if (reply.ok) {
        const attempt = await reply.json();
        const waiting = attempt.questions.some((q) => q.code_status === "queued" || q.code_status === "running");
        if (!waiting) { window.location.reload(); return; }
      }
    } catch (error) { /* try again */ }
    setTimeout(ask, 3000);
  }
  setTimeout(ask, 2000);
  document.addEventListener("lyceum:notification", (event) => {
    if ((event.detail.link || "").includes(attemptId)) window.location.reload();
  });
})();
