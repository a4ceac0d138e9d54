// The book form's parts and chapters, moved in the page: by dragging a row by its handle
// (mouse, pen or touch), and by the Move up / Move down buttons without a round trip.
// Without this script the buttons submit the form, and the server moves the row.
// Either way nothing is saved until "Save the book"; the fields are renumbered in the new
// order, so the form sends the rows as they are shown.

const list = document.querySelector('ol[data-rows="entry"]');
const announce = document.getElementById('book-announce');

function rows() {
  return [...list.querySelectorAll(':scope > li[data-row]')];
}

function titleOf(row) {
  const shown = row.querySelector('[data-title]');
  const input = row.querySelector('input[name$=".title"]');
  return (shown ? shown.textContent : input ? input.value : '').trim() || 'untitled';
}

/** Gives every field and button the number of its row's place. */
function renumber() {
  let inPart = false;
  rows().forEach((row, i, all) => {
    const n = i + 1;
    for (const field of row.querySelectorAll('[name^="entry."]')) {
      field.name = field.name.replace(/^entry\.\d+\./, `entry.${n}.`);
    }
    for (const button of row.querySelectorAll('button[name="action"]')) {
      button.value = button.value.replace(/^(entry-(?:up|down|remove))\.\d+$/, `$1.${n}`);
      if (button.value.startsWith('entry-up.')) button.disabled = i === 0;
      if (button.value.startsWith('entry-down.')) button.disabled = i === all.length - 1;
    }
    if (row.dataset.kind === 'part') inPart = true;
    row.classList.toggle('book-row--in-part', row.dataset.kind !== 'part' && inPart);
  });
}

function moved(row) {
  renumber();
  const n = rows().indexOf(row) + 1;
  if (announce) announce.textContent = `“${titleOf(row)}” is now number ${n}. Save the book to keep the change.`;
}

if (list) {
  list.classList.add('book-rows--enhanced');
  list.addEventListener('click', (event) => {
    const button = event.target.closest('button[name="action"]');
    const match = button && /^entry-(up|down)\.\d+$/.exec(button.value);
    if (!match) return;
    event.preventDefault();
    const row = button.closest('li[data-row]');
    if (match[1] === 'up' && row.previousElementSibling) list.insertBefore(row, row.previousElementSibling);
    else if (match[1] === 'down' && row.nextElementSibling) list.insertBefore(row.nextElementSibling, row);
    else return;
    moved(row);
    // Focus stays on the button pressed; at the top or bottom, on its other move button.
    const other = row.querySelector(`button[value^="entry-${match[1] === 'up' ? 'down' : 'up'}."]`);
    (button.disabled ? other : button).focus();
  });

  for (const row of rows()) {
    const handle = document.createElement('span');
    handle.className = 'book-row__handle';
    handle.setAttribute('aria-hidden', 'true');
    handle.title = 'Drag to move';
    handle.textContent = '⠿';
    row.prepend(handle);
  }

  let dragging = null;
  list.addEventListener('pointerdown', (event) => {
    const handle = event.target.closest('.book-row__handle');
    if (!handle || event.button !== 0) return;
    event.preventDefault();
    dragging = handle.closest('li[data-row]');
    dragging.classList.add('book-row--dragging');
    handle.setPointerCapture(event.pointerId);
  });
  list.addEventListener('pointermove', (event) => {
    if (!dragging) return;
    // Near the window's top or bottom edge, the page scrolls to reach rows out of sight.
    if (event.clientY < 48) window.scrollBy(0, -24);
    else if (event.clientY > window.innerHeight - 48) window.scrollBy(0, 24);
    const under = document.elementFromPoint(event.clientX, event.clientY);
    const target = under?.closest('ol[data-rows="entry"] > li[data-row]');
    if (!target || target === dragging) return;
    const box = target.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragging, after ? target.nextElementSibling : target);
  });
  const drop = () => {
    if (!dragging) return;
    const row = dragging;
    dragging = null;
    row.classList.remove('book-row--dragging');
    moved(row);
  };
  // On the document: moving the row in the page ends its pointer capture, and the pointer may
  // be let go outside the list (above it, when the page scrolled while dragging).
  document.addEventListener('pointerup', drop);
  document.addEventListener('pointercancel', drop);
}
