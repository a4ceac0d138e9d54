// The feature image picker of the editor's settings: a search box over the library. Without
// this script the picker is the radio buttons the page lists (no feature image, the post's
// first photo, the newest photos); with it, typing asks the library (the same search as
// /admin/media, as JSON) and shows the photos found, adding those the page did not list.

const picker = document.getElementById('feature-picker');
const box = document.querySelector('.picker__search');
const input = document.getElementById('feature-search');
const status = document.getElementById('feature-search-status');

function option(photo) {
  const item = document.createElement('li');
  item.className = 'picker__option';
  const radio = document.createElement('input');
  radio.type = 'radio';
  radio.name = 'featureImageId';
  radio.id = `feature-${photo.id}`;
  radio.value = String(photo.id);
  const label = document.createElement('label');
  label.htmlFor = radio.id;
  const img = document.createElement('img');
  img.src = photo.thumb.src;
  img.alt = '';
  img.width = photo.thumb.width;
  img.height = photo.thumb.height;
  img.loading = 'lazy';
  label.append(img, photo.name);
  if (photo.alt) {
    const alt = document.createElement('span');
    alt.className = 'muted';
    alt.textContent = ` (${photo.alt.length > 60 ? `${photo.alt.slice(0, 57)}...` : photo.alt})`;
    label.append(alt);
  }
  item.append(radio, ' ', label);
  return item;
}

let timer;
let asked = 0;

async function search() {
  const q = input.value.trim();
  const options = [...picker.querySelectorAll('.picker__option')];
  if (q === '') {
    for (const o of options) o.hidden = false;
    status.textContent = '';
    return;
  }
  const ask = ++asked;
  const res = await fetch(`/admin/media?q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' } });
  if (ask !== asked || !res.ok) return;
  const found = await res.json();
  const ids = new Set(found.items.map((p) => String(p.id)));
  for (const photo of found.items) {
    if (!document.getElementById(`feature-${photo.id}`)) picker.append(option(photo));
  }
  for (const o of picker.querySelectorAll('.picker__option')) {
    const radio = o.querySelector('input');
    // "No feature image" and the chosen photo stay in view.
    o.hidden = radio.value !== '' && !radio.checked && !ids.has(radio.value);
  }
  status.textContent =
    found.total === 0 ? 'No photo matches.' : `${found.total} ${found.total === 1 ? 'photo matches' : 'photos match'}.`;
}

if (picker && box && input && status) {
  box.hidden = false;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  // Enter in the search box searches; it does not save the post.
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      clearTimeout(timer);
      search();
    }
  });
}
