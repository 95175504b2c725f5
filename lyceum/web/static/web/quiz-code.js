// A quiz's code questions: CodeMirror over each program's textarea (which stays the form's field,
// so quiz.js saves it as it changes), starter code that follows the language until it is edited,
// and a Run button for the student's own input (POST /api/code/run/). Output is inserted as text.
(function () {
  const form = document.getElementById("quiz-form");
  if (!form) return;
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const LABELS = {
    accepted: "Ran fine", compile_error: "Compile error", runtime_error: "Runtime error",
    time_limit: "Time limit exceeded", memory_limit: "Memory limit exceeded",
    output_limit: "Output limit exceeded", internal_error: "Internal error",
  };

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  document.querySelectorAll(".quiz-code").forEach((box) => {
    const source = box.querySelector(".code-source");
    const picker = box.querySelector(".code-language");
    const stdin = box.querySelector(".code-stdin");
    const output = box.querySelector(".code-output");
    const runButton = box.querySelector(".code-run");
    const starters = JSON.parse(document.getElementById(box.dataset.question).textContent || "null") || {};
    if (!source.value.trim() && starters[picker.value] !== undefined) {
      source.value = starters[picker.value];
      source.dataset.starter = source.value;  // untouched starter code is no answer (quiz.js)
    }
    let lastStarter = starters[picker.value];
    const editor = window.LyceumEditor ? window.LyceumEditor.create(source, picker.value, () => run()) : null;
    const code = () => (editor ? editor.getValue() : source.value);
    picker.addEventListener("change", () => {
      if (editor) editor.setLanguage(picker.value);
      const next = starters[picker.value];
      if (next !== undefined && (code() === lastStarter || !code().trim())) {
        if (editor) editor.setValue(next); else source.value = next;
        source.dataset.starter = next;
      }
      lastStarter = next;
    });

    async function run() {
      runButton.disabled = true;
      output.replaceChildren(el("p", "Running…", "muted"));
      try {
        const reply = await fetch(form.dataset.runUrl, {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
          body: JSON.stringify({language: picker.value, source: code(), stdin: stdin.value}),
        });
        const data = await reply.json().catch(() => null);
        if (!reply.ok) {
          const message = (data && data.error && data.error.message) || `The server answered ${reply.status}.`;
          return output.replaceChildren(el("p", message, "error"));
        }
        const parts = [el("p", LABELS[data.status] || data.status, data.status === "accepted" ? "ok" : "error")];
        const step = data.status === "compile_error" ? data.compile : data.run;
        if (step && step.stdout) parts.push(el("p", "stdout", "help"), el("pre", step.stdout));
        if (step && step.stderr) parts.push(el("p", "stderr", "help"), el("pre", step.stderr));
        output.replaceChildren(...parts);
      } catch (error) {
        output.replaceChildren(el("p", "The server could not be reached.", "error"));
      } finally {
        runButton.disabled = false;
      }
    }
    runButton.addEventListener("click", run);
  });
})();
