// The experiment and run pages' entry point: wires the form, the run panel
// and the buttons, and colours the Go source.

import { ParamsForm, formParams } from './form.js';
import { RunPanel } from './panel.js';
import { highlightGo } from './highlight.js';

const form = document.getElementById('params');
const root = document.getElementById('run');

for (const code of document.querySelectorAll('pre code.go')) highlightGo(code);

if (form && root) {
  // Variants keep the colour of their place in the form, on every view;
  // the variants of a sweep ("worker-pool/1", "worker-pool/2", ...) share
  // their family's colour.
  const order = [...form.querySelectorAll('input[name=variants]')].map((i) => i.value);
  const colourIndex = (variant) => {
    const name = order.includes(variant) ? variant : variant.replace(/\/\d+$/, '');
    let i = order.indexOf(name);
    if (i < 0) {
      order.push(name);
      i = order.length - 1;
    }
    return i;
  };
  const panel = new RunPanel(root, colourIndex);
  const cancelBtn = document.getElementById('run-cancel');
  const rerunBtn = document.getElementById('run-rerun');

  const follow = (id, events, status) => panel.follow({ id, events, api: '/api/runs/' + encodeURIComponent(id), status });

  const params = new ParamsForm(form, (started) => {
    history.pushState({ run: started.id }, '', started.url || '/runs/' + started.id);
    follow(started.id, started.events || `/runs/${started.id}/events`, 'queued');
    if (root.getBoundingClientRect().top > window.innerHeight * 0.6) root.scrollIntoView({ behavior: 'smooth', block: 'start' });
  });

  if (root.dataset.runId) {
    panel.follow({ id: root.dataset.runId, events: root.dataset.eventsUrl, api: root.dataset.apiUrl, status: root.dataset.status });
  }

  cancelBtn.addEventListener('click', async () => {
    const id = root.dataset.runId;
    if (!id) return;
    cancelBtn.disabled = true;
    try {
      const res = await fetch(`/api/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        panel.setError(body.error || `Cancel failed: the server answered ${res.status}.`);
      }
    } catch {
      panel.setError('Could not reach the server to cancel.');
    } finally {
      cancelBtn.disabled = false;
    }
  });

  // Re-run starts a new run with this run's own parameters, which may
  // differ from what the form shows now.
  rerunBtn.addEventListener('click', async () => {
    rerunBtn.disabled = true;
    try {
      const res = await fetch(root.dataset.apiUrl, { headers: { Accept: 'application/json' } });
      const run = res.ok ? await res.json() : {};
      const p = run.params && typeof run.params === 'object' ? asStrings(run.params) : null;
      await params.start(p || formParams(form));
    } catch {
      panel.setError('Could not reach the server to re-run.');
    } finally {
      rerunBtn.disabled = false;
    }
  });

  // Pages pushed by Run are real pages: going back or forward loads them.
  window.addEventListener('popstate', () => location.reload());
}

function asStrings(params) {
  const out = {};
  for (const [k, v] of Object.entries(params)) {
    out[k] = Array.isArray(v) ? v.join(',') : v === null || v === undefined ? '' : String(v);
  }
  return out;
}
