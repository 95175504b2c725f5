// Taking a quiz: answers autosaved as they change, the server's deadline counted down.
(function () {
  const form = document.getElementById("quiz-form");
  const state = document.getElementById("save-state");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const sequential = form.dataset.sequential === "1";
  let submitting = false;

  function answerOf(fieldset) {
    const type = fieldset.dataset.type;
    if (type === "matching") {
      const matches = {};
      fieldset.querySelectorAll("select[data-stem]").forEach((select) => {
        if (select.value) matches[select.dataset.stem] = select.value;
      });
      return {matches: matches};
    }
    if (type === "code") {
      return {
        text: fieldset.querySelector("textarea.code-source").value,
        language: fieldset.querySelector("select.code-language").value,
      };
    }
    const inputs = fieldset.querySelectorAll("input[name^='q-']:not([type=hidden]), textarea");
    if (type === "single" || type === "true_false" || type === "multiple") {
      return {choices: Array.from(inputs).filter((i) => i.checked).map((i) => i.value)};
    }
    const value = inputs[0].value;
    return type === "numeric" ? {number: value.trim() === "" ? null : value.trim()} : {text: value};
  }

  // "All answers saved." only when nothing waits: no answer typed but not yet sent (the 600 ms
  // pause) and no save on its way. Saves of one question go one after another, each sending the
  // answer as it is then, so a slow older save never lands after a newer one.
  const timers = new Map();
  const waiting = new Set();
  const chains = new Map();
  let inFlight = 0;
  function showState() {
    if (waiting.size || inFlight) state.textContent = "Saving…";
  }
  async function send(fieldset) {
    const answers = {};
    answers[fieldset.dataset.question] = answerOf(fieldset);
    inFlight += 1;
    showState();
    try {
      const reply = await fetch(form.dataset.saveUrl, {
        method: "PUT", credentials: "same-origin",
        // Only the attempt's progress comes back (RFC 7240): the page has the questions already.
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Prefer": "return=minimal"},
        body: JSON.stringify({answers: answers}),
      });
      if (reply.ok) {
        const body = await reply.json();
        if (inFlight === 1 && !waiting.size) state.textContent = "All answers saved.";
        if (sequential) {
          form.querySelectorAll("fieldset[data-index]").forEach((other) => {
            if (Number(other.dataset.index) < body.position) other.disabled = true;
          });
        }
      } else {
        const body = await reply.json().catch(() => ({}));
        const error = body.error || {};
        state.textContent = error.message || "Your answer could not be saved.";
        if (error.code === "time_up" || error.code === "attempt_submitted") window.location.reload();
      }
    } catch (error) {
      state.textContent = "Your answer could not be saved: check your connection.";
    } finally {
      inFlight -= 1;
    }
  }
  function save(fieldset) {
    const next = (chains.get(fieldset) || Promise.resolve()).then(() => send(fieldset));
    chains.set(fieldset, next);
    return next;
  }
  form.addEventListener("input", (event) => {
    const fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset || event.target.dataset.noSave) return;
    clearTimeout(timers.get(fieldset));
    waiting.add(fieldset);
    showState();
    timers.set(fieldset, setTimeout(() => {
      waiting.delete(fieldset);
      save(fieldset);
    }, 600));
  });
  function isAnswered(fieldset) {
    const answer = answerOf(fieldset);
    if (answer.choices) return answer.choices.length > 0;
    if (answer.matches) return Object.keys(answer.matches).length > 0;
    if ("number" in answer) return answer.number !== null;
    if (answer.language !== undefined) {
      // A program still as its starter code was left unanswered.
      const starter = fieldset.querySelector("textarea.code-source").dataset.starter;
      return answer.text.trim() !== "" && answer.text !== starter;
    }
    return answer.text.trim() !== "";
  }

  // Submitting with questions left blank asks first; the timer's submit never asks.
  const confirmBox = document.getElementById("confirm-submit");
  let confirmed = false;
  form.addEventListener("submit", (event) => {
    if (!submitting && !confirmed) {
      const blank = Array.from(form.querySelectorAll("fieldset[data-question]")).filter((f) => !isAnswered(f));
      if (blank.length) {
        event.preventDefault();
        const numbers = blank.map((f) => f.dataset.number);
        document.getElementById("confirm-submit-text").textContent =
          (blank.length === 1 ? "1 question has no answer" : `${blank.length} questions have no answer`) +
          ` (${numbers.join(", ")}). Submit anyway? Unanswered questions earn no points.`;
        confirmBox.hidden = false;
        document.getElementById("confirm-submit-yes").focus();
        return;
      }
    }
    submitting = true;
  });
  document.getElementById("confirm-submit-yes").addEventListener("click", () => {
    confirmed = true;
    confirmBox.hidden = true;
    form.requestSubmit();
  });
  document.getElementById("confirm-submit-no").addEventListener("click", () => {
    confirmBox.hidden = true;
    const blank = Array.from(form.querySelectorAll("fieldset[data-question]")).find((f) => !isAnswered(f));
    const target = blank && blank.querySelector("input:not([type=hidden]), select, textarea");
    (target || document.getElementById("submit-quiz")).focus();
  });

  const timer = document.getElementById("timer");
  if (timer) {
    // The deadline is the server's: measure this device's clock against the server's once.
    const offset = Date.parse(timer.dataset.serverNow) - Date.now();
    const deadline = Date.parse(timer.dataset.deadline);
    const tick = () => {
      const left = Math.max(0, Math.round((deadline - (Date.now() + offset)) / 1000));
      const minutes = Math.floor(left / 60), seconds = left % 60;
      timer.textContent = `${minutes}:${String(seconds).padStart(2, "0")} left`;
      timer.classList.toggle("timer-low", left <= 60);
      if (left === 0 && !submitting) { submitting = true; form.submit(); return; }
      setTimeout(tick, 500);
    };
    tick();
  }
})();
