// life's own view (lab.View "life"): the grid as it went, generation by
// generation. A trial of the run's first variant keeps its generations in
// extra "frames" (each a base64 string of the cells' bits, row by row)
// when the grid is small enough (extra "frame_size" cells a side); this
// plays them on a canvas, a few generations a second, in a loop.

import { cssVar } from '/static/js/util.js';

const FRAME_MS = 250;

/** unpack returns the cells of a frame: 1 alive, 0 dead. */
export function unpack(frame, size) {
  const bytes = Uint8Array.from(atob(frame), (c) => c.charCodeAt(0));
  const cells = new Uint8Array(size * size);
  for (let i = 0; i < cells.length; i++) cells[i] = (bytes[i >> 3] >> (i & 7)) & 1;
  return cells;
}

/** framesOf finds the first trial that kept frames. */
export function framesOf(result) {
  for (const v of result?.variants || []) {
    for (const t of v.trials || []) {
      const f = t.extra?.frames;
      const size = Number(t.extra.frame_size);
      if (Array.isArray(f) && f.length && size > 0) return { variant: v.name, size, frames: f };
    }
  }
  return null;
}

class Animation {
  constructor(root) {
    this.root = root;
    this.canvas = root.querySelector('#life-canvas');
    this.gen = root.querySelector('#life-gen');
    this.sub = root.querySelector('#life-sub');
    this.play = root.querySelector('#life-play');
    this.timer = 0;
    this.play.addEventListener('click', () => (this.timer ? this.stop() : this.start()));
  }

  reset() {
    this.stop();
    this.root.hidden = true;
  }

  show(result) {
    this.reset();
    const f = framesOf(result);
    if (!f) return;
    this.f = f;
    this.cells = f.frames.map((fr) => unpack(fr, f.size));
    this.k = 0;
    this.root.hidden = false;
    this.sub.textContent = `The ${f.size} × ${f.size} grid as the ${f.variant} variant computed it, ${f.frames.length - 1} generations after the seeded start (the grid wraps at its edges).`;
    this.draw();
    this.start();
  }

  start() {
    this.stop();
    this.play.textContent = 'Pause';
    this.timer = setInterval(() => { this.k = (this.k + 1) % this.cells.length; this.draw(); }, FRAME_MS);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = 0;
    this.play.textContent = 'Play';
  }

  draw() {
    const { size } = this.f;
    const c = this.canvas;
    const scale = Math.max(1, Math.floor(320 / size));
    c.width = c.height = size * scale;
    const ctx = c.getContext('2d');
    ctx.fillStyle = cssVar('--surface-2');
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.fillStyle = cssVar('--accent');
    const cells = this.cells[this.k];
    let alive = 0;
    for (let i = 0; i < cells.length; i++) {
      if (!cells[i]) continue;
      alive++;
      ctx.fillRect((i % size) * scale, Math.floor(i / size) * scale, scale, scale);
    }
    this.gen.textContent = `Generation ${this.k} of ${this.cells.length - 1}: ${alive} alive`;
    c.setAttribute('aria-label', `The grid at generation ${this.k}, ${alive} cells alive`);
  }
}

// The page has this view only where life declares it: attach to its panel
// and follow the run panel's results.
const panel = document.querySelector('[data-view="life"]');
const run = document.getElementById('run');
if (panel && run) {
  const anim = new Animation(panel);
  run.addEventListener('lab:reset', () => anim.reset());
  run.addEventListener('lab:result', (ev) => anim.show(ev.detail));
  if (run.labResult) anim.show(run.labResult);
}
