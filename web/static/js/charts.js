// Charts draws the run's sample series (goroutines, heap_bytes, and any
// series an experiment adds, such as queue depth) as small live uPlot
// charts sharing the cursor. Series named "<chart>:<line>" share one chart
// with a line each: every "queue:<stage>" is a line of "Queue depth".
// Arriving samples redraw a few times a second. The samples are of the
// run's whole process, not of one variant, so they are drawn in the
// theme's accent and ink colours, never in a variant's.

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { cssVar, onTheme, fmtSig, fmtNum, h, throttle, LIVE_MS } from './util.js';
import { declared } from './figures.js';

// How each chart is titled and shown: the charts the experiment declares
// (lab.AllCharts: goroutines and heap first), in their order; others get
// a title from their name and three significant digits.
const known = () => Object.fromEntries(declared().charts.map((c, i) => [c.series, {
  title: c.title, scale: c.scale || 1, unit: c.unit || '', rank: i,
  fmt: c.scale && c.scale !== 1 ? fmtSig : fmtNum,
}]));

// split names a series' chart and its line in it: "queue:parse" is the
// line "parse" of the chart "queue"; "goroutines" is a chart of one line.
function split(name) {
  const i = name.indexOf(':');
  return i > 0 ? { chart: name.slice(0, i), line: name.slice(i + 1) } : { chart: name, line: '' };
}

function describe(chart, n) {
  const k = known();
  if (k[chart]) return k[chart];
  const title = chart.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return { title, scale: 1, unit: '', fmt: fmtSig, rank: 10 + n };
}

const HEIGHT = 130;

// Below this many samples a line also shows each one as a dot: a short run
// has few, and a line between two dots says more than it knows.
const DOTS_BELOW = 40;

// lineStyles are the colours and dashes of a chart's lines, first to last:
// the accent, then ink colours told apart by their dashes too.
function lineStyles() {
  const c = [cssVar('--accent'), cssVar('--text'), cssVar('--warn'), cssVar('--muted')];
  const dash = [undefined, [6, 3], [2, 3], [8, 3, 2, 3]];
  return c.map((colour, i) => ({ colour, dash: dash[i] }));
}

export class Charts {
  constructor(root) {
    this.root = root;
    this.grid = root.querySelector('#chart-grid');
    this.sync = uPlot.sync('run-samples');
    onTheme(() => this.rebuild());
    new ResizeObserver(() => this.resize()).observe(this.grid);
    this.later = throttle(LIVE_MS, () => this.schedule());
    this.reset();
  }

  reset() {
    for (const c of this.charts?.values() || []) c.plot?.destroy();
    this.charts = new Map(); // chart key -> chart
    this.series = new Map(); // series name -> line
    this.t0 = 0; // run time when the run began running
    this.grid.replaceChildren();
    this.root.hidden = true;
  }

  /** add takes one sample event. */
  add(ev) {
    const name = String(ev.series ?? '');
    const s = this.series.get(name) || this.line(name);
    const v = Number(ev.value) * s.chart.d.scale;
    s.xs.push((Number(ev.t) - this.t0) / 1000);
    s.ys.push(v);
    if (v > s.peak) s.peak = v;
    s.chart.dirty = true;
    this.root.hidden = false;
    this.later();
  }

  line(name) {
    const { chart: key, line } = split(name);
    let c = this.charts.get(key);
    if (!c) c = this.create(key);
    const s = { name, label: line || c.d.title, xs: [], ys: [], peak: -Infinity, chart: c, key: null };
    c.lines.push(s);
    c.el.classList.toggle('multi', c.lines.length > 1);
    this.series.set(name, s);
    // A new line needs a new plot.
    c.plot?.destroy();
    c.plot = null;
    return s;
  }

  create(key) {
    const d = describe(key, this.charts.size);
    const now = h('span');
    const box = h('div', { class: 'chart-box' });
    const keyEl = h('div', { class: 'chart-key', hidden: true });
    const el = h('figure', { class: 'chart' }, h('figcaption', { class: 'chart-h' }, h('b', { text: d.unit ? `${d.title} (${d.unit})` : d.title }), now), box, keyEl);
    // Known charts keep their place (goroutines, then heap, ...) whatever arrives first.
    const after = [...this.charts.values()].find((o) => o.d.rank > d.rank);
    this.grid.insertBefore(el, after ? after.el : null);
    const c = { key, d, el, box, now, keyEl, lines: [], plot: null, dirty: true };
    this.charts.set(key, c);
    return c;
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const c of this.charts.values()) if (c.dirty) this.update(c);
    });
  }

  // data is the chart's lines on one x axis: one line as it came, several
  // joined on their times (a line without a sample at a time gets a gap
  // there, which the plot spans).
  data(c) {
    if (c.lines.length === 1) return [c.lines[0].xs, c.lines[0].ys];
    return uPlot.join(c.lines.map((s) => [s.xs, s.ys]));
  }

  update(c) {
    c.dirty = false;
    const f = c.d.fmt;
    if (c.lines.length === 1) {
      const s = c.lines[0];
      c.now.textContent = `now ${f(s.ys[s.ys.length - 1])} · peak ${f(s.peak)}`;
    } else {
      const top = c.lines.reduce((a, b) => (b.peak > a.peak ? b : a));
      c.now.textContent = `peak ${f(top.peak)} (${top.label})`;
      this.paintKey(c);
    }
    if (!c.plot) {
      if (this.root.hidden || c.box.clientWidth === 0) return;
      c.plot = new uPlot(this.options(c), this.data(c), c.box);
    } else {
      c.plot.setData(this.data(c));
    }
  }

  // paintKey lists a chart's lines with their colours and latest values.
  paintKey(c) {
    const styles = lineStyles();
    c.keyEl.hidden = false;
    if (c.keyEl.childElementCount !== c.lines.length) {
      c.keyEl.replaceChildren(...c.lines.map((s, i) => {
        const st = styles[i % styles.length];
        const sw = h('i', { class: 'sw-line' + (st.dash ? ' dashed' : ''), 'aria-hidden': 'true' });
        sw.style.borderColor = st.colour;
        if (!st.dash) sw.style.background = st.colour;
        s.key = h('b');
        return h('span', {}, sw, s.label + ' ', s.key);
      }));
    }
    for (const s of c.lines) s.key.textContent = c.d.fmt(s.ys[s.ys.length - 1]);
  }

  options(c) {
    const styles = lineStyles();
    const muted = cssVar('--muted'), grid = cssVar('--grid');
    const font = '11px ' + cssVar('--font');
    const axis = { stroke: muted, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1, size: 4 } };
    const one = c.lines.length === 1;
    return {
      width: c.box.clientWidth,
      height: HEIGHT,
      legend: { show: false },
      cursor: { sync: { key: this.sync.key }, points: { size: 6 } },
      // time from the run's start (0 s), so a short run's few samples sit
      // where they were taken
      scales: { x: { time: false, range: (u, lo, hi) => [0, hi > 0 ? hi : 1] }, y: { range: (u, lo, hi) => [0, hi > 0 ? hi * 1.1 : 1] } },
      axes: [
        { ...axis, size: 28, values: (u, vals) => vals.map((v) => fmtSig(v) + ' s') },
        // a count has no label between whole numbers (0.5 would read "1")
        { ...axis, size: 46, values: (u, vals) => vals.map((v) => (c.d.fmt === fmtNum && !Number.isInteger(v) ? '' : c.d.fmt(v))) },
      ],
      series: [
        {},
        ...c.lines.map((s, i) => {
          const { colour, dash } = styles[i % styles.length];
          return { label: s.label, stroke: colour, dash, width: 1.5, fill: one ? colour + '22' : undefined, points: { show: (u, si) => (u.data[si]?.length ?? 0) < DOTS_BELOW, size: 5, fill: colour }, spanGaps: true };
        }),
      ],
    };
  }

  resize() {
    for (const c of this.charts.values()) {
      if (c.plot) c.plot.setSize({ width: c.box.clientWidth, height: HEIGHT });
      else c.dirty = true;
    }
    this.schedule();
  }

  // rebuild redraws with the current theme's colours.
  rebuild() {
    for (const c of this.charts.values()) {
      c.plot?.destroy();
      c.plot = null;
      c.dirty = true;
      c.keyEl.replaceChildren();
    }
    this.schedule();
  }
}
