// Folding the results table's columns into each variant's details when
// they are wider than the table's box: a narrow run panel at 1280 px
// holds eight or nine columns, pixels reports twenty. The columns a
// learner reads least fold first; the variant, its key figure, Median,
// Speedup and Correct always stay. A folded column is hidden, not
// removed (its cells keep their data-label), and its values are listed at
// the top of the variant's details. A phone shows every variant as a card
// of every figure, so nothing folds there.

import { h } from './util.js';

// STAY are the columns that never fold.
const STAY = new Set(['variant', 'median_ms', 'speedup', 'correct']);

// FIRST are the columns that fold before the experiment's own figures; the
// figures then fold last declared first, then Cores used, then Got.
const FIRST = ['goroutines', 'max_ms', 'min_ms', 'expected'];
const LAST = ['cores_used', 'got'];

// CARDS is the width at which the table becomes cards (results.css).
const CARDS = '(max-width: 640px)';

const colOf = (th) => th.dataset.col || th.dataset.figure || '';

// foldOrder returns the headings of table's header row in the order they fold.
function foldOrder(head) {
  const cells = [...head.cells].filter((th) => !th.classList.contains('key') && !STAY.has(colOf(th)));
  const rank = (th) => {
    const c = colOf(th);
    if (FIRST.includes(c)) return FIRST.indexOf(c);
    if (LAST.includes(c)) return 1000 + LAST.indexOf(c);
    return 100 + (head.cells.length - th.cellIndex); // figures: the last first
  };
  return cells.sort((a, b) => rank(a) - rank(b));
}

// setFolded hides or shows the column at index i in every variant row.
function setFolded(table, i, on) {
  for (const tr of [table.tHead.rows[0], ...table.tBodies[0].rows]) {
    if (tr.classList.contains('trials')) continue;
    tr.cells[i]?.classList.toggle('folded', on);
  }
}

// listFolded writes each variant's folded values into its details, and
// says under the table which columns went there.
function listFolded(table) {
  const head = table.tHead.rows[0];
  const folded = [...head.cells].filter((th) => th.classList.contains('folded'));
  for (const tr of table.tBodies[0].rows) {
    if (tr.classList.contains('trials')) continue;
    const dl = tr.nextElementSibling?.querySelector('dl.folded-figs');
    if (!dl) continue;
    dl.replaceChildren(...folded.flatMap((th) => {
      const c = tr.cells[th.cellIndex];
      return c ? [h('dt', { text: c.dataset.label || '' }), h('dd', { text: c.textContent.trim() })] : [];
    }));
    dl.hidden = folded.length === 0;
  }
  const wrap = table.closest('.table-wrap');
  let note = wrap.nextElementSibling?.classList.contains('fold-note') ? wrap.nextElementSibling : null;
  if (!folded.length) {
    note?.remove();
    return;
  }
  if (!note) {
    note = h('p', { class: 'fold-note' });
    wrap.after(note);
  }
  const names = folded.map((th) => th.textContent.replace(/\u00ad/g, '').replace(/\s+/g, ' ').trim());
  note.textContent = `In each variant's details (open its name): ${names.join(', ')}.`;
}

// fit folds columns until table fits its box, or nothing more may fold.
function fit(table) {
  const wrap = table.closest('.table-wrap');
  const head = table.tHead?.rows[0];
  if (!wrap || !head) return;
  for (const th of head.querySelectorAll('th.folded')) setFolded(table, th.cellIndex, false);
  if (wrap.clientWidth > 0 && !matchMedia(CARDS).matches) {
    for (const th of foldOrder(head)) {
      if (wrap.scrollWidth <= wrap.clientWidth) break;
      setFolded(table, th.cellIndex, true);
    }
  }
  listFolded(table);
}

const watched = new WeakMap();

/**
 * fitColumns folds table's columns to its box now and whenever the box
 * changes width (a resized window, a panel shown after the result came).
 */
export function fitColumns(table) {
  const wrap = table.closest('.table-wrap');
  if (!wrap) return;
  fit(table);
  if (watched.has(table) || typeof ResizeObserver === 'undefined') return;
  let width = wrap.clientWidth;
  const ro = new ResizeObserver(() => {
    if (wrap.clientWidth === width) return;
    width = wrap.clientWidth;
    fit(table);
  });
  ro.observe(wrap);
  watched.set(table, ro);
}
