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

// Comments: a fresh form token once the form comes near (the page itself is cached, so
// it cannot carry one), and the reply form opened under the comment being answered.
// Without script the reply links load the page with the form set to reply, and a
// comment sent without a token waits for a moderator.
(() => {
  const form = document.querySelector('form.comment-form');
  const respond = form?.closest('.respond');
  if (!form || !respond) return;
  const tokenField = form.querySelector('[data-token-field]');
  let requested = false;
  const fetchToken = async () => {
    if (requested || !window.fetch || !tokenField) return;
    requested = true;
    try {
      const res = await fetch(form.dataset.tokenUrl, { credentials: 'same-origin', cache: 'no-store' });
      if (res.ok) tokenField.value = (await res.json()).token;
      else requested = false;
    } catch {
      requested = false;
    }
  };
  if ('IntersectionObserver' in window) {
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        observer.disconnect();
        fetchToken();
      },
      { rootMargin: '600px 0px' },
    );
    observer.observe(form);
  }
  form.addEventListener('focusin', fetchToken);

  const parentField = form.querySelector('[data-parent-field]');
  const replying = form.querySelector('[data-replying]');
  const replyingText = form.querySelector('[data-replying-text]');
  const title = respond.querySelector('h2');
  // Where the form goes back to when a reply is cancelled.
  const home = document.createComment('comment form');
  respond.after(home);
  const open = (link) => {
    const comment = link.closest('.comment');
    const article = comment?.querySelector(':scope > article');
    if (!article || !parentField || !replying || !replyingText) return false;
    article.after(respond);
    parentField.value = link.dataset.replyTo;
    const name = link.dataset.replyName;
    if (title) title.textContent = `Reply to ${name}`;
    const anchor = document.createElement('a');
    anchor.href = `#${comment.id}`;
    anchor.textContent = name;
    replyingText.replaceChildren('Replying to ', anchor, '.');
    replying.hidden = false;
    form.querySelector('#comment-body')?.focus();
    return true;
  };
  const cancel = () => {
    home.before(respond);
    if (parentField) parentField.value = '';
    if (replying) replying.hidden = true;
    if (title) title.textContent = 'Leave a comment';
    form.querySelector('#comment-name')?.focus();
  };
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const reply = target?.closest('[data-reply-to]');
    if (reply && open(reply)) {
      event.preventDefault();
      return;
    }
    if (target?.closest('[data-cancel-reply]')) {
      event.preventDefault();
      cancel();
    }
  });
})();

// The header menu is a <details> element and works without this. Script adds: Escape closes
// it (focus back on its button), a click outside closes it, and browsers that cannot style
// ::details-content get it opened on wide screens, where its button is hidden.
(() => {
  const menu = document.querySelector('[data-site-menu]');
  if (!menu) return;
  const toggle = menu.querySelector('summary');
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !menu.open || !toggle || getComputedStyle(toggle).display === 'none') return;
    menu.open = false;
    toggle.focus();
  });
  document.addEventListener('click', (event) => {
    if (menu.open && event.target instanceof Node && !menu.contains(event.target) && toggle?.offsetParent)
      menu.open = false;
  });
  if (window.CSS?.supports?.('selector(::details-content)')) return;
  const wide = window.matchMedia('(min-width: 48rem)');
  const sync = () => {
    menu.open = wide.matches;
  };
  sync();
  wide.addEventListener('change', sync);
})();
