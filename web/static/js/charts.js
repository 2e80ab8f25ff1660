// Charts draws each sample series (goroutines, heap_bytes, and any series
// an experiment adds later, such as queue depth) as a small live uPlot
// chart, one per series, sharing the cursor. Updates are batched per frame.

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { cssVar, palette, onTheme, fmtSig, fmtNum, h } from './util.js';

// How each known series is titled and shown; others get a title from
// their name and three significant digits.
const KNOWN = {
  goroutines: { title: 'Goroutines', scale: 1, unit: '', fmt: fmtNum, colour: 0, rank: 0 },
  heap_bytes: { title: 'Heap', scale: 1 / 1048576, unit: 'MB', fmt: fmtSig, colour: 1, rank: 1 },
};

function describe(name, n) {
  if (KNOWN[name]) return KNOWN[name];
  const title = name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return { title, scale: 1, unit: '', fmt: fmtSig, colour: 2 + n, rank: 2 + n };
}

const HEIGHT = 130;

export class Charts {
  constructor(root) {
    this.root = root;
    this.grid = root.querySelector('#chart-grid');
    this.sync = uPlot.sync('run-samples');
    onTheme(() => this.rebuild());
    new ResizeObserver(() => this.resize()).observe(this.grid);
    this.reset();
  }

  reset() {
    for (const s of this.series?.values() || []) s.plot?.destroy();
    this.series = new Map();
    this.t0 = 0; // run time when the run began running
    this.grid.replaceChildren();
    this.root.hidden = true;
  }

  /** add takes one sample event. */
  add(ev) {
    const name = String(ev.series ?? '');
    let s = this.series.get(name);
    if (!s) s = this.create(name);
    const v = Number(ev.value) * s.d.scale;
    s.xs.push((Number(ev.t) - this.t0) / 1000);
    s.ys.push(v);
    if (v > s.peak) s.peak = v;
    s.dirty = true;
    this.root.hidden = false;
    this.schedule();
  }

  create(name) {
    const d = describe(name, this.series.size);
    const now = h('span');
    const box = h('div', { class: 'chart-box' });
    const el = h('figure', { class: 'chart' }, h('figcaption', { class: 'chart-h' }, h('b', { text: d.unit ? `${d.title} (${d.unit})` : d.title }), now), box);
    // Known series keep their place (goroutines, then heap) whatever arrives first.
    const after = [...this.series.values()].find((o) => o.d.rank > d.rank);
    this.grid.insertBefore(el, after ? after.el : null);
    const s = { name, d, el, box, now, xs: [], ys: [], peak: -Infinity, plot: null, dirty: true };
    this.series.set(name, s);
    return s;
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const s of this.series.values()) if (s.dirty) this.update(s);
    });
  }

  update(s) {
    s.dirty = false;
    const last = s.ys[s.ys.length - 1];
    s.now.textContent = `now ${s.d.fmt(last)} · peak ${s.d.fmt(s.peak)}`;
    if (!s.plot) {
      if (this.root.hidden || s.box.clientWidth === 0) return;
      s.plot = new uPlot(this.options(s), [s.xs, s.ys], s.box);
    } else {
      s.plot.setData([s.xs, s.ys]);
    }
  }

  options(s) {
    const pal = palette();
    const colour = pal[s.d.colour % 8];
    const muted = cssVar('--muted'), grid = cssVar('--grid');
    const font = '11px ' + cssVar('--font');
    const axis = { stroke: muted, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1, size: 4 } };
    return {
      width: s.box.clientWidth,
      height: HEIGHT,
      legend: { show: false },
      cursor: { sync: { key: this.sync.key }, points: { size: 6 } },
      scales: { x: { time: false }, y: { range: (u, lo, hi) => [0, hi > 0 ? hi * 1.1 : 1] } },
      axes: [
        { ...axis, size: 28, values: (u, vals) => vals.map((v) => fmtSig(v) + ' s') },
        { ...axis, size: 46, values: (u, vals) => vals.map((v) => s.d.fmt(v)) },
      ],
      series: [
        {},
        { label: s.d.title, stroke: colour, width: 1.5, fill: colour + '22', points: { show: false }, spanGaps: true },
      ],
    };
  }

  resize() {
    for (const s of this.series.values()) {
      if (s.plot) s.plot.setSize({ width: s.box.clientWidth, height: HEIGHT });
      else s.dirty = true;
    }
    this.schedule();
  }

  // rebuild redraws with the current theme's colours.
  rebuild() {
    for (const s of this.series.values()) {
      s.plot?.destroy();
      s.plot = null;
      s.dirty = true;
    }
    this.schedule();
  }
}
