// Reports draws, below the results table, every text report an experiment
// attached to its trials: any string figure whose key ends in "_report",
// or whose text has several lines, such as the output of a program that
// panicked. An empty report means the tool printed nothing, and says so.
// Figures sharing the report's prefix (<prefix>_command, _output,
// _exit_code, _reports, _found) describe it. A report the experiment
// declares (lab.Info.Figures) takes its title from the declaration, and
// says what it found from its <prefix>_found.

import { h, fmtNum } from './util.js';
import { isNum, isReport, declared } from './figures.js';

// declaredTitle is the title the experiment declares for report key, or ''.
const declaredTitle = (key) => declared().labels[key]?.label || '';

// summaryOf is what the report's tool says it found, in a line, or ''.
const summaryOf = (x, prefix) => (typeof x[prefix + '_found'] === 'string' ? x[prefix + '_found'] : '');

// printedNothing says that the report's tool printed nothing.
const printedNothing = (key) => {
  const t = declaredTitle(key);
  return t ? 'The ' + t.charAt(0).toLowerCase() + t.slice(1) + ' printed nothing' : 'It printed nothing';
};

// exitOf is the exit status of the program whose report has prefix: its
// "<prefix>_exit_code", or for a bare "output" the trial's "exit_status".
const exitOf = (x, prefix) => x[prefix + '_exit_code'] ?? (prefix === 'output' ? x.exit_status : undefined);

/** reportTitle is the heading of a report key: the declared one, else the key in words. */
export function reportTitle(key) {
  const t = declaredTitle(key);
  if (t) return t;
  const s = key.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** reportKeys returns the report keys any trial of any variant carries. */
export function reportKeys(variants) {
  const keys = new Set();
  for (const v of variants) {
    for (const t of v.trials || []) {
      for (const [k, x] of Object.entries(t.extra || {})) if (isReport(k, x)) keys.add(k);
    }
  }
  return [...keys].sort();
}

export class Reports {
  /** @param {(name: string) => number} colourIndex */
  constructor(root, colourIndex) {
    this.root = root;
    this.colourIndex = colourIndex;
    this.reset();
  }

  reset() {
    this.root.replaceChildren();
    this.root.hidden = true;
  }

  show(result) {
    const variants = Array.isArray(result?.variants) ? result.variants : [];
    const keys = reportKeys(variants);
    this.root.replaceChildren();
    this.root.hidden = keys.length === 0;
    for (const key of keys) {
      const title = reportTitle(key);
      const id = 'rep-h-' + key.replace(/\W/g, '-');
      const sec = h('section', { class: 'reports', 'aria-labelledby': id }, h('h3', { class: 'block-h', id, text: title }));
      // Variants with something to read first, in full; those whose every
      // trial printed nothing after them, a line each.
      const quiet = h('ul', { class: 'rep-quiet', role: 'list' });
      for (const v of variants) {
        const trials = (v.trials || []).map((t, i) => ({ i, extra: t.extra || {} })).filter((t) => typeof t.extra[key] === 'string');
        if (!trials.length) continue;
        if (trials.every((t) => t.extra[key] === '')) quiet.append(this.quietReport(v, key, trials));
        else sec.append(this.variantReport(v, key, trials));
      }
      if (quiet.childElementCount) sec.append(quiet);
      this.root.append(sec);
    }
  }

  // quietReport is one line for a variant whose report was empty in every trial.
  quietReport(v, key, trials) {
    const prefix = key.replace(/_report$/, '');
    const x = trials[0].extra;
    const cmd = typeof x[prefix + '_command'] === 'string' ? x[prefix + '_command'] : '';
    const exits = [...new Set(trials.map((t) => exitOf(t.extra, prefix)).filter(isNum))];
    const n = trials.length;
    return h('li', { class: 'rep-line', title: cmd ? '$ ' + cmd : null },
      h('span', { class: 'swatch vc' + (this.colourIndex(v.name) % 8), 'aria-hidden': 'true' }),
      h('b', { class: 'rep-name', text: v.name }),
      summaryOf(x, prefix) ? h('span', { class: 'rep-found ok', text: summaryOf(x, prefix) }) : null,
      h('span', { class: 'rep-empty', text: printedNothing(key) + (n > 1 ? ` in ${n === 2 ? 'both' : 'all ' + n} trials.` : '.') }),
      exits.length === 1 ? h('span', { class: 'rep-exit-ok' }, 'exit status ', h('code', { text: String(exits[0]) })) : null);
  }

  variantReport(v, key, trials) {
    const prefix = key.replace(/_report$/, '');
    const body = h('div', { class: 'rep-body' });
    const found = h('span', { class: 'rep-found' });
    const head = h('div', { class: 'rep-head' },
      h('span', { class: 'swatch vc' + (this.colourIndex(v.name) % 8), 'aria-hidden': 'true' }),
      h('b', { class: 'rep-name', text: v.name }), found);
    const same = trials.every((t) => t.extra[key] === trials[0].extra[key]);
    const paint = (t) => {
      const x = t.extra;
      const n = x[prefix + '_reports'];
      const text = x[key];
      found.className = 'rep-found';
      if (isNum(n) && summaryOf(x, prefix)) {
        found.textContent = summaryOf(x, prefix);
        found.classList.add(n > 0 ? 'bad' : 'ok');
      } else if (isNum(n)) {
        found.textContent = `${fmtNum(n)} reported`;
      } else {
        found.textContent = text === '' ? 'nothing reported' : '';
      }
      const cmd = typeof x[prefix + '_command'] === 'string' ? x[prefix + '_command'] : '';
      const out = typeof x[prefix + '_output'] === 'string' ? x[prefix + '_output'].trim() : '';
      const exit = exitOf(x, prefix);
      const facts = [];
      if (out) facts.push(h('span', {}, 'printed ', h('code', { text: out })));
      if (isNum(exit)) facts.push(h('span', { class: exit === 0 ? '' : 'rep-exit' }, 'exit status ', h('code', { text: String(exit) })));
      const line = cmd || facts.length ? h('p', { class: 'rep-cmd' }, cmd ? h('code', { class: 'rep-prompt', text: cmd }) : null, ...facts) : null;
      const label = `${reportTitle(key)} report for ${v.name}`;
      const shown = text === ''
        ? h('p', { class: 'rep-empty', text: printedNothing(key) + '.' })
        : h('pre', { class: 'rep-pre', tabindex: '0', role: 'region', 'aria-label': label }, ...reportLines(text));
      body.replaceChildren(...[line, shown].filter(Boolean));
    };
    if (trials.length > 1 && !same) {
      const sel = h('select', { class: 'rep-trial', 'aria-label': `Trial of ${v.name}` },
        ...trials.map((t) => h('option', { value: String(t.i), text: 'Trial ' + (t.i + 1) })));
      sel.addEventListener('change', () => paint(trials.find((t) => String(t.i) === sel.value)));
      head.append(h('label', { class: 'rep-pick' }, sel));
    } else if (trials.length > 1) {
      head.append(h('span', { class: 'rep-note', text: `the same in all ${trials.length} trials` }));
    }
    paint(trials[0]);
    return h('div', { class: 'rep' }, head, body);
  }
}

// reportLines splits a report into lines, marking those a reader scans for:
// the warning, which access raced with which, where goroutines began.
function reportLines(text) {
  return text.replace(/\s+$/, '').split('\n').map((line, i) => {
    let cls = '';
    if (/^(WARNING: DATA RACE|Found \d+ data races?|panic: |fatal error: )/.test(line)) cls = 'rl-warn';
    else if (/^(Read|Write|Previous (read|write)|Atomic (read|write)) at /.test(line)) cls = 'rl-access';
    else if (/^Goroutine \d+ .*(created at|running|finished)/.test(line) || /^goroutine \d+ \[/.test(line)) cls = 'rl-gor';
    else if (/^={5,}/.test(line)) cls = 'rl-sep';
    else if (/^\s+\S+\.go:\d+/.test(line)) cls = 'rl-file';
    return h('span', { class: cls || null }, (i ? '\n' : '') + line);
  });
}
