// The notification bell: the unread count, live through the user's socket (/ws/account/), and a
// panel of the latest notifications from the API. Text is inserted as text.
(function () {
  const bell = document.getElementById("bell");
  if (!bell) return;
  const button = bell.querySelector(".bell-button");
  const panel = document.getElementById("bell-panel");
  const count = document.getElementById("bell-count");
  const list = document.getElementById("bell-list");
  const csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";

  function setCount(value) {
    count.textContent = String(value);
    count.hidden = value <= 0;
  }

  function row(notification) {
    const li = document.createElement("li");
    const link = document.createElement(notification.link ? "a" : "span");
    if (notification.link) link.href = notification.link;
    link.textContent = notification.title;
    if (!notification.read) li.className = "unread";
    li.append(link);
    return li;
  }

  async function load() {
    const reply = await fetch(`${bell.dataset.listUrl}?page_size=10`, {credentials: "same-origin"});
    if (!reply.ok) return;
    const page = await reply.json();
    list.replaceChildren(...(page.results.length ? page.results.map(row)
      : [Object.assign(document.createElement("li"), {className: "muted", textContent: "Nothing new."})]));
  }

  function setOpen(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) load();
  }
  button.addEventListener("click", () => setOpen(panel.hidden));
  // Escape closes the panel and gives focus back to its button; so does a click elsewhere.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      setOpen(false);
      button.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!panel.hidden && !bell.contains(event.target)) setOpen(false);
  });

  document.getElementById("bell-read-all").addEventListener("click", async () => {
    const reply = await fetch(bell.dataset.readUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": decodeURIComponent(csrf)},
      body: "{}",
    });
    if (reply.ok) { setCount(0); load(); }
  });

  function connect(delay) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/account/`);
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      // Every frame, for the parts of the page that wait for one (a graded code submission).
      document.dispatchEvent(new CustomEvent("lyceum:socket", {detail: frame}));
      if (frame.type === "notification.new") {
        setCount(Number(count.textContent || 0) + 1);
        if (!panel.hidden) list.prepend(row(frame.notification));
        // Other parts of the page (the room list) react to what arrives.
        document.dispatchEvent(new CustomEvent("lyceum:notification", {detail: frame.notification}));
      }
    };
    socket.onclose = (event) => {
      if (event.code < 4000) setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
    };
  }
  connect(1000);
})();
