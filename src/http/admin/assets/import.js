// The import status page: follows the running import and reloads the page (with its report) when it ends.
const box = document.getElementById('import-status');
const state = document.getElementById('import-state');
const bar = document.getElementById('import-progress');
const reload = document.getElementById('import-reload');
if (box && state && bar && box.dataset.state === 'running') {
  if (reload) reload.hidden = true;
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error(String(response.status));
      const job = await response.json();
      if (job.state !== 'running') {
        window.location.reload();
        return;
      }
      if (job.total) bar.max = job.total;
      bar.value = job.done;
      bar.textContent = String(job.done);
      state.textContent = `Importing… ${job.done}${job.total ? ` of ${job.total}` : ''} posts and pages.`;
    } catch {
      if (reload) reload.hidden = false;
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}
