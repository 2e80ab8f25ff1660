// The learner's own variant: the file in a code editor (CodeMirror, with
// Go highlighting, line numbers and Tab to indent), gofmt, and Check,
// which builds and vets it on the server (POST /api/code, in a sandbox),
// marks its problems and go vet's findings on their lines, and puts the
// checked file's id in the form as code with the variant yours ticked, so
// Run runs it beside the lab's variants. The experiment page and a
// workshop's stage both bind it.

import { createEditor, text, setText, mark, goTo } from '../vendor/codemirror/editor.js';

/** bindYours binds the panel #yours inside root to the form #params. */
export function bindYours(root) {
  const panel = root.querySelector('#yours');
  const area = root.querySelector('#yours-code');
  const form = root.querySelector('form#params');
  if (!panel || !area || !form) return;
  const id = panel.querySelector('#yours-id');
  const status = panel.querySelector('#yours-status');
  const problems = panel.querySelector('#yours-problems');
  const check = panel.querySelector('#yours-check');
  const fmt = panel.querySelector('#yours-fmt');
  const host = panel.querySelector('#yours-editor');
  const yoursBox = () => form.querySelector('input[name=variants][value=yours]');

  const say = (msg, bad) => {
    status.textContent = msg;
    status.classList.toggle('bad', !!bad);
  };

  let settingText = false;
  // The checked id no longer matches an edited file.
  const edited = () => {
    if (settingText || !id.value) return;
    id.value = '';
    const box = yoursBox();
    if (box) box.checked = false;
    form.dispatchEvent(new Event('change'));
    say('Edited: check it again to run it.');
  };
  const nonce = document.querySelector('script[nonce]')?.nonce || '';
  const view = createEditor(host, { doc: area.value, label: 'Your code', nonce, onChange: (t) => { area.value = t; edited(); } });
  area.hidden = true;
  host.hidden = false;
  const put = (t) => { settingText = true; setText(view, t); area.value = t; settingText = false; };

  const list = (items, severity) => {
    problems.replaceChildren();
    for (const p of items) {
      const li = document.createElement('li');
      li.className = severity;
      if (p.line > 0) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'linkish';
        b.textContent = `Line ${p.line}:${p.col}`;
        b.addEventListener('click', () => goTo(view, p.line, p.col));
        li.append(b, ' ');
      }
      li.append(p.msg);
      problems.append(li);
    }
    problems.hidden = items.length === 0;
    mark(view, items, severity);
  };

  panel.querySelector('#yours-reset').addEventListener('click', () => {
    put(area.dataset.start);
    list([], 'error');
    edited();
    say('The lab\'s starting file is back.');
  });

  const post = async (url, body) => {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json().catch(() => ({})) };
  };

  fmt.addEventListener('click', async () => {
    try {
      const { status: st, body } = await post('/api/format', { code: text(view) });
      if (st === 200) {
        if (body.code !== text(view)) put(body.code);
        list([], 'error');
        say('Formatted as gofmt does.');
      } else {
        say(body.error || `gofmt failed (${st}).`, true);
        list(body.problems || [], 'error');
      }
    } catch (err) {
      say('The server could not be reached: ' + err.message, true);
    }
  });

  check.addEventListener('click', async () => {
    check.disabled = true;
    say('Building and vetting in the sandbox…');
    list([], 'error');
    try {
      const { status: st, body } = await post('/api/code', { experiment: form.dataset.experiment, code: text(view) });
      if (st === 201) {
        id.value = body.id;
        const box = yoursBox();
        if (box) box.checked = true;
        form.dispatchEvent(new Event('change'));
        const vet = body.vet || [];
        say(vet.length ? `Built; go vet has ${vet.length} finding${vet.length > 1 ? 's' : ''}, marked on the lines. Run runs it as yours.` : 'Built and vetted clean. Run runs it as yours.');
        list(vet, 'warning');
      } else {
        say(body.error || `The check failed (${st}).`, true);
        list(body.problems || [], 'error');
      }
    } catch (err) {
      say('The server could not be reached: ' + err.message, true);
    } finally {
      check.disabled = false;
    }
  });

  // A share link's code: the file it names, back in the editor.
  if (id.value) {
    fetch('/api/code/' + encodeURIComponent(id.value)).then(async (res) => {
      const body = await res.json().catch(() => ({}));
      if (res.ok && typeof body.code === 'string') {
        put(body.code);
        say('Your code from the link, checked.');
      } else {
        say(body.error || 'The link\'s code could not be read.', true);
      }
    });
  }
}
