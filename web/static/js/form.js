// The parameters form: its values as the API and share links want them,
// the share link, the URL bar kept in step on the experiment page, and
// starting a run with POST /api/runs.

import { copyText, flash } from './util.js';

// RUN_PARAMS are the parameters after variants in lab.AllParams.
const RUN_PARAMS = ['repeat', 'cores'];

/** formParams returns the form's values as strings, keyed by parameter. */
export function formParams(form) {
  const params = {};
  const variants = [];
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.name === 'variants') {
      if (el.checked) variants.push(el.value);
    } else if (el.type === 'checkbox') {
      params[el.name] = el.checked ? 'true' : 'false';
    } else {
      params[el.name] = el.value.trim();
    }
  }
  if (form.querySelector('input[name=variants]')) {
    // Keep the share link in the server's order: fields, variants, then
    // the parameters every experiment has.
    const tail = RUN_PARAMS.filter((k) => k in params).map((k) => [k, params[k]]);
    for (const [k] of tail) delete params[k];
    params.variants = variants.join(',');
    for (const [k, v] of tail) params[k] = v;
  }
  return params;
}

/** shareURL is the path and query that reopen the experiment as filled now. */
export function shareURL(form) {
  const q = new URLSearchParams(formParams(form)).toString().replace(/%2C/g, ',');
  return '/experiments/' + encodeURIComponent(form.dataset.experiment) + (q ? '?' + q : '');
}

export class ParamsForm {
  /** @param {(started: {id: string, url: string, events: string}) => void} onStarted */
  constructor(form, onStarted) {
    this.form = form;
    this.onStarted = onStarted;
    this.error = document.getElementById('form-error');
    this.status = document.getElementById('form-status');
    this.runBtn = document.getElementById('run-btn');
    this.shareBtn = document.getElementById('share-btn');
    form.addEventListener('submit', (e) => { e.preventDefault(); this.start(formParams(form)); });
    form.addEventListener('input', () => this.changed());
    form.addEventListener('change', () => this.changed());
    this.shareBtn.addEventListener('click', () => this.share());
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    if (!this.error.hidden) this.markField(this.error.textContent, '', false);
  }

  changed() {
    this.clearError();
    if (location.pathname.startsWith('/experiments/')) {
      history.replaceState(history.state, '', shareURL(this.form));
    }
  }

  async share() {
    const url = location.origin + shareURL(this.form);
    try {
      await copyText(url);
      flash(this.status, 'Link copied');
    } catch {
      window.prompt('Copy this link:', url);
    }
  }

  /** start asks the server for a run of the experiment with params. */
  async start(params) {
    if (this.busy) return;
    this.clearError();
    if (params.variants === '') {
      this.showError('Choose at least one variant.', 'variants');
      return;
    }
    this.busy = true;
    this.runBtn.disabled = true;
    this.runBtn.setAttribute('aria-busy', 'true');
    try {
      const res = await fetch('/api/runs', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ experiment: this.form.dataset.experiment, params }),
      });
      const body = await res.json().catch(() => ({}));
      if (res.status === 201 && body.id) {
        this.onStarted(body);
      } else {
        this.showError(body.error || `The server answered ${res.status} ${res.statusText}.`);
      }
    } catch {
      this.showError('Could not reach the server. Check your connection and try again.');
    } finally {
      this.busy = false;
      this.runBtn.disabled = false;
      this.runBtn.removeAttribute('aria-busy');
    }
  }

  showError(message, name) {
    this.error.textContent = message;
    this.error.hidden = false;
    this.markField(message, name);
  }

  // markField marks the parameter a message names ("workers must be ...").
  markField(message, name, focus = true) {
    const first = name || this.named(String(message));
    if (!first) return;
    const target = first === 'variants' ? this.form.querySelector('.variants') : this.form.elements.namedItem(first);
    if (!target || !(target instanceof HTMLElement)) return;
    target.setAttribute('aria-invalid', 'true');
    const el = target.matches('fieldset') ? target.querySelector('input') : target;
    if (focus) el?.focus();
  }

  // named finds the parameter a message starts with, also after a prefix
  // such as "This link's parameters were not used: ".
  named(message) {
    const names = new Set([...this.form.elements].map((el) => el.name).filter(Boolean));
    for (const part of message.split(/:\s+/)) {
      const word = part.split(/\s/)[0];
      if (names.has(word)) return word;
    }
    return '';
  }

  clearError() {
    this.error.hidden = true;
    for (const el of this.form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }
}
