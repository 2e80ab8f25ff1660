// The instructor's console, /sessions/{code}/console. The key arrives in
// the link's fragment (never sent to the server as part of a URL, so never
// in a log); the script keeps it in this browser's localStorage, per room
// code, so the console opens again in another tab or after a restart of
// the browser, takes it out of the address bar (the projector shows that
// bar), and sends it as "Authorization: Bearer <key>" with every action.
// A session just made ("&new" after the key) first asks the instructor to
// save the link, the only way in from another browser or device.

import { formParams } from './form.js';
import { RunPanel, waitWords } from './panel.js';
import { SessionSocket, api, plural, Board, renderBoardRows, adoptFigures, showEnded, showSpotCode } from './session_common.js';
import { Roster, bindEnd } from './session_console_room.js';
import { copyText, flash, fmtNum, h, throttle } from './util.js';

const $ = (id) => document.getElementById(id);
const root = $('session');
const code = root.dataset.code;
const keyName = 'concurrencylab.key.' + code;
const savedName = 'concurrencylab.key-saved.' + code; // "no" until the instructor has saved the link

// store is localStorage, or nothing where the browser refuses it (some
// private windows): the key then lives only as long as the page.
const store = (() => {
  try {
    localStorage.setItem('concurrencylab.probe', '1');
    localStorage.removeItem('concurrencylab.probe');
    return localStorage;
  } catch {
    return null;
  }
})();

let key = '';
let keyRefused = false; // the server refused the key: the socket then watches without it
const fromLink = location.hash.match(/key=([A-Za-z0-9_-]+)/);
if (fromLink) {
  key = fromLink[1];
  store?.setItem(keyName, key);
  if (/[#&]new(&|$)/.test(location.hash)) store?.setItem(savedName, 'no');
  history.replaceState(history.state, '', location.pathname + location.search);
} else {
  key = store?.getItem(keyName) || '';
}

// The instructor link, on the address learners use when the server has one.
const linkBase = root.dataset.publicUrl || location.origin;
const instructorLink = () => `${linkBase}/sessions/${code}/console#key=${key}`;

const el = {
  status: $('console-status'), keyError: $('key-error'), exp: $('push-exp'), slot: $('push-slot'), lock: $('push-lock'),
  push: $('push-btn'), roomRun: $('room-run-btn'), ask: $('ask-btn'), askStop: $('ask-stop-btn'),
  predictQ: $('predict-q'), predictPrompt: $('predict-prompt'), predict: $('predict-btn'), reveal: $('reveal-btn'),
  predictStatus: $('predict-status'), copyKey: $('copy-key-btn'), rosterCount: $('roster-count'), rosterWord: $('roster-word'),
  roster: $('roster'), rosterEmpty: $('roster-empty'), tbody: $('board-table').tBodies[0], boardEmpty: $('board-empty'),
  spotStatus: $('spot-status'), spotOff: $('spot-off-btn'), watch: $('watch-label'), panel: $('run'),
  save: $('save-link'), saveInput: $('save-link-input'), saveShow: $('save-show-btn'), saveCopy: $('save-copy-btn'),
  saveDone: $('save-done-btn'), saveStatus: $('save-status'), estimate: $('ask-estimate'),
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
// The editor's box shows where the experiment has a variant of the
// learners' own.
function mountForm() {
  const tpl = $('push-tpl-' + el.exp.value);
  el.slot.replaceChildren(tpl ? tpl.content.cloneNode(true) : '');
  order = [...el.slot.querySelectorAll('input[name=variants]')].map((i) => i.value);
  $('push-edit-row').hidden = !el.slot.querySelector('form[data-editable]');
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
  keyRefused = true;
  el.keyError.hidden = false;
  el.save.hidden = true;
  for (const b of controls) b.disabled = true;
  // A key this browser kept that no longer opens the room is forgotten.
  if (store?.getItem(keyName) === key) store.removeItem(keyName);
}

el.push.addEventListener('click', () => {
  const form = el.slot.querySelector('form');
  if (!form) return;
  const edit = Boolean(form.dataset.editable) && $('push-edit').checked;
  act('push', { experiment: form.dataset.experiment, params: formParams(form), lock: el.lock.checked, edit },
    (p) => {
      adoptFigures(form); // the room's runs are of this experiment now
      return `Round ${p.round}: ${p.title} is on every learner's screen${p.lock ? ', locked' : ''}${p.edit ? ', with the editor open' : ''}.`;
    });
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
  const link = instructorLink();
  try {
    await copyText(link);
    say('Your instructor link is copied. Keep it private: it drives the session.');
  } catch {
    window.prompt('Your instructor link (keep it private):', link);
  }
});

// Step 0 of a new session: save the instructor link. The link stays
// masked (the console may already be on the projector) until Show.
function showSaveStep() {
  el.save.hidden = !key || store?.getItem(savedName) !== 'no';
  el.saveInput.value = instructorLink();
}
el.saveShow.addEventListener('click', () => {
  const show = el.saveInput.type === 'password';
  el.saveInput.type = show ? 'text' : 'password';
  el.saveShow.textContent = show ? 'Hide' : 'Show';
  el.saveShow.setAttribute('aria-pressed', String(show));
});
el.saveCopy.addEventListener('click', async () => {
  try {
    await copyText(instructorLink());
    el.saveStatus.textContent = 'Copied. Paste it where you keep such things, then press “I have saved it”.';
  } catch {
    window.prompt('Your instructor link (keep it private):', instructorLink());
  }
});
el.saveDone.addEventListener('click', () => {
  store?.setItem(savedName, 'yes');
  el.save.hidden = true;
  say('Saved. “Copy my instructor link”, under Links, gives it again.');
});

// The machine's other addresses, offered when the console was opened at a
// loopback one, carry the key there (another address is another origin,
// with a storage of its own).
for (const a of document.querySelectorAll('a.reach-link')) {
  a.addEventListener('click', () => { if (key) a.href = a.href.split('#')[0] + '#key=' + key; });
}

// The run panel's Cancel stops the room run, with the key.
$('run-cancel')?.addEventListener('click', async () => {
  const id = el.panel.dataset.runId;
  if (!id) return;
  const res = await api(`/api/runs/${encodeURIComponent(id)}/cancel`, { key }).catch(() => null);
  if (!res || res.status >= 300) say(res?.body.error || 'Could not cancel the run.', true);
});

// The roster, with Remove beside each learner, and End session.
const roster = new Roster(el.roster, (id, label) => act('remove', { learner: id }, () => `${label} has left the session; their runs stay on the board.`));
bindEnd(async () => Boolean(await act('end', {}, () => 'The session has ended. The class board and every run stay readable.')));

// ended: nothing more can change; the console says so and its controls rest.
function ended(at) {
  showEnded(at);
  $('end-box').hidden = true;
  for (const b of [...controls, el.ask, el.roomRun]) b.disabled = true;
  roster.ended = true;
  roster.paint();
  paintBoard();
}

function watch(id, label) {
  if (!id) return;
  if (watching !== id) panel.follow({ id, events: `/runs/${id}/events`, api: `/api/runs/${id}` });
  watching = id;
  el.watch.textContent = label;
}

// unwatch empties the run panel: nothing is on the room's screens.
function unwatch() {
  if (!watching) return;
  watching = '';
  panel.clear();
  el.watch.textContent = '';
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
      el.ask.disabled = el.roomRun.disabled = el.predict.disabled = !ev.push || !el.keyError.hidden || roster.ended;
      $('push-first').hidden = Boolean(ev.push);
      paintBoard();
      estimateSoon();
      break;
    }
    case 'run':
      state.run = ev.run;
      if (ev.run && !state.spotlight) watch(ev.run.id, 'On every screen: the room run.');
      else if (!ev.run && !state.spotlight) unwatch(); // a new round ended it
      break;
    case 'ask':
      state.ask = ev.ask;
      el.askStop.hidden = !ev.ask;
      el.ask.hidden = Boolean(ev.ask);
      estimateSoon();
      break;
    case 'prediction':
      state.prediction = ev.prediction;
      paintPrediction();
      break;
    case 'spotlight':
      state.spotlight = ev.spotlight;
      el.spotOff.hidden = !ev.spotlight;
      el.spotStatus.textContent = ev.spotlight ? `In the spotlight: ${ev.spotlight.label}` : '';
      showSpotCode($('spot-code'), ev.spotlight);
      if (ev.spotlight) watch(ev.spotlight.run, `On every screen: ${ev.spotlight.label}'s run, in the spotlight.`);
      else if (state.run) watch(state.run.id, 'On every screen: the room run.');
      else unwatch();
      paintBoard();
      break;
    case 'roster': {
      state.learners = ev.learners;
      const on = ev.connected;
      el.rosterCount.textContent = fmtNum(on);
      el.rosterWord.textContent = on === 1 ? 'learner' : 'learners';
      el.rosterEmpty.hidden = ev.learners.length > 0;
      roster.render(ev.learners);
      paintPrediction();
      estimateSoon();
      break;
    }
    case 'board':
      board.apply(ev);
      paintBoard();
      estimateSoon();
      break;
    case 'ended':
      if (ev.ended) ended(ev.ended);
      break;
  }
}

// The wait for the room's runs: what asking everyone would take, then
// how long the round's runs still have to go.
let estimating = false;
async function estimate() {
  if (estimating) return;
  estimating = true;
  try {
    const res = await api(`/api/sessions/${code}/estimate`, { method: 'GET' });
    if (res.status === 200) paintEstimate(res.body);
  } catch { /* the next change asks again */ } finally {
    estimating = false;
  }
}
const estimateSoon = throttle(1000, estimate);
setInterval(() => { if (!document.hidden && state.push) estimate(); }, 3000);

function paintEstimate(e) {
  if (!state.push || !e.experiment) {
    el.estimate.textContent = '';
    return;
  }
  const rows = board.round(state.push.round);
  const done = rows.filter((r) => r.status === 'done').length;
  const each = e.each_s < 1 ? `${(Math.max(e.each_s, 0.1)).toFixed(1)} s` : waitWords(e.each_s).replace('about ', '');
  const per = e.each_s == null ? '' : `${each} a run, ${e.slots === 1 ? 'one at a time' : fmtNum(e.slots) + ' at a time'}`;
  let text;
  if (e.each_s == null) {
    text = `No estimate yet: the server has not timed ${state.push.title} since it started. A room run times it.`;
  } else if (state.ask || rows.length) {
    text = e.left > 0
      ? `Everyone's runs: ${fmtNum(done)} done, ${fmtNum(e.left)} in line or running, all done in ${e.left_s == null ? 'a while' : waitWords(e.left_s)} (${per}).`
      : `Everyone's runs: ${plural(done, 'run')} done, none waiting (${per}).`;
  } else if (e.learners === 0) {
    text = `Asking everyone: ${per}; the total appears as learners join.`;
  } else {
    text = `Asking everyone: ${plural(e.learners, 'learner')} here, all done in ${waitWords(e.all_s)} (${per}).`;
  }
  el.estimate.textContent = text;
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
    if (e.status !== 'done' || roster.ended) return null;
    const on = state.spotlight?.run === e.run;
    const b = h('button', { type: 'button', class: 'btn small' + (on ? ' primary' : ''), 'aria-pressed': String(on), text: on ? 'On screen' : 'Spotlight' });
    b.addEventListener('click', () => act('spotlight', { run: on ? '' : e.run }, (r) => (r.spotlight ? `${r.spotlight.label}'s run is on every screen.` : 'Spotlight off.')));
    return b;
  });
}

async function start() {
  showSaveStep();
  if (!key) {
    showKeyError();
  } else {
    const res = await api(`/api/sessions/${code}`, { method: 'GET', key }).catch(() => null);
    if (res && res.status === 403) showKeyError();
  }
  // With the key the console is one of the session's instructor pages,
  // not one of the few watchers an address may open.
  new SessionSocket(code, () => (key && !keyRefused ? new URLSearchParams({ key }).toString() : ''), onEvent, (s) => {
    if (s === 'lost') say('Lost the connection; reconnecting…', true);
  }).connect();
}
start();
