// Experiment-specific figures (a result's "extra" maps): which keys become
// table columns, their human labels and their number format. Each
// experiment declares its figures (lab.Info.Figures); a figure it did not
// declare still shows, labelled from its key.

import { fmtNum } from './util.js';

const nf = (o) => new Intl.NumberFormat(undefined, o);
const sig3 = nf({ maximumSignificantDigits: 3 });

// What the experiment declares its page shows (lab.Info's Figures and
// Charts), from the run panel's data-figures: {figures: [{key, label,
// unit, main, help}], charts: [{series, title, unit, scale}]}.
// A session's page takes a new experiment's declarations with each push,
// so they are read again whenever the attribute changes.
let seen = { src: null, figures: [], charts: [], labels: {} };
export function declared() {
  const src = document.getElementById('run')?.dataset.figures || '{}';
  if (src === seen.src) return seen;
  let d = {};
  try { d = JSON.parse(src); } catch { /* no declarations: generic labels */ }
  const figures = Array.isArray(d.figures) ? d.figures : [];
  const charts = Array.isArray(d.charts) && d.charts.length ? d.charts : LAB_CHARTS;
  seen = { src, figures, charts, labels: Object.fromEntries(figures.map((f) => [f.key, f])) };
  return seen;
}

// LAB_CHARTS are the series lab samples in every run (lab.AllCharts), for
// a page that has no declarations yet.
const LAB_CHARTS = [
  { series: 'goroutines', title: 'Goroutines' },
  { series: 'heap_bytes', title: 'Heap', unit: 'MiB', scale: 1 / 1048576 },
];

// labels maps a declared figure's key to its label, unit and help; the
// declaration's order is the table's.
const labels = () => declared().labels;

// Units written after a figure's value rather than in its heading.
const SUFFIXES = new Set(['×']);

// Figures the table leaves out: a report's count and exit status belong to
// its report block (see reports.js), the machine's cores to the run's
// environment below the table.
const HIDDEN = /_reports$|_exit_code$|^(cores|gomaxprocs|num_cpu)$/;

/** isNum reports whether x is a finite number. */
export const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

/** sweepPoint splits a sweep variant's name, "worker-pool/4", into its family and N, as lab.ParseSweep does on the server. */
export function sweepPoint(name) {
  const m = /^(.+)\/([1-9]\d*)$/.exec(String(name));
  return m ? { family: m[1], n: Number(m[2]) } : null;
}

/** figureLabel is the column heading of a figure's key, and its unit ('' if none). */
export function figureLabel(key) {
  const f = labels()[key];
  if (f) return { label: f.label, unit: SUFFIXES.has(f.unit) ? '' : f.unit || '', help: f.help || '' };
  // "peak_depth:double" is the declared "peak_depth", for double.
  const i = key.indexOf(':');
  if (i > 0 && labels()[key.slice(0, i)]) {
    const g = labels()[key.slice(0, i)];
    return { label: g.label + ' ' + key.slice(i + 1), unit: g.unit || '', help: g.help || '' };
  }
  const s = key.replace(/_/g, ' ');
  return { label: s.charAt(0).toUpperCase() + s.slice(1), unit: '', help: '' };
}

/**
 * fmtFigure formats the figure key's value: counts whole with separators,
 * small values to three significant digits.
 */
export function fmtFigure(v, key = '') {
  if (!isNum(v)) return '—';
  const s = Math.abs(v) >= 1000 || Number.isInteger(v) ? fmtNum(v) : sig3.format(v);
  const unit = labels()[key]?.unit;
  return s + (SUFFIXES.has(unit) ? unit : '');
}

// workersInName reports whether the sweep variants' names ("worker-pool/4")
// already say the workers they report; other variants (a sequential
// baseline's one worker) do not need the column either.
function workersInName(rows) {
  const sweep = rows.filter((r) => sweepPoint(r.name));
  return sweep.length > 0 && sweep.every((r) => !isNum(r.extra?.workers) || sweepPoint(r.name).n === r.extra.workers);
}

/**
 * figureKeys returns, in a stable order, the numeric figure keys present in
 * at least one of rows ({name, extra}), less those the table shows already.
 */
export function figureKeys(rows) {
  const seen = new Set();
  for (const r of rows) {
    for (const [k, v] of Object.entries(r.extra || {})) if (isNum(v) && !HIDDEN.test(k)) seen.add(k);
  }
  if (seen.has('workers') && workersInName(rows)) seen.delete('workers');
  const known = Object.keys(labels());
  const rank = (k) => {
    const i = known.indexOf(k.includes(':') ? k.slice(0, k.indexOf(':')) : k);
    return i >= 0 ? i + (k.includes(':') ? 0.5 : 0) : 200;
  };
  return [...seen].sort((a, b) => rank(a) - rank(b)); // stable: otherwise in the order they came
}

/**
 * isReport reports whether the figure key's value v is a report, which
 * reports.js draws below the table: a key ending in "_report", or text of
 * several lines (a program's output).
 */
export const isReport = (key, v) => typeof v === 'string' && (key.endsWith('_report') || v.includes('\n'));

/**
 * textKeys returns the string figure keys of trials ({extra}) that are not
 * reports nor part of one (a report "x_report" owns "x" and every "x_..." key).
 */
export function textKeys(trials) {
  const keys = new Set(), owners = new Set(), reports = new Set();
  for (const t of trials) {
    for (const [k, v] of Object.entries(t.extra || {})) {
      if (typeof v !== 'string') continue;
      if (k.endsWith('_report')) owners.add(k.slice(0, -'report'.length));
      else if (isReport(k, v)) reports.add(k);
      else keys.add(k);
    }
  }
  // "x_" owns "x" too: the cycle beside its cycle_report.
  return [...keys].filter((k) => !reports.has(k) && ![...owners].some((o) => k.startsWith(o) || k === o.slice(0, -1))).sort();
}
