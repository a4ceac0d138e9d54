// Progressive enhancement only: the site works without this file.
(() => {
  const status = document.querySelector('.share__status');
  const say = (text) => {
    if (status) status.textContent = text;
  };
  for (const button of document.querySelectorAll('[data-copy-link]')) {
    if (!navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copyLink);
        say('Link copied.');
      } catch {
        say('Could not copy the link.');
      }
    });
  }
  for (const button of document.querySelectorAll('[data-web-share]')) {
    if (!navigator.share) continue;
    button.hidden = false;
    button.addEventListener('click', () => {
      navigator.share({ title: button.dataset.title, url: button.dataset.url }).catch(() => {});
    });
  }
})();

// Search as you type: suggestions under the search box, from /search.json.
(() => {
  const input = document.querySelector('[data-search-suggest]');
  if (!input || !window.fetch) return;
  const list = document.createElement('ul');
  list.className = 'search-suggestions';
  list.id = 'search-suggestions';
  list.hidden = true;
  const status = document.createElement('p');
  status.className = 'visually-hidden';
  status.setAttribute('role', 'status');
  input.after(list, status);
  input.setAttribute('aria-controls', list.id);
  let timer;
  let controller;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      controller?.abort();
      if (q.length < 2) {
        list.hidden = true;
        return;
      }
      controller = new AbortController();
      try {
        const res = await fetch(`/search.json?q=${encodeURIComponent(input.value)}`, { signal: controller.signal });
        const data = await res.json();
        list.replaceChildren(
          ...data.results.map((r) => {
            const li = document.createElement('li');
            const a = document.createElement('a');
            a.href = r.url;
            a.textContent = r.title;
            li.append(a);
            return li;
          }),
        );
        list.hidden = data.results.length === 0;
        status.textContent = `${data.total} ${data.total === 1 ? 'result' : 'results'}`;
      } catch {
        // A newer keystroke aborted this request, or the network failed: the form still works.
      }
    }, 150);
  });
})();
