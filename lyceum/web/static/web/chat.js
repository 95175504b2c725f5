// The live chat room: one socket (/ws/chat/rooms/<id>/, session cookie), messages by sequence
// number with resume on reconnect, acknowledgements for what this page sends, typing, presence,
// older history by scrolling up. Text is always inserted as text, never as HTML.
(function () {
  const root = document.getElementById("chat");
  if (!root) return;
  const room = root.dataset.room, me = root.dataset.me;
  const list = document.getElementById("messages");
  const input = document.getElementById("message-input");
  const typing = document.getElementById("typing");
  const status = document.getElementById("connection");
  const presence = document.getElementById("presence");
  let lastSeq = Number(root.dataset.lastSeq) || 0;
  let socket, retry = 500, typingTimer, typingSent = false, historyUrl = null, loading = false;
  const typers = new Map();
  // Messages on the page by sequence number, by id, and (until acknowledged) by this page's own
  // client id. Kept in maps: user data never becomes part of a CSS selector or of HTML.
  const bySeq = new Map(), byId = new Map(), pendingByClientId = new Map();
  let resuming = false;
  function index(li) {
    if (li.dataset.seq) bySeq.set(Number(li.dataset.seq), li);
    if (li.dataset.id) byId.set(li.dataset.id, li);
  }
  Array.from(list.children).forEach(index);

  function actions(li) {
    const box = document.createElement("span");
    box.className = "message-actions";
    for (const [name, label] of [["edit-message", "edit"], ["delete-message", "delete"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `link-button ${name}`;
      button.textContent = label;
      button.setAttribute("aria-label", `${label[0].toUpperCase()}${label.slice(1)} this message`);
      box.append(button);
    }
    li.append(box);
  }

  function item(message, pending) {
    const mine = message.sender === me || pending;
    const li = document.createElement("li");
    li.className = "chat-message" + (mine ? " mine" : "") +
      (message.deleted ? " deleted" : "") + (pending ? " pending" : "");
    if (message.seq) li.dataset.seq = message.seq;
    if (message.id) li.dataset.id = message.id;
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = mine ? "You" : (message.sender_name || "");
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = message.deleted ? "message deleted" : message.content;
    const time = document.createElement("time");
    const created = message.created_at ? new Date(message.created_at) : new Date();
    time.dateTime = created.toISOString();
    time.textContent = created.toTimeString().slice(0, 5) + (message.edited_at ? " · edited" : "");
    li.append(author, text, time);
    if (mine && !pending && !message.deleted) actions(li);
    return li;
  }

  // A read receipt from someone else: "seen" moves to the last of my messages they have read.
  function seen(seq) {
    const mine = Array.from(list.querySelectorAll(".chat-message.mine[data-seq]"))
      .filter((li) => Number(li.dataset.seq) <= seq);
    const last = mine[mine.length - 1];
    if (!last || last.querySelector(".seen")) return;
    list.querySelectorAll(".seen").forEach((marker) => marker.remove());
    const marker = document.createElement("span");
    marker.className = "seen";
    marker.textContent = " · seen";
    last.querySelector("time").append(marker);
  }

  function update(message) {
    const old = byId.get(message.id);
    if (!old) return;
    const li = item(message);
    old.replaceWith(li);
    index(li);
  }

  function add(message) {
    if (message.seq <= lastSeq && bySeq.has(message.seq)) return;
    if (message.seq > lastSeq + 1) {
      // A gap: ask once for what is missing; the server sends it in order.
      if (!resuming) { resuming = true; send({type: "resume", after: lastSeq}); }
      return;
    }
    const pending = message.client_id ? pendingByClientId.get(message.client_id) : null;
    const li = item(message);
    if (pending) { pending.replaceWith(li); pendingByClientId.delete(message.client_id); } else list.append(li);
    index(li);
    lastSeq = Math.max(lastSeq, message.seq);
    list.scrollTop = list.scrollHeight;
    send({type: "read", seq: lastSeq});
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function showTyping() {
    const names = Array.from(typers.keys());
    typing.textContent = names.length ? `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…` : "";
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    // ?after= : the server sends what this page missed, then live messages, each once and in order.
    socket = new WebSocket(`${scheme}://${location.host}/ws/chat/rooms/${room}/?after=${lastSeq}`);
    socket.onopen = () => {
      retry = 500;
      resuming = false;
      status.textContent = "Connected";
      if (lastSeq) send({type: "read", seq: lastSeq});  // what the page shows is read
    };
    socket.onclose = (event) => {
      status.textContent = event.code === 4403 ? "You are not a member of this room." : "Reconnecting…";
      if (event.code < 4000) setTimeout(connect, retry = Math.min(retry * 2, 10000));
    };
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "message.create") add(frame.message);
      else if (frame.type === "resume.done") resuming = false;
      else if (frame.type === "message.delete" || frame.type === "message.update") update(frame.message);
      else if (frame.type === "typing.start" && frame.user !== me) {
        const name = frame.name || frame.username;
        clearTimeout(typers.get(name));
        typers.set(name, setTimeout(() => { typers.delete(name); showTyping(); }, 6000));
        showTyping();
      } else if (frame.type === "typing.stop") {
        clearTimeout(typers.get(frame.name || frame.username));
        typers.delete(frame.name || frame.username); showTyping();
      } else if (frame.type === "presence" || frame.type === "presence.join" || frame.type === "presence.leave") {
        presence.textContent = `${frame.online.length} online`;
      } else if (frame.type === "read" && frame.user !== me) {
        seen(frame.seq);
      } else if (frame.type === "error") {
        status.textContent = frame.message;
      }
    };
  }

  document.getElementById("send-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const content = input.value.trim();
    if (!content) return;
    const clientId = (crypto.randomUUID && crypto.randomUUID()) || String(Date.now() + Math.random());
    const li = item({content: content}, true);
    pendingByClientId.set(clientId, li);
    list.append(li);
    list.scrollTop = list.scrollHeight;
    send({type: "message.create", content: content, client_id: clientId});
    send({type: "typing.stop"}); typingSent = false;
    input.value = "";
  });

  input.addEventListener("input", () => {
    if (!typingSent) { send({type: "typing.start"}); typingSent = true; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { send({type: "typing.stop"}); typingSent = false; }, 3000);
  });

  // Own messages: delete at once; edit in place (Enter saves, Escape cancels).
  list.addEventListener("click", (event) => {
    const li = event.target.closest("li");
    if (event.target.classList.contains("delete-message")) {
      send({type: "message.delete", id: li.dataset.id});
      event.target.disabled = true;
    } else if (event.target.classList.contains("edit-message")) {
      const text = li.querySelector(".text");
      const field = document.createElement("input");
      field.type = "text";
      field.className = "edit-field";
      field.maxLength = input.maxLength;
      field.value = text.textContent;
      field.setAttribute("aria-label", "Edit message");
      text.replaceWith(field);
      field.focus();
      field.addEventListener("keydown", (key) => {
        if (key.key === "Escape") field.replaceWith(text);
        if (key.key !== "Enter") return;
        key.preventDefault();
        const content = field.value.trim();
        if (content && content !== text.textContent) {
          send({type: "message.edit", id: li.dataset.id, content: content});
          text.textContent = content;
        }
        field.replaceWith(text);
      });
    }
  });

  // Older messages: the API's cursor pages, newest first, as the list is scrolled to the top.
  async function older() {
    if (loading || historyUrl === false) return;
    loading = true;
    const reply = await fetch(historyUrl || `${root.dataset.historyUrl}?page_size=50`, {credentials: "same-origin"});
    if (reply.ok) {
      const page = await reply.json();
      historyUrl = page.next || false;
      const height = list.scrollHeight;
      for (const message of page.results) {
        if (bySeq.has(message.seq)) continue;
        const li = item({...message, sender: message.sender && message.sender.id,
                         sender_name: message.sender && message.sender.display_name});
        list.prepend(li);
        index(li);
      }
      list.scrollTop += list.scrollHeight - height;
    }
    loading = false;
  }
  list.addEventListener("scroll", () => { if (list.scrollTop < 40) older(); });

  list.scrollTop = list.scrollHeight;
  connect();
})();
