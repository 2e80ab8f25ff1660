// The pixels experiment's clip tools, beside the form's `clip` field: a
// gallery of the server's clips (a card picks the clip), an upload that
// adds one, and "What counts as blue": a frame of the chosen clip beside
// its blue mask. The form stays the source of truth: a card sets the
// select and fires its change event, so the share link follows as it does
// for every other field.

import { h, fmtNum, fmtMB } from '/static/js/util.js';

const form = document.getElementById('params');
const select = form?.elements.namedItem('clip');

function Clips(form, select) {
  this.form = form;
  this.select = select;
  this.clips = [];
  this.max = 0;
  this.build();
}

Clips.prototype.build = function () {
  const field = this.select.closest('.field');
  this.cards = h('ul', { class: 'clip-cards', role: 'list', 'aria-label': 'Clips' });
  this.status = h('p', { class: 'clips-note', role: 'status' }, 'Loading the clips…');

  // upload
  this.file = h('input', { type: 'file', id: 'clip-file', accept: 'video/*,.avi,.mp4,.mov,.mkv,.webm,.m4v', 'aria-describedby': 'clip-up-help' });
  this.upBtn = h('button', { type: 'button', class: 'btn small', disabled: true }, 'Upload');
  this.bar = h('progress', { class: 'cu-bar', max: '1', value: '0', hidden: true, 'aria-label': 'Upload progress' });
  this.upMsg = h('p', { class: 'cu-msg', role: 'status', 'aria-live': 'polite' });
  this.upErr = h('p', { class: 'cu-err', role: 'alert', hidden: true });
  this.upHelp = h('p', { class: 'help', id: 'clip-up-help' }, 'A video file ffmpeg can read.');
  const upload = h('div', { class: 'clip-upload' },
    h('label', { for: 'clip-file', class: 'cu-label' }, 'Add a clip'),
    h('div', { class: 'cu-row' }, this.file, this.upBtn),
    this.upHelp, this.bar, this.upMsg, this.upErr);

  // what counts as blue
  this.range = h('input', { type: 'range', id: 'blue-i', min: '0', max: '0', value: '0', step: '1', 'aria-describedby': 'blue-of' });
  this.num = h('input', { type: 'number', class: 'blue-num', min: '0', max: '0', value: '0', step: '1', inputmode: 'numeric', 'aria-label': 'Frame number' });
  this.of = h('span', { class: 'blue-of', id: 'blue-of' });
  this.frameImg = h('img', { class: 'blue-img', alt: '', decoding: 'async' });
  this.maskImg = h('img', { class: 'blue-img mask', alt: '', decoding: 'async' });
  this.frameCap = h('figcaption', {}, 'Frame');
  this.pair = h('div', { class: 'blue-pair' },
    h('figure', {}, this.frameImg, this.frameCap),
    h('figure', {}, this.maskImg, h('figcaption', {}, 'Blue mask: white pixels count')));
  this.blue = h('div', { class: 'blue', role: 'group', 'aria-labelledby': 'blue-h', hidden: true },
    h('h3', { class: 'clips-h', id: 'blue-h' }, 'What counts as blue'),
    h('p', { class: 'blue-rule' }, 'A pixel counts as blue when its blue channel is at least 50 and its green and red are both at most 50 (',
      h('b', {}, 'B ≥ 50, G ≤ 50, R ≤ 50'), ', on 0–255).'),
    this.pair,
    h('div', { class: 'blue-pick' }, h('label', { for: 'blue-i' }, 'Frame'), this.range, this.num, this.of));

  this.root = h('div', { class: 'clips', role: 'group', 'aria-labelledby': 'clips-h' },
    h('div', { class: 'clips-head' }, h('h3', { class: 'clips-h', id: 'clips-h' }, 'Clip library'), this.status),
    this.cards, upload, this.blue);
  if (field) field.after(this.root);
  else this.form.prepend(this.root);
  field?.classList.add('has-clips');

  // Our own controls have no name, so they are not parameters: keep their
  // events from the form, which would clear its error and rewrite the URL.
  for (const t of ['input', 'change']) this.root.addEventListener(t, (e) => e.stopPropagation());

  this.select.addEventListener('change', () => this.chosen());
  this.file.addEventListener('change', () => this.picked());
  this.upBtn.addEventListener('click', () => this.upload());
  let timer = 0;
  const setFrame = (v, now) => {
    clearTimeout(timer);
    const i = this.clampFrame(v);
    this.range.value = String(i);
    if (document.activeElement !== this.num || now) this.num.value = String(i);
    timer = setTimeout(() => this.show(i), now ? 0 : 140);
  };
  this.range.addEventListener('input', () => setFrame(this.range.value));
  this.num.addEventListener('input', () => { if (this.num.value !== '') setFrame(this.num.value); });
  this.num.addEventListener('change', () => setFrame(this.num.value, true));
  for (const img of [this.frameImg, this.maskImg]) {
    img.addEventListener('load', () => this.loaded());
    img.addEventListener('error', () => this.loaded(true));
  }
};

Clips.prototype.load = async function () {
  try {
    const res = await fetch('/api/clips', { headers: { Accept: 'application/json' } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || `The server answered ${res.status}.`);
    this.clips = Array.isArray(body.clips) ? body.clips : [];
    this.max = Number(body.max_upload_bytes) || 0;
  } catch (err) {
    this.status.textContent = 'Could not load the clips: ' + (err instanceof Error ? err.message : String(err));
    this.status.classList.add('bad');
    return;
  }
  if (this.max) this.upHelp.textContent = `A video file ffmpeg can read, up to ${fmtMB(this.max)}.`;
  this.render();
  this.chosen();
};

Clips.prototype.render = function () {
  const n = this.clips.length;
  this.status.textContent = n === 1 ? '1 clip' : `${n} clips`;
  this.status.classList.remove('bad');
  this.cards.replaceChildren(...this.clips.map((c) => {
    const dims = c.width && c.height ? ` · ${c.width}×${c.height}` : '';
    const img = h('img', { src: c.poster, alt: '', loading: 'lazy', decoding: 'async', width: c.width || null, height: c.height || null });
    img.addEventListener('error', () => img.classList.add('broken'), { once: true });
    img.addEventListener('load', () => { if (c.frames > 2 && isDark(img)) img.src = c.frame + '?i=' + Math.floor(c.frames / 3); }, { once: true });
    const btn = h('button', { type: 'button', class: 'clip-card', 'aria-pressed': 'false', title: c.name },
      h('span', { class: 'cc-poster' }, img),
      h('span', { class: 'cc-name' }, c.name),
      h('span', { class: 'cc-meta' }, `${fmtNum(c.frames)} frames · ${fmtDuration(c.duration_s)}`),
      h('span', { class: 'cc-meta' }, fmtMB(c.size) + dims));
    btn.dataset.name = c.name;
    btn.addEventListener('click', () => this.choose(c.name));
    return h('li', {}, btn);
  }));
  if (!n) this.cards.append(h('li', { class: 'clips-none' }, 'No clips yet: upload one below.'));
};

/** choose selects a clip in the form, as if picked from the list. */
Clips.prototype.choose = function (name) {
  if (![...this.select.options].some((o) => o.value === name)) {
    this.select.add(new Option(name, name));
    const opts = [...this.select.options].sort((a, b) => a.value.localeCompare(b.value));
    this.select.replaceChildren(...opts);
  }
  if (this.select.value === name) return;
  this.select.value = name;
  this.select.dispatchEvent(new Event('change', { bubbles: true }));
};

/** chosen follows the form's clip: the pressed card and the frame viewer. */
Clips.prototype.chosen = function () {
  const name = this.select.value;
  for (const b of this.cards.querySelectorAll('.clip-card')) b.setAttribute('aria-pressed', String(b.dataset.name === name));
  const c = this.clips.find((x) => x.name === name);
  this.clip = c;
  if (!c || !(c.frames > 0)) {
    this.blue.hidden = true;
    return;
  }
  this.blue.hidden = false;
  const last = Math.max(0, c.frames - 1);
  for (const el of [this.range, this.num]) el.max = String(last);
  this.of.textContent = `/ ${fmtNum(last)}`;
  for (const img of [this.frameImg, this.maskImg]) {
    if (c.width && c.height) { img.width = c.width; img.height = c.height; }
  }
  const mid = Math.floor(last / 2);
  this.range.value = this.num.value = String(mid);
  this.show(mid);
};

Clips.prototype.clampFrame = function (v) {
  const last = Math.max(0, (this.clip?.frames || 1) - 1);
  const i = Math.round(Number(v));
  return Number.isFinite(i) ? Math.min(last, Math.max(0, i)) : 0;
};

Clips.prototype.show = function (i) {
  const c = this.clip;
  if (!c) return;
  const q = (u) => u + (u.includes('?') ? '&' : '?') + 'i=' + i;
  const frame = q(c.frame);
  const mask = q(c.mask);
  if (this.frameImg.getAttribute('src') === frame && this.maskImg.getAttribute('src') === mask) return;
  this.pending = 2;
  this.pair.classList.add('is-loading');
  this.pair.classList.remove('is-broken');
  this.frameImg.src = frame;
  this.maskImg.src = mask;
  this.frameImg.alt = `Frame ${i} of ${c.name}`;
  this.maskImg.alt = `Blue mask of frame ${i}: white where the pixel counts as blue`;
  this.frameCap.textContent = `Frame ${fmtNum(i)}`;
};

Clips.prototype.loaded = function (broken) {
  if (broken) this.pair.classList.add('is-broken');
  this.pending = Math.max(0, (this.pending || 0) - 1);
  if (!this.pending) this.pair.classList.remove('is-loading');
};

Clips.prototype.picked = function () {
  const f = this.file.files?.[0];
  this.upErr.hidden = true;
  this.upMsg.textContent = '';
  this.upBtn.disabled = !f || this.busy;
  if (f && this.max && f.size > this.max) {
    this.fail(`${f.name} is ${fmtMB(f.size)}; clips can be at most ${fmtMB(this.max)}.`);
    this.upBtn.disabled = true;
  } else if (f) {
    this.upMsg.textContent = `${f.name}, ${fmtMB(f.size)}: ready to upload.`;
  }
};

Clips.prototype.fail = function (msg) {
  this.upErr.textContent = msg;
  this.upErr.hidden = false;
  this.upMsg.textContent = '';
};

Clips.prototype.upload = function () {
  const f = this.file.files?.[0];
  if (!f || this.busy) return;
  this.busy = true;
  this.upBtn.disabled = true;
  this.file.disabled = true;
  this.upErr.hidden = true;
  this.bar.hidden = false;
  this.bar.value = 0;
  this.root.setAttribute('aria-busy', 'true');
  this.upMsg.textContent = `Uploading ${f.name}…`;

  const fd = new FormData();
  fd.append('clip', f, f.name);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/api/clips');
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.upload.addEventListener('progress', (e) => {
    if (!e.lengthComputable) return;
    this.bar.value = e.loaded / e.total;
    this.upMsg.textContent = `Uploading ${f.name}… ${Math.floor((100 * e.loaded) / e.total)}%`;
  });
  xhr.upload.addEventListener('load', () => {
    this.bar.removeAttribute('value'); // indeterminate while the server reads the video
    this.upMsg.textContent = `Reading ${f.name} on the server…`;
  });
  const done = () => {
    this.busy = false;
    this.file.disabled = false;
    this.bar.hidden = true;
    this.root.removeAttribute('aria-busy');
    this.upBtn.disabled = !this.file.files?.[0];
  };
  xhr.addEventListener('load', () => {
    done();
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
    if (xhr.status >= 200 && xhr.status < 300 && body.clip?.name) {
      const c = body.clip;
      this.clips = this.clips.filter((x) => x.name !== c.name).concat(c).sort((a, b) => a.name.localeCompare(b.name));
      this.render();
      this.file.value = '';
      this.upBtn.disabled = true;
      this.upMsg.textContent = xhr.status === 201
        ? `Added ${c.name}: ${fmtNum(c.frames)} frames. It is now the chosen clip.`
        : `That video is already in the library as ${c.name}; it is now the chosen clip.`;
      this.choose(c.name);
      this.chosen();
      this.cards.querySelector('[aria-pressed=true]')?.scrollIntoView({ block: 'nearest' });
    } else {
      this.fail(body.error ? `The upload was refused: ${body.error}.`.replace(/\.\.$/, '.') : `The upload failed: the server answered ${xhr.status} ${xhr.statusText}.`);
    }
  });
  xhr.addEventListener('error', () => { done(); this.fail('Could not reach the server to upload the clip.'); });
  xhr.addEventListener('abort', () => { done(); this.fail('The upload was cancelled.'); });
  xhr.send(fd);
};

// isDark tells a poster that is all but black (a clip that fades in), so
// its card can show a frame from further in instead.
function isDark(img) {
  try {
    const c = document.createElement('canvas');
    c.width = c.height = 8;
    const g = c.getContext('2d', { willReadFrequently: true });
    g.drawImage(img, 0, 0, 8, 8);
    const d = g.getImageData(0, 0, 8, 8).data;
    let max = 0;
    for (let i = 0; i < d.length; i += 4) max = Math.max(max, d[i], d[i + 1], d[i + 2]);
    return max < 24;
  } catch {
    return false;
  }
}

function fmtDuration(s) {
  const v = Number(s);
  if (!Number.isFinite(v) || v <= 0) return '—';
  if (v < 10) return v.toFixed(1) + ' s';
  if (v < 600) return Math.round(v) + ' s';
  return Math.round(v / 60) + ' min';
}

if (form && select instanceof HTMLSelectElement) new Clips(form, select).load();
