// The editor of a learner's own variant: CodeMirror 6 with Go
// highlighting, line numbers, Tab to indent, and the check's problems
// marked on their lines. scripts/bundle-editor.sh bundles this file with
// its packages into web/static/vendor/codemirror/editor.js, which the
// pages import; nothing here runs on the server.

import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, highlightSpecialChars,
} from '@codemirror/view';
import { EditorState } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  indentUnit, indentOnInput, bracketMatching, syntaxHighlighting, HighlightStyle, foldGutter,
} from '@codemirror/language';
import { tags as t } from '@lezer/highlight';
import { go } from '@codemirror/lang-go';
import { setDiagnostics, lintGutter } from '@codemirror/lint';

// highlight colours Go with the page's own token classes (app.css), so
// the editor reads like the lab's code on the page, in light and dark.
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], class: 'tok-kw' },
  { tag: [t.string, t.special(t.string), t.character], class: 'tok-str' },
  { tag: [t.comment, t.lineComment, t.blockComment], class: 'tok-com' },
  { tag: [t.number, t.bool, t.null, t.standard(t.typeName), t.atom], class: 'tok-num' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], class: 'tok-fn' },
]);

// createEditor puts an editor holding doc in parent. onChange is called
// with the text after each edit; readOnly makes it a viewer. nonce is the
// page's CSP nonce, which the editor's style element needs.
export function createEditor(parent, { doc = '', readOnly = false, onChange, label = 'Code', nonce = '' } = {}) {
  const extensions = [
    EditorView.cspNonce.of(nonce),
    EditorView.lineWrapping,
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    foldGutter(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    syntaxHighlighting(highlight),
    keymap.of([...defaultKeymap, ...historyKeymap]),
    go(),
    indentUnit.of('\t'),
    EditorState.tabSize.of(4),
    lintGutter(),
    EditorView.contentAttributes.of({ 'aria-label': label, autocapitalize: 'off', autocorrect: 'off', spellcheck: 'false' }),
  ];
  if (readOnly) {
    extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
  } else {
    extensions.push(keymap.of([indentWithTab]));
  }
  if (onChange) {
    extensions.push(EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }));
  }
  return new EditorView({ parent, state: EditorState.create({ doc, extensions }) });
}

// text returns the editor's text.
export function text(view) { return view.state.doc.toString(); }

// setText replaces the editor's text.
export function setText(view, doc) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } });
}

// position returns the offset of line:col (1-based), clamped to the text.
function position(doc, line, col) {
  const l = doc.line(Math.min(Math.max(1, line || 1), doc.lines));
  return Math.min(l.from + Math.max(0, (col || 1) - 1), l.to);
}

// mark marks problems ({line, col, msg}) on their lines: errors, or
// warnings (go vet's findings).
export function mark(view, problems, severity = 'error') {
  const doc = view.state.doc;
  const diagnostics = problems.filter((p) => p.line > 0).map((p) => {
    const from = position(doc, p.line, p.col);
    const to = Math.max(from, Math.min(doc.line(doc.lineAt(from).number).to, from + 1));
    return { from, to: to === from ? Math.min(from + 1, doc.length) : to, severity, message: p.msg };
  });
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

// goTo moves the cursor to line:col and shows it.
export function goTo(view, line, col) {
  const at = position(view.state.doc, line, col);
  view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: 'center' }) });
  view.focus();
}


// viewOf returns the editor whose element is dom (.cm-editor), or null.
export function viewOf(dom) { return EditorView.findFromDOM(dom); }
