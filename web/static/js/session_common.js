// What a session's pages share: the session socket (which reconnects and
// so lands back where the room is), the roster, the board's rows, and
// small fetch helpers.

import { h, fmtNum } from './util.js';
import { highlightGo } from './highlight.js';

/** SessionSocket holds /sessions/{code}/events and reconnects when it drops. */
export class SessionSocket {
  /**
   * @param {string} code the room code
   * @param {() => string} query the query string to connect with (it may change: a join becomes a rejoin)
   * @param {(ev: object) => void} onEvent called for each message
   * @param {(state: 'open'|'lost'|'refused', reason?: string) => void} onState
   */
  constructor(code, query, onEvent, onState) {
    this.code = code;
    this.query = query;
    this.onEvent = onEvent;
    this.onState = onState;
    this.delay = 500;
    this.stopped = false;
    this.ws = null;
    this.timer = 0;
  }

  connect() {
    if (this.stopped) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = this.query();
    const ws = new WebSocket(`${proto}//${location.host}/sessions/${encodeURIComponent(this.code)}/events${q ? '?' + q : ''}`);
    this.ws = ws;
    ws.onopen = () => { this.delay = 500; this.onState('open'); };
    ws.onmessage = (m) => {
      let ev;
      try { ev = JSON.parse(m.data); } catch { return; }
      this.onEvent(ev);
    };
    ws.onclose = (e) => {
      this.ws = null;
      if (this.stopped) return;
      if (e.code === 1003 || e.code === 1008) {
        this.onState('refused', e.reason);
        return;
      }
      this.onState('lost', e.reason);
      // Back off, with jitter, so a room of laptops does not reconnect in step.
      this.timer = setTimeout(() => this.connect(), this.delay * (0.5 + Math.random()));
      this.delay = Math.min(this.delay * 2, 10000);
    };
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
  }
}

/** api sends a JSON request and returns {status, body}. */
export async function api(path, { method = 'POST', body, key } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers.Authorization = 'Bearer ' + key;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const out = res.status === 204 ? {} : await res.json().catch(() => ({}));
  return { status: res.status, body: out };
}

/** renderRoster fills a list with one chip per learner, connected ones first. */
export function renderRoster(ul, learners, me) {
  const sorted = [...learners].sort((a, b) => Number(b.connected) - Number(a.connected));
  ul.replaceChildren(...sorted.map((l) => h('li', {
    class: 'sess-chip' + (l.connected ? ' on' : '') + (l.id === me ? ' me' : ''),
    title: l.connected ? 'connected' : 'not connected now',
  }, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { text: l.label }), l.connected ? null : h('span', { class: 'offscreen', text: ' (away)' }))));
}

/** plural writes "1 learner", "3 learners". */
export const plural = (n, word) => `${fmtNum(n)} ${word}${n === 1 ? '' : 's'}`;

/** Board keeps the board's entries, by run, in the order they came. */
export class Board {
  constructor() { this.entries = new Map(); }

  /** apply takes a board event: {full, entries}. */
  apply(ev) {
    if (ev.full) this.entries = new Map();
    for (const e of ev.entries || []) this.entries.set(e.run, e);
  }

  /** round returns the entries of one round. */
  round(n) { return [...this.entries.values()].filter((e) => e.round === n); }

  /** rounds returns the round numbers that have entries, newest first. */
  rounds() { return [...new Set([...this.entries.values()].map((e) => e.round))].sort((a, b) => b - a); }
}

/** lostVariant returns the variant of an entry that counts lost updates, if any. */
export function lostVariant(e) {
  return (e.figures?.variants || []).find((v) => !v.baseline && v.lost !== null && v.lost !== undefined) || null;
}

/**
 * worstLost is how many updates a learner's run lost in its worst trial:
 * the correctness lesson is in every trial, not in the median (a run that
 * lost 220,250 of 500,000 once in five trials has a median loss of 0).
 * Boards of older runs, without per-trial facts, fall back to the median.
 */
export const worstLost = (v) => (v.worst_lost !== null && v.worst_lost !== undefined ? v.worst_lost : v.lost);

/** bestVariant returns the fastest non-baseline variant of an entry. */
export function bestVariant(e) {
  let best = null;
  for (const v of e.figures?.variants || []) {
    if (!v.baseline && (best === null || v.speedup > best.speedup)) best = v;
  }
  return best;
}

/** summary is an entry's line on the board, as the server wrote it once for every page. */
export function summary(e) {
  if (!e.figures) return e.error || '';
  return e.figures.summary || '';
}

const STATUS = { queued: 'waiting', running: 'running…', done: 'done', failed: 'failed', cancelled: 'cancelled', interrupted: 'interrupted' };

/**
 * renderBoardRows fills the board table's body with one row per entry.
 * @param {(e: object) => HTMLElement|null} extra an extra last cell (the console's spotlight button)
 */
export function renderBoardRows(tbody, entries, extra) {
  tbody.replaceChildren(...entries.map((e) => {
    const row = h('tr', { 'data-run': e.run, class: 'st-' + e.status },
      h('th', { scope: 'row', class: 'l', text: e.label }),
      h('td', { class: 'l', text: STATUS[e.status] || e.status }),
      h('td', { class: 'l', text: summary(e) }),
      h('td', { class: 'l' }, h('a', { href: '/runs/' + encodeURIComponent(e.run), text: e.run })));
    if (extra) row.append(h('td', { class: 'c' }, extra(e)));
    return row;
  }));
}

/**
 * measuredAnswers is what the runs of a round really got, for a revealed
 * prediction p: per finished entry, the final count (the variant that
 * counts lost updates, else any variant with a count) or the best speedup
 * over the baseline; and, for a count, the answer the code asks for.
 * @returns {{values: {label: string, value: number}[], expected: number|null}}
 */
export function measuredAnswers(p, entries) {
  const done = entries.filter((e) => e.status === 'done' && e.figures);
  let expected = null;
  const values = done.map((e) => {
    const vs = e.figures.variants || [];
    if (p.question === 'count') {
      const v = lostVariant(e) || vs.find((x) => !x.baseline && x.got != null) || vs.find((x) => x.got != null);
      if (!v || v.got == null) return null;
      if (expected === null && v.expected != null) expected = v.expected;
      // the worst trial's count: a run's wrong answers are its lesson
      return { label: e.label, value: v.worst_got != null ? v.worst_got : v.got };
    }
    const best = Math.max(...vs.filter((x) => !x.baseline).map((x) => x.speedup).filter(Number.isFinite));
    return Number.isFinite(best) ? { label: e.label, value: best } : null;
  }).filter(Boolean);
  return { values, expected };
}

/**
 * adoptFigures gives the run panel the figures and key figure that form's
 * experiment declares (its data-figures, data-key-figure): the runs the
 * panel shows next are of that experiment.
 */
export function adoptFigures(form) {
  const run = document.getElementById('run');
  if (!run || !form) return;
  for (const k of ['figures', 'keyFigure']) {
    if (form.dataset[k]) run.dataset[k] = form.dataset[k];
    else delete run.dataset[k];
  }
}

/**
 * showEnded shows that the session has ended (iso: when, from the
 * session's "ended" event or the page's data-ended), in the reader's own
 * time, in every .ended-at of the page and the #session-ended note.
 */
export function showEnded(iso) {
  const at = new Date(iso);
  const when = Number.isNaN(at.getTime()) ? '' : ' at ' + at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  for (const s of document.querySelectorAll('.ended-at')) s.textContent = when;
  const note = document.getElementById('session-ended');
  if (note) note.hidden = false;
}

/**
 * showSpotCode shows, in the details element box, the learner's own code
 * the spotlit run ran as yours (GET /api/code/{id}), or hides the box.
 */
export async function showSpotCode(box, spotlight) {
  if (!box) return;
  const id = spotlight?.code;
  box.hidden = !id;
  if (!id) return;
  box.dataset.code = id;
  const code = box.querySelector('code');
  box.querySelector('.who').textContent = `${spotlight.label}'s code, run as yours`;
  code.textContent = 'Loading…';
  try {
    const res = await fetch('/api/code/' + encodeURIComponent(id));
    const body = await res.json().catch(() => ({}));
    if (box.dataset.code !== id) return; // another spotlight since
    code.textContent = res.ok && typeof body.code === 'string' ? body.code : (body.error || 'The code could not be read.');
    if (res.ok) highlightGo(code);
    box.open = true;
  } catch {
    code.textContent = 'The code could not be read: the server did not answer.';
  }
}
