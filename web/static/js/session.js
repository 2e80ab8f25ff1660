// The learner's page, /sessions/{code}: join with a name, then follow the
// room. A push swaps in the pushed experiment (read-only when locked), a
// room run or a spotlight plays in the run panel, and the learner's own
// runs go through POST /api/sessions/{code}/runs onto the class board.
// Who the learner is stays in localStorage, so a reload or a lost network
// comes back as the same learner, where the room is.

import { RunPanel } from './panel.js';
import { formParams } from './form.js';
import { highlightGo } from './highlight.js';
import { SessionSocket, api, renderRoster, plural } from './session_common.js';
import { fmtNum, fmtSig, ordinal } from './util.js';

const root = document.getElementById('session');
const code = root.dataset.code;
const storeKey = 'concurrencylab.session.' + code;
const $ = (id) => document.getElementById(id);
const el = {
  join: $('join'), follow: $('follow'), joinForm: $('join-form'), joinName: $('join-name'), joinBtn: $('join-btn'),
  joinError: $('join-error'), rosterCount: $('roster-count'), roster: $('roster'), me: $('me'), roomCount: $('room-count'),
  link: $('sess-link'), leave: $('leave-btn'), ask: $('sess-ask'), predict: $('sess-predict'), guessPrompt: $('guess-prompt'),
  guessInput: $('guess-input'), guessStatus: $('guess-status'), reveal: $('sess-reveal'), watch: $('watch-label'),
  stage: $('stage'), panel: $('run'),
};

let me = load();
let round = Number(el.stage.querySelector('[data-round]')?.dataset.round || 0);
let state = { push: null, run: null, ask: null, prediction: null, spotlight: null };
let watching = { id: '', why: '' };

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
      if (ev.spotlight) watch(ev.spotlight.run, 'spotlight');
      else if (watching.why === 'spotlight' && state.run) watch(state.run.id, 'room');
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
  if (watching.id !== id) {
    panel.follow({ id, events: `/runs/${id}/events`, api: `/api/runs/${id}` });
  }
  watching = { id, why };
  const label = {
    room: 'Watching the room run, started by your instructor.',
    spotlight: `In the spotlight: ${state.spotlight?.label ?? 'a learner'}'s run.`,
    mine: 'Watching your own run.',
  }[why];
  el.watch.textContent = label;
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
    if (watching.why !== 'spotlight' && watching.why !== 'room') el.watch.textContent = '';
  } catch { /* the next push or a reload brings it */ }
}

function bindStage() {
  for (const c of el.stage.querySelectorAll('pre code.go')) highlightGo(c);
  const form = el.stage.querySelector('form#params');
  order = form ? [...form.querySelectorAll('input[name=variants]')].map((i) => i.value) : [];
  if (!form) return;
  const status = form.querySelector('#form-status');
  const error = form.querySelector('#form-error');
  const btn = form.querySelector('#run-btn');
  let busy = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy || !me) return;
    busy = true;
    btn.disabled = true;
    error.hidden = true;
    const params = form.dataset.lock ? undefined : formParams(form);
    try {
      for (let tries = 0; ; tries++) {
        const { status: code_, body } = await api(`/api/sessions/${code}/runs`, { body: { learner: me.id, token: me.token, params } });
        if (code_ === 201) {
          status.textContent = body.position > 0 ? `Queued: ${ordinal(body.position)} in line` : 'Started';
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
    el.reveal.replaceChildren();
    el.reveal.append(
      Object.assign(document.createElement('strong'), { textContent: 'The guesses are in. ' }),
      document.createTextNode(values.length ? `${fmtNum(values.length)} ${values.length === 1 ? 'guess' : 'guesses'}, the middle one ${fmtSig(mid)}. ` : 'Nobody guessed. '),
      document.createTextNode(mine ? `Yours: ${fmtSig(mine.value)}. ` : ''),
    );
    const a = Object.assign(document.createElement('a'), { href: root.dataset.boardUrl, target: '_blank', rel: 'noopener', textContent: 'See them beside the results on the class board' });
    el.reveal.append(a);
  }
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

bindStage();
showJoined(Boolean(me));
let live = newSocket();
