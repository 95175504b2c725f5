// The code editor and the exercise page: CodeMirror over the program's textarea, Run (POST
// /api/code/run/) and, on an exercise, Submit (POST /api/code/submissions/) with the verdicts
// as they arrive on the account socket (bell.js) or, failing that, by asking again.
// Everything the server or the program sent is inserted as text.
(function () {
  const root = document.querySelector(".code-runner");
  if (!root) return;
  const csrf = decodeURIComponent((document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "");
  const picker = root.querySelector(".code-language");
  const source = root.querySelector(".code-source");
  const stdin = root.querySelector(".code-stdin");
  const output = root.querySelector(".code-output");
  const runButton = root.querySelector(".code-run");
  const submitButton = root.querySelector(".code-submit");
  const verdicts = document.querySelector(".code-verdicts");
  const starters = JSON.parse(document.getElementById("code-starters").textContent || "null") || {};
  const LABELS = {
    accepted: "Accepted", wrong_answer: "Wrong answer", compile_error: "Compile error",
    runtime_error: "Runtime error", time_limit: "Time limit exceeded",
    memory_limit: "Memory limit exceeded", output_limit: "Output limit exceeded",
    internal_error: "Internal error", queued: "Queued", running: "Running",
  };

  if (Object.keys(starters).length) {
    const first = [...picker.options].find((option) => starters[option.value]);
    if (first) picker.value = first.value;
    if (!source.value.trim()) source.value = starters[picker.value] || "";
  }
  let editor = null;
  if (window.LyceumEditor) {
    editor = window.LyceumEditor.create(source, picker.value, () => run());
  } else {
    source.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
    });
  }
  const code = () => (editor ? editor.getValue() : source.value);
  let lastStarter = starters[picker.value] || null;
  picker.addEventListener("change", () => {
    if (editor) editor.setLanguage(picker.value);
    // Untouched starter code follows the language; the learner's own code stays.
    const next = starters[picker.value];
    if (next !== undefined && (code() === lastStarter || !code().trim())) {
      if (editor) editor.setValue(next); else source.value = next;
    }
    lastStarter = next === undefined ? null : next;
  });

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function problem(reply, body) {
    const message = (body && body.error && body.error.message) || `The server answered ${reply.status}.`;
    output.replaceChildren(el("p", message, "error"));
  }

  async function post(url, body) {
    const reply = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body),
    });
    let data = null;
    try { data = await reply.json(); } catch (error) { /* not JSON */ }
    return [reply, data];
  }

  function showStep(title, step) {
    const box = el("div", undefined, "code-step");
    box.append(el("h3", title));
    const facts = [`${LABELS[step.status] || step.status}`];
    if (step.exit_code !== null) facts.push(`exit code ${step.exit_code}`);
    if (step.signal !== null) facts.push(`signal ${step.signal}`);
    facts.push(`${step.cpu_seconds.toFixed(3)} s CPU`, `${step.wall_seconds.toFixed(3)} s`,
      `${(step.memory_bytes / 1048576).toFixed(1)} MB`);
    box.append(el("p", facts.join(" · "), step.status === "accepted" ? "ok" : "error"));
    if (step.stdout) { box.append(el("p", "stdout", "help")); box.append(el("pre", step.stdout, "code-stdout")); }
    if (step.stderr) { box.append(el("p", "stderr", "help")); box.append(el("pre", step.stderr, "code-stderr")); }
    if (!step.stdout && !step.stderr) box.append(el("p", "No output.", "muted"));
    return box;
  }

  async function run() {
    runButton.disabled = true;
    output.replaceChildren(el("p", "Running…", "muted"));
    try {
      const [reply, data] = await post(root.dataset.runUrl, {language: picker.value, source: code(), stdin: stdin.value});
      if (!reply.ok) return problem(reply, data);
      const parts = [el("p", `${LABELS[data.status] || data.status} · ${data.language} ${data.version}`, "code-status")];
      if (data.compile && data.status === "compile_error") parts.push(showStep("Compile", data.compile));
      if (data.run) parts.push(showStep("Run", data.run));
      output.replaceChildren(...parts);
    } catch (error) {
      output.replaceChildren(el("p", "The server could not be reached.", "error"));
    } finally {
      runButton.disabled = false;
    }
  }
  runButton.addEventListener("click", run);

  // --- submissions -----------------------------------------------------------------------------
  let waitingFor = null;

  function showSubmission(submission) {
    const done = submission.state === "done";
    const label = done ? LABELS[submission.verdict] || submission.verdict : LABELS[submission.state];
    const parts = [el("h2", "Your submission")];
    parts.push(el("p", `${label} · ${submission.tests_passed}/${submission.tests_total} tests · score ${submission.score} %`,
      `code-verdict ${done && submission.verdict === "accepted" ? "ok" : done ? "error" : "muted"}`));
    if (submission.compile_output && submission.verdict === "compile_error") parts.push(el("pre", submission.compile_output));
    if (submission.results.length) {
      const table = el("table", undefined, "table");
      const head = el("tr");
      ["Test", "Verdict", "Time"].forEach((name) => { const th = el("th", name); th.scope = "col"; head.append(th); });
      table.append(el("thead"));
      table.tHead.append(head);
      const body = el("tbody");
      for (const row of submission.results) {
        const tr = el("tr");
        tr.append(el("td", `${row.test}${row.sample ? " (sample)" : " (hidden)"}`));
        tr.append(el("td", LABELS[row.verdict] || row.verdict, row.verdict === "accepted" ? "ok" : "error"));
        tr.append(el("td", `${row.wall_seconds.toFixed(2)} s`));
        body.append(tr);
        if (row.sample && row.verdict !== "accepted") {
          const detail = el("tr");
          const cell = el("td");
          cell.colSpan = 3;
          cell.append(el("p", "Expected", "help"), el("pre", row.expected), el("p", "Your output", "help"), el("pre", row.stdout));
          detail.append(cell);
          body.append(detail);
        }
      }
      table.append(body);
      parts.push(table);
    }
    verdicts.replaceChildren(...parts);
    if (done) {
      waitingFor = null;
      submitButton.disabled = false;
    }
  }

  async function poll(id, tries) {
    if (waitingFor !== id || tries <= 0) return;
    const reply = await fetch(`${root.dataset.submitUrl}${id}/`, {credentials: "same-origin"});
    if (reply.ok) {
      const data = await reply.json();
      if (waitingFor === id) showSubmission(data);
      if (data.state === "done") return;
    }
    setTimeout(() => poll(id, tries - 1), 1000);
  }

  document.addEventListener("lyceum:socket", (event) => {
    const frame = event.detail;
    if (frame.type === "code.submission" && frame.submission.id === waitingFor) showSubmission(frame.submission);
  });

  if (submitButton) {
    submitButton.addEventListener("click", async () => {
      submitButton.disabled = true;
      verdicts.replaceChildren(el("h2", "Your submission"), el("p", "Submitting…", "muted"));
      try {
        const [reply, data] = await post(root.dataset.submitUrl,
          {exercise: root.dataset.exercise, language: picker.value, source: code()});
        if (!reply.ok) {
          submitButton.disabled = false;
          const message = (data && data.error && data.error.message) || `The server answered ${reply.status}.`;
          return verdicts.replaceChildren(el("h2", "Your submission"), el("p", message, "error"));
        }
        waitingFor = data.id;
        showSubmission(data);
        if (data.state !== "done") poll(data.id, 120);
      } catch (error) {
        submitButton.disabled = false;
        verdicts.replaceChildren(el("h2", "Your submission"), el("p", "The server could not be reached.", "error"));
      }
    });
  }
})();
