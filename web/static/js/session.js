// The learner's page, /sessions/{code}: join with a name, then follow the
// room. A push swaps in the pushed experiment (read-only when locked), a
// room run or a spotlight plays in the run panel, and the learner's own
// runs go through POST /api/sessions/{code}/runs onto the class board.
// Who the learner is stays in localStorage, so a reload or a lost network
// comes back as the same learner, where the room is.

import { formParams } from './form.js';
import { highlightGo } from './highlight.js';
import { RunPanel } from './panel.js';
import { SessionSocket, api, renderRoster, plural, Board, measuredAnswers, adoptFigures, showSpotCode } from './session_common.js';
import { showOver, paintMyRuns } from './session_over.js';
import { fmtNum, fmtSig, ordinal, h } from './util.js';

const root = document.getElementById('session');
const code = root.dataset.code;
const storeKey = 'concurrencylab.session.' + code;
const $ = (id) => document.getElementById(id);
const el = {
  join: $('join'), follow: $('follow'), joinForm: $('join-form'), joinName: $('join-name'), joinBtn: $('join-btn'),
  joinError: $('join-error'), rosterCount: $('roster-count'), roster: $('roster'), me: $('me'), roomCount: $('room-count'),
  link: $('sess-link'), leave: $('leave-btn'), ask: $('sess-ask'), predict: $('sess-predict'), guessPrompt: $('guess-prompt'),
  guessInput: $('guess-input'), guessStatus: $('guess-status'), reveal: $('sess-reveal'), watch: $('watch-label'), spotCode: $('spot-code'),
  stage: $('stage'), panel: $('run'),
};

let me = load();
let round = Number(el.stage.querySelector('[data-round]')?.dataset.round || 0);
let state = { push: null, run: null, ask: null, prediction: null, spotlight: null };
let watching = { id: '', why: '' };
const board = new Board(); // every learner's runs, for the reveal's measured answers
let formStatus = null; // the stage form's status line, while the learner's own run is live

// Variants keep the colour of their place in the pushed form.
let order = [];
const colourIndex = (name) => {
  let i = order.indexOf(name);
  if (i < 0) {
    order.push(name);
    i = order.length - 1;
  }
  return i;
};
const panel = new RunPanel(el.panel, colourIndex);
// The learner's own run tells its place in line beside the Run button
// too; the wait is said once, in the run panel, which counts it down (two
// estimates, one fresher than the other, disagreed by a second).
panel.onStatus = (st, position) => {
  if (watching.why !== 'mine' || !formStatus) return;
  if (st === 'queued' && position > 0) formStatus.textContent = queuedText(position);
  else if (st === 'queued') return; // a run just followed: its first status event says where it is
  else if (st === 'running') formStatus.textContent = 'Running: your results fill in as it goes.';
  else if (st === 'done') formStatus.textContent = 'Done: your result is on the class board.';
  else formStatus.textContent = '';
};

function queuedText(position) {
  return position > 0 ? `Queued: ${ordinal(position)} in line; the wait is in the run panel` : 'Queued';
}

function load() {
  try { return JSON.parse(localStorage.getItem(storeKey) || 'null'); } catch { return null; }
}

function save() {
  if (me) localStorage.setItem(storeKey, JSON.stringify(me));
  else localStorage.removeItem(storeKey);
}

// The socket: a watcher until the learner joins, then the learner's own.
// The name rides along on a rejoin, so a server that has forgotten the
// learner admits them afresh.
const query = () => (me ? new URLSearchParams({ learner: me.id, token: me.token, name: me.name }).toString() : '');
const newSocket = () => {
  const s = new SessionSocket(code, query, onEvent, onSocket);
  s.connect();
  return s;
};

function onSocket(s, reason) {
  if (s === 'open') el.link.textContent = '';
  else if (s === 'lost') el.link.textContent = 'Reconnecting…';
  else el.link.textContent = reason || 'The server refused this page.';
}

function showJoined(joined) {
  if (gone) return; // the room is over for this page
  el.join.hidden = joined;
  el.follow.hidden = !joined;
  if (joined) el.me.textContent = me.label;
}

el.joinForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  el.joinError.hidden = true;
  el.joinBtn.disabled = true;
  try {
    const { status, body } = await api(`/api/sessions/${code}/join`, { body: { name: el.joinName.value } });
    if (status !== 201) {
      el.joinError.textContent = body.error || `The server answered ${status}.`;
      el.joinError.hidden = false;
      return;
    }
    me = { id: body.learner.id, token: body.token, name: body.learner.name, label: body.learner.label };
    save();
    showJoined(true);
    live.close(); // reconnect as the learner
    live = newSocket();
  } catch {
    el.joinError.textContent = 'Could not reach the server. Check the network and try again.';
    el.joinError.hidden = false;
  } finally {
    el.joinBtn.disabled = false;
  }
});

el.leave.addEventListener('click', () => {
  me = null;
  save();
  live.close();
  showJoined(false);
  live = newSocket();
});

function onEvent(ev) {
  switch (ev.type) {
    case 'welcome':
      if (ev.role === 'learner' && ev.learner) {
        me = { id: ev.learner.id, token: ev.token || me?.token, name: ev.learner.name, label: ev.learner.label };
        save();
        showJoined(true);
      }
      break;
    case 'push':
      state.push = ev.push;
      onPush();
      break;
    case 'run':
      state.run = ev.run;
      if (ev.run && !state.spotlight) watch(ev.run.id, 'room');
      else if (!ev.run && watching.why === 'room') unwatch(); // a new round ended it
      break;
    case 'ask':
      state.ask = ev.ask;
      paintAsk();
      break;
    case 'prediction':
      state.prediction = ev.prediction;
      paintPrediction();
      break;
    case 'spotlight':
      state.spotlight = ev.spotlight;
      showSpotCode(el.spotCode, ev.spotlight);
      if (ev.spotlight) watch(ev.spotlight.run, 'spotlight');
      else if (watching.why === 'spotlight' && state.run) watch(state.run.id, 'room');
      else if (watching.why === 'spotlight') unwatch(); // its banner and results go with it
      break;
    case 'board':
      board.apply(ev);
      if (state.prediction?.revealed) paintPrediction();
      if (gone === 'ended') paintMine();
      break;
    case 'ended':
      if (ev.ended) over('ended', ev.ended);
      break;
    case 'removed':
      over('removed');
      break;
    case 'roster': {
      // Watchers get every name; a learner's page, only the counts.
      el.rosterCount.textContent = fmtNum(ev.joined);
      el.roomCount.textContent = plural(ev.connected, 'learner') + ' here';
      if (ev.learners) renderRoster(el.roster, ev.learners, me?.id);
      break;
    }
  }
}

// watch shows a run in the panel: the room's, a spotlit one, or the learner's own.
function watch(id, why) {
  if (!id) return;
  const before = watching.id;
  watching = { id, why }; // before the panel follows it, which reports its status
  if (before !== id) {
    panel.follow({ id, events: `/runs/${id}/events`, api: `/api/runs/${id}` });
  }
  const label = {
    room: 'Watching the room run, started by your instructor.',
    spotlight: `In the spotlight: ${state.spotlight?.label ?? 'a learner'}'s run.`,
    mine: 'Watching your own run.',
  }[why];
  el.watch.textContent = label;
}

// unwatch empties the run panel and its banner: the run it showed no
// longer belongs on the page.
function unwatch() {
  watching = { id: '', why: '' };
  panel.clear();
  el.watch.textContent = '';
}

async function onPush() {
  const p = state.push;
  const want = p ? p.round : 0;
  if (want === round) return;
  try {
    const res = await fetch(`/sessions/${code}/stage`, { headers: { Accept: 'text/html' } });
    if (!res.ok) return;
    const html = await res.text();
    const doc = new DOMParser().parseFromString(html, 'text/html');
    el.stage.replaceChildren(...doc.body.childNodes);
    round = Number(el.stage.querySelector('[data-round]')?.dataset.round || 0);
    bindStage();
    // A new round: the learner's own run of the last one does not belong
    // under this form (a spotlight or room run of it is cleared by the
    // server's events).
    if (watching.why === 'mine') unwatch();
  } catch { /* the next push or a reload brings it */ }
}

function bindStage() {
  for (const c of el.stage.querySelectorAll('pre code.go')) highlightGo(c);
  const form = el.stage.querySelector('form#params');
  adoptFigures(el.stage.querySelector('form[data-experiment]'));
  // A round open to the learner's own code: the editor, loaded only then.
  if (el.stage.querySelector('#yours')) import('./yours_panel.js').then((m) => m.bindYours(el.stage));
  order = form ? [...form.querySelectorAll('input[name=variants]')].map((i) => i.value) : [];
  if (!form) return;
  const status = form.querySelector('#form-status');
  formStatus = status;
  const error = form.querySelector('#form-error');
  const btn = form.querySelector('#run-btn');
  let busy = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy || !me) return;
    busy = true;
    btn.disabled = true;
    error.hidden = true;
    const params = form.dataset.lock ? lockedParams(form) : formParams(form);
    try {
      for (let tries = 0; ; tries++) {
        const { status: code_, body } = await api(`/api/sessions/${code}/runs`, { body: { learner: me.id, token: me.token, params } });
        if (code_ === 201) {
          status.textContent = body.position > 0 ? queuedText(body.position) : 'Started';
          el.ask.hidden = true;
          watch(body.id, 'mine');
          break;
        }
        // The shared queue is full (a whole room pressed Run): wait and retry.
        if (code_ === 429 && /queue is full/.test(body.error || '') && tries < 10) {
          const wait = 2000 + Math.random() * 4000;
          status.textContent = `The queue is full; trying again in ${Math.round(wait / 1000)} s…`;
          await new Promise((r) => setTimeout(r, wait));
          continue;
        }
        error.textContent = body.error || `The server answered ${code_}.`;
        error.hidden = false;
        status.textContent = '';
        break;
      }
    } catch {
      error.textContent = 'Could not reach the server. Check the network and try again.';
      error.hidden = false;
    } finally {
      busy = false;
      btn.disabled = false;
    }
  });
}

// lockedParams are a locked round's parameters: none (the pushed values),
// or, where the round is open to the learner's own code and it is
// checked, that code with the variants ticked, yours among them.
function lockedParams(form) {
  const id = el.stage.querySelector('#yours-id')?.value;
  if (!form.dataset.edit || !id) return undefined;
  const variants = [...form.querySelectorAll('input[name=variants]:checked')].map((i) => i.value);
  return { code: id, variants: variants.join(',') };
}

function paintAsk() {
  el.ask.hidden = !state.ask || !me;
}

function paintPrediction() {
  const p = state.prediction;
  el.predict.hidden = !p || !p.open;
  el.reveal.hidden = !p || !p.revealed;
  if (!p) {
    return;
  }
  if (p.open) {
    el.guessPrompt.textContent = p.prompt;
    if (el.predict.dataset.id !== String(p.id)) {
      el.predict.dataset.id = String(p.id);
      el.guessInput.value = '';
      el.guessStatus.textContent = '';
    }
  }
  if (p.revealed) {
    const values = (p.guesses || []).map((g) => g.value).sort((a, b) => a - b);
    const mid = values.length ? values[Math.floor(values.length / 2)] : null;
    const mine = (p.guesses || []).find((g) => g.learner === me?.id);
    const m = measuredAnswers(p, board.round(p.round));
    const fmt = p.question === 'count' ? fmtNum : (v) => fmtSig(v) + '×';
    const got = m.values.map((r) => r.value).sort((a, b) => a - b);
    const gotMid = got.length ? got[Math.floor(got.length / 2)] : null;
    const line = (label, text) => h('p', { class: 'sess-reveal-line' }, h('strong', { text: label + ' ' }), text);
    el.reveal.replaceChildren(
      h('h2', { class: 'sess-reveal-h', text: p.prompt }),
      line('Guessed:', values.length
        ? `${fmtNum(values.length)} ${values.length === 1 ? 'guess' : 'guesses'}, ${spread(values, mid, fmt)}.${mine ? ` Yours: ${fmt(mine.value)}.` : ''}`
        : 'nobody guessed.'),
      line('Measured:', got.length
        ? `${plural(got.length, 'run')} ${p.question === 'count' ? 'got' : 'reached'} ${spread(got, gotMid, fmt)}.`
        : 'no run of this round has finished yet; the answers appear here as runs finish.'),
    );
    if (m.expected !== null) {
      el.reveal.append(line('Expected:', `${fmt(m.expected)}, what the code asks for.${got.length && got.some((v) => v !== m.expected) ? ' The runs that missed it lost updates.' : ''}`));
    }
    if (got.length) el.reveal.append(h('ul', { class: 'sess-reveal-runs', 'aria-label': 'What each run got' },
      ...m.values.map((r) => h('li', {}, h('span', { class: 'who', text: r.label }), h('span', { class: 'num', text: fmt(r.value) })))));
    el.reveal.append(h('p', { class: 'sess-reveal-line' }, h('a', { href: root.dataset.boardUrl, target: '_blank', rel: 'noopener', text: 'See them side by side on the class board' })));
  }
}

// spread writes sorted values as "from 300,000 to 500,000, the middle one
// 420,000", or "500,000" when they are all the same.
function spread(sorted, mid, fmt) {
  const lo = sorted[0], hi = sorted[sorted.length - 1];
  if (lo === hi) return sorted.length === 1 ? fmt(lo) : `${fmt(lo)}, every one`;
  return `from ${fmt(lo)} to ${fmt(hi)}, the middle one ${fmt(mid)}`;
}

el.predict.addEventListener('submit', async (e) => {
  e.preventDefault();
  const value = Number(el.guessInput.value);
  if (!Number.isFinite(value) || !me) return;
  const { status, body } = await api(`/api/sessions/${code}/guess`, { body: { learner: me.id, token: me.token, value } }).catch(() => ({ status: 0, body: {} }));
  if (status === 204) {
    el.guessStatus.textContent = `Sent: ${fmtSig(value)}. You can change it until your instructor reveals the guesses.`;
  } else {
    el.guessStatus.textContent = body.error || 'Could not send the guess; try again.';
  }
});

// over shows that the room is over for this page: the session ended
// or the instructor removed the learner (who is forgotten here; the
// server has closed the socket for good).
let gone = '';
function over(why, at) {
  if (gone === why) return;
  gone = why;
  showOver(why, at);
  if (why === 'ended') paintMine();
  else {
    me = null;
    save();
    live.close();
  }
}

const paintMine = () => paintMyRuns(me ? [...board.entries.values()].filter((e) => e.learner === me.id) : []);

bindStage();
showJoined(Boolean(me));
let live = newSocket();
if (root.dataset.ended) over('ended', root.dataset.ended);
