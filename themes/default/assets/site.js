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
