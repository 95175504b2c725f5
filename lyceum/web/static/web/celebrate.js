// A short celebration when a badge or a level is earned: live, from the bell's socket
// (the "lyceum:notification" event bell.js dispatches), and after a page change, from the unread
// notifications of the last ten minutes (a push may arrive while the previous page is closing).
// Several at once share one card. Each is celebrated once per browser; text is inserted as text.
(function () {
  const bell = document.getElementById("bell");
  if (!bell) return;
  const ICONS = {achievement: bell.dataset.achievementIcon, level_up: bell.dataset.levelUpIcon};
  const RECENT_MS = 10 * 60 * 1000;
  const SHOWN_MS = 6000;
  const storeKey = "lyceum:celebrated";
  let celebrated;
  try {
    celebrated = new Set(JSON.parse(localStorage.getItem(storeKey) || "[]"));
  } catch (error) {
    celebrated = new Set();
  }
  // Screen readers hear each celebration from one live region that is there before it speaks.
  const announcer = document.createElement("div");
  announcer.className = "visually-hidden";
  announcer.setAttribute("aria-live", "polite");
  document.body.append(announcer);
  let card = null;
  let timer = 0;
  const shownHere = new Set();  // on this page; remembered for good once seen for a moment

  function remember(id) {
    celebrated.add(id);
    try {
      localStorage.setItem(storeKey, JSON.stringify([...celebrated].slice(-50)));
    } catch (error) { /* private mode: celebrate again next time rather than never */ }
  }

  function close() {
    shownHere.forEach(remember);
    if (card) card.remove();
    card = null;
    clearTimeout(timer);
  }

  // A push that lands as the page is being left is celebrated again on the next page.
  function seenForAMoment(id) {
    setTimeout(() => remember(id), 1500);
  }

  function open() {
    card = document.createElement("section");
    card.className = "celebration";
    card.setAttribute("aria-label", "Celebration");
    const burst = document.createElement("div");
    burst.className = "celebration-burst";
    burst.setAttribute("aria-hidden", "true");
    for (let n = 0; n < 12; n++) burst.append(document.createElement("span"));
    const badge = document.createElement("img");
    badge.alt = "";
    badge.width = badge.height = 64;
    const list = document.createElement("ul");
    list.className = "celebration-list";
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "link-button celebration-close";
    dismiss.setAttribute("aria-label", "Close");
    dismiss.textContent = "×";
    dismiss.addEventListener("click", close);
    card.append(burst, badge, list, dismiss);
    document.body.append(card);
  }

  function item(notification) {
    const li = document.createElement("li");
    const title = document.createElement(notification.link ? "a" : "strong");
    if (notification.link) title.href = notification.link;
    title.textContent = notification.title;
    li.append(title);
    if (notification.body) {
      const body = document.createElement("span");
      body.textContent = ` ${notification.body}`;
      li.append(body);
    }
    return li;
  }

  function celebrate(notification) {
    const id = notification.id;
    if (!(notification.kind in ICONS) || celebrated.has(id) || shownHere.has(id)) return;
    shownHere.add(id);
    seenForAMoment(id);
    if (!card) open();
    card.querySelector("img").src = ICONS[notification.kind];
    card.querySelector("ul").append(item(notification));
    announcer.textContent = [notification.title, notification.body].filter(Boolean).join(" ");
    clearTimeout(timer);
    timer = setTimeout(close, SHOWN_MS);
  }

  document.addEventListener("lyceum:notification", (event) => celebrate(event.detail));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });

  const count = document.getElementById("bell-count");
  if (count && !count.hidden) {
    fetch(`${bell.dataset.listUrl}?unread=true&page_size=5`, {credentials: "same-origin"})
      .then((reply) => (reply.ok ? reply.json() : {results: []}))
      .then((page) => {
        page.results.slice().reverse()
          .filter((n) => Date.now() - Date.parse(n.created_at) < RECENT_MS)
          .forEach(celebrate);
      })
      .catch(() => {});
  }
})();
