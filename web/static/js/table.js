// renderResults fills the results table from a result event: one row per
// variant, each with a disclosure that lists its trials and extra figures.
// Cores used (CPU time over wall time, where the run measured CPU time) and
// the numeric figures the experiment reports (a variant's "extra": the
// median over its trials) get columns of their own, between Correct and
// Peak goroutines, so the columns the server always sends keep their places.
// Where the columns are wider than the table's box, those read least fold
// into each variant's details (see fold.js).

import { h, fmtMs, fmtNum, fmtSpeedup, fmtBytes, fmtSig, fmtCores, wrongText, fmtCI } from './util.js';
import { figureKeys, figureLabel, fmtFigure, isNum, textKeys } from './figures.js';
import { fitColumns } from './fold.js';

const dash = () => h('span', { class: 'na', text: '—', 'aria-label': 'none' });

// correctCell is a variant's Correct cell: ✓ or ✗, and beside it how many
// of its trials were wrong and the worst of them, from every trial (the
// Got column is the median, which a few wrong trials do not move).
function correctCell(v) {
  const n = Array.isArray(v.trials) ? v.trials.length : 0;
  const say = wrongText(v, n);
  const note = say ? h('span', { class: 'wrong-note' + (v.wrong_trials > 0 ? ' bad' : ''), text: say }) : null;
  if (v.correct === true) return h('td', { class: 'c' }, h('span', { class: 'ok', text: '✓', title: 'correct', 'aria-label': 'correct' }), note);
  if (v.correct === false) return h('td', { class: 'c' }, h('span', { class: 'bad', text: '✗', title: 'wrong', 'aria-label': 'wrong' }), note);
  return h('td', { class: 'c' }, dash());
}

const CI_HELP = '95% interval of the speedup (a bootstrap of the round-robin rounds): a difference is claimed only where it excludes 1×';

// speedupCell is a variant's speedup, with its 95% interval where the run
// had rounds enough; it is marked faster (or slower) only when the
// interval excludes 1.
function speedupCell(v) {
  if (!v.speedup) return h('td', {}, dash());
  const ci = Array.isArray(v.speedup_ci) ? v.speedup_ci : null;
  const cls = ci && ci[0] > 1 ? 'best' : ci && ci[1] < 1 ? 'slow' : '';
  const title = ci ? `${CI_HELP}: ${fmtCI(ci)}` : v.baseline ? 'the baseline' : 'too few rounds for an interval (6 or more give one)';
  return h('td', { class: cls, title }, fmtSpeedup(v.speedup), ci ? h('span', { class: 'ci', text: fmtCI(ci) }) : null);
}

const countCell = (v) => (v === null || v === undefined ? dash() : fmtNum(v));
const figureCell = (v, k) => (isNum(v) ? fmtFigure(v, k) : dash());

const CORES_HELP = 'CPU time ÷ wall time: how many cores the variant kept busy';

// MIN_CORES_MS is the shortest trial whose cores used the table shows.
const MIN_CORES_MS = 1;

/** hasCPU reports whether any of rows ({cpu_ms}) measured CPU time. */
const hasCPU = (rows) => rows.some((r) => Number(r.cpu_ms) > 0);

// coresCell is a td of the cores kept busy: cpu ms of CPU time in ms of wall time.
function coresCell(cpu, ms, attrs) {
  if (!(Number(cpu) > 0 && Number(ms) > 0)) return h('td', attrs, dash());
  // Below a millisecond the runtime's own background work (the sweep after
  // the GC that precedes every trial) outweighs the trial's: no figure.
  if (Number(ms) < MIN_CORES_MS) return h('td', { ...attrs, title: `too short to tell: ${fmtMs(cpu)} ms of CPU time in ${fmtMs(ms)} ms` }, dash());
  return h('td', { ...attrs, title: `${fmtMs(cpu)} ms of CPU time in ${fmtMs(ms)} ms` }, fmtCores(cpu / ms));
}

// coresHeading is the Cores used column's heading, with its meaning on hover.
const coresHeading = (attrs) => h('th', { ...attrs, title: CORES_HELP, 'aria-description': CORES_HELP },
  h('span', { class: 'hint', text: 'Cores used' }));

// Where the long words of headings may break (soft hyphens), so that a
// table of many columns narrows its headings before it scrolls.
const BREAKS = { speedup: 'speed\u00adup', goroutines: 'gorou\u00adtines', workers: 'work\u00aders', expected: 'ex\u00adpect\u00aded' };
const breakable = (s) => s.replace(/[a-z]{7,}/gi, (w) => {
  const b = BREAKS[w.toLowerCase()];
  return b ? w[0] + b.slice(1) : w;
});

// heading is a figure's column heading: its label, then its unit.
function heading(key, attrs) {
  const { label, unit, help } = figureLabel(key);
  const text = breakable(label);
  return h('th', help ? { ...attrs, title: help } : attrs, unit ? text + ' ' : text, unit ? h('span', { class: 'unit', text: unit }) : null);
}

// setFigureHeads puts the Cores used heading (if cores) and one heading per
// figure before the last heading (Peak goroutines) and returns the table's
// column count.
function setFigureHeads(table, cores, keys) {
  const row = table.tHead.rows[0];
  for (const th of row.querySelectorAll('th[data-figure]')) th.remove();
  const last = row.cells[row.cells.length - 1];
  if (cores) row.insertBefore(coresHeading({ scope: 'col', class: 'fig', 'data-figure': 'cores_used' }), last);
  for (const k of keys) row.insertBefore(heading(k, { scope: 'col', class: 'fig', 'data-figure': k }), last);
  return row.cells.length;
}

/**
 * @param {HTMLTableSectionElement} tbody
 * @param {object} result the result event's body
 * @param {(name: string) => number} colourIndex
 */
export function renderResults(tbody, result, colourIndex) {
  const variants = Array.isArray(result.variants) ? result.variants : [];
  const keys = figureKeys(variants);
  const cores = hasCPU(variants);
  unmoveKey(tbody.closest('table'));
  const cols = setFigureHeads(tbody.closest('table'), cores, keys);
  const medians = variants.map((v) => Number(v.median_ms) || 0);
  const slowest = Math.max(...medians, 0);
  const fastest = Math.min(...medians.filter((m) => m > 0));
  const open = new Set([...tbody.querySelectorAll('[aria-expanded=true]')].map((b) => b.dataset.variant));
  tbody.replaceChildren();
  variants.forEach((v, i) => {
    const id = 'trials-' + i;
    const toggle = h('button', { type: 'button', class: 'v-toggle', 'aria-expanded': 'false', 'aria-controls': id, 'data-variant': v.name },
      h('span', { class: 'swatch vc' + (colourIndex(v.name) % 8), 'aria-hidden': 'true' }), v.name);
    const name = h('th', { scope: 'row', class: 'l' }, toggle);
    if (v.baseline) name.append(' ', h('span', { class: 'chip small', text: 'baseline' }));
    const bar = h('span', { class: 'med-bar vc' + (colourIndex(v.name) % 8), 'aria-hidden': 'true' });
    if (slowest > 0) bar.style.width = Math.max(4, (100 * (Number(v.median_ms) || 0)) / slowest) + '%';
    const med = h('td', { class: 'med' + (variants.length > 1 && v.median_ms === fastest ? ' best' : '') }, fmtMs(v.median_ms), bar);
    const row = h('tr', {}, name, med,
      h('td', {}, fmtMs(v.min_ms)),
      h('td', {}, fmtMs(v.max_ms)),
      speedupCell(v),
      h('td', {}, countCell(v.expected)),
      h('td', { class: v.got !== null && v.expected !== null && v.got !== undefined && v.got !== v.expected ? 'bad' : '' }, countCell(v.got)),
      correctCell(v),
      cores ? coresCell(v.cpu_ms, v.median_ms, { class: 'fig' }) : null,
      ...keys.map((k) => h('td', { class: 'fig' + (k === 'lost' && v.extra?.[k] > 0 ? ' bad' : '') }, figureCell(v.extra?.[k], k))),
      h('td', {}, countCell(v.peaks?.goroutines)));
    const detail = h('tr', { class: 'trials', id, hidden: true }, h('td', { colspan: String(cols) },
      h('div', { class: 'trials-in' }, h('dl', { class: 'extras folded-figs', hidden: true }), ...trialsBlock(v, keys))));
    toggle.addEventListener('click', () => {
      const on = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(on));
      row.classList.toggle('open', on);
      detail.hidden = !on;
    });
    tbody.append(row, detail);
    if (open.has(v.name)) toggle.click();
  });
  arrangeColumns(tbody.closest('table'));
  fitColumns(tbody.closest('table'));
}

// The key figure's column: the experiment names it (the run panel's
// data-key-figure: a heading's data-col or data-figure), and the table
// shows it first, after the variant's name, so it is in view without
// scrolling sideways. homes remembers the server-rendered headings' order,
// to put back a heading an earlier result moved.
const homes = new WeakMap();

// unmoveKey puts a fixed heading that arrangeColumns moved back in its
// place, before the figure headings are laid out again.
function unmoveKey(table) {
  const head = table.tHead.rows[0];
  if (!homes.has(table)) homes.set(table, [...head.cells].filter((th) => th.dataset.col));
  const order = homes.get(table);
  for (const th of head.querySelectorAll('th.key')) {
    th.classList.remove('key');
    const i = order.indexOf(th);
    if (i < 0) continue;
    const next = order.slice(i + 1).find((o) => o.parentElement === head);
    head.insertBefore(th, next || null);
  }
}

/**
 * arrangeColumns moves the key figure's column next to the variant names
 * and labels every figure cell with its column's heading (data-label), which
 * a phone shows beside the value when each variant is a card.
 */
function arrangeColumns(table) {
  const head = table.tHead.rows[0];
  const key = table.closest('[data-key-figure]')?.dataset.keyFigure || '';
  const at = key ? [...head.cells].findIndex((th) => (th.dataset.col || th.dataset.figure) === key) : -1;
  const labels = [...head.cells].map((th) => th.textContent.replace(/\u00ad/g, '').replace(/\s+/g, ' ').trim());
  for (const tr of table.tBodies[0].rows) {
    if (tr.classList.contains('trials')) continue;
    [...tr.cells].forEach((c, i) => { if (i > 0) c.dataset.label = labels[i]; });
  }
  if (at < 1) return;
  for (const tr of [head, ...table.tBodies[0].rows]) {
    if (tr.classList.contains('trials') || !tr.cells[at]) continue;
    const c = tr.cells[at];
    c.classList.add('key');
    if (at > 1) tr.insertBefore(c, tr.cells[1]);
  }
}

// trialsBlock is a variant's details: its trials' table and the figures
// the table has no column for.
function trialsBlock(v, tableKeys) {
  const trials = Array.isArray(v.trials) ? v.trials : [];
  const hasGot = trials.some((t) => t.got !== null && t.got !== undefined);
  const keys = figureKeys(trials.map((t) => ({ name: v.name, extra: t.extra })))
    .filter((k) => k !== 'workers' || tableKeys.includes('workers'));
  const texts = textKeys(trials);
  const cpu = hasCPU(trials);
  const head = h('tr', {}, h('th', { class: 'l', text: 'Trial' }), h('th', {}, 'Time ', h('span', { class: 'unit', text: 'ms' })),
    hasGot ? h('th', { text: 'Got' }) : null, hasGot ? h('th', { text: 'Expected' }) : null,
    cpu ? h('th', {}, 'CPU time ', h('span', { class: 'unit', text: 'ms' })) : null, cpu ? coresHeading({}) : null,
    ...keys.map((k) => heading(k, {})),
    ...texts.map((k) => heading(k, { class: 'l' })));
  const body = h('tbody');
  trials.forEach((t, i) => {
    const exp = t.expected ?? v.expected;
    const wrong = hasGot && exp !== null && exp !== undefined && t.got !== exp;
    body.append(h('tr', {}, h('td', { class: 'l', text: String(i + 1) }), h('td', {}, fmtMs(t.ms)),
      hasGot ? h('td', { class: wrong ? 'bad' : '' }, countCell(t.got)) : null,
      hasGot ? h('td', {}, countCell(exp)) : null,
      cpu ? h('td', {}, Number(t.cpu_ms) > 0 ? fmtMs(t.cpu_ms) : dash()) : null,
      cpu ? coresCell(t.cpu_ms, t.ms, {}) : null,
      ...keys.map((k) => h('td', { class: k === 'lost' && t.extra?.[k] > 0 ? 'bad' : '' }, figureCell(t.extra?.[k], k))),
      ...texts.map((k) => h('td', { class: 'l txt' }, typeof t.extra?.[k] === 'string' && t.extra[k] !== '' ? t.extra[k] : dash()))));
  });
  const table = h('table', { class: 'sub' }, h('caption', { class: 'offscreen', text: v.name + ' trials' }), h('thead', {}, head), body);
  const extras = h('dl', { class: 'extras' });
  const add = (k, val) => extras.append(h('dt', { text: k }), h('dd', { text: val }));
  if (v.peaks && v.peaks.heap_bytes !== undefined) add('peak heap', fmtBytes(v.peaks.heap_bytes));
  if (v.peaks && v.peaks.stack_bytes !== undefined) add('peak goroutine stacks', fmtBytes(v.peaks.stack_bytes));
  // The table's columns show the numeric figures; anything else an
  // experiment put in the variant's extra is listed here.
  for (const [k, val] of Object.entries(v.extra || {})) {
    if (isNum(val) || val === null || typeof val === 'object') continue;
    add(k.replace(/_/g, ' '), typeof val === 'number' ? fmtSig(val) : String(val));
  }
  return [h('div', { class: 'sub-wrap' }, table), extras.childElementCount ? extras : null].filter(Boolean);
}
