// Small helpers shared by the page's modules: number formats, DOM
// building, the palette from app.css, the clipboard.

const nf = (o) => new Intl.NumberFormat(undefined, o);
const sig3 = nf({ maximumSignificantDigits: 3 });
const whole = nf({ maximumFractionDigits: 0 });
const two = nf({ minimumFractionDigits: 2, maximumFractionDigits: 2 });

const missing = (v) => v === null || v === undefined || !Number.isFinite(Number(v));

/** fmtMs formats milliseconds with three significant digits: 12.3, 1,230. */
export const fmtMs = (v) => (missing(v) ? '—' : sig3.format(v));

const half = nf({ minimumFractionDigits: 1, maximumFractionDigits: 1 });

/**
 * fmtNum formats a count with thousands separators. A median of an even
 * number of whole counts ends in .5, and keeps it: rounded, it would
 * disagree with the figures derived from it (lost = expected - got).
 */
export const fmtNum = (v) => (missing(v) ? '—' : (Number.isInteger(v * 2) && !Number.isInteger(v) ? half : whole).format(v));

/** fmtSig formats any figure with three significant digits. */
export const fmtSig = (v) => (missing(v) ? '—' : sig3.format(v));

/** fmtSpeedup formats a ratio against the baseline: 3.10×. */
export const fmtSpeedup = (v) => (missing(v) || v === 0 ? '—' : two.format(v) + '×');

/** fmtMB formats bytes as mebibytes (MiB), three significant digits. */
export const fmtMB = (b) => (missing(b) ? '—' : sig3.format(b / 1048576) + ' MiB');

/** fmtBytes formats bytes in the unit that suits them: 512 B, 608 KiB, 90.2 MiB, 1.5 GiB. */
export function fmtBytes(b) {
  if (missing(b)) return '—';
  let v = Number(b), i = 0;
  while (Math.abs(v) >= 1024 && i < 3) {
    v /= 1024;
    i++;
  }
  return (i ? sig3.format(v) : whole.format(v)) + ' ' + ['B', 'KiB', 'MiB', 'GiB'][i];
}

const tenths = nf({ minimumFractionDigits: 1, maximumFractionDigits: 1 });
/**
 * fmtCores formats cores kept busy (CPU time over wall time) to a tenth:
 * 1.9; a variant that mostly waited shows "< 0.1", not a misleading 0.0.
 */
export const fmtCores = (v) => (missing(v) ? '—' : v < 0.05 ? '< 0.1' : tenths.format(v));

/** cpuList writes CPU ids as ranges: [0, 1, 2, 5] is "0–2, 5". */
export function cpuList(cpus) {
  const ids = [...new Set(cpus.map(Number).filter(Number.isInteger))].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < ids.length; i++) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    out.push(j > i ? `${ids[i]}–${ids[j]}` : String(ids[i]));
    i = j;
  }
  return out.join(', ');
}

/** fmtElapsed formats a duration in ms for prose: 850 ms, 2.31 s, 1 min 5 s. */
export function fmtElapsed(ms) {
  if (missing(ms)) return '';
  if (ms < 1000) return whole.format(ms) + ' ms';
  if (ms < 60000) return sig3.format(ms / 1000) + ' s';
  const m = Math.floor(ms / 60000);
  return m + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
}

const ordinalRules = new Intl.PluralRules('en', { type: 'ordinal' });
const suffix = { one: 'st', two: 'nd', few: 'rd', other: 'th' };
/** ordinal returns 1st, 2nd, 3rd, 4th, 11th... */
export const ordinal = (n) => n + suffix[ordinalRules.select(n)];

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
/** fmtDate formats an RFC 3339 time in the reader's zone. */
export function fmtDate(s) {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? String(s) : dateFmt.format(d);
}

/** h builds an element: h('td', {class: 'x'}, 'text', child). */
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined && c !== false) e.append(c);
  }
  return e;
}

/** cssVar reads a custom property of the root, as the current theme sets it. */
export const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** palette returns the eight variant colours of the current theme. */
export const palette = () => [0, 1, 2, 3, 4, 5, 6, 7].map((i) => cssVar('--v' + i));

/** onTheme calls f when the colour scheme changes. */
export function onTheme(f) {
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', f);
}

/** copyText puts text on the clipboard, with a fallback for plain http. */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const ta = h('textarea', { readonly: true, 'aria-hidden': 'true', class: 'offscreen' });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('copy refused');
}

/** LIVE_MS is the least time between redraws for a run's arriving events. */
export const LIVE_MS = 250;

/**
 * throttle returns a function that runs f on an animation frame at most
 * once every ms milliseconds, however often it is called. Live charts
 * redraw a few times a second, not on every event: a browser on the same
 * machine as the server must not take the cores a run is measuring.
 */
export function throttle(ms, f) {
  let timer = 0;
  let last = -Infinity;
  return () => {
    if (timer) return;
    timer = setTimeout(() => requestAnimationFrame(() => {
      timer = 0;
      last = performance.now();
      f();
    }), Math.max(0, last + ms - performance.now()));
  };
}

/** flash shows a short message in a status region, then clears it. */
export function flash(el, text, ms = 2000) {
  el.textContent = text;
  clearTimeout(el._flash);
  el._flash = setTimeout(() => { el.textContent = ''; }, ms);
}

/**
 * wrongText says in words how often a variant ({expected, wrong_trials,
 * worst_got, trials or a trial count}) got a wrong answer, from the run's
 * per-trial facts rather than the medians: "lost in 3 of 10 trials, at
 * worst 986 of 2,000", "right in all 10 trials"; '' where correctness has
 * no meaning.
 * @param {object} v a variant of a result or of a board entry
 * @param {number} n its trial count
 */
export function wrongText(v, n) {
  const k = v?.wrong_trials;
  if (missing(k) || missing(n) || n <= 0) return '';
  if (k === 0) return n === 1 ? 'right in its one trial' : `all ${fmtNum(n)} trials right`;
  const of = `${fmtNum(k)} of ${fmtNum(n)} trial${n === 1 ? '' : 's'}`;
  const exp = Number(v.expected), worst = Number(v.worst_got);
  if (missing(v.worst_got) || !Number.isFinite(exp)) return `wrong in ${of}`;
  if (worst < exp) return `lost in ${of}, at worst ${fmtNum(exp - worst)} of ${fmtNum(exp)}`;
  return `wrong in ${of}, at worst ${fmtNum(worst)} where ${fmtNum(exp)} was right`;
}

/** fmtCI writes a speedup's 95% interval: "1.71–1.98×"; '' without one. */
export const fmtCI = (ci) => (Array.isArray(ci) && ci.length === 2 ? `${two.format(ci[0])}–${two.format(ci[1])}×` : '');
