// "/" at the start of a line offers Hearth's blocks in a small listbox: typing filters it,
// arrows move, Enter or a click inserts in place of the "/…" typed, Escape closes. The text
// box keeps the focus and points at the active option (aria-activedescendant).
import { Prec } from '@codemirror/state';
import { EditorView, keymap, type ViewUpdate } from '@codemirror/view';

export interface MenuItem {
  key: string;
  label: string;
  hint: string;
}

export class SlashMenu {
  readonly #items: MenuItem[];
  readonly #choose: (key: string, line: { from: number; to: number }) => void;
  readonly #list = document.createElement('ul');
  #shown: MenuItem[] = [];
  #active = 0;
  #line: { from: number; to: number } | null = null;
  #view: EditorView | null = null;

  constructor(items: MenuItem[], choose: (key: string, line: { from: number; to: number }) => void) {
    this.#items = items;
    this.#choose = choose;
    this.#list.id = 'block-menu';
    this.#list.className = 'slash-menu';
    this.#list.setAttribute('role', 'listbox');
    this.#list.setAttribute('aria-label', 'Insert a block');
    this.#list.hidden = true;
    // A click chooses without taking the focus from the text.
    this.#list.addEventListener('mousedown', (event) => event.preventDefault());
    this.#list.addEventListener('click', (event) => {
      const option = (event.target as HTMLElement).closest('li');
      if (option) this.#pick(Number(option.dataset.index));
    });
  }

  get isOpen(): boolean {
    return this.#line !== null;
  }

  extension() {
    const whenOpen = (fn: () => void) => () => {
      if (!this.isOpen) return false;
      fn();
      return true;
    };
    return [
      EditorView.updateListener.of((update) => this.#update(update)),
      Prec.highest(
        keymap.of([
          { key: 'ArrowDown', run: whenOpen(() => this.#move(1)) },
          { key: 'ArrowUp', run: whenOpen(() => this.#move(-1)) },
          { key: 'Enter', run: whenOpen(() => this.#pick(this.#active)) },
          { key: 'Escape', run: whenOpen(() => this.close()) },
        ]),
      ),
      EditorView.domEventHandlers({ blur: () => this.close() }),
    ];
  }

  close(): void {
    this.#line = null;
    this.#list.hidden = true;
    this.#view?.contentDOM.removeAttribute('aria-activedescendant');
    this.#view?.contentDOM.removeAttribute('aria-controls');
  }

  #update(update: ViewUpdate): void {
    this.#view = update.view;
    if (!this.#list.isConnected) update.view.dom.parentElement?.append(this.#list);
    if (!update.docChanged && !update.selectionSet) return;
    const { state } = update;
    const range = state.selection.main;
    const line = state.doc.lineAt(range.head);
    const typed = /^\/([\p{L}’'. -]{0,20})$/u.exec(line.text);
    const typing = update.transactions.some((tr) => tr.isUserEvent('input.type') || tr.isUserEvent('delete'));
    if (!range.empty || !typed || range.head !== line.to || (!this.isOpen && !typing)) {
      this.close();
      return;
    }
    const query = (typed[1] ?? '').toLowerCase().trim();
    this.#shown = this.#items.filter((item) => item.label.toLowerCase().includes(query));
    if (this.#shown.length === 0) {
      this.close();
      return;
    }
    this.#line = { from: line.from, to: line.to };
    this.#active = Math.min(this.#active, this.#shown.length - 1);
    this.#render();
    // Place it under the line, inside the field (positions measured after the update).
    update.view.requestMeasure({
      read: (view) => ({ at: view.coordsAtPos(line.from), box: view.dom.parentElement?.getBoundingClientRect() }),
      write: ({ at, box }) => {
        if (!at || !box) return;
        this.#list.style.left = `${Math.max(0, at.left - box.left)}px`;
        this.#list.style.top = `${at.bottom - box.top + 4}px`;
      },
    });
  }

  #render(): void {
    this.#list.replaceChildren(
      ...this.#shown.map((item, index) => {
        const option = document.createElement('li');
        option.id = `block-option-${item.key}`;
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', String(index === this.#active));
        option.dataset.index = String(index);
        const hint = document.createElement('span');
        hint.className = 'slash-menu__hint';
        hint.textContent = ` ${item.hint}`;
        option.append(item.label, hint);
        return option;
      }),
    );
    this.#list.hidden = false;
    const content = this.#view?.contentDOM;
    content?.setAttribute('aria-controls', this.#list.id);
    content?.setAttribute('aria-activedescendant', `block-option-${this.#shown[this.#active]?.key}`);
  }

  #move(by: number): void {
    this.#active = (this.#active + by + this.#shown.length) % this.#shown.length;
    this.#render();
  }

  #pick(index: number): void {
    const item = this.#shown[index];
    const line = this.#line;
    this.close();
    this.#active = 0;
    if (item && line) this.#choose(item.key, line);
  }
}
