// A payment waiting for its provider's webhook: ask again every two seconds (for two minutes),
// and show the settled page once it is settled.
(function () {
  const box = document.getElementById("payment-status");
  if (!box) return;
  let tries = 60;
  async function ask() {
    if (tries-- <= 0) {
      const waiting = document.getElementById("payment-waiting");
      if (waiting) waiting.textContent = "The provider has not confirmed yet. Reload this page later, or see your billing.";
      return;
    }
    try {
      const reply = await fetch(box.dataset.url, {credentials: "same-origin"});
      if (reply.ok && (await reply.json()).status !== "pending") { window.location.reload(); return; }
    } catch (error) { /* try again */ }
    setTimeout(ask, 2000);
  }
  setTimeout(ask, 1000);
})();
