// renderResults fills the results table from a result event: one row per
// variant, each with a disclosure that lists its trials and extra figures.

import { h, fmtMs, fmtNum, fmtSpeedup, fmtMB, fmtSig } from './util.js';

const dash = () => h('span', { class: 'na', text: '—', 'aria-label': 'none' });

function correctCell(c) {
  if (c === true) return h('span', { class: 'ok', text: '✓', title: 'correct', 'aria-label': 'correct' });
  if (c === false) return h('span', { class: 'bad', text: '✗', title: 'wrong', 'aria-label': 'wrong' });
  return dash();
}

const countCell = (v) => (v === null || v === undefined ? dash() : fmtNum(v));

/**
 * @param {HTMLTableSectionElement} tbody
 * @param {object} result the result event's body
 * @param {(name: string) => number} colourIndex
 */
export function renderResults(tbody, result, colourIndex) {
  const variants = Array.isArray(result.variants) ? result.variants : [];
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
      h('td', { class: v.speedup > 1.05 ? 'best' : '' }, v.speedup ? fmtSpeedup(v.speedup) : dash()),
      h('td', {}, countCell(v.expected)),
      h('td', { class: v.got !== null && v.expected !== null && v.got !== undefined && v.got !== v.expected ? 'bad' : '' }, countCell(v.got)),
      h('td', { class: 'c' }, correctCell(v.correct)),
      h('td', {}, countCell(v.peaks?.goroutines)));
    const detail = h('tr', { class: 'trials', id, hidden: true }, h('td', { colspan: '9' }, trialsBlock(v)));
    toggle.addEventListener('click', () => {
      const on = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(on));
      row.classList.toggle('open', on);
      detail.hidden = !on;
    });
    tbody.append(row, detail);
    if (open.has(v.name)) toggle.click();
  });
}

function trialsBlock(v) {
  const trials = Array.isArray(v.trials) ? v.trials : [];
  const hasGot = trials.some((t) => t.got !== null && t.got !== undefined);
  const head = h('tr', {}, h('th', { class: 'l', text: 'Trial' }), h('th', {}, 'Time ', h('span', { class: 'unit', text: 'ms' })),
    hasGot ? h('th', { text: 'Got' }) : null, hasGot ? h('th', { text: 'Expected' }) : null);
  const body = h('tbody');
  trials.forEach((t, i) => {
    const exp = t.expected ?? v.expected;
    const wrong = hasGot && exp !== null && exp !== undefined && t.got !== exp;
    body.append(h('tr', {}, h('td', { class: 'l', text: String(i + 1) }), h('td', {}, fmtMs(t.ms)),
      hasGot ? h('td', { class: wrong ? 'bad' : '' }, countCell(t.got)) : null,
      hasGot ? h('td', {}, countCell(exp)) : null));
  });
  const table = h('table', { class: 'sub' }, h('caption', { class: 'offscreen', text: v.name + ' trials' }), h('thead', {}, head), body);
  const extras = h('dl', { class: 'extras' });
  const add = (k, val) => extras.append(h('dt', { text: k }), h('dd', { text: val }));
  if (v.peaks && v.peaks.heap_bytes !== undefined) add('peak heap', fmtMB(v.peaks.heap_bytes));
  for (const [k, val] of Object.entries(v.extra || {})) {
    add(k.replace(/_/g, ' '), typeof val === 'number' ? fmtSig(val) : typeof val === 'object' ? JSON.stringify(val) : String(val));
  }
  return h('div', { class: 'trials-in' }, table, extras.childElementCount ? extras : null);
}
