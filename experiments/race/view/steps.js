// race's own view (lab.View "steps"): step through a recorded race. With
// the parameter steps on, a trial's extra "steps" lists every read and
// write of the shared count as [goroutine, write (0|1), value] triples,
// in the order memory saw them. Replaying it shows each lost
// update as it happens: a goroutine writes read+1 while the count has moved
// on, and erases the updates made since its read. The erasures must add up
// to expected − got for the trial, and the block shows that check.

import { h, cssVar, palette, onTheme, fmtNum } from '/static/js/util.js';
import { isNum } from '/static/js/figures.js';

const WINDOW = 7; // steps listed either side of the current one

/**
 * replay computes, from the recorded steps, everything the stepper shows: the count
 * after each step, the writes so far, and for each write the updates it
 * erased (positive) or brought back (negative), with their authors.
 */
export function replay(recorded) {
  const n = recorded.length;
  const count = new Int32Array(n + 1);
  const writes = new Int32Array(n + 1);
  const delta = new Int32Array(n);
  const authors = new Map(); // step -> goroutines whose updates it erased
  const losses = []; // steps that erased updates
  const writer = []; // value -> goroutine whose write made the count that value
  let c = 0, w = 0, erased = 0, restored = 0, goroutines = 0;
  for (let i = 0; i < n; i++) {
    const [g, isWrite, v] = recorded[i];
    if (g + 1 > goroutines) goroutines = g + 1;
    if (isWrite) {
      const d = c - (v - 1); // the count now, less what g read
      delta[i] = d;
      if (d > 0) {
        erased += d;
        losses.push(i);
        const by = new Set();
        for (let x = v; x <= c; x++) if (writer[x] !== undefined) by.add(writer[x]);
        authors.set(i, [...by].sort((a, b) => a - b));
      } else if (d < 0) {
        restored -= d;
      }
      writer[v] = g;
      c = v;
      w++;
    }
    count[i + 1] = c;
    writes[i + 1] = w;
  }
  return { n, goroutines, count, writes, delta, authors, losses, erased, restored };
}

/** stateAt returns each goroutine's register and phase after k steps. */
export function stateAt(recorded, k, goroutines) {
  const reg = new Array(goroutines).fill(null);
  const phase = new Array(goroutines).fill('');
  for (let i = 0; i < k; i++) {
    const [g, isWrite, v] = recorded[i];
    if (isWrite) phase[g] = 'write';
    else { reg[g] = v; phase[g] = 'read'; }
  }
  return { reg, phase };
}

// lowerBound returns the first index of sorted xs holding a value >= x.
function lowerBound(xs, x) {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

const list = (xs) => (xs.length < 2 ? String(xs[0] ?? '') : xs.slice(0, -1).join(', ') + ' and ' + xs[xs.length - 1]);
const updates = (n) => (n === 1 ? '1 update' : fmtNum(n) + ' updates');

/** narrate says in words what step i (0-based) of the recording did. */
export function narrate(recorded, r, i) {
  const [g, isWrite, v] = recorded[i];
  if (!isWrite) return { text: `goroutine ${g} reads ${fmtNum(v)}`, kind: 'read' };
  const before = r.count[i];
  const d = r.delta[i];
  if (d > 0) {
    const by = r.authors.get(i) || [];
    const who = by.length ? ` (by ${by.length === 1 ? 'goroutine' : 'goroutines'} ${list(by)})` : '';
    return { text: `goroutine ${g} writes ${fmtNum(v)} — but the count was ${fmtNum(before)}: it erases ${updates(d)}${who}`, kind: 'lost' };
  }
  if (d < 0) {
    const back = -d === 1 ? '1 erased update comes' : `${fmtNum(-d)} erased updates come`;
    return { text: `goroutine ${g} writes ${fmtNum(v)} over ${fmtNum(before)}: it read ${fmtNum(v - 1)} before a stale write set the count back, so ${back} back`, kind: 'back' };
  }
  return { text: `goroutine ${g} writes ${fmtNum(v)}`, kind: 'write' };
}

// triple reads one step as [goroutine, write (0|1), value], also from the
// {g, w, v} object a race.Step marshals to.
function triple(s) {
  if (Array.isArray(s)) return [Number(s[0]) || 0, s[1] ? 1 : 0, Number(s[2]) || 0];
  return [Number(s?.g) || 0, s?.w ? 1 : 0, Number(s?.v) || 0];
}

/** recordedTrials lists the trials that carry recorded steps, preferring the unsynchronized variant's. */
export function recordedTrials(variants) {
  const out = [];
  for (const v of variants) {
    (v.trials || []).forEach((t, i) => {
      const tr = t.extra?.steps;
      if (Array.isArray(tr) && tr.length) out.push({ variant: v.name, index: i, steps: tr.map(triple), expected: t.expected ?? v.expected, got: t.got, lost: t.extra.lost });
    });
  }
  const unsync = out.filter((t) => t.variant === 'unsynchronized');
  return unsync.length ? unsync : out;
}

export class Stepper {
  constructor(root) {
    this.root = root;
    const $ = (id) => root.querySelector('#' + id);
    this.el = {
      trial: $('st-trial'), check: $('st-check'), pos: $('st-pos'), slider: $('st-range'), map: $('st-map'),
      count: $('st-count'), writes: $('st-writes'), say: $('st-say'), gors: $('st-gors'), steps: $('st-steps'),
      first: $('st-first'), prev: $('st-prev'), next: $('st-next'), last: $('st-last'),
      prevLost: $('st-prev-lost'), nextLost: $('st-next-lost'), stage: $('st-stage'), sub: $('st-sub'),
    };
    const e = this.el;
    e.trial.addEventListener('change', () => this.pick(Number(e.trial.value)));
    e.slider.addEventListener('input', () => this.go(Number(e.slider.value)));
    e.first.addEventListener('click', () => this.go(0));
    e.prev.addEventListener('click', () => this.go(this.k - 1));
    e.next.addEventListener('click', () => this.go(this.k + 1));
    e.last.addEventListener('click', () => this.go(this.r.n));
    e.prevLost.addEventListener('click', () => this.lost(-1));
    e.nextLost.addEventListener('click', () => this.lost(1));
    e.steps.addEventListener('click', (ev) => {
      const row = ev.target.closest('[data-k]');
      if (row) this.go(Number(row.dataset.k));
    });
    root.addEventListener('keydown', (ev) => this.key(ev));
    const seek = (ev) => {
      if (!this.r || (ev.type === 'pointermove' && !(ev.buttons & 1))) return;
      const b = e.map.getBoundingClientRect();
      this.go(Math.round(((ev.clientX - b.left) / b.width) * this.r.n));
    };
    e.map.addEventListener('pointerdown', seek);
    e.map.addEventListener('pointermove', seek);
    new ResizeObserver(() => this.drawMap()).observe(e.map);
    onTheme(() => this.drawMap());
    this.reset();
  }

  reset() {
    this.trials = [];
    this.r = null;
    this.k = 0;
    this.key_ = '';
    this.root.hidden = true;
  }

  show(result) {
    const trials = recordedTrials(Array.isArray(result?.variants) ? result.variants : []);
    const key = trials.map((t) => t.variant + t.index + ':' + t.steps.length).join();
    if (key === this.key_) return;
    this.key_ = key;
    this.trials = trials;
    this.root.hidden = trials.length === 0;
    if (!trials.length) return;
    const many = new Set(trials.map((t) => t.variant)).size > 1;
    const lostOf = (t) => (isNum(t.lost) ? t.lost : isNum(t.expected) && isNum(t.got) ? t.expected - t.got : null);
    this.el.trial.replaceChildren(...trials.map((t, i) => {
      const l = lostOf(t);
      const text = (many ? t.variant + ' · ' : '') + 'Trial ' + (t.index + 1) + (l === null ? '' : ` · ${fmtNum(l)} lost`);
      return h('option', { value: String(i), text });
    }));
    this.el.trial.parentElement.hidden = trials.length < 2;
    // Start on the first trial that lost updates: that is the one to see.
    const first = Math.max(0, trials.findIndex((t) => lostOf(t) > 0));
    this.el.trial.value = String(first);
    this.pick(first);
  }

  pick(i) {
    const t = this.trials[i];
    if (!t) return;
    this.t = t;
    this.r = replay(t.steps);
    this.el.slider.max = String(this.r.n);
    this.el.sub.textContent = `Every read and write of the shared count in trial ${t.index + 1} of ${t.variant}, in the order memory saw them: ${fmtNum(this.r.n)} steps by ${this.r.goroutines} ${this.r.goroutines === 1 ? 'goroutine' : 'goroutines'}.`;
    this.paintCheck();
    this.gorRows = null;
    this.k = -1;
    this.go(0);
  }

  paintCheck() {
    const { t, r } = this;
    const e = this.el.check;
    const net = r.erased - r.restored;
    const found = (r.restored ? `${fmtNum(r.erased)} erased − ${fmtNum(r.restored)} brought back = ` : '') +
      `${fmtNum(net)} lost ${net === 1 ? 'update' : 'updates'} found in the steps`;
    e.className = 'st-check';
    if (isNum(t.expected) && isNum(t.got)) {
      const ok = net === t.expected - t.got;
      e.replaceChildren(h('span', { class: ok ? 'ok' : 'bad', text: ok ? '✓ ' : '✗ ', title: ok ? 'the steps agree with the count' : 'the steps and the count disagree' }),
        found, ` ${ok ? '=' : '≠'} ${fmtNum(t.expected)} expected − ${fmtNum(t.got)} counted`);
      e.classList.add(ok ? 'is-ok' : 'is-bad');
    } else {
      e.textContent = found;
    }
    if (r.erased === 0) e.append(h('span', { class: 'st-calm', text: ' · each goroutine wrote before the next one read, this time: run again to catch a lost update' }));
  }

  /** go moves to position k: after k steps (0: before the first). */
  go(k) {
    if (!this.r) return;
    k = Math.max(0, Math.min(this.r.n, Math.round(k)));
    if (k === this.k) return;
    this.k = k;
    this.paint();
  }

  lost(dir) {
    const { losses } = this.r;
    // Position k shows step k-1 (0-based); a loss at step i is shown at i+1.
    const at = lowerBound(losses, this.k - 1);
    const i = dir > 0 ? (losses[at] === this.k - 1 ? at + 1 : at) : at - 1;
    if (i >= 0 && i < losses.length) this.go(losses[i] + 1);
  }

  key(ev) {
    if (!this.r || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const tag = ev.target.tagName;
    if (tag === 'SELECT' || (tag === 'INPUT' && !ev.shiftKey)) return; // the slider steps by itself
    let handled = true;
    switch (ev.key) {
      case 'ArrowRight': if (ev.shiftKey) this.lost(1); else this.go(this.k + 1); break;
      case 'ArrowLeft': if (ev.shiftKey) this.lost(-1); else this.go(this.k - 1); break;
      case 'Home': this.go(0); break;
      case 'End': this.go(this.r.n); break;
      case 'PageDown': this.go(this.k + 10); break;
      case 'PageUp': this.go(this.k - 10); break;
      default: handled = false;
    }
    if (handled) ev.preventDefault();
  }

  paint() {
    const { r, k, el: e } = this;
    const recorded = this.t.steps;
    e.slider.value = String(k);
    e.slider.setAttribute('aria-valuetext', k === 0 ? 'before the first step' : `step ${fmtNum(k)} of ${fmtNum(r.n)}`);
    e.pos.textContent = `Step ${fmtNum(k)} of ${fmtNum(r.n)}`;
    e.count.textContent = fmtNum(r.count[k]);
    const lostSoFar = r.writes[k] - r.count[k];
    e.writes.textContent = `${fmtNum(r.writes[k])} ${r.writes[k] === 1 ? 'write' : 'writes'} so far · ` +
      (lostSoFar > 0 ? `${fmtNum(lostSoFar)} lost` : 'none lost');
    e.writes.classList.toggle('bad', lostSoFar > 0);
    e.first.disabled = e.prev.disabled = k === 0;
    e.next.disabled = e.last.disabled = k === r.n;
    const at = lowerBound(r.losses, k - 1);
    e.prevLost.disabled = at === 0;
    e.nextLost.disabled = (r.losses[at] === k - 1 ? at + 1 : at) >= r.losses.length;
    if (k === 0) {
      e.say.className = 'st-say';
      e.say.textContent = 'Before the first step the count is 0. Step forward to watch each goroutine read the count, then write what it read plus one.';
    } else {
      const s = narrate(recorded, r, k - 1);
      e.say.className = 'st-say is-' + s.kind;
      e.say.replaceChildren(h('span', { class: 'st-num', text: `Step ${fmtNum(k)}` }), s.text.charAt(0).toUpperCase() + s.text.slice(1) + '.');
    }
    this.paintGoroutines();
    this.paintSteps();
    this.drawMap();
  }

  paintGoroutines() {
    const { r, k, el: e } = this;
    const recorded = this.t.steps;
    const { reg, phase } = stateAt(recorded, k, r.goroutines);
    if (!this.gorRows) {
      this.lastStep = new Int32Array(r.goroutines).fill(-1);
      recorded.forEach(([g], i) => { this.lastStep[g] = i; });
      this.gorRows = [];
      const rows = [];
      for (let g = 0; g < r.goroutines; g++) {
        const row = {
          tr: h('tr'), reg: h('td', { class: 'num' }), state: h('td', { class: 'st-state' }),
        };
        row.tr.append(h('th', { scope: 'row' }, h('span', { class: 'swatch vc' + (g % 8), 'aria-hidden': 'true' }), 'goroutine ' + g), row.reg, row.state);
        this.gorRows.push(row);
        rows.push(row.tr);
      }
      e.gors.tBodies[0].replaceChildren(...rows);
    }
    const actor = k > 0 ? recorded[k - 1][0] : -1;
    const now = r.count[k];
    let hot = null;
    this.gorRows.forEach((row, g) => {
      row.reg.textContent = reg[g] === null ? '—' : fmtNum(reg[g]);
      let text, cls = '';
      if (g === actor) {
        const isWrite = recorded[k - 1][1];
        text = isWrite ? `writes ${fmtNum(recorded[k - 1][2])}` : 'reads';
        cls = isWrite ? (r.delta[k - 1] > 0 ? 'lost' : 'write') : 'read';
        hot = row.tr;
      } else if (phase[g] === 'read') {
        const stale = now - reg[g];
        text = `waits to write ${fmtNum(reg[g] + 1)}` + (stale > 0 ? `: stale, would erase ${fmtNum(stale)}` : '');
        cls = stale > 0 ? 'stale' : 'holding';
      } else if (k > this.lastStep[g]) {
        text = 'done'; cls = 'done';
      } else {
        text = 'idle'; cls = 'idle';
      }
      row.state.textContent = text;
      row.tr.className = 'is-' + cls + (g === actor ? ' is-actor' : '');
      row.reg.classList.toggle('stale', phase[g] === 'read' && now > reg[g]);
    });
    // Keep the goroutine acting now in view when there are many.
    const box = e.gors.parentElement;
    if (hot && box.scrollHeight > box.clientHeight) {
      const top = hot.offsetTop, bottom = top + hot.offsetHeight;
      if (top < box.scrollTop + 24 || bottom > box.scrollTop + box.clientHeight) box.scrollTop = top - box.clientHeight / 2;
    }
  }

  // paintSteps lists the steps around the current one: a window, never the
  // whole recording, so thousands of steps cost what fifteen do.
  paintSteps() {
    const { r, k, el: e } = this;
    const recorded = this.t.steps;
    const cur = Math.max(1, k);
    const lo = Math.max(1, Math.min(cur - WINDOW, r.n - 2 * WINDOW));
    const hi = Math.min(r.n, lo + 2 * WINDOW);
    const rows = [];
    for (let s = lo; s <= hi; s++) {
      const [g, isWrite, v] = recorded[s - 1];
      const d = isWrite ? r.delta[s - 1] : 0;
      const li = h('li', { 'data-k': String(s), class: d > 0 ? 'is-lost' : d < 0 ? 'is-back' : isWrite ? 'is-write' : 'is-read' },
        h('span', { class: 'st-i', text: fmtNum(s) }),
        h('span', { class: 'st-g' }, h('span', { class: 'swatch vc' + (g % 8), 'aria-hidden': 'true' }), 'g' + g),
        h('span', { class: 'st-op', text: (isWrite ? 'writes ' : 'reads ') + fmtNum(v) }),
        h('span', { class: 'st-d', text: d > 0 ? `−${fmtNum(d)}` : d < 0 ? `+${fmtNum(-d)}` : '' }));
      if (s === k) li.setAttribute('aria-current', 'step');
      rows.push(li);
    }
    e.steps.replaceChildren(...rows);
  }

  // drawMap draws the whole recording small: the count in memory against the
  // writes made (their gap is the updates lost so far), a red tick per
  // lost update, and where the stepper is.
  drawMap() {
    const c = this.el.map;
    if (!this.r || this.root.hidden || !c.clientWidth) return;
    const { r, k } = this;
    const dpr = window.devicePixelRatio || 1;
    const W = c.clientWidth, H = c.clientHeight || 48;
    c.width = Math.round(W * dpr);
    c.height = Math.round(H * dpr);
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const top = Math.max(1, r.writes[r.n]);
    const TICK = 8;
    const x = (i) => (i / Math.max(1, r.n)) * W;
    const y = (v) => H - TICK - 2 - (v / top) * (H - TICK - 6);
    const line = (arr, colour, dash) => {
      ctx.strokeStyle = colour;
      ctx.setLineDash(dash);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      const step = Math.max(1, Math.floor(r.n / (W * 2)));
      for (let i = 0; i <= r.n; i += step) {
        if (i === 0) ctx.moveTo(x(i), y(arr[i])); else ctx.lineTo(x(i), y(arr[i]));
      }
      ctx.lineTo(x(r.n), y(arr[r.n]));
      ctx.stroke();
      ctx.setLineDash([]);
    };
    line(r.writes, cssVar('--faint'), [3, 3]);
    line(r.count, palette()[0], []);
    ctx.fillStyle = cssVar('--bad');
    for (const i of r.losses) ctx.fillRect(Math.min(W - 1.5, x(i + 1) - 0.75), H - TICK, 1.5, TICK);
    const px = Math.min(W - 1, Math.max(1, x(k)));
    ctx.fillStyle = cssVar('--text');
    ctx.fillRect(px - 1, 0, 2, H);
  }
}

// The page has this view only where race declares it: attach to its panel
// and follow the run panel's results.
const panel = document.querySelector('[data-view="steps"]');
const run = document.getElementById('run');
if (panel && run) {
  const stepper = new Stepper(panel);
  run.addEventListener('lab:reset', () => stepper.reset());
  run.addEventListener('lab:result', (ev) => stepper.show(ev.detail));
  if (run.labResult) stepper.show(run.labResult);
}
