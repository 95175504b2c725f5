// Lyceum's code editor: CodeMirror 6 over a <textarea> (which stays the form's field).
import {EditorView, basicSetup} from "codemirror";
import {keymap} from "@codemirror/view";
import {Compartment} from "@codemirror/state";
import {indentWithTab} from "@codemirror/commands";
import {StreamLanguage} from "@codemirror/language";
import {python} from "@codemirror/lang-python";
import {javascript} from "@codemirror/lang-javascript";
import {cpp} from "@codemirror/lang-cpp";
import {java} from "@codemirror/lang-java";
import {dart} from "@codemirror/legacy-modes/mode/clike";

const LANGUAGES = {
  python: () => python(),
  javascript: () => javascript(),
  c: () => cpp(),
  cpp: () => cpp(),
  java: () => java(),
  dart: () => StreamLanguage.define(dart),
};

function create(textarea, language, onRun) {
  const mode = new Compartment();
  const view = new EditorView({
    doc: textarea.value,
    extensions: [
      basicSetup,
      keymap.of([
        indentWithTab,
        {key: "Mod-Enter", run: () => { if (onRun) onRun(); return true; }},
      ]),
      mode.of((LANGUAGES[language] || LANGUAGES.python)()),
      // On a phone long lines wrap: a region that scrolls sideways is hard to reach by touch or key.
      window.matchMedia("(max-width: 40rem)").matches ? EditorView.lineWrapping : [],
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        // Forms that save as you type (a quiz's code question) listen for the textarea's input.
        textarea.dispatchEvent(new Event("input", {bubbles: true}));
      }),
      EditorView.contentAttributes.of({"aria-label": textarea.getAttribute("aria-label") || "Code"}),
    ],
  });
  textarea.hidden = true;
  textarea.after(view.dom);
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (text) => view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}}),
    setLanguage: (name) => view.dispatch({effects: mode.reconfigure((LANGUAGES[name] || LANGUAGES.python)())}),
    focus: () => view.focus(),
  };
}

window.LyceumEditor = {create, languages: Object.keys(LANGUAGES)};
