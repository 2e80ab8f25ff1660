// The class board, /sessions/{code}/board: every learner's result of a
// round side by side, the class's distribution as a chart (lost updates
// per learner where the experiment counts; speedup by variant where it
// times), and, once revealed, the room's guesses beside what it measured.
// It starts from the view the page carries and follows the session socket.

import { SessionSocket, Board, renderBoardRows, lostVariant, bestVariant, worstLost, plural, measuredAnswers, showEnded } from './session_common.js';
import { fmtNum, fmtSig, fmtMs, wrongText } from './util.js';

const $ = (id) => document.getElementById(id);
const root = $('session');
const code = root.dataset.code;
const view = JSON.parse($('board-data').textContent || '{}');
const board = new Board();
board.apply({ full: true, entries: view.board || [] });
let push = view.push;
let prediction = view.prediction;
const titles = new Map((view.board || []).map((e) => [e.round, e.experiment]));
if (push) titles.set(push.round, push.title);

const el = {
  round: $('round'), verdict: $('board-verdict'), figure: $('board-figure'), chart: $('board-chart'),
  chartTitle: $('chart-title'), chartNote: $('chart-note'), predict: $('board-predict'), predictChart: $('predict-chart'), predictNote: $('predict-note'),
  tbody: $('board-table').tBodies[0], empty: $('board-empty'),
};
let chosen = Number(el.round.value || push?.round || 0);
let followLatest = true;
el.round.addEventListener('change', () => {
  chosen = Number(el.round.value);
  followLatest = chosen === latest();
  paint();
});

const latest = () => Math.max(push?.round || 0, ...board.rounds(), 0);

function paintRounds() {
  const rounds = [...new Set([...board.rounds(), push?.round || 0])].filter((r) => r > 0).sort((a, b) => b - a);
  el.round.replaceChildren(...rounds.map((r) => {
    const o = document.createElement('option');
    o.value = String(r);
    o.textContent = `#${r} · ${titles.get(r) || ''} · ${plural(board.round(r).length, 'run')}`;
    o.selected = r === chosen;
    return o;
  }));
  // no rounds yet: no empty picker
  const pick = el.round.closest('label');
  if (pick) pick.hidden = rounds.length === 0;
}

function paint() {
  if (followLatest) chosen = latest();
  paintRounds();
  const entries = board.round(chosen);
  el.empty.hidden = entries.length > 0;
  renderBoardRows(el.tbody, entries);
  const done = entries.filter((e) => e.status === 'done' && e.figures);
  el.figure.hidden = done.length === 0;
  el.verdict.hidden = done.length === 0;
  if (done.length) {
    if (done.some((e) => e.figures.yours)) yoursChart(done.filter((e) => e.figures.yours));
    else if (done.some((e) => lostVariant(e))) lostChart(done);
    else if (done.some((e) => bestVariant(e))) speedupChart(done);
    else timeChart(done);
  }
  paintPrediction(done);
}

// --- SVG drawing -------------------------------------------------------

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// Charts are drawn at the pixel width of their box (one SVG unit a CSS
// pixel), so their text keeps its CSS size on a phone as on a projector;
// layout sets the width, the margins and how much fits before each chart.
let W = 1000;
let M = { l: 90, r: 20, t: 20, b: 100 };
let narrow = false;

/** layout fits the next chart to the box it goes in. */
function layout(box) {
  W = Math.max(280, Math.round(box.clientWidth || 1000));
  narrow = W < 600;
  M = narrow ? { l: 62, r: 12, t: 24, b: 84 } : { l: 90, r: 20, t: 20, b: 100 };
}

/** axisY draws horizontal grid lines with labels and returns the y scale. */
function axisY(svg, H, lo, hi, fmt, whole = false) {
  const y = (v) => M.t + (H - M.t - M.b) * (1 - (v - lo) / (hi - lo || 1));
  let step = niceStep((hi - lo) / (narrow ? 4 : 5));
  if (whole) step = Math.max(1, Math.round(step));
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) {
    svg.append(s('line', { x1: M.l, x2: W - M.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(s('text', { x: M.l - 10, y: y(v) + 5, class: 'tick', 'text-anchor': 'end' }, fmt(v)));
  }
  return y;
}

function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const n = raw / p;
  return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * p;
}

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  if (!a.length) return NaN;
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
};

// bars draws one bar per learner, largest first, with the class median.
function bars(rows, fmt, tip, label, whole = false) {
  rows.sort((a, b) => b.value - a.value);
  layout(el.chart);
  const H = narrow ? 340 : 420;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label });
  const hi = Math.max(whole ? 10 : 1e-9, ...rows.map((r) => r.value));
  const y = axisY(svg, H, 0, hi * 1.1, fmt, whole);
  const slot = (W - M.l - M.r) / rows.length;
  const bw = Math.max(2, Math.min(60, slot * 0.8));
  rows.forEach((r, i) => {
    const x = M.l + slot * i + (slot - bw) / 2;
    const bar = s('rect', { x, y: y(r.value), width: bw, height: Math.max(1, y(0) - y(r.value)), class: 'bar' + (r.value > 0 ? '' : ' zero') });
    bar.append(s('title', {}, tip(r)));
    svg.append(bar);
    if (slot >= 14) { // a name per bar while they fit side by side
      const tx = x + bw / 2;
      const angle = narrow ? -55 : -35;
      svg.append(s('text', { x: tx, y: H - M.b + 18, class: 'label', 'text-anchor': 'end', transform: `rotate(${angle} ${tx} ${H - M.b + 18})` }, clipLabel(r.e.label)));
    }
  });
  const med = median(rows.map((r) => r.value));
  svg.append(s('line', { x1: M.l, x2: W - M.r, y1: y(med), y2: y(med), class: 'median' }));
  const ml = s('text', { x: W - M.r, y: y(med) - 8, class: 'median-label', 'text-anchor': 'end' }, `median ${fmt(med)}`);
  svg.append(ml);
  el.chart.replaceChildren(svg);
}

// lostChart: lost updates per learner, in each learner's worst trial.
function lostChart(entries) {
  const rows = entries.map((e) => ({ e, v: lostVariant(e) })).filter((r) => r.v).map((r) => ({ ...r, value: worstLost(r.v) }));
  const name = rows[0].v.name;
  const expected = rows[0].v.expected;
  const said = (r) => wrongText(r.v, r.v.trials) || `lost ${fmtNum(r.value)} of ${fmtNum(r.v.expected)}`;
  bars(rows, fmtNum, (r) => `${r.e.label}: ${said(r)}`, `Lost updates per learner, worst trial, ${rows.length} runs`, true);
  rows.sort((a, b) => b.value - a.value);
  el.chartTitle.textContent = `Lost updates per learner, worst trial · ${name}, of ${fmtNum(expected)} increments`;
  const lossy = rows.filter((r) => r.value > 0);
  const trials = rows.reduce((n, r) => n + (r.v.trials || 0), 0);
  const wrong = rows.reduce((n, r) => n + (r.v.wrong_trials || 0), 0);
  const inTrials = trials > 0 ? `, in ${fmtNum(wrong)} of ${plural(trials, 'trial')} in all` : '';
  el.verdict.textContent = lossy.length
    ? `${fmtNum(lossy.length)} of ${plural(rows.length, 'run')} lost updates${inTrials}; the worst trials lost from ${fmtNum(lossy[lossy.length - 1].value)} to ${fmtNum(lossy[0].value)}: the same code, different losses, because the goroutines interleave differently every time.`
    : `None of ${plural(rows.length, 'run')} lost an update${trials > 0 ? ` in any of ${plural(trials, 'trial')}` : ''} this time: the goroutines rarely ran at the same instant on different cores. Run it again, or with more goroutines.`;
  el.chartNote.textContent = 'Each bar is one learner’s run: the updates lost in its worst trial. The line is the class median.';
}

// yoursChart: a round with the editor open: each learner's own variant,
// its median time, red where a trial was wrong, and the lab's best beside.
function yoursChart(entries) {
  const rows = entries.map((e) => ({ e, y: e.figures.yours, value: e.figures.yours.median_ms }));
  bars(rows, (v) => fmtMs(v) + ' ms', (r) => `${r.e.label}: right in ${r.y.right} of ${r.y.trials} trials, median ${fmtMs(r.value)} ms`,
    `Each learner's own variant: median time, ${rows.length} runs`);
  const marks = el.chart.querySelectorAll('rect.bar');
  rows.forEach((r, i) => marks[i]?.classList.add(r.y.right < r.y.trials ? 'wrong' : 'right'));
  el.chartTitle.textContent = 'Each learner’s own variant · median time; green: right in every trial, red: wrong in some';
  const right = rows.filter((r) => r.y.right === r.y.trials);
  const best = median(rows.map((r) => r.y.best_ms).filter((v) => v > 0));
  const bestNames = [...new Set(rows.map((r) => r.y.best).filter(Boolean))];
  const bestName = bestNames.length === 1 ? bestNames[0] : 'the fastest right variant';
  const fastest = right.sort((a, b) => a.value - b.value)[0];
  el.verdict.textContent = `${fmtNum(right.length)} of ${fmtNum(rows.length)} ${rows.length === 1 ? 'learner’s own variant was' : 'learners’ own variants were'} right in every trial` +
    (fastest ? `; the fastest of them, ${fastest.e.label}’s, took ${fmtMs(fastest.value)} ms (median)` : '') +
    (Number.isFinite(best) ? `, and the lab’s own best, ${bestName}, ${fmtMs(best)} ms (the median over these runs).` : '.');
  el.chartNote.textContent = 'Each bar is one learner’s own code (its median trial); red bars were wrong in some trial, so their time counts for nothing. Each answer is what the learner’s program reported through the lab’s harness in its sandbox.';
}

// speedupChart: for each variant, one dot per learner, with the median.
function speedupChart(entries) {
  const names = [];
  for (const e of entries) for (const v of e.figures.variants) if (!v.baseline && !names.includes(v.name)) names.push(v.name);
  const num = (n) => Number((n.match(/(\d+)(?!.*\d)/) || [])[1]);
  if (names.every((n) => Number.isFinite(num(n)))) names.sort((a, b) => num(a) - num(b));
  layout(el.chart);
  const H = narrow ? 360 : 400;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Speedup by variant, ${entries.length} runs` });
  const all = entries.flatMap((e) => e.figures.variants.filter((v) => !v.baseline).map((v) => v.speedup)).filter(Number.isFinite);
  const hi = Math.max(1.2, ...all) * 1.1;
  const y = axisY(svg, H, 0, hi, (v) => fmtSig(v) + '×');
  svg.append(s('line', { x1: M.l, x2: W - M.r, y1: y(1), y2: y(1), class: 'median base' }));
  svg.append(s('text', { x: W - M.r, y: y(1) - 8, class: 'median-label', 'text-anchor': 'end' }, 'baseline 1×'));
  const slot = (W - M.l - M.r) / Math.max(1, names.length);
  names.forEach((n, i) => {
    const cx = M.l + slot * (i + 0.5);
    const vals = [];
    entries.forEach((e, j) => {
      const v = e.figures.variants.find((x) => x.name === n);
      if (!v || !Number.isFinite(v.speedup)) return;
      vals.push(v.speedup);
      const jitter = ((j * 37) % 21 - 10) * Math.min(2.5, slot / 60);
      const dot = s('circle', { cx: cx + jitter, cy: y(v.speedup), r: narrow ? 6 : 7, class: 'dot vc' + (i % 8) });
      dot.append(s('title', {}, `${e.label}: ${fmtSig(v.speedup)}×`));
      svg.append(dot);
    });
    const m = median(vals);
    if (Number.isFinite(m)) svg.append(s('line', { x1: cx - slot * 0.3, x2: cx + slot * 0.3, y1: y(m), y2: y(m), class: 'median' }));
    // Names that would run into each other turn, as on the bars.
    const turn = slot < n.length * 8.5;
    svg.append(s('text', turn
      ? { x: cx, y: H - M.b + 18, class: 'label', 'text-anchor': 'end', transform: `rotate(-40 ${cx} ${H - M.b + 18})` }
      : { x: cx, y: H - M.b + 24, class: 'label', 'text-anchor': 'middle' }, turn ? clipLabel(n) : n));
  });
  el.chart.replaceChildren(svg);
  el.chartTitle.textContent = 'Speedup over the baseline, by variant · one dot per learner';
  const best = names.map((n) => [n, median(entries.map((e) => e.figures.variants.find((v) => v.name === n)?.speedup).filter(Number.isFinite))]).sort((a, b) => b[1] - a[1])[0];
  el.verdict.textContent = best
    ? `Across ${plural(entries.length, 'run')}, ${best[0]} was fastest with a median speedup of ${fmtSig(best[1])}×; the spread of the dots is how much one machine’s timings vary.`
    : '';
  el.chartNote.textContent = 'Each dot is one learner’s run; the bar across each column is the class median.';
}

// timeChart: the one variant's median time per learner.
function timeChart(entries) {
  const rows = entries.map((e) => ({ e, v: e.figures.variants[0] })).filter((r) => r.v).map((r) => ({ ...r, value: r.v.median_ms }));
  bars(rows, (v) => fmtMs(v) + ' ms', (r) => `${r.e.label}: ${fmtMs(r.value)} ms`, `Median time per learner, ${rows.length} runs`);
  el.chartTitle.textContent = `Median time per learner · ${rows[0].v.name}`;
  const lo = Math.min(...rows.map((r) => r.value)), hi = Math.max(...rows.map((r) => r.value));
  el.verdict.textContent = rows.length > 1
    ? `Across ${plural(rows.length, 'run')} of the same code, the median time went from ${fmtMs(lo)} to ${fmtMs(hi)} ms: timings on a shared machine vary, which is why each run repeats its trials.`
    : `${rows[0].e.label}’s run took ${fmtMs(lo)} ms (median). Ask everyone to run it and the spread appears here.`;
  el.chartNote.textContent = 'Each bar is one learner’s run (its median trial). The line is the class median.';
}

function clipLabel(t) {
  const most = narrow ? 11 : 13;
  return t.length > most ? t.slice(0, most - 1) + '…' : t;
}

// Predictions beside the results: two rows of dots on one axis.
function paintPrediction(done) {
  const p = prediction;
  const show = p && p.revealed && p.round === chosen && p.guesses?.length;
  el.predict.hidden = !show;
  if (!show) return;
  const { values: measured, expected } = measuredAnswers(p, done);
  const guesses = p.guesses.map((g) => ({ label: g.label, value: g.value }));
  const vals = [...measured, ...guesses].map((r) => r.value);
  if (expected !== null) vals.push(expected);
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (lo === hi) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.06;
  lo -= pad; hi += pad;
  layout(el.predictChart);
  // Row names sit left of the rows, or above them on a phone.
  const H = narrow ? 250 : 230;
  const left = narrow ? 24 : M.l + 60, right = narrow ? 28 : M.r + 70;
  const x = (v) => left + (W - left - right) * (v - lo) / (hi - lo);
  const fmt = p.question === 'count' ? fmtNum : (v) => fmtSig(v) + '×';
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${guesses.length} guesses beside ${measured.length} results` });
  const step = niceStep((hi - lo) / (narrow ? 3 : 6));
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
    svg.append(s('line', { x1: x(v), x2: x(v), y1: 20, y2: H - 40, class: 'grid' }));
    svg.append(s('text', { x: x(v), y: H - 15, class: 'tick', 'text-anchor': 'middle' }, fmt(v)));
  }
  const rowsY = narrow
    ? [[`Guessed (${guesses.length})`, 84, guesses, 'guess'], [`Measured (${measured.length})`, 164, measured, 'measured']]
    : [[`Guessed (${guesses.length})`, 70, guesses, 'guess'], [`Measured (${measured.length})`, 140, measured, 'measured']];
  for (const [name, cy, items, cls] of rowsY) {
    svg.append(narrow
      ? s('text', { x: 4, y: cy - 20, class: 'label strong', 'text-anchor': 'start' }, name)
      : s('text', { x: M.l + 40, y: cy + 5, class: 'label strong', 'text-anchor': 'end' }, name));
    items.forEach((r, i) => {
      const dot = s('circle', { cx: x(r.value), cy: cy + ((i * 7) % 15) - 7, r: 8, class: 'dot ' + cls });
      dot.append(s('title', {}, `${r.label}: ${fmt(r.value)}`));
      svg.append(dot);
    });
  }
  if (expected !== null) {
    svg.append(s('line', { x1: x(expected), x2: x(expected), y1: 30, y2: H - 40, class: 'median base' }));
    // Kept inside the chart when the expected answer is at its edge.
    const ex = x(expected);
    const anchor = ex > W - 90 ? 'end' : ex < 90 ? 'start' : 'middle';
    svg.append(s('text', { x: ex, y: 24, class: 'median-label', 'text-anchor': anchor }, `expected: ${fmtNum(expected)}`));
  }
  el.predictChart.replaceChildren(svg);
  el.predictNote.textContent = p.question === 'count'
    ? `“${p.prompt}” Each dot above is a learner’s guess; each dot below, the count a run really got in its worst trial.`
    : `“${p.prompt}” Each dot above is a learner’s guess; each dot below, a run’s best speedup.`;
}

// --- live ---------------------------------------------------------------

new SessionSocket(code, () => '', (ev) => {
  switch (ev.type) {
    case 'push':
      push = ev.push;
      if (push) titles.set(push.round, push.title);
      break;
    case 'prediction':
      prediction = ev.prediction;
      break;
    case 'ended':
      if (ev.ended) showEnded(ev.ended);
      return;
    case 'board':
      board.apply(ev);
      for (const e of ev.entries || []) if (!titles.has(e.round)) titles.set(e.round, e.experiment);
      break;
    default:
      return;
  }
  paint();
}, () => {}).connect();

// Redrawn at the new width when the window changes size (a phone turned).
let drawnAt = 0;
let resizing = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    const w = el.chart.clientWidth || el.predictChart.clientWidth;
    if (w && w !== drawnAt) {
      drawnAt = w;
      paint();
    }
  }, 150);
});

const endedAt = $('session-ended')?.dataset.ended;
if (endedAt) showEnded(endedAt);
paint();
drawnAt = el.chart.clientWidth || el.predictChart.clientWidth;
