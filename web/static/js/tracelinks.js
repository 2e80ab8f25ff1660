// The "Download trace" block: a link per variant whose raw execution
// trace the finished run kept (result.traces), served by the run's
// /runs/{id}/trace/{variant}.

import { h } from './util.js';

/**
 * showTraceLinks fills root (#run-traces) for run id from result, and
 * hides it when the run kept no trace.
 * @param {HTMLElement} root
 * @param {string} id
 * @param {{traces?: string[]}|null} result
 * @param {(variant: string) => number} colourIndex
 */
export function showTraceLinks(root, id, result, colourIndex) {
  const list = root.querySelector('#run-traces-list');
  const traces = Array.isArray(result?.traces) ? result.traces.map(String) : [];
  list.replaceChildren(...traces.map((v) => {
    const file = `${id}-${v}.trace`;
    return h('li', {},
      h('span', { class: 'swatch vc' + (colourIndex(v) % 8), 'aria-hidden': 'true' }),
      h('a', { href: `/runs/${encodeURIComponent(id)}/trace/${encodeURIComponent(v)}`, download: file, text: v }),
      h('code', { class: 'trace-cmd', text: `go tool trace ${file}` }));
  }));
  root.hidden = traces.length === 0;
}
