// Keyboard shortcuts for the moderation queue. Every shortcut presses a button or a
// checkbox that is already on the page, so the queue works the same without script.
(() => {
  const items = Array.from(document.querySelectorAll('[data-comment]'));
  if (items.length === 0) return;
  let current = -1;
  const keys = { a: 'approve', s: 'spam', t: 'trash', r: 'restore' };

  const select = (index, focus = true) => {
    if (index < 0 || index >= items.length) return;
    items[current]?.classList.remove('queue__item--current');
    current = index;
    const item = items[current];
    item.classList.add('queue__item--current');
    if (focus) item.focus();
  };

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (
      target instanceof HTMLElement &&
      target.closest('input, textarea, select, button, summary, [contenteditable]')
    ) {
      if (!(target instanceof HTMLInputElement && target.type === 'checkbox')) return;
    }
    const key = event.key.toLowerCase();
    if (key === 'j') select(current + 1);
    else if (key === 'k') select(current < 0 ? 0 : current - 1);
    else if (current < 0) return;
    else if (key === 'x') items[current].querySelector('[data-select]')?.click();
    else if (keys[key]) {
      const button = items[current].querySelector(`[data-action="${keys[key]}"]`);
      if (!button) return;
      button.click();
    } else return;
    event.preventDefault();
  });

  // The first comment is ready for a shortcut at once (without moving the focus).
  select(0, false);
})();
