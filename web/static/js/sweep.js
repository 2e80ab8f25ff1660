// Sweep draws "Speedup by workers" for runs whose variants sweep a worker
// count ("worker-pool/1", "worker-pool/2", ... "gil/1", ...): x is the
// count on a log2 scale, y the speedup the result reports, one line per
// family, beside the ideal (speedup = workers) and a marker at the
// machine's core count, where the ideal stops being possible. Variants
// without a count stay in the table only.

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h, cssVar, palette, onTheme, fmtNum, fmtSpeedup } from './util.js';
import { sweepPoint, isNum } from './figures.js';

const HEIGHT = 260;

/** sweepFamilies groups a result's sweep variants by family: Map(family -> [{n, speedup, name}]) sorted by n. */
export function sweepFamilies(variants) {
  const fams = new Map();
  for (const v of variants) {
    const p = sweepPoint(v.name);
    if (!p || !(p.n > 0)) continue;
    if (!fams.has(p.family)) fams.set(p.family, []);
    fams.get(p.family).push({ n: p.n, speedup: isNum(v.speedup) && v.speedup > 0 ? v.speedup : null, name: v.name });
  }
  for (const pts of fams.values()) pts.sort((a, b) => a.n - b.n);
  return fams;
}

// niceCeil rounds a chart's top up to 1, 2, 2.5 or 5 × 10^k.
function niceCeil(x) {
  const mag = 10 ** Math.floor(Math.log10(x));
  return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * mag).find((s) => s >= x - 1e-9) || 10 * mag;
}

export class Sweep {
  /** @param {(name: string) => number} colourIndex */
  constructor(root, colourIndex) {
    this.root = root;
    this.colourIndex = colourIndex;
    this.box = root.querySelector('#sweep-box');
    this.legend = root.querySelector('#sweep-legend');
    this.readout = root.querySelector('#sweep-read');
    this.sub = root.querySelector('#sweep-sub');
    this.env = null;
    onTheme(() => this.draw());
    new ResizeObserver(() => {
      if (this.plot && this.box.clientWidth) this.plot.setSize({ width: this.box.clientWidth, height: HEIGHT });
      else if (this.fams) this.draw();
    }).observe(this.box);
    this.reset();
  }

  reset() {
    this.plot?.destroy();
    this.plot = null;
    this.fams = null;
    this.root.hidden = true;
  }

  /** setEnv takes the run's environment (GET /api/runs/{id}'s env) for the core count. */
  setEnv(env) {
    this.env = env || null;
    if (this.fams) this.draw();
  }

  show(result) {
    const fams = sweepFamilies(Array.isArray(result?.variants) ? result.variants : []);
    const points = [...fams.values()].reduce((n, pts) => n + pts.filter((p) => p.speedup !== null).length, 0);
    const ns = new Set([...fams.values()].flat().map((p) => p.n));
    if (points < 2 || ns.size < 2) return this.reset();
    this.fams = fams;
    this.root.hidden = false;
    this.draw();
  }

  draw() {
    if (!this.fams || this.root.hidden) return;
    this.plot?.destroy();
    this.plot = null;
    const W = this.box.clientWidth;
    if (!W) return;
    const fams = [...this.fams.entries()];
    const xs = [...new Set(fams.flatMap(([, pts]) => pts.map((p) => p.n)))].sort((a, b) => a - b);
    const cores = Number(this.env?.num_cpu) || 0;
    const procs = Number(this.env?.gomaxprocs) || 0;
    const maxN = xs[xs.length - 1], minN = xs[0];
    const maxS = Math.max(...fams.flatMap(([, pts]) => pts.map((p) => p.speedup || 0)));
    // Tall enough for every speedup and for the ideal up to the core
    // count; past the cores the ideal line may leave the top, as it must.
    const top = niceCeil(Math.max(maxS, Math.min(maxN, cores || maxS), 1) * 1.12);
    const pal = palette();
    const muted = cssVar('--muted'), grid = cssVar('--grid'), text = cssVar('--text'), warn = cssVar('--warn');
    const font = '11px ' + cssVar('--font');
    const axis = { stroke: muted, font, labelFont: font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1, size: 4 } };
    const colour = (fam) => pal[this.colourIndex(fam) % 8];
    const data = [xs, ...fams.map(([, pts]) => xs.map((n) => pts.find((p) => p.n === n)?.speedup ?? null)), xs.slice()];
    const series = [
      {},
      ...fams.map(([fam]) => ({ label: fam, stroke: colour(fam), width: 2, spanGaps: true, points: { show: true, size: 7, width: 1.5, fill: colour(fam) } })),
      { label: 'ideal', stroke: muted, width: 1.25, dash: [5, 5], points: { show: false } },
    ];
    const inRange = cores >= minN && cores <= maxN;
    const marker = (u) => {
      if (!cores || !inRange) return;
      const ctx = u.ctx, dpr = uPlot.pxRatio;
      const x = Math.round(u.valToPos(cores, 'x', true));
      const { top: t, height } = u.bbox;
      ctx.save();
      ctx.strokeStyle = warn;
      ctx.lineWidth = 1.5 * dpr;
      ctx.setLineDash([3 * dpr, 3 * dpr]);
      ctx.beginPath(); ctx.moveTo(x, t); ctx.lineTo(x, t + height); ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `600 ${11 * dpr}px ${cssVar('--font')}`;
      ctx.fillStyle = warn;
      ctx.textBaseline = 'top';
      const label = `${fmtNum(cores)} ${cores === 1 ? 'core' : 'cores'}` + (procs && procs !== cores ? ` · GOMAXPROCS ${procs}` : '');
      const w = ctx.measureText(label).width;
      const right = x + 5 * dpr + w < u.bbox.left + u.bbox.width;
      ctx.textAlign = right ? 'left' : 'right';
      ctx.fillText(label, right ? x + 5 * dpr : x - 5 * dpr, t + 4 * dpr);
      ctx.restore();
    };
    const opts = {
      width: W,
      height: HEIGHT,
      legend: { show: false },
      cursor: { points: { size: 9 }, drag: { x: false, y: false } },
      scales: {
        x: { time: false, distr: 3, log: 2, range: () => [minN / 1.3, maxN * 1.3] },
        y: { range: () => [0, top] },
      },
      axes: [
        { ...axis, label: 'workers', labelSize: 22, size: 30, splits: () => xs, values: (u, vals) => vals.map((v) => (v === null ? '' : fmtNum(v))), filter: (u, splits) => splits },
        { ...axis, label: 'speedup', labelSize: 22, size: 44, values: (u, vals) => vals.map((v) => (v === null ? '' : fmtNum0(v) + '×')) },
      ],
      series,
      hooks: {
        draw: [marker],
        setCursor: [(u) => this.read(u, fams)],
      },
    };
    this.plot = new uPlot(opts, data, this.box);
    this.paintLegend(fams, colour, cores, procs, inRange, text);
    this.read(this.plot, fams);
  }

  paintLegend(fams, colour, cores, procs, inRange) {
    const items = fams.map(([fam]) => {
      const sw = h('i', { class: 'sw-line', 'aria-hidden': 'true' });
      sw.style.background = colour(fam);
      return h('span', {}, sw, fam);
    });
    items.push(h('span', {}, h('i', { class: 'sw-line ideal', 'aria-hidden': 'true' }), 'ideal: speedup = workers'));
    if (cores && inRange) items.push(h('span', {}, h('i', { class: 'sw-line cores', 'aria-hidden': 'true' }), 'this machine’s cores'));
    this.legend.replaceChildren(...items);
    let sub = 'Each variant’s speedup over the baseline, by the number of workers it ran with.';
    if (cores && !inRange) sub += ` This machine has ${fmtNum(cores)} ${cores === 1 ? 'core' : 'cores'}.`;
    else if (cores) sub += ` Past ${fmtNum(cores)} ${cores === 1 ? 'worker' : 'workers'}, more workers share the same ${cores === 1 ? 'core' : 'cores'}${procs && procs !== cores ? ` (GOMAXPROCS is ${procs})` : ''}.`;
    this.sub.textContent = sub;
    const desc = fams.map(([fam, pts]) => `${fam}: ` + pts.map((p) => `${p.n} → ${p.speedup === null ? 'none' : fmtSpeedup(p.speedup)}`).join(', ')).join('; ');
    this.box.setAttribute('aria-label', 'Speedup by workers. ' + desc);
  }

  // read writes the values under the cursor, or a hint, below the chart.
  read(u, fams) {
    const i = u.cursor.idx;
    if (i === null || i === undefined) {
      this.readout.textContent = 'Point at the chart to read the speedups at one worker count.';
      return;
    }
    const n = u.data[0][i];
    const parts = fams.map(([fam], k) => {
      const s = u.data[k + 1][i];
      return `${fam} ${s === null || s === undefined ? '—' : fmtSpeedup(s)}`;
    });
    this.readout.textContent = `${fmtNum(n)} ${n === 1 ? 'worker' : 'workers'}: ${parts.join(' · ')} (ideal ${fmtNum(n)}×)`;
  }
}

const fmt0 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const fmtNum0 = (v) => fmt0.format(v);
