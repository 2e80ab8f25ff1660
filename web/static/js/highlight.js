// highlightGo colours Go source in place: keywords, comments, strings,
// numbers, predeclared names and called functions. A small tokenizer, not
// a parser: good enough to read, never changes the text.

const KEYWORDS = new Set(('break case chan const continue default defer else fallthrough for func go goto if ' +
  'import interface map package range return select struct switch type var').split(' '));
const PREDECLARED = new Set(('any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 ' +
  'int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr true false nil iota append cap clear close ' +
  'complex copy delete imag len make max min new panic print println real recover').split(' '));

const TOKEN = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|("(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\\n]|\\.)*')|(\b(?:0[xX][\da-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?)\b)|([A-Za-z_]\w*)(?=\s*\()|([A-Za-z_]\w*)/g;

function span(cls, text) {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

/** highlightGo replaces code's text with coloured spans of the same text. */
export function highlightGo(code) {
  const src = code.textContent;
  const out = document.createDocumentFragment();
  let last = 0;
  for (const m of src.matchAll(TOKEN)) {
    const [text, com, str, number, call, ident] = m;
    let cls = '';
    if (com) cls = 'tok-com';
    else if (str) cls = 'tok-str';
    else if (number) cls = 'tok-num';
    else {
      const word = call || ident;
      if (KEYWORDS.has(word)) cls = 'tok-kw';
      else if (PREDECLARED.has(word)) cls = 'tok-num';
      else if (call) cls = 'tok-fn';
    }
    if (!cls) continue;
    if (m.index > last) out.append(src.slice(last, m.index));
    out.append(span(cls, text));
    last = m.index + text.length;
  }
  out.append(src.slice(last));
  code.replaceChildren(out);
}
