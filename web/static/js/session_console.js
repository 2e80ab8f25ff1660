// The instructor's console, /sessions/{code}/console. The key arrives in
// the link's fragment (never sent to the server as part of a URL, so never
// in a log); the script moves it to sessionStorage, takes it out of the
// address bar (the projector shows that bar), and sends it as
// "Authorization: Bearer <key>" with every action.

import { RunPanel } from './panel.js';
import { formParams } from './form.js';
import { SessionSocket, api, renderRoster, plural, Board, renderBoardRows } from './session_common.js';
import { copyText, flash, fmtNum, h } from './util.js';

const $ = (id) => document.getElementById(id);
const root = $('session');
const code = root.dataset.code;
const keyName = 'concurrencylab.key.' + code;

let key = '';
const fromLink = location.hash.match(/key=([A-Za-z0-9_-]+)/);
if (fromLink) {
  key = fromLink[1];
  sessionStorage.setItem(keyName, key);
  history.replaceState(history.state, '', location.pathname + location.search);
} else {
  key = sessionStorage.getItem(keyName) || '';
}

const el = {
  status: $('console-status'), keyError: $('key-error'), exp: $('push-exp'), slot: $('push-slot'), lock: $('push-lock'),
  push: $('push-btn'), roomRun: $('room-run-btn'), ask: $('ask-btn'), askStop: $('ask-stop-btn'),
  predictQ: $('predict-q'), predictPrompt: $('predict-prompt'), predict: $('predict-btn'), reveal: $('reveal-btn'),
  predictStatus: $('predict-status'), copyKey: $('copy-key-btn'), rosterCount: $('roster-count'), rosterWord: $('roster-word'),
  roster: $('roster'), rosterEmpty: $('roster-empty'), tbody: $('board-table').tBodies[0], boardEmpty: $('board-empty'),
  spotStatus: $('spot-status'), spotOff: $('spot-off-btn'), watch: $('watch-label'), panel: $('run'),
};
const controls = [el.push, el.roomRun, el.ask, el.askStop, el.predict, el.reveal, el.spotOff];

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
const board = new Board();
let state = { push: null, run: null, ask: null, prediction: null, spotlight: null, learners: [] };
let watching = '';

// The push form of the chosen experiment, from its <template>.
function mountForm() {
  const tpl = $('push-tpl-' + el.exp.value);
  el.slot.replaceChildren(tpl ? tpl.content.cloneNode(true) : '');
  order = [...el.slot.querySelectorAll('input[name=variants]')].map((i) => i.value);
}
el.exp.addEventListener('change', mountForm);
mountForm();

function say(text, bad = false) {
  el.status.classList.toggle('bad', bad);
  flash(el.status, text, 6000);
}

// act sends an instructor action and reports its outcome.
async function act(path, body, done) {
  try {
    const res = await api(`/api/sessions/${code}/${path}`, { body, key });
    if (res.status >= 200 && res.status < 300) {
      if (done) say(done(res.body));
      return res.body;
    }
    if (res.status === 403) showKeyError();
    say(res.body.error || `The server answered ${res.status}.`, true);
  } catch {
    say('Could not reach the server.', true);
  }
  return null;
}

function showKeyError() {
  el.keyError.hidden = false;
  for (const b of controls) b.disabled = true;
}

el.push.addEventListener('click', () => {
  const form = el.slot.querySelector('form');
  if (!form) return;
  act('push', { experiment: form.dataset.experiment, params: formParams(form), lock: el.lock.checked },
    (p) => `Round ${p.round}: ${p.title} is on every learner's screen${p.lock ? ', locked' : ''}.`);
});
el.roomRun.addEventListener('click', () => act('run', {}, () => 'The room run is queued; it plays on every screen.'));
el.ask.addEventListener('click', () => act('ask', { open: true }, () => 'Everyone is asked to run it; watch the results fill in.'));
el.askStop.addEventListener('click', () => act('ask', { open: false }, () => 'No longer asking.'));
el.predict.addEventListener('click', () => act('predict', { question: el.predictQ.value, prompt: el.predictPrompt.value },
  () => 'Learners can send their guesses now.'));
el.reveal.addEventListener('click', () => act('reveal', {}, (b) => {
  const n = b.prediction?.guesses?.length || 0;
  return `Revealed ${fmtNum(n)} ${n === 1 ? 'guess' : 'guesses'}.`;
}));
el.spotOff.addEventListener('click', () => act('spotlight', { run: '' }, () => 'Spotlight off.'));
el.copyKey.addEventListener('click', async () => {
  const link = `${location.origin}${location.pathname}#key=${key}`;
  try {
    await copyText(link);
    say('Your instructor link is copied. Keep it private: it drives the session.');
  } catch {
    window.prompt('Your instructor link (keep it private):', link);
  }
});

// The run panel's Cancel stops the room run, with the key.
$('run-cancel')?.addEventListener('click', async () => {
  const id = el.panel.dataset.runId;
  if (!id) return;
  const res = await api(`/api/runs/${encodeURIComponent(id)}/cancel`, { key }).catch(() => null);
  if (!res || res.status >= 300) say(res?.body.error || 'Could not cancel the run.', true);
});

function watch(id, label) {
  if (!id) return;
  if (watching !== id) panel.follow({ id, events: `/runs/${id}/events`, api: `/api/runs/${id}` });
  watching = id;
  el.watch.textContent = label;
}

function onEvent(ev) {
  switch (ev.type) {
    case 'push': {
      const first = state.push === null && ev.push;
      state.push = ev.push;
      if (first && el.exp.value !== ev.push.experiment) {
        el.exp.value = ev.push.experiment;
        mountForm();
      }
      el.ask.disabled = el.roomRun.disabled = el.predict.disabled = !ev.push || !el.keyError.hidden;
      $('push-first').hidden = Boolean(ev.push);
      paintBoard();
      break;
    }
    case 'run':
      state.run = ev.run;
      if (ev.run && !state.spotlight) watch(ev.run.id, 'On every screen: the room run.');
      break;
    case 'ask':
      state.ask = ev.ask;
      el.askStop.hidden = !ev.ask;
      el.ask.hidden = Boolean(ev.ask);
      break;
    case 'prediction':
      state.prediction = ev.prediction;
      paintPrediction();
      break;
    case 'spotlight':
      state.spotlight = ev.spotlight;
      el.spotOff.hidden = !ev.spotlight;
      el.spotStatus.textContent = ev.spotlight ? `In the spotlight: ${ev.spotlight.label}` : '';
      if (ev.spotlight) watch(ev.spotlight.run, `On every screen: ${ev.spotlight.label}'s run, in the spotlight.`);
      else if (state.run) watch(state.run.id, 'On every screen: the room run.');
      paintBoard();
      break;
    case 'roster': {
      state.learners = ev.learners;
      const on = ev.connected;
      el.rosterCount.textContent = fmtNum(on);
      el.rosterWord.textContent = on === 1 ? 'learner' : 'learners';
      el.rosterEmpty.hidden = ev.learners.length > 0;
      renderRoster(el.roster, ev.learners);
      paintPrediction();
      break;
    }
    case 'board':
      board.apply(ev);
      paintBoard();
      break;
  }
}

function paintPrediction() {
  const p = state.prediction;
  el.reveal.disabled = !p || !p.open;
  if (!p) {
    el.predictStatus.textContent = '';
    return;
  }
  const here = state.learners.filter((l) => l.connected).length;
  el.predictStatus.textContent = p.open
    ? `“${p.prompt}” · ${fmtNum(p.count)} of ${fmtNum(here)} have guessed.`
    : `Revealed: ${fmtNum(p.count)} guesses, on the class board beside the results.`;
}

function paintBoard() {
  const rows = board.round(state.push?.round ?? 0);
  el.boardEmpty.hidden = rows.length > 0;
  renderBoardRows(el.tbody, rows, (e) => {
    if (e.status !== 'done') return null;
    const on = state.spotlight?.run === e.run;
    const b = h('button', { type: 'button', class: 'btn small' + (on ? ' primary' : ''), 'aria-pressed': String(on), text: on ? 'On screen' : 'Spotlight' });
    b.addEventListener('click', () => act('spotlight', { run: on ? '' : e.run }, (r) => (r.spotlight ? `${r.spotlight.label}'s run is on every screen.` : 'Spotlight off.')));
    return b;
  });
}

async function start() {
  if (!key) {
    showKeyError();
  } else {
    const res = await api(`/api/sessions/${code}`, { method: 'GET', key }).catch(() => null);
    if (res && res.status === 403) showKeyError();
  }
  new SessionSocket(code, () => '', onEvent, (s) => {
    if (s === 'lost') say('Lost the connection; reconnecting…', true);
  }).connect();
}
start();
