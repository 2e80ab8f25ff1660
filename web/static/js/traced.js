// The traced trial's part of the timeline: spans from the run's own Go
// execution trace carry a state (running, runnable, blocked, syscall), a
// reason, the processor a running goroutine held and the goroutine that
// woke a blocked one. They are kept beside the experiment's own spans, per
// variant, as a lane per goroutine and a lane per processor, and the GC's
// marking phases as bands across the lanes.

import { cssVar, h, fmtMs } from './util.js';

/** STATES are the goroutine states the legend lists, in its order. */
export const STATES = ['running', 'runnable', 'blocked', 'syscall'];

const WORDS = {
  running: 'running on a processor',
  runnable: 'runnable: waiting for a processor',
  blocked: 'blocked',
  syscall: 'in a system call',
};

/** stateColours reads the state colours of the current theme. */
export function stateColours() {
  const c = {};
  for (const s of STATES) c[s] = cssVar('--st-' + s);
  c.gc = cssVar('--st-gc');
  return c;
}

/**
 * addTraced files one traced span under its variant's group g: in its
 * goroutine's lane, in its processor's lane when it ran, or as a GC band.
 * It returns the span as kept.
 */
export function addTraced(g, s) {
  if (!g.traced) {
    g.traced = new Map(); // goroutine id -> lane
    g.procs = new Map(); // processor -> lane
    g.gc = [];
    g.lo = Infinity;
    g.hi = -Infinity;
  }
  const sp = {
    start: +s.start, end: +s.end, trial: Number(s.trial) || 0, label: String(s.label ?? ''),
    state: String(s.state), reason: s.reason ? String(s.reason) : '',
    p: Number.isInteger(s.p) ? s.p : null, by: Number(s.unblocked_by) || 0, g: Number(s.worker) || 0,
  };
  if (sp.start < g.lo) g.lo = sp.start;
  if (sp.end > g.hi) g.hi = sp.end;
  if (sp.state === 'gc' || sp.g < 0) {
    g.gc.push(sp);
    return sp;
  }
  lane(g.traced, g.name, sp.g, 'g').spans.push(sp);
  if (sp.state === 'running' && sp.p !== null) lane(g.procs, g.name, sp.p, 'P').spans.push(sp);
  return sp;
}

function lane(map, variant, id, prefix) {
  let l = map.get(id);
  if (!l) {
    l = { variant, worker: id, name: prefix + id, spans: [], traced: prefix };
    map.set(id, l);
  }
  return l;
}

/**
 * tracedGroups gives the groups the layout places for the traced trial:
 * each variant's goroutine lanes, or its processor lanes when procs.
 */
export function tracedGroups(groups, procs) {
  return groups.filter((g) => g.traced).map((g) => ({ name: g.name, lanes: procs ? g.procs : g.traced, gc: g.gc, src: g }));
}

/** tracedDomain lines each variant's traced trial up from its first span. */
export function tracedDomain(groups) {
  const origin = new Map();
  let width = 1e-3;
  for (const g of groups) {
    origin.set(g.name, g.src.lo);
    width = Math.max(width, g.src.hi - g.src.lo);
  }
  return { origin, width };
}

/**
 * spanFill is the colour of a traced span: its state's in a goroutine's
 * lane; in a processor's lane, a colour per goroutine, so a change of
 * goroutine on the processor shows.
 */
export function spanFill(s, procs, col, pal) {
  return procs ? pal[s.g % pal.length] : col[s.state] || col.blocked;
}

/** stateText says a span's state in words: "blocked: chan receive". */
export function stateText(s) {
  const w = WORDS[s.state] || s.state;
  return s.reason ? `${w} (${s.reason})` : w;
}

/** tipHTML is the hover text of a traced span; esc escapes text. */
export function tipHTML(lane, s, o, esc, known) {
  const row = (k, v) => `<div class="row"><span>${k}</span><span>${v}</span></div>`;
  const who = lane.traced === 'P' ? `${esc(lane.name)} ran <b>g${s.g}</b>` : `<b>g${s.g}</b>`;
  let by = '';
  if (s.by) {
    by = row('woken by', `g${s.by}`) +
      `<div class="tip-act">${known ? 'Click to show g' + s.by + ' (Enter from the keyboard)' : 'g' + s.by + ' is not one of this trial’s goroutines'}</div>`;
  }
  return `<div><b>${esc(lane.variant)}</b> · ${who}</div>` +
    `<div class="tip-state"><i class="swatch st-${esc(s.state)}"></i>${esc(stateText(s))}</div>` +
    row('start–end', `${fmtMs(s.start - o)}–${fmtMs(s.end - o)} ms`) +
    row('duration', `${fmtMs(s.end - s.start)} ms`) +
    (s.p !== null && lane.traced !== 'P' ? row('processor', 'P' + s.p) : '') + by;
}

/**
 * legendItems are the legend's entries for the traced trial: the states,
 * or in the processor view one colour per goroutine; and the GC band.
 */
export function legendItems(procs, hasGC) {
  const items = [];
  if (procs) {
    items.push(h('span', { 'data-state': 'goroutine' }, h('i', { class: 'swatch st-multi', 'aria-hidden': 'true' }), 'a colour per goroutine'));
  } else {
    for (const s of STATES) items.push(h('span', { 'data-state': s }, h('i', { class: 'swatch st-' + s, 'aria-hidden': 'true' }), s));
  }
  if (hasGC) items.push(h('span', { 'data-state': 'gc' }, h('i', { class: 'swatch st-gc', 'aria-hidden': 'true' }), 'GC marking (band)'));
  return items;
}

/**
 * wakerAt finds, in the waker's lane, the span around time t (its running
 * span when it woke the other), or the nearest one.
 */
export function wakerAt(lane, t) {
  let best = null, bestD = Infinity;
  for (const s of lane.spans) {
    const d = t < s.start ? s.start - t : t > s.end ? t - s.end : 0;
    if (d < bestD || (d === bestD && s.state === 'running')) { bestD = d; best = s; }
  }
  return best;
}
