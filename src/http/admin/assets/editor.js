// The editor's enhancements: live preview, a small Markdown toolbar, autosave, and photo
// uploads by file picker, drag and drop or paste. The form works without any of it.
const form = document.getElementById('editor');
const body = document.getElementById('post-body');
if (form && body) {
  const csrf = () => form.querySelector('input[name="_csrf"]').value;
  const post = (url, data, headers = {}) =>
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': csrf(), accept: 'application/json', ...headers },
      body: data,
    });
  const json = (value) => JSON.stringify(value);
  const postId = form.dataset.postId || '';
  const status = document.getElementById('autosave-status');

  // Live preview, rendered by the server with the real Markdown renderer.
  const previewBox = document.getElementById('preview');
  previewBox.closest('section').hidden = false;
  let previewTimer;
  const refreshPreview = async () => {
    const res = await post('/admin/posts/preview', json({ body: body.value }), { 'content-type': 'application/json' });
    if (res.ok) previewBox.innerHTML = (await res.json()).html;
  };
  const schedulePreview = () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 400);
  };
  refreshPreview();

  // Toolbar.
  const toolbar = form.querySelector('.toolbar');
  toolbar.hidden = false;
  const wrap = (before, after, placeholder) => {
    const { selectionStart: start, selectionEnd: end, value } = body;
    const chosen = value.slice(start, end) || placeholder;
    body.setRangeText(`${before}${chosen}${after}`, start, end, 'end');
    body.focus();
    body.dispatchEvent(new Event('input'));
  };
  const actions = {
    bold: () => wrap('**', '**', 'bold text'),
    italic: () => wrap('_', '_', 'italic text'),
    link: () => wrap('[', '](https://)', 'link text'),
    heading: () => wrap('\n## ', '\n', 'Heading'),
    image: () => fileInput.click(),
  };
  toolbar.addEventListener('click', (event) => {
    const action = event.target.closest('button')?.dataset.md;
    if (action) actions[action]();
  });

  // Autosave: the working copy is kept on the server a moment after each change, and
  // when the tab is hidden or closed.
  let dirty = false;
  let autosaveTimer;
  const autosave = (keepalive = false) => {
    if (!dirty) return;
    dirty = false;
    const data = json({
      postId,
      title: form.elements.title.value,
      body: body.value,
      excerpt: form.elements.excerpt.value,
    });
    fetch('/admin/posts/autosave', {
      method: 'POST',
      credentials: 'same-origin',
      keepalive,
      headers: { 'x-csrf-token': csrf(), 'content-type': 'application/json', accept: 'application/json' },
      body: data,
    })
      .then((res) => {
        if (res.ok) status.textContent = `Unsaved changes kept at ${new Date().toLocaleTimeString()}.`;
      })
      .catch(() => {
        dirty = true;
      });
  };
  form.addEventListener('input', () => {
    dirty = true;
    schedulePreview();
    clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(() => autosave(), 2000);
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') autosave(true);
  });
  window.addEventListener('pagehide', () => autosave(true));
  form.addEventListener('submit', () => {
    dirty = false;
  });

  // Photos: upload, then insert their Markdown where the cursor is.
  const fileInput = document.createElement('input');
  fileInput.type = 'file';
  fileInput.accept = 'image/jpeg,image/png,image/webp,image/avif,image/gif';
  fileInput.hidden = true;
  form.append(fileInput);
  const upload = async (file) => {
    status.textContent = `Uploading ${file.name}…`;
    const data = new FormData();
    data.append('file', file, file.name || 'pasted-photo');
    const res = await post('/admin/media/upload', data);
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) {
      status.textContent = answer.error?.message ?? `The upload failed (${res.status}).`;
      return;
    }
    wrap('', '', `\n${answer.markdown}\n`);
    status.textContent = `${file.name || 'The photo'} is uploaded. Describe it between the brackets (alt text).`;
  };
  const uploadAll = (files) => {
    for (const file of files) if (file.type.startsWith('image/') || file.type === '') upload(file);
  };
  fileInput.addEventListener('change', () => uploadAll(fileInput.files));
  body.addEventListener('dragover', (event) => event.preventDefault());
  body.addEventListener('drop', (event) => {
    if (event.dataTransfer?.files.length) {
      event.preventDefault();
      uploadAll(event.dataTransfer.files);
    }
  });
  body.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length) {
      event.preventDefault();
      uploadAll(files);
    }
  });
  const uploadForm = document.getElementById('upload-form');
  uploadForm?.addEventListener('submit', (event) => {
    const picked = document.getElementById('upload-file').files;
    if (picked.length) {
      event.preventDefault();
      uploadAll(picked);
      uploadForm.reset();
    }
  });
}
