// The console's hold on the room itself: the roster with a Remove button
// beside each learner, and End session. Each asks once more, in place,
// before it acts (a mis-tap on a projected console must not take a
// learner out), and both stay within reach of the keyboard: the question
// takes the focus, Escape or "Keep" puts it back.

import { h } from './util.js';

/** Roster draws the console's roster; remove(id, label) takes a learner out. */
export class Roster {
  constructor(ul, remove) {
    this.ul = ul;
    this.remove = remove;
    this.learners = [];
    this.asking = ''; // the learner whose removal is being confirmed
    this.ended = false; // nothing more can change: no Remove buttons
    ul.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.asking) this.ask('', true);
    });
  }

  render(learners) {
    this.learners = learners;
    if (this.asking && !learners.some((l) => l.id === this.asking)) this.asking = '';
    this.paint();
  }

  // ask opens (id) or closes ('') the question beside a learner; the
  // focus follows it.
  ask(id, back = false) {
    const was = this.asking;
    this.asking = id;
    this.paint(id ? 'yes-' + id : back ? 'rm-' + was : '');
  }

  paint(focus) {
    focus ||= document.activeElement?.dataset?.focusKey || '';
    const sorted = [...this.learners].sort((a, b) => Number(b.connected) - Number(a.connected));
    this.ul.replaceChildren(...sorted.map((l) => this.item(l)));
    if (focus) this.ul.querySelector(`[data-focus-key="${CSS.escape(focus)}"]`)?.focus();
  }

  item(l) {
    const chip = h('span', { class: 'sess-chip' + (l.connected ? ' on' : ''), title: l.connected ? 'connected' : 'not connected now' },
      h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'name', text: l.label }),
      l.connected ? null : h('span', { class: 'offscreen', text: ' (away)' }));
    const li = h('li', { class: 'sess-roster-item', 'data-learner': l.id }, chip);
    if (this.ended) return li;
    if (this.asking !== l.id) {
      const b = h('button', { type: 'button', class: 'btn small quiet', 'aria-label': `Remove ${l.label}`, 'data-focus-key': 'rm-' + l.id, text: 'Remove' });
      b.addEventListener('click', () => this.ask(l.id));
      li.append(b);
      return li;
    }
    const yes = h('button', { type: 'button', class: 'btn small danger', 'data-focus-key': 'yes-' + l.id, text: 'Remove' });
    const no = h('button', { type: 'button', class: 'btn small', 'data-focus-key': 'no-' + l.id, text: 'Keep' });
    yes.addEventListener('click', async () => {
      yes.disabled = no.disabled = true;
      await this.remove(l.id, l.label);
      this.asking = '';
      this.paint();
    });
    no.addEventListener('click', () => this.ask('', true));
    li.classList.add('asking');
    li.append(h('span', { class: 'sess-confirm-inline', role: 'group', 'aria-label': `Remove ${l.label} from the session?` },
      h('span', { class: 'q', text: 'Remove from the session?' }), yes, no));
    return li;
  }
}

/**
 * bindEnd wires End session and its question: end() ends the session and
 * resolves true if it did.
 */
export function bindEnd(end) {
  const $ = (id) => document.getElementById(id);
  const btn = $('end-btn'), box = $('end-confirm'), yes = $('end-yes'), no = $('end-no');
  const open = (on) => {
    box.hidden = !on;
    btn.hidden = on;
    btn.setAttribute('aria-expanded', String(on));
    (on ? yes : btn).focus();
  };
  btn.addEventListener('click', () => open(true));
  no.addEventListener('click', () => open(false));
  box.addEventListener('keydown', (e) => { if (e.key === 'Escape') open(false); });
  yes.addEventListener('click', async () => {
    yes.disabled = no.disabled = true;
    const ended = await end();
    yes.disabled = no.disabled = false;
    if (!ended) open(false);
  });
}
