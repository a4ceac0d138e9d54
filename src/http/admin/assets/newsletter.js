// A newsletter's page: follows the send (its counts and state) and reloads the page when its state changes.
const box = document.getElementById('newsletter-status');
const state = document.getElementById('newsletter-state');
const bar = document.getElementById('newsletter-progress');
const counts = document.getElementById('newsletter-counts');
if (box && state && bar && counts) {
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error(String(response.status));
      const send = await response.json();
      if (send.state !== box.dataset.state) {
        window.location.reload();
        return;
      }
      bar.max = Math.max(1, send.total);
      bar.value = send.sent;
      bar.textContent = String(send.sent);
      counts.textContent = `${send.sent} of ${send.total} sent, ${send.failed} failed`;
      state.textContent = send.statusText;
    } catch {
      // The next poll tries again.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}
