// The learner's own variant: the file in the editor is checked on the
// server (POST /api/code: built and vetted in a sandbox), its problems
// listed on their lines, and the checked file's id put in the form as
// code, with the variant yours ticked, so Run runs it beside the lab's.

const panel = document.getElementById('yours');
const code = document.getElementById('yours-code');
if (panel && code) {
  const form = document.getElementById('params');
  const id = document.getElementById('yours-id');
  const status = document.getElementById('yours-status');
  const problems = document.getElementById('yours-problems');
  const check = document.getElementById('yours-check');
  const yoursBox = form.querySelector('input[name=variants][value=yours]');

  const say = (text, bad) => {
    status.textContent = text;
    status.classList.toggle('bad', !!bad);
  };

  // A problem's line, selected in the editor.
  const goTo = (line, col) => {
    const lines = code.value.split('\n');
    let at = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) at += lines[i].length + 1;
    at += Math.max(0, (col || 1) - 1);
    code.focus();
    code.setSelectionRange(at, at);
    const lh = parseFloat(getComputedStyle(code).lineHeight) || 18;
    code.scrollTop = Math.max(0, (line - 3) * lh);
  };

  const list = (items) => {
    problems.replaceChildren();
    for (const p of items) {
      const li = document.createElement('li');
      if (p.line > 0) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'linkish';
        b.textContent = `Line ${p.line}:${p.col}`;
        b.addEventListener('click', () => goTo(p.line, p.col));
        li.append(b, ' ');
      }
      li.append(p.msg);
      problems.append(li);
    }
    problems.hidden = items.length === 0;
  };

  // The checked id no longer matches an edited file.
  const edited = () => {
    if (id.value) {
      id.value = '';
      if (yoursBox) yoursBox.checked = false;
      form.dispatchEvent(new Event('change'));
      say('Edited: check it again to run it.');
    }
  };
  code.addEventListener('input', edited);

  code.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      code.setRangeText('\t', code.selectionStart, code.selectionEnd, 'end');
      edited();
    }
  });

  document.getElementById('yours-reset').addEventListener('click', () => {
    code.value = code.dataset.start;
    list([]);
    edited();
  });

  check.addEventListener('click', async () => {
    check.disabled = true;
    say('Building and vetting in the sandbox…');
    list([]);
    try {
      const res = await fetch('/api/code', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ experiment: form.dataset.experiment, code: code.value }),
      });
      const body = await res.json().catch(() => ({}));
      if (res.status === 201) {
        id.value = body.id;
        if (yoursBox) yoursBox.checked = true;
        form.dispatchEvent(new Event('change'));
        const vet = body.vet || [];
        say(vet.length ? `Built; go vet has ${vet.length} finding${vet.length > 1 ? 's' : ''}. Run runs it as yours.` : 'Built and vetted clean. Run runs it as yours.');
        list(vet);
      } else {
        say(body.error || `The check failed (${res.status}).`, true);
        list(body.problems || []);
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
        code.value = body.code;
        say('Your code from the link, checked.');
      } else {
        say(body.error || 'The link\'s code could not be read.', true);
      }
    });
  }
}
