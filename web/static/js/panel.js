// RunPanel renders one run from its events alone, so a replay of a
// finished run rebuilds the same view a live watcher saw. Rendering is
// batched: events update state, one animation frame paints the DOM, and
// the stream of progress, samples and spans repaints a few times a second.

import { RunStream, isFinal } from './events.js';
import { Timeline } from './timeline.js';
import { Charts } from './charts.js';
import { renderResults } from './table.js';
import { Reports } from './reports.js';
import { Sweep } from './sweep.js';
import { showTraceLinks } from './tracelinks.js';
import { h, fmtNum, fmtBytes, fmtElapsed, fmtDate, ordinal, copyText, throttle, LIVE_MS, cpuList } from './util.js';

const STATUS = {
  idle: 'Ready',
  queued: 'Queued',
  running: 'Running…',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted: the server stopped while this run was live',
};

export class RunPanel {
  /** @param {(name: string) => number} colourIndex a variant's palette slot */
  constructor(root, colourIndex) {
    this.root = root;
    this.colourIndex = colourIndex;
    const $ = (id) => root.querySelector('#' + id);
    this.el = {
      status: $('run-status-text'), cancel: $('run-cancel'), rerun: $('run-rerun'), error: $('run-error'),
      empty: $('run-empty'), body: $('run-body'), progress: $('run-progress'), verdict: $('run-verdict'),
      results: $('run-results'), tbody: $('run-table').tBodies[0], log: $('log'), logLines: $('log-lines'),
      logCount: $('log-count'), env: $('run-env'), permalink: $('permalink'), permalinkA: $('permalink-a'),
      copy: $('permalink-copy'), note: $('run-note'), traces: $('run-traces'),
    };
    this.timeline = new Timeline($('tl'), colourIndex);
    this.charts = new Charts($('charts'));
    this.reports = new Reports($('run-reports'), colourIndex);
    this.sweep = new Sweep($('sweep'), colourIndex);
    this.later = throttle(LIVE_MS, () => this.schedule());
    /** onStatus, if set, hears every change of state: (state, position, etaS) */
    this.onStatus = null;
    this.el.copy.addEventListener('click', async () => {
      try {
        await copyText(this.el.permalinkA.href);
        this.el.copy.textContent = 'Copied';
        setTimeout(() => { this.el.copy.textContent = 'Copy'; }, 1500);
      } catch { window.prompt('Copy this link:', this.el.permalinkA.href); }
    });
  }

  /** follow shows the run and streams its events; run is {id, events, api}. */
  follow(run) {
    this.stream?.close();
    this.run = run;
    this.state = 'queued';
    this.position = 0;
    this.eta = null; // {s, at}: a queued status event's eta_s, and when it came
    this.started = null;
    this.lastT = 0;
    this.progress = new Map();
    this.logBuf = [];
    this.logN = 0;
    this.result = null;
    this.errors = [];
    this.root.dataset.runId = run.id;
    this.root.dataset.eventsUrl = run.events;
    this.root.dataset.apiUrl = run.api;
    const e = this.el;
    if (e.empty) e.empty.hidden = true;
    e.body.hidden = false;
    e.progress.replaceChildren();
    e.verdict.hidden = true;
    if (e.verdict.nextElementSibling?.classList.contains('verdict-details')) e.verdict.nextElementSibling.hidden = true;
    e.results.hidden = true;
    e.tbody.replaceChildren();
    e.log.hidden = true;
    e.traces.hidden = true;
    e.log.open = false;
    e.logLines.textContent = '';
    e.env.replaceChildren();
    e.permalinkA.href = '/runs/' + run.id;
    e.permalinkA.textContent = '/runs/' + run.id;
    e.permalink.hidden = false;
    this.setError('');
    this.timeline.reset();
    this.charts.reset();
    this.reports.reset();
    this.sweep.reset();
    this.resetViews();
    this.setState(run.status || 'queued');
    this.fetchRun();
    this.stream = new RunStream(run.events, (ev) => this.handle(ev), (why) => this.ended(why));
    this.stream.connect();
  }

  handle(ev) {
    if (typeof ev.t === 'number' && ev.t > this.lastT) this.lastT = ev.t;
    switch (ev.type) {
      case 'status':
        if (ev.state === 'running' && this.started === null) {
          this.started = ev.t;
          this.timeline.setStart(ev.t);
          this.charts.t0 = ev.t;
        }
        this.position = ev.position || 0;
        this.eta = ev.state === 'queued' && Number.isFinite(ev.eta_s) ? { s: ev.eta_s, at: Date.now() } : null;
        this.setState(ev.state);
        if (isFinal(ev.state)) {
          this.finishedT = ev.t;
          this.fetchRun();
        }
        break;
      case 'progress':
        this.progress.set(String(ev.variant), ev);
        this.later();
        return;
      case 'sample':
        this.charts.add(ev);
        this.later();
        return;
      case 'span':
        this.timeline.add(ev);
        this.later();
        return;
      case 'log':
        this.logBuf.push(String(ev.text ?? ''));
        this.later();
        return;
      case 'result':
        this.result = ev;
        break;
      case 'error':
        this.errors.push(String(ev.message ?? 'The run reported an error.'));
        break;
    }
    this.schedule();
  }

  /**
   * clear stops following the run and empties the panel, as before the
   * first run: for a run that no longer belongs on the page (a spotlight
   * turned off, a round that ended).
   */
  clear() {
    this.stream?.close();
    this.stream = null;
    this.run = { id: '' };
    this.result = null;
    this.shownResult = null;
    delete this.root.dataset.runId;
    delete this.root.dataset.eventsUrl;
    delete this.root.dataset.apiUrl;
    const e = this.el;
    if (e.empty) e.empty.hidden = false;
    e.body.hidden = true;
    e.permalink.hidden = true;
    e.verdict.hidden = true;
    e.results.hidden = true;
    e.traces.hidden = true;
    e.tbody.replaceChildren();
    e.progress.replaceChildren();
    this.setError('');
    this.timeline.reset();
    this.charts.reset();
    this.reports.reset();
    this.sweep.reset();
    this.resetViews();
    this.eta = null;
    this.setState('idle');
  }

  /** waitText is when the queued run is expected to be done, "done in about 12 s", or ''. */
  waitText() {
    if (this.state !== 'queued' || !this.eta) return '';
    return doneIn(this.eta.s - (Date.now() - this.eta.at) / 1000);
  }

  ended(why) {
    if (!this.run.id) return; // cleared
    if (why.reason) this.setError(why.reason);
    else if (why.lost) this.setError('Lost the connection to the server; reload the page to see the rest of this run.');
    if (!why.done) this.fetchRun(true);
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  paint() {
    const e = this.el;
    this.paintStatus();
    this.paintProgress();
    if (this.logBuf.length) {
      e.logLines.append((this.logN ? '\n' : '') + this.logBuf.join('\n'));
      this.logN += this.logBuf.length;
      this.logBuf = [];
      e.log.hidden = false;
      e.logCount.textContent = fmtNum(this.logN) + (this.logN === 1 ? ' line' : ' lines');
    }
    if (this.errors.length) this.setError(this.errors.join('\n'));
    if (this.result && this.result !== this.shownResult) {
      this.shownResult = this.result;
      showVerdict(e.verdict, this.result.verdict || '', this.result.details || '');
      renderResults(e.tbody, this.result, this.colourIndex);
      e.results.hidden = false;
      this.reports.show(this.result);
      this.sweep.show(this.result);
      this.root.labResult = this.result;
      this.root.dispatchEvent(new CustomEvent('lab:result', { detail: this.result }));
    }
  }

  // resetViews tells the experiment's own views (lab.View) that the
  // result they showed is gone: they hear "lab:reset", then "lab:result"
  // with each result, on the panel's root.
  resetViews() {
    this.root.labResult = null;
    this.root.dispatchEvent(new CustomEvent('lab:reset'));
  }

  setState(state) {
    const changed = state !== this.state;
    this.state = state;
    if (this.onStatus) this.onStatus(state, this.position, this.eta ? this.eta.s : null, changed);
    this.root.dataset.status = state;
    const final = isFinal(state);
    this.el.cancel.hidden = final || state === 'idle';
    this.el.rerun.hidden = !final;
    this.el.note.hidden = state !== 'queued';
    this.schedule();
  }

  paintStatus() {
    let text = STATUS[this.state] || this.state;
    if (this.state === 'queued' && this.position > 0) {
      const wait = this.waitText();
      text = `Queued: ${ordinal(this.position)} in line${wait ? ', ' + wait : ''}`;
      if (this.eta) this.tick(); // count the wait down
    }
    else if (this.state === 'running' && this.started !== null) text = `Running · ${fmtElapsed(this.lastT - this.started)}`;
    else if (this.state === 'done' && this.started !== null) text = `Done in ${fmtElapsed(this.finishedT - this.started)}`;
    if (this.el.status.textContent !== text) this.el.status.textContent = text;
  }

  // tick repaints the status in a second, while a queued run counts down.
  tick() {
    if (this.ticking) return;
    this.ticking = setTimeout(() => {
      this.ticking = 0;
      if (this.state === 'queued') this.schedule();
    }, 1000);
  }

  paintProgress() {
    const e = this.el;
    e.progress.hidden = this.result !== null && isFinal(this.state);
    for (const [name, p] of this.progress) {
      let row = e.progress.querySelector(`[data-variant="${CSS.escape(name)}"]`);
      if (!row) {
        const vc = 'vc' + (this.colourIndex(name) % 8);
        row = h('div', { class: 'prog', 'data-variant': name },
          h('span', { class: 'prog-name' }, h('span', { class: 'swatch ' + vc, 'aria-hidden': 'true' }), name),
          h('div', { class: 'prog-bar', role: 'progressbar', 'aria-label': name, 'aria-valuemin': '0' }, h('div', { class: 'prog-fill ' + vc })),
          h('span', { class: 'prog-num' }));
        e.progress.append(row);
      }
      const total = Number(p.total) || 0, done = Math.min(Number(p.done) || 0, total || Infinity);
      const bar = row.querySelector('.prog-bar');
      bar.setAttribute('aria-valuemax', String(total));
      bar.setAttribute('aria-valuenow', String(done));
      row.querySelector('.prog-fill').style.width = (total ? (100 * done) / total : 0) + '%';
      row.querySelector('.prog-num').textContent = `${fmtNum(done)} / ${fmtNum(total)}${p.unit ? ' ' + p.unit : ''}`;
    }
  }

  setError(text) {
    this.el.error.textContent = text;
    this.el.error.hidden = !text;
  }

  /** fetchRun reads GET /api/runs/{id} for the environment (and, if the stream failed, the outcome). */
  async fetchRun(fallback = false) {
    const id = this.run.id;
    try {
      const res = await fetch(this.run.api, { headers: { Accept: 'application/json' } });
      if (!res.ok || this.run.id !== id) return;
      const run = await res.json();
      this.params = run.params;
      this.paintEnv(run);
      // The kept raw traces are the stored run's, not the result event's.
      showTraceLinks(this.el.traces, id, run.result, this.colourIndex);
      if (fallback) {
        if (run.status) this.setState(run.status);
        if (run.result && !this.result) this.result = run.result;
        if (run.error) this.setError(run.error);
        this.schedule();
      }
    } catch { /* the stream is the source of truth; the env can wait */ }
  }

  paintEnv(run) {
    const env = run.env || {};
    this.sweep.setEnv(env);
    const rows = [];
    if (env.go_version) rows.push(['Go', env.go_version]);
    if (env.os) rows.push(['OS / arch', env.arch ? `${env.os}/${env.arch}` : env.os]);
    const cpus = Array.isArray(env.cpus) && env.cpus.length ? env.cpus : null;
    if (env.num_cpu || cpus) rows.push(['CPU cores', coresText(env, cpus), true]);
    if (env.gomaxprocs) rows.push(['GOMAXPROCS', fmtNum(env.gomaxprocs)]);
    const rss = run.result?.peak_rss_bytes ?? this.result?.peak_rss_bytes;
    if (Number(rss) > 0) rows.push(['Peak memory', fmtBytes(rss)]);
    if (env.runner) rows.push(['Runner', env.runner]);
    if (env.in_flight) rows.push(['Runs in flight', inFlightText(env.in_flight, cpus ? env.pinned : undefined), env.in_flight > 1]);
    if (Number.isFinite(env.others_pct)) rows.push(['Other programs', `took ${env.others_pct}% of the run's cores`, true]);
    const created = run.created || this.root.dataset.created;
    this.el.env.replaceChildren(...rows.map(([k, v, wide]) => h('div', { class: wide ? 'wide' : null }, h('dt', { text: k }), h('dd', { text: v }))));
    if (created) {
      this.el.env.append(h('div', { class: 'wide' }, h('dt', { text: 'Created' }), h('dd', {}, h('time', { datetime: created, text: fmtDate(created) }))));
    }
  }
}

/**
 * waitWords writes seconds as people say them: "about 8 s", "about 1 min
 * 45 s", "about 12 min"; "under a second" below one.
 */
export function waitWords(s) {
  if (!Number.isFinite(s)) return '';
  if (s < 1) return 'under a second';
  if (s < 60) return `about ${Math.ceil(s)} s`;
  const m = Math.floor(s / 60), rest = Math.round((s % 60) / 5) * 5;
  if (s < 600 && rest >= 5 && rest < 60) return `about ${m} min ${rest} s`;
  return `about ${Math.round(s / 60)} min`;
}

/** doneIn says when a wait of s seconds ends: "done in about 8 s", "due any moment". */
export function doneIn(s) {
  if (!Number.isFinite(s)) return '';
  return s < 1 ? 'due any moment' : 'done in ' + waitWords(s);
}

// coresText says which cores the run had: "2, pinned to CPUs 0–1"; runs
// from before runner slots say only how many the machine had.
function coresText(env, cpus) {
  const n = env.num_cpu ? fmtNum(env.num_cpu) : '';
  if (!cpus) return n;
  const where = env.pinned ? `pinned to ${cpus.length === 1 ? 'CPU' : 'CPUs'} ${cpuList(cpus)}` : 'not pinned';
  return n ? `${n}, ${where}` : where;
}

// inFlightText describes the runs that executed beside this one. pinned is
// undefined for runs from before runner slots, when runs at once shared
// the machine's cores.
function inFlightText(n, pinned) {
  if (n === 1) return '1 (it ran alone)';
  const at = `${fmtNum(n)} runs executed at once`;
  if (pinned === true) return at + ', each on cores of its own';
  if (pinned === false) return at + '; this one was not pinned, so they may have shared cores';
  return at + ', sharing the machine’s cores';
}

// showVerdict sets the run's verdict: the headline, and below it the
// details folded away (a disclosure made once, after the headline). A long
// headline (from a run stored before verdicts had details) reads as a
// paragraph: its first sentence stays bold, the rest in normal weight.
function showVerdict(el, text, details) {
  let more = el.nextElementSibling?.classList.contains('verdict-details') ? el.nextElementSibling : null;
  if (!more) {
    more = h('details', { class: 'verdict-details', hidden: true }, h('summary', { text: 'Details: what else the figures say' }), h('p'));
    el.after(more);
  }
  more.hidden = !details;
  more.querySelector('p').textContent = details;
  el.hidden = !text;
  const long = text.length > 260;
  el.classList.toggle('long', long);
  const m = long ? /^(.+?[.!?])\s+(?=\S)/.exec(text) : null;
  if (m) el.replaceChildren(h('strong', {}, m[1]), ' ' + text.slice(m[0].length));
  else el.textContent = text;
}
