// The learner's page once the room is over for it: the session ended (the
// class board and the learner's own runs stay readable, linked from here)
// or the instructor removed the learner.

import { showEnded } from './session_common.js';
import { h } from './util.js';

const $ = (id) => document.getElementById(id);

/** showOver swaps the page for the screen of why ('ended', at when, or 'removed'). */
export function showOver(why, at) {
  $('join').hidden = $('follow').hidden = true;
  $('ended').hidden = why !== 'ended';
  $('removed').hidden = why !== 'removed';
  if (why === 'ended') showEnded(at);
  $(why).focus();
}

/** paintMyRuns lists the learner's own runs (board entries) under "The session has ended". */
export function paintMyRuns(mine) {
  $('ended-runs').hidden = mine.length === 0;
  $('ended-run-list').replaceChildren(...mine.map((e) => h('li', {},
    h('a', { href: '/runs/' + encodeURIComponent(e.run), text: `Round ${e.round} · ${e.experiment}` }),
    h('span', { class: 'muted', text: ' · ' + e.status }))));
}
