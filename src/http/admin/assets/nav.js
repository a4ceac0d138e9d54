// The admin's navigation, with script: "Menu" opens and closes the side navigation on a
// narrow screen as a disclosure (Escape closes it and gives focus back); on a wide screen a
// button folds the navigation away, remembered on this device. Success notices get a
// button to dismiss them. Without script, "Menu" is a link to the navigation (:target).
const nav = document.getElementById('admin-nav');
const toggle = document.querySelector('[data-nav-toggle]');
const close = document.querySelector('[data-nav-close]');

if (nav && toggle) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = toggle.className;
  button.textContent = toggle.textContent;
  button.setAttribute('aria-controls', 'admin-nav');
  button.setAttribute('aria-expanded', 'false');
  toggle.replaceWith(button);

  const setOpen = (open, focus) => {
    nav.classList.toggle('side--open', open);
    button.setAttribute('aria-expanded', String(open));
    if (open && focus) nav.querySelector('a, button')?.focus();
    if (!open && focus) button.focus();
  };
  button.addEventListener('click', () => setOpen(!nav.classList.contains('side--open'), true));
  close?.addEventListener('click', (event) => {
    event.preventDefault();
    setOpen(false, true);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && nav.classList.contains('side--open')) setOpen(false, true);
  });
  // A click outside the open panel closes it.
  document.addEventListener('click', (event) => {
    if (!nav.classList.contains('side--open')) return;
    if (event.target instanceof Node && !nav.contains(event.target) && event.target !== button) setOpen(false, false);
  });

  // Folding on a wide screen.
  const head = nav.querySelector('.side__head');
  const fold = document.createElement('button');
  fold.type = 'button';
  fold.className = 'side__collapse';
  const folded = () => document.documentElement.classList.contains('nav-folded');
  const label = () => {
    fold.textContent = folded() ? '»' : '«';
    fold.setAttribute('aria-label', folded() ? 'Show the menu' : 'Fold the menu away');
    fold.setAttribute('aria-expanded', String(!folded()));
  };
  let stored = null;
  try {
    stored = localStorage.getItem('hearth.nav');
  } catch {
    // Storage may be refused (private windows): folding then lasts for this page only.
  }
  document.documentElement.classList.toggle('nav-folded', stored === 'folded');
  label();
  fold.addEventListener('click', () => {
    document.documentElement.classList.toggle('nav-folded');
    try {
      localStorage.setItem('hearth.nav', folded() ? 'folded' : 'open');
    } catch {
      // As above.
    }
    label();
  });
  head?.append(fold);
}

// The button goes beside the notice, not inside it: the notice is a live region, and its
// text stays what was done.
for (const notice of document.querySelectorAll('.notice--toast')) {
  const toast = document.createElement('div');
  toast.className = 'toast';
  notice.replaceWith(toast);
  toast.append(notice);
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.className = 'notice__dismiss';
  dismiss.textContent = '×';
  dismiss.setAttribute('aria-label', 'Dismiss');
  dismiss.addEventListener('click', () => toast.remove());
  toast.append(dismiss);
}
