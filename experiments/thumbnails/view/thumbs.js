// thumbnails' own view (lab.View "thumbs"): the thumbnails of the first
// photo as the run's first variant made them (extra "thumbs" of its
// trials: JPEG data URLs, 200, 64 and 32 px wide), and for each variant
// where its median trial's time went: downloading only, both at once
// (the overlap), resizing only (extra download_ms, resize_ms, overlap_ms).

import { fmtMs } from '/static/js/util.js';

const SIZES = [200, 64, 32];
const PREFIX = 'data:image/jpeg;base64,';

/** thumbsOf finds the first trial that kept the thumbnails. */
export function thumbsOf(result) {
  for (const v of result?.variants || []) {
    for (const t of v.trials || []) {
      const th = t.extra?.thumbs;
      if (Array.isArray(th) && th.length === SIZES.length && th.every((s) => typeof s === 'string' && s.startsWith(PREFIX))) {
        return { variant: v.name, urls: th };
      }
    }
  }
  return null;
}

/** parts splits a variant's busy time into downloading only, both, resizing only. */
export function parts(extra) {
  const dl = Number(extra?.download_ms), rs = Number(extra?.resize_ms), both = Number(extra?.overlap_ms);
  if (![dl, rs, both].every(Number.isFinite)) return null;
  return { dlOnly: Math.max(0, dl - both), both, rsOnly: Math.max(0, rs - both) };
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function showThumbs(root, result) {
  const box = root.querySelector('#th-imgs');
  const sub = root.querySelector('#th-sub');
  box.replaceChildren();
  const found = thumbsOf(result);
  if (!found) {
    sub.textContent = 'No trial kept its thumbnails.';
    return;
  }
  sub.textContent = `As the ${found.variant} variant made them, ${SIZES.join(', ')} px wide, each checked against the reference thumbnails computed before the trials.`;
  found.urls.forEach((url, k) => {
    const fig = el('figure');
    const img = el('img');
    img.src = url;
    img.alt = `Photo 1, ${SIZES[k]} px wide`;
    img.addEventListener('load', () => { fig.querySelector('figcaption').textContent = `${img.naturalWidth} × ${img.naturalHeight}`; });
    fig.append(img, el('figcaption', '', `${SIZES[k]} px`));
    box.append(fig);
  });
}

function showBars(root, result) {
  const bars = root.querySelector('#th-bars');
  bars.replaceChildren();
  const rows = (result?.variants || []).map((v) => ({ v, p: parts(v.extra) })).filter((r) => r.p);
  const longest = Math.max(1, ...rows.map((r) => Math.max(r.v.median_ms, r.p.dlOnly + r.p.both + r.p.rsOnly)));
  for (const { v, p } of rows) {
    const name = el('div', 'th-name', v.name);
    const track = el('div', 'th-track');
    track.setAttribute('role', 'listitem');
    const bar = el('div', 'th-bar');
    for (const [cls, ms] of [['th-dl', p.dlOnly], ['th-both', p.both], ['th-rs', p.rsOnly]]) {
      const s = el('span', cls);
      s.style.width = `${(100 * ms) / longest}%`;
      bar.append(s);
    }
    const note = el('div', 'th-note',
      `overlap ${fmtMs(p.both)} ms · downloading only ${fmtMs(p.dlOnly)} ms · resizing only ${fmtMs(p.rsOnly)} ms · median ${fmtMs(v.median_ms)} ms`);
    track.setAttribute('aria-label', `${v.name}: ${note.textContent}`);
    track.append(bar, note);
    bars.append(name, track);
  }
}

function show(root, result) {
  if (!result?.variants?.length) {
    root.hidden = true;
    return;
  }
  showThumbs(root, result);
  showBars(root, result);
  root.hidden = false;
}

// The page has this view only where thumbnails declares it: attach to its
// panel and follow the run panel's results.
const panel = document.querySelector('[data-view="thumbs"]');
const run = document.getElementById('run');
if (panel && run) {
  run.addEventListener('lab:reset', () => { panel.hidden = true; });
  run.addEventListener('lab:result', (ev) => show(panel, ev.detail));
  if (run.labResult) show(panel, run.labResult);
}
