// Experiment-specific figures (a result's "extra" maps): which keys become
// table columns, their human labels and their number format. Experiments
// add figures freely; anything not named here still shows, labelled from
// its key.

const nf = (o) => new Intl.NumberFormat(undefined, o);
const sig3 = nf({ maximumSignificantDigits: 3 });
const whole = nf({ maximumFractionDigits: 0 });

// Labels of the figures the experiments are known to report, each with
// its unit (which headings show in lower case, as they show ms).
const LABELS = {
  lost: ['Lost updates (median)'],
  ns_per_increment: ['Per increment', 'ns'],
  polls_wasted: ['Wasted polls'],
  cpu_us_per_item: ['CPU per item', 'µs'],
  items_per_s: ['Items', '/ s'],
  fps: ['Frames', '/ s'],
  vs_decode: ['× decode-only time'],
  limit_ms: ['Machine limit (CPU ÷ cores)', 'ms'],
  ideal: ['Ideal speedup'],
  cost_us: ['Cost per item', 'µs'],
  polls: ['Polls'],
  reordered: ['Out of order'],
  wrong: ['Wrong items'],
};

// Units written after a figure's value.
const SUFFIX = { ideal: '×' };

// Figures the table leaves out: a report's count and exit status belong to
// its report block (see reports.js), the machine's cores to the run's
// environment below the table.
const HIDDEN = /_reports$|_exit_code$|^(cores|gomaxprocs|num_cpu)$/;

/** isNum reports whether x is a finite number. */
export const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

/** sweepPoint splits a sweep variant's name, "worker-pool/4", into its family and N. */
export function sweepPoint(name) {
  const m = /^(.+)\/(\d+)$/.exec(String(name));
  return m ? { family: m[1], n: Number(m[2]) } : null;
}

/** figureLabel is the column heading of a figure's key, and its unit ('' if none). */
export function figureLabel(key) {
  if (LABELS[key]) return { label: LABELS[key][0], unit: LABELS[key][1] || '' };
  const depth = /^peak_depth:(.+)$/.exec(key);
  if (depth) return { label: 'Peak depth ' + depth[1], unit: '' };
  const s = key.replace(/_/g, ' ');
  return { label: s.charAt(0).toUpperCase() + s.slice(1), unit: '' };
}

/**
 * fmtFigure formats the figure key's value: counts whole with separators,
 * small values to three significant digits.
 */
export function fmtFigure(v, key = '') {
  if (!isNum(v)) return '—';
  const s = Math.abs(v) >= 1000 || Number.isInteger(v) ? whole.format(v) : sig3.format(v);
  return s + (SUFFIX[key] || '');
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
  const known = Object.keys(LABELS);
  const rank = (k) => (known.includes(k) ? known.indexOf(k) : k.startsWith('peak_depth:') ? 50 : 200);
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
 * reports nor part of one (a report "x_report" owns every "x_..." key).
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
  return [...keys].filter((k) => !reports.has(k) && ![...owners].some((o) => k.startsWith(o))).sort();
}
