// The Build panel of a book's page: a build button starts the job without leaving the page
// (the form above keeps what is typed), then the panel follows the job by polling its JSON
// status and shows the progress, the result and the download link. Without this script the
// buttons post the form and the server sends the page back.

const panel = document.getElementById('book-builds-panel');

function render(status) {
  for (const line of status.lines) {
    const item = panel.querySelector(`[data-format="${line.format}"]`);
    if (!item || !line.available) continue;
    const state = item.querySelector('.book-build-state');
    const bar = item.querySelector('.book-build-progress');
    const file = item.querySelector('.book-build-file');
    const latest = line.latest;
    const text = latest ? latest.summary : 'Not built yet.';
    if (state && state.textContent !== text) state.textContent = text;
    if (bar) {
      const running = latest && (latest.state === 'running' || latest.state === 'queued');
      bar.hidden = !running;
      bar.value = latest ? (latest.state === 'done' ? 100 : latest.percent) : 0;
    }
    if (file) {
      file.textContent = '';
      if (line.file) {
        const link = document.createElement('a');
        link.href = line.file.url;
        link.setAttribute('download', '');
        link.textContent = `Download the ${line.format.toUpperCase()}`;
        file.append(link, ` (${line.file.bytesText})`);
        if (line.file.upToDate === true) file.append(' · up to date');
        else if (line.file.upToDate === false) {
          const strong = document.createElement('strong');
          strong.textContent = 'older than the book';
          file.append(' · ', strong, ': build it again');
        }
      }
    }
  }
}

let polling = false;
async function poll() {
  try {
    const response = await fetch(panel.dataset.statusUrl, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (!response.ok) throw new Error(String(response.status));
    const status = await response.json();
    render(status);
    if (status.running) {
      setTimeout(poll, 1000);
      return;
    }
  } catch {
    // A lost answer: the next click or a reload shows the state again.
  }
  polling = false;
}

function follow() {
  if (polling) return;
  polling = true;
  setTimeout(poll, 500);
}

if (panel) {
  panel.addEventListener('submit', async (event) => {
    const form = event.target.closest('.book-build-form');
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      });
      const answer = await response.json();
      const state = form.closest('[data-format]')?.querySelector('.book-build-state');
      if (!response.ok) {
        if (state) state.textContent = answer.error || 'The book cannot be built.';
      } else {
        render(answer);
        follow();
      }
    } catch {
      form.submit();
    } finally {
      button.disabled = false;
    }
  });
  if (panel.dataset.running === 'yes') follow();
}
