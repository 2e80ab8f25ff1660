// Timeline draws every span of a run on a canvas: one lane per (variant,
// worker), grouped by variant, x = run time. Spans are kept in arrays and
// drawn at most once per animation frame (a few times a second while they
// arrive), so thousands of spans stay smooth; no DOM node is made per span.
// The traced trial (spans from the run's execution trace, traced.js) is a
// view of its own: a lane per goroutine coloured by state, or a lane per
// processor, with GC bands and a jump from a blocked span to its waker.

import { cssVar, palette, onTheme, fmtMs, fmtSig, throttle, LIVE_MS } from './util.js';
import { niceTicks, axisUnit } from './ticks.js';
import { layoutLanes, HEAD } from './lanes.js';
import { addTraced, tracedGroups, tracedDomain, stateColours, spanFill, tipHTML, legendItems, wakerAt, stateText } from './traced.js';

const GUTTER = 44; // px left of the plot, for worker numbers; wider for lane names
const MAX_GUTTER = 150;
const PAD_R = 12;
const ALL_H = 6000; // px: the tallest the timeline grows with one row per goroutine
const ALL_LANE = 6; // px of a goroutine's row then

export class Timeline {
  /** @param {(variant: string) => number} colourIndex the variant's palette slot */
  constructor(root, colourIndex) {
    this.root = root;
    this.colourIndex = colourIndex;
    this.scroll = root.querySelector('#tl-scroll');
    this.canvas = root.querySelector('#tl-canvas');
    this.axis = root.querySelector('#tl-axis');
    this.tip = root.querySelector('#tl-tip');
    this.trialSel = root.querySelector('#tl-trial');
    this.colourSel = root.querySelector('#tl-colour');
    this.rowsSel = root.querySelector('#tl-rows');
    this.viewSel = root.querySelector('#tl-view');
    this.legend = root.querySelector('#tl-legend');
    this.say = root.querySelector('#tl-say');
    this.gutter = GUTTER;
    this.sub = root.querySelector('#tl-sub');
    this.trialSel.addEventListener('change', () => { this.picked = true; this.clearMark(); this.unhover(); this.schedule(); });
    this.viewSel.addEventListener('change', () => { this.clearMark(); this.unhover(); this.schedule(); });
    this.canvas.addEventListener('click', () => this.jump());
    this.canvas.addEventListener('keydown', (e) => this.key(e));
    this.canvas.addEventListener('blur', () => this.unhover());
    this.rowsSel.addEventListener('change', () => this.schedule());
    this.colourSel.addEventListener('change', () => { this.legendKey = ''; this.schedule(); });
    // pointermove covers the mouse; pointerdown lets a tap on a phone show the tip.
    this.canvas.addEventListener('pointermove', (e) => this.hover(e));
    this.canvas.addEventListener('pointerdown', (e) => this.hover(e));
    this.canvas.addEventListener('pointerleave', (e) => { if (e.pointerType === 'mouse') this.unhover(); });
    document.addEventListener('pointerdown', (e) => { if (e.target !== this.canvas) this.unhover(); });
    new ResizeObserver(() => this.schedule()).observe(this.scroll);
    onTheme(() => this.schedule());
    this.later = throttle(LIVE_MS, () => this.schedule());
    this.reset();
  }

  reset() {
    this.groups = new Map(); // variant -> {name, lanes: Map(worker -> lane)}
    this.labels = new Map(); // label -> index, in order of appearance
    this.trials = 0; // highest trial index seen + 1
    this.count = 0;
    this.own = 0; // spans the experiment reported itself (not from the trace)
    this.tracedN = 0; // spans from the execution trace
    this.picked = false; // the learner chose a trial: arriving traced spans leave the choice alone
    this.clearMark(); // this.mark: a blocked span and the goroutine that woke it, shown by a click
    this.kb = null; // the span the keyboard is on: {r: row index, s: span}
    this.end = 0;
    this.t0 = 0; // run time when the run began running: queueing is not drawn
    this.rows = []; // layout: {lanes, y, h} for hit testing
    this.hot = null;
    this.legendKey = '';
    this.trialSel.length = 1;
    this.trialSel.value = 'all';
    this.trialSel.options[0].hidden = false;
    this.viewSel.value = 'g';
    this.say.textContent = '';
    this.tip.hidden = true;
    this.root.hidden = true;
    this.schedule();
  }

  /** setStart sets the run time (ms) at which the run started running. */
  setStart(t) {
    this.t0 = Number(t) || 0;
    this.schedule();
  }

  /** add takes one span event. */
  add(s) {
    const v = String(s.variant ?? '');
    let g = this.groups.get(v);
    if (!g) {
      g = { name: v, lanes: new Map() };
      this.groups.set(v, g);
    }
    if (s.state) {
      addTraced(g, s);
      this.tracedN++;
      this.count++;
      if (this.trialSel.querySelector('option[value="traced"]') === null) {
        this.trialSel.add(new Option('Traced trial', 'traced'));
      }
      if (!this.picked) this.trialSel.value = 'traced';
      this.root.hidden = false;
      this.later();
      return;
    }
    this.own++;
    const w = Number(s.worker) || 0;
    let lane = g.lanes.get(w);
    if (!lane) {
      lane = { variant: v, worker: w, spans: [] };
      g.lanes.set(w, lane);
    }
    const label = String(s.label ?? '');
    if (!this.labels.has(label)) this.labels.set(label, this.labels.size);
    if (lane.label === undefined) lane.label = label;
    else if (lane.label !== label) lane.label = null; // a lane of several kinds of work
    const trial = Number(s.trial) || 0;
    lane.spans.push({ start: +s.start, end: +s.end, trial, label });
    if (trial + 1 > this.trials) this.addTrials(trial + 1);
    if (+s.end > this.end) this.end = +s.end;
    this.count++;
    this.root.hidden = false;
    this.later();
  }

  addTrials(n) {
    const traced = this.trialSel.querySelector('option[value="traced"]');
    for (let i = this.trials; i < n; i++) {
      this.trialSel.add(new Option('Trial ' + (i + 1), String(i)), traced);
    }
    this.trials = n;
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  sortedGroups() {
    return [...this.groups.values()].sort((a, b) => this.colourIndex(a.name) - this.colourIndex(b.name));
  }

  // domain returns, per variant, the time that maps to the left edge, and
  // the span of time the plot shows. "All" is run time; a single trial is
  // each variant's own trial from its first span, so variants line up.
  domain(groups, trial) {
    const origin = new Map();
    if (trial < 0) {
      for (const g of groups) origin.set(g.name, this.t0);
      return { origin, width: Math.max(this.end - this.t0, 1e-3) };
    }
    let width = 1e-3;
    for (const g of groups) {
      let lo = Infinity, hi = -Infinity;
      for (const lane of g.lanes.values()) {
        for (const s of lane.spans) {
          if (s.trial !== trial) continue;
          if (s.start < lo) lo = s.start;
          if (s.end > hi) hi = s.end;
        }
      }
      if (lo === Infinity) { lo = 0; hi = 0; }
      origin.set(g.name, lo);
      width = Math.max(width, hi - lo);
    }
    return { origin, width };
  }

  draw() {
    if (this.root.hidden) return;
    const dpr = window.devicePixelRatio || 1;
    const W = this.scroll.clientWidth;
    if (W === 0) return;
    const traced = this.trialSel.value === 'traced';
    const procs = traced && this.viewSel.value === 'p';
    this.trialSel.options[0].hidden = this.own === 0 && this.tracedN > 0;
    const groups = traced ? tracedGroups(this.sortedGroups(), procs) : this.sortedGroups().filter((g) => g.lanes.size);
    // "fit the box" folds the lanes into --tl-fit; "one per goroutine"
    // gives each a row of ALL_LANE px (up to ALL_H in all) and the page
    // scrolls: the timeline is never a scroll box of its own. The traced
    // trial never folds: two goroutines' states in one row would mix.
    const fitH = parseFloat(getComputedStyle(this.scroll).getPropertyValue('--tl-fit')) || 420;
    const lanes = groups.reduce((n, g) => n + g.lanes.size, 0);
    const allH = Math.min(ALL_H, Math.max(fitH, lanes * ALL_LANE + groups.length * HEAD + 4));
    const lay = layoutLanes(groups, traced || this.rowsSel.value !== 'fit' ? allH : fitH, true);
    lay.folds = !traced && layoutLanes(groups, fitH, false).folds;
    this.rowsSel.parentElement.hidden = !lay.folds;
    this.viewSel.parentElement.hidden = !traced;
    const trial = traced ? -1 : this.trialSel.value === 'all' ? -1 : Number(this.trialSel.value);
    const { origin, width } = traced ? tracedDomain(groups) : this.domain(groups, trial);
    const names = laneNames(groups);
    this.gutter = this.gutterFor(names);
    const plotW = W - this.gutter - PAD_R;
    const ticks = niceTicks(width, Math.max(2, Math.floor(plotW / 75)));
    this.geom = { origin, width, plotW, trial, traced, procs };

    const ctx = this.size(this.canvas, W, lay.H, dpr);
    const pal = palette();
    const byLabel = !traced && this.labels.size > 1 && this.colourSel.value === 'label';
    const col = traced ? stateColours() : null;
    const fontUI = cssVar('--font'), fontMono = cssVar('--mono');
    const text = cssVar('--text'), muted = cssVar('--muted'), grid = cssVar('--grid'), stripe = cssVar('--surface-2');
    const x = (t) => this.gutter + (t / width) * plotW;

    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    for (const t of ticks) {
      const px = Math.round(x(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(px, 0); ctx.lineTo(px, lay.H); ctx.stroke();
    }

    this.rows = [];
    ctx.textBaseline = 'middle';
    for (const { group: g, y: gy, rows } of lay.blocks) {
      const ci = this.colourIndex(g.name) % 8;
      ctx.font = '600 12px ' + fontMono;
      ctx.fillStyle = pal[ci];
      ctx.fillRect(4, gy + 6, 8, 8);
      ctx.fillStyle = text;
      ctx.fillText(g.name, 18, gy + HEAD / 2 + 1);
      const nameW = ctx.measureText(g.name).width;
      ctx.font = '11px ' + fontUI;
      ctx.fillStyle = muted;
      const n = g.lanes.size;
      const per = lay.k > 1 && n > 1 ? ` · ${lay.k} per row` : '';
      const what = procs ? (n === 1 ? ' processor' : ' processors') : n === 1 ? ' goroutine' : ' goroutines';
      ctx.fillText('· ' + n + what + per + (traced ? ' · traced trial' : ''), 24 + nameW, gy + HEAD / 2 + 1);
      const o = origin.get(g.name);
      const lh = rows.length ? rows[0].h : 0;
      const labelEvery = lh >= 11 ? 1 : [2, 5, 10, 20, 50, 100].find((m) => m * lh >= 12) || 100;
      const gap = lh >= 5 ? 1 : 0;
      rows.forEach((row, i) => {
        if (lh >= 6 && i % 2 === 1) {
          ctx.fillStyle = stripe;
          ctx.fillRect(this.gutter, row.y, plotW, lh);
        }
        if (i % labelEvery === 0) {
          ctx.fillStyle = muted;
          ctx.font = Math.min(11, Math.max(9, lh)) + 'px ' + fontUI;
          ctx.textAlign = 'right';
          ctx.fillText(names.get(row.lanes[0]), this.gutter - 6, row.y + lh / 2);
          ctx.textAlign = 'left';
        }
        ctx.fillStyle = pal[ci];
        const inside = []; // goroutines named inside their running spans, in the processor view
        for (const lane of row.lanes) {
          for (const s of lane.spans) {
            if (trial >= 0 && s.trial !== trial) continue;
            if (traced) ctx.fillStyle = spanFill(s, procs, col, pal);
            else if (byLabel) ctx.fillStyle = pal[this.labels.get(s.label) % 8];
            const x0 = x(s.start - o);
            const w = Math.max(x(s.end - o) - x0, 1);
            ctx.fillRect(x0, row.y + gap, w, lh - gap * 2);
            if (procs && lh >= 12 && w >= 30) inside.push([s, x0, w]);
          }
        }
        if (inside.length) {
          ctx.font = '10px ' + fontMono;
          ctx.fillStyle = '#fff';
          for (const [s, x0, w] of inside) {
            const label = 'g' + s.g;
            if (ctx.measureText(label).width + 6 <= w) ctx.fillText(label, x0 + 3, row.y + lh / 2);
          }
        }
        this.rows.push(row);
      });
      if (traced && rows.length && g.gc.length) this.gcBands(ctx, g.gc, o, x, gy, rows, col.gc);
    }
    if (this.hot) this.outline(ctx, this.hot, text);
    if (traced && !procs && this.mark) this.drawMark(ctx, x, cssVar('--accent'));
    this.drawAxis(ticks, width, dpr, W);
    this.drawLegend(groups, byLabel, traced, procs);
    this.colourSel.parentElement.hidden = traced || this.labels.size < 2;
    this.canvas.setAttribute('aria-label', 'Timeline: ' + this.summary(traced, procs, groups));
    this.canvas.tabIndex = 0;
    this.canvas.dataset.lanesBy = traced ? (procs ? 'processors' : 'goroutines') : 'spans';
    this.canvas.dataset.lanes = String(lanes);
    this.canvas.dataset.groupLanes = groups.map((g) => g.name + ':' + g.lanes.size).join(' ');
    this.canvas.dataset.gc = String(traced ? groups.reduce((n, g) => n + g.gc.length, 0) : 0);
    this.sub.textContent = procs
      ? 'The traced trial, from the Go execution trace: one lane per processor (P), showing which goroutine ran on it when; a colour per goroutine.'
      : traced
        ? 'The traced trial, from the Go execution trace: one lane per goroutine, coloured by what it was doing. Click a blocked stretch to see the goroutine that woke it.'
        : trial < 0
          ? 'One lane per goroutine, in time since the run started; each bar is a span of work.'
          : `Trial ${trial + 1} of each variant, each from its own start, on one time scale.`;
    if (this.scrollTo) {
      const y = this.scrollTo;
      this.scrollTo = 0;
      const top = this.canvas.getBoundingClientRect().top + y;
      if (top < 40 || top > innerHeight - 40) window.scrollBy({ top: top - innerHeight / 2, behavior: 'smooth' });
    }
  }

  // gcBands shades the GC's marking phases across a variant's lanes, and
  // marks them solid in its label row, where no span covers them.
  gcBands(ctx, gc, o, x, gy, rows, colour) {
    const y0 = rows[0].y, y1 = rows[rows.length - 1].y + rows[rows.length - 1].h;
    ctx.fillStyle = colour;
    for (const s of gc) {
      const x0 = x(s.start - o), w = Math.max(x(s.end - o) - x0, 1);
      ctx.globalAlpha = 0.22;
      ctx.fillRect(x0, y0, w, y1 - y0);
      ctx.globalAlpha = 1;
      ctx.fillRect(x0, gy + HEAD - 5, w, 4);
    }
  }

  // drawMark outlines the goroutine that woke a blocked one and joins the
  // blocked span's end to the waker's lane at that instant.
  drawMark(ctx, x, colour) {
    const m = this.mark;
    const from = this.rows.find((r) => r.lanes.includes(m.lane));
    const to = this.rows.find((r) => r.lanes.includes(m.waker));
    if (!from || !to) return;
    const o = this.geom.origin.get(m.lane.variant);
    const px = Math.round(x(m.span.end - o)) + 0.5;
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2;
    ctx.strokeRect(this.gutter - 1, to.y - 1, this.geom.plotW + 2, to.h + 2);
    ctx.beginPath();
    ctx.moveTo(px, from.y + from.h / 2);
    ctx.lineTo(px, to.y + to.h / 2);
    ctx.stroke();
    for (const r of [from, to]) {
      ctx.beginPath();
      ctx.arc(px, r.y + r.h / 2, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (m.at) {
      const x0 = x(m.at.start - o);
      ctx.strokeRect(x0 - 1, to.y - 2, Math.max(x(m.at.end - o) - x0, 1) + 2, to.h + 4);
    }
    this.canvas.dataset.mark = m.waker.name;
  }

  // jump shows the goroutine that woke the blocked span under the pointer
  // (or the keyboard): its lane outlined, scrolled into view, and said.
  jump() {
    const hot = this.hot;
    if (!hot || !hot.lane.traced || hot.lane.traced === 'P' || !hot.span.by) return;
    const s = hot.span, lane = hot.lane;
    const waker = this.groups.get(lane.variant).traced.get(s.by);
    const o = this.geom.origin.get(lane.variant) || 0;
    if (!waker) {
      this.say.textContent = `g${s.g} was woken by g${s.by}, which is not one of this trial’s goroutines (the runtime’s or the lab’s).`;
      return;
    }
    this.mark = { lane, span: s, waker, at: wakerAt(waker, s.end) };
    const row = this.rows.find((r) => r.lanes.includes(waker));
    if (row) this.scrollTo = row.y;
    this.say.textContent = `g${s.g} was ${stateText(s)} until ${fmtMs(s.end - o)} ms, when g${s.by} woke it: g${s.by}’s lane is outlined.`;
    this.schedule();
  }

  clearMark() {
    this.mark = null;
    delete this.canvas.dataset.mark;
    this.say.textContent = '';
  }

  // key moves through the spans from the keyboard: ↑ ↓ a lane, ← → a span,
  // Enter shows who woke a blocked span, Escape lets go.
  key(e) {
    if (!this.rows.length || !this.geom) return;
    const visible = (s) => this.geom.traced || this.geom.trial < 0 || s.trial === this.geom.trial;
    const spansOf = (row) => row.lanes.flatMap((l) => l.spans.filter(visible).map((s) => ({ l, s }))).sort((a, b) => a.s.start - b.s.start);
    let r = this.kb ? Math.min(this.kb.r, this.rows.length - 1) : 0;
    let list = spansOf(this.rows[r]);
    let i = this.kb ? list.findIndex((x) => x.s === this.kb.s) : -1;
    const t = i >= 0 ? list[i].s.start : -Infinity;
    const nearest = () => {
      let best = 0;
      list.forEach((x, j) => { if (Math.abs(x.s.start - t) < Math.abs(list[best].s.start - t)) best = j; });
      return best;
    };
    switch (e.key) {
      case 'ArrowRight': i = Math.min(i + 1, list.length - 1); break;
      case 'ArrowLeft': i = Math.max(i - 1, 0); break;
      case 'ArrowDown':
      case 'ArrowUp':
        r = Math.max(0, Math.min(this.rows.length - 1, r + (e.key === 'ArrowDown' ? 1 : -1)));
        list = spansOf(this.rows[r]);
        i = t === -Infinity ? 0 : nearest();
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.jump();
        return;
      case 'Escape':
        this.kb = null;
        this.clearMark();
        this.unhover();
        this.schedule();
        return;
      default:
        return;
    }
    e.preventDefault();
    if (!list[i]) return;
    const { l, s } = list[i];
    const row = this.rows[r];
    this.kb = { r, s };
    this.hot = { lane: l, span: s, row };
    this.showTip(l, s);
    const { origin, width, plotW } = this.geom;
    const c = this.canvas.getBoundingClientRect();
    const mid = (Math.max(s.start, origin.get(l.variant)) + s.end) / 2 - origin.get(l.variant);
    this.placeTip({ clientX: c.left + this.gutter + (mid / width) * plotW, clientY: c.top + row.y + row.h });
    this.schedule();
  }

  // gutterFor is the width left of the plot that the longest lane name needs.
  gutterFor(names) {
    const ctx = this.canvas.getContext('2d');
    ctx.font = '11px ' + cssVar('--font');
    let w = 0;
    for (const n of names.values()) w = Math.max(w, ctx.measureText(n).width);
    return Math.min(MAX_GUTTER, Math.max(GUTTER, Math.ceil(w) + 12));
  }

  size(canvas, W, H, dpr) {
    canvas.style.height = H + 'px';
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    return ctx;
  }

  drawAxis(ticks, width, dpr, W) {
    const ctx = this.size(this.axis, W, 26, dpr);
    const { div, unit } = axisUnit(width);
    ctx.font = '11px ' + cssVar('--font');
    ctx.fillStyle = cssVar('--muted');
    ctx.textBaseline = 'middle';
    ctx.fillText(unit, 6, 13);
    ctx.textAlign = 'center';
    const plotW = W - this.gutter - PAD_R;
    for (const t of ticks) {
      const px = this.gutter + (t / width) * plotW;
      const label = fmtSig(t / div);
      const w = ctx.measureText(label).width;
      ctx.fillText(label, Math.min(Math.max(px, this.gutter + w / 2), W - w / 2 - 2), 13);
    }
  }

  drawLegend(groups, byLabel, traced, procs) {
    const labels = [...this.labels.keys()].filter((l) => l !== '');
    const hasGC = traced && groups.some((g) => g.gc.length);
    const key = (traced ? (procs ? 'P' : 'G') + hasGC : byLabel ? 'L' : 'V') + groups.map((g) => g.name).join() + '|' + labels.join();
    if (key === this.legendKey) return;
    this.legendKey = key;
    this.legend.replaceChildren();
    this.legend.classList.toggle('states', traced);
    if (traced) {
      this.legend.append(...legendItems(procs, hasGC));
      return;
    }
    const items = byLabel ? labels.map((l) => [l, this.labels.get(l)]) : groups.map((g) => [g.name, this.colourIndex(g.name)]);
    if (items.length < 2) return;
    for (const [name, i] of items) {
      const sw = document.createElement('i');
      sw.className = 'swatch vc' + (i % 8);
      const s = document.createElement('span');
      s.append(sw, name);
      this.legend.append(s);
    }
  }

  outline(ctx, hot, colour) {
    const { origin, width, plotW } = this.geom;
    const o = origin.get(hot.lane.variant);
    const x0 = this.gutter + ((hot.span.start - o) / width) * plotW;
    const x1 = this.gutter + ((hot.span.end - o) / width) * plotW;
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x0 - 1, hot.row.y - 1, Math.max(x1 - x0, 1) + 2, hot.row.h + 2);
  }

  // hover finds the span under the pointer: the lane from y, then the
  // nearest span within a few pixels in x.
  hover(e) {
    if (!this.geom) return;
    const r = this.canvas.getBoundingClientRect();
    const px = e.clientX - r.left, py = e.clientY - r.top;
    const row = this.rows.find((w) => py >= w.y && py < w.y + w.h);
    let best = null, bestLane = null;
    if (row && px >= this.gutter) {
      const { origin, width, plotW, trial } = this.geom;
      const t = ((px - this.gutter) / plotW) * width + origin.get(row.lanes[0].variant);
      const slack = (4 / plotW) * width;
      let bestD = Infinity;
      for (const lane of row.lanes) {
        for (const s of lane.spans) {
          if (trial >= 0 && s.trial !== trial) continue;
          const d = t < s.start ? s.start - t : t > s.end ? t - s.end : 0;
          if (d <= slack && d < bestD) { bestD = d; best = s; bestLane = lane; }
        }
      }
    }
    if (!best) return this.unhover();
    if (!this.hot || this.hot.span !== best) {
      this.hot = { lane: bestLane, span: best, row };
      this.showTip(bestLane, best);
      this.schedule();
    }
    this.placeTip(e);
  }

  unhover() {
    this.tip.hidden = true;
    if (this.hot) {
      this.hot = null;
      this.schedule();
    }
  }

  showTip(lane, s) {
    const o = this.geom.origin.get(lane.variant) || 0;
    const row = (k, v) => `<div class="row"><span>${k}</span><span>${v}</span></div>`;
    const esc = (t) => String(t).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
    if (lane.traced) {
      this.tip.innerHTML = tipHTML(lane, s, o, esc, this.groups.get(lane.variant).traced.has(s.by));
      this.tip.hidden = false;
      return;
    }
    this.tip.innerHTML =
      `<div><b>${esc(lane.variant)}</b></div>` +
      row('worker', laneNames([this.groups.get(lane.variant)]).get(lane)) +
      row('trial', s.trial + 1) +
      (s.label ? row('label', esc(s.label)) : '') +
      row('start–end', `${fmtMs(s.start - o)}–${fmtMs(s.end - o)} ms`) +
      row('duration', `${fmtMs(s.end - s.start)} ms`);
    this.tip.hidden = false;
  }

  placeTip(e) {
    const frame = this.tip.parentElement.getBoundingClientRect();
    let left = e.clientX - frame.left + 14;
    let top = e.clientY - frame.top + 14;
    const tw = this.tip.offsetWidth, th = this.tip.offsetHeight;
    if (left + tw > frame.width) left = e.clientX - frame.left - tw - 14;
    if (top + th > frame.height) top = Math.max(0, e.clientY - frame.top - th - 14);
    this.tip.style.left = Math.max(0, left) + 'px';
    this.tip.style.top = top + 'px';
  }

  /** summary describes the timeline for screen readers. */
  summary(traced, procs, groups) {
    if (traced) {
      const n = groups.reduce((k, g) => k + g.lanes.size, 0);
      return `the traced trial: ${this.tracedN} spans from the execution trace on ${n} ${procs ? 'processor' : 'goroutine'} lanes; ` +
        'use the arrow keys to move between spans and Enter on a blocked one to find the goroutine that woke it';
    }
    let lanes = 0;
    for (const g of this.groups.values()) lanes += g.lanes.size;
    // lanes named by their work are listed, as the gutter shows them
    const named = [...new Set([...laneNames(this.groups.values()).values()])].filter((n) => !/^\d+$/.test(n));
    const list = named.length ? ` (${named.slice(0, 12).join(', ')}${named.length > 12 ? ', …' : ''})` : '';
    return `${this.count} spans on ${lanes} goroutine lanes${list}`;
  }
}

/**
 * laneNames names every lane of groups: by the one kind of work its spans
 * carry when the lanes of a variant do different kinds (a pipeline's
 * stages: "double", or "double #2" where several workers share a stage),
 * else by its worker number.
 */
export function laneNames(groups) {
  const names = new Map();
  for (const g of groups) {
    const lanes = [...g.lanes.values()].sort((a, b) => a.worker - b.worker);
    if (lanes.length && lanes[0].name) { // the traced trial's: g12, P0
      for (const l of lanes) names.set(l, l.name);
      continue;
    }
    const kinds = new Set(lanes.map((l) => l.label));
    const byKind = !kinds.has(null) && !kinds.has('') && !kinds.has(undefined) && kinds.size > 1;
    const count = new Map(), seen = new Map();
    for (const l of lanes) count.set(l.label, (count.get(l.label) || 0) + 1);
    for (const l of lanes) {
      if (!byKind) { names.set(l, String(l.worker)); continue; }
      const k = (seen.get(l.label) || 0) + 1;
      seen.set(l.label, k);
      names.set(l, count.get(l.label) > 1 ? `${l.label} #${k}` : l.label);
    }
  }
  return names;
}
