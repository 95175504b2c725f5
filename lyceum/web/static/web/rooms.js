// The room list, live: a message notification (pushed on the user's socket, see bell.js) bumps the
// room's unread badge and lights its new-message dot.
(function () {
  document.addEventListener("lyceum:notification", (event) => {
    const notification = event.detail;
    if (notification.kind !== "message") return;
    for (const item of document.querySelectorAll(".room-item")) {
      if (item.dataset.link !== notification.link) continue;
      const badge = item.querySelector(".unread-count");
      badge.textContent = String(Number(badge.textContent || 0) + 1);
      badge.hidden = false;
      item.querySelector(".new-dot").hidden = false;
      item.parentElement.prepend(item);  // the latest conversation first
    }
  });
})();
