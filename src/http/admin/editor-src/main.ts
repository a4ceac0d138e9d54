// The post editor: CodeMirror 6 over the form's textarea, which it replaces only when this
// script runs and keeps up to date (the form saves with or without it). Markdown stays the
// stored text: no visual model, no lossy round trip. Built by scripts/build-editor.mjs.
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { markdownLanguage } from '@codemirror/lang-markdown';
import { HighlightStyle, LanguageSupport, syntaxHighlighting } from '@codemirror/language';
import { EditorState, Prec } from '@codemirror/state';
import {
  Decoration,
  type DecorationSet,
  drawSelection,
  EditorView,
  keymap,
  MatchDecorator,
  ViewPlugin,
  type ViewUpdate,
  WidgetType,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';
import {
  BLOCKS,
  type Block,
  countWords,
  heading,
  insertBlock,
  link,
  photosBlock,
  readingMinutes,
  wrap,
} from './blocks.js';
import { SlashMenu } from './slash-menu.js';
import { uploadPhoto } from './upload.js';

const form = document.getElementById('editor') as HTMLFormElement | null;
const textarea = document.getElementById('post-body') as HTMLTextAreaElement | null;
if (form && textarea) start(form, textarea);

function start(form: HTMLFormElement, textarea: HTMLTextAreaElement): void {
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const csrf = () => (form.elements.namedItem('_csrf') as HTMLInputElement).value;
  const postId = form.dataset.postId ?? '';
  const toolbar = form.querySelector<HTMLElement>('.toolbar') as HTMLElement;
  const statusBar = form.querySelector<HTMLElement>('.editor__status') as HTMLElement;
  const wordCount = byId('word-count');
  const saveState = byId('autosave-status');
  const retry = byId<HTMLButtonElement>('autosave-retry');
  const uploadStatus = byId('upload-status');
  const progress = byId<HTMLProgressElement>('upload-progress');
  const previewBox = byId('preview');
  const mayNote = toolbar.querySelector('[data-md="note"]') !== null;

  // --- Highlighting: Markdown's marks in the admin's own colours (contrast AA on white).
  const highlight = HighlightStyle.define([
    { tag: tags.heading, fontWeight: '700', color: '#1f2328' },
    { tag: tags.strong, fontWeight: '700' },
    { tag: tags.emphasis, fontStyle: 'italic' },
    { tag: [tags.link, tags.url], color: '#1d4ed8' },
    { tag: [tags.processingInstruction, tags.meta, tags.contentSeparator], color: '#8a3b12' },
    { tag: tags.quote, color: '#4b5563' },
    { tag: tags.monospace, fontFamily: 'ui-monospace, monospace', color: '#6b2a0b' },
  ]);
  const theme = EditorView.theme({
    '&': { fontSize: '1.0625rem', border: '1px solid #8a8a8a', borderRadius: '4px', background: '#fff' },
    '&.cm-focused': { outline: '3px solid #1d4ed8', outlineOffset: '1px' },
    '.cm-scroller': { fontFamily: 'Georgia, "Iowan Old Style", serif', lineHeight: '1.65', overflow: 'auto' },
    '.cm-content': { padding: '1rem 1.25rem', maxWidth: '42rem', margin: '0 auto', caretColor: '#1f2328' },
    '.cm-hint': { color: '#5b636b', fontStyle: 'italic', pointerEvents: 'none' },
    '.cm-line': { padding: '0' },
    '.cm-hearth-fence': { color: '#8a3b12', fontWeight: '600', fontFamily: 'ui-monospace, monospace' },
  });

  // --- Hints inside an inserted photo's empty alt text and caption (not stored: only shown).
  class Hint extends WidgetType {
    constructor(readonly text: string) {
      super();
    }
    override eq(other: Hint) {
      return other.text === this.text;
    }
    toDOM() {
      const span = document.createElement('span');
      span.className = 'cm-hint';
      span.setAttribute('aria-hidden', 'true');
      span.textContent = this.text;
      return span;
    }
  }
  const hints = new MatchDecorator({
    regexp: /!\[(\]?)[^\]\n]*\]?\([^)\s]+( "")?\)/g,
    decorate: (add, from, _to, match) => {
      if (match[1] === ']')
        add(from + 2, from + 2, Decoration.widget({ widget: new Hint('alt text: describe the photo'), side: 1 }));
      if (match[2]) {
        const at = from + match[0].length - 2;
        add(at, at, Decoration.widget({ widget: new Hint('caption (optional)'), side: 1 }));
      }
    },
  });
  const decorating = (decorator: MatchDecorator) =>
    ViewPlugin.fromClass(
      class {
        decorations: DecorationSet;
        constructor(view: EditorView) {
          this.decorations = decorator.createDeco(view);
        }
        update(update: ViewUpdate) {
          this.decorations = decorator.updateDeco(update, this.decorations);
        }
      },
      { decorations: (v) => v.decorations },
    );
  const hintPlugin = decorating(hints);
  // Hearth's `:::` block fences, which Markdown's grammar does not know, stand out too.
  const fencePlugin = decorating(
    new MatchDecorator({ regexp: /^:::.*$/g, decoration: Decoration.mark({ class: 'cm-hearth-fence' }) }),
  );

  // --- Photos: uploaded with visible progress, then inserted as a photo block.
  const uploads: { name: string; loaded: number; total: number }[] = [];
  const showProgress = () => {
    const loaded = uploads.reduce((n, u) => n + u.loaded, 0);
    const total = uploads.reduce((n, u) => n + u.total, 0) || 1;
    const percent = Math.round((loaded / total) * 100);
    progress.value = percent;
    progress.hidden = uploads.length === 0;
    if (uploads.length > 0) {
      const names = uploads.length === 1 ? uploads[0]?.name : `${uploads.length} photos`;
      uploadStatus.textContent = `Uploading ${names}: ${percent}%`;
    }
  };
  const uploadFiles = async (files: File[]) => {
    const photos = files.filter((f) => f.type.startsWith('image/') || f.type === '');
    const done = await Promise.all(
      photos.map(async (file) => {
        const entry = { name: file.name || 'the photo', loaded: 0, total: file.size };
        uploads.push(entry);
        showProgress();
        try {
          const answer = await uploadPhoto(file, csrf(), (loaded, total) => {
            entry.loaded = loaded;
            entry.total = total;
            showProgress();
          });
          return { name: entry.name, url: answer.url, duplicate: answer.duplicate === true };
        } catch (error) {
          uploadStatus.textContent = `${entry.name}: ${(error as Error).message}`;
          return undefined;
        } finally {
          uploads.splice(uploads.indexOf(entry), 1);
          showProgress();
        }
      }),
    );
    // In the order chosen, together (a gallery stays in order), the cursor in the first alt text.
    const stored = done.filter((d) => d !== undefined);
    if (stored.length === 0) return;
    insertBlock(view, photosBlock(stored.map((d) => d.url)));
    const names = stored.map((d) => d.name).join(', ');
    const again = stored.filter((d) => d.duplicate).map((d) => d.name);
    uploadStatus.textContent = `${names} uploaded. Type ${stored.length === 1 ? 'its' : 'their'} alt text between the brackets [ ].${
      again.length > 0 ? ` ${again.join(', ')}: already in the library, so that photo is used.` : ''
    }`;
  };
  const picker = document.createElement('input');
  picker.type = 'file';
  picker.accept = 'image/jpeg,image/png,image/webp,image/avif,image/gif';
  picker.hidden = true;
  form.append(picker);
  const pickPhotos = (multiple: boolean) => {
    picker.multiple = multiple;
    picker.value = '';
    picker.click();
  };
  picker.addEventListener('change', () => uploadFiles([...(picker.files ?? [])]));
  const dropAndPaste = EditorView.domEventHandlers({
    paste: (event) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (files.length === 0) return false;
      event.preventDefault();
      uploadFiles(files);
      return true;
    },
    drop: (event, view) => {
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length === 0) return false;
      event.preventDefault();
      const at = view.posAtCoords({ x: event.clientX, y: event.clientY });
      if (at !== null) view.dispatch({ selection: { anchor: at } });
      uploadFiles(files);
      return true;
    },
  });

  // --- Actions, shared by the toolbar, the slash menu and the shortcuts.
  const block = (make: () => Block) => (replace?: { from: number; to: number }) => insertBlock(view, make(), replace);
  const actions: Record<string, (replace?: { from: number; to: number }) => void> = {
    bold: () => wrap(view, '**', '**', 'bold text'),
    italic: () => wrap(view, '_', '_', 'italic text'),
    link: () => link(view),
    heading: () => heading(view),
    image: (replace) => {
      if (replace) view.dispatch({ changes: { ...replace, insert: '' } });
      pickPhotos(false);
    },
    gallery: (replace) => {
      if (replace) view.dispatch({ changes: { ...replace, insert: '' } });
      pickPhotos(true);
    },
    note: block(BLOCKS.note),
    ps: block(BLOCKS.ps),
    howto: block(BLOCKS.howto),
    embed: block(BLOCKS.embed),
  };
  const menu = new SlashMenu(
    [
      { key: 'image', label: 'Photo', hint: 'upload, with alt text and caption' },
      { key: 'gallery', label: 'Gallery', hint: 'several photos' },
      ...(mayNote ? [{ key: 'note', label: 'Editor’s note', hint: '::: note' }] : []),
      { key: 'ps', label: 'P.S. or credits', hint: '::: ps' },
      { key: 'howto', label: 'How-to steps', hint: '::: howto' },
      { key: 'embed', label: 'Embed link', hint: '::: embed' },
      { key: 'heading', label: 'Heading', hint: '##' },
    ],
    (key, line) => {
      if (key !== 'heading') return actions[key]?.(line);
      view.dispatch({ changes: { ...line, insert: '## ' }, selection: { anchor: line.from + 3 }, userEvent: 'input' });
    },
  );
  const run = (fn: () => unknown) => () => {
    fn();
    return true;
  };

  // --- The view, replacing the textarea (which is kept in step, for the form).
  const describedBy = textarea.getAttribute('aria-describedby');
  const view: EditorView = new EditorView({
    parent: textarea.parentElement as HTMLElement,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        EditorView.cspNonce.of(form.dataset.styleNonce ?? ''),
        history(),
        drawSelection(),
        EditorView.lineWrapping,
        // GitHub-flavoured Markdown, without the HTML, CSS and JavaScript parsers (raw HTML is shown as text).
        new LanguageSupport(markdownLanguage),
        syntaxHighlighting(highlight),
        theme,
        hintPlugin,
        fencePlugin,
        dropAndPaste,
        menu.extension(),
        Prec.high(
          keymap.of([
            { key: 'Mod-b', run: run(actions.bold as () => void) },
            { key: 'Mod-i', run: run(actions.italic as () => void) },
            { key: 'Mod-k', run: run(actions.link as () => void) },
            { key: 'Mod-Shift-h', run: run(actions.heading as () => void) },
          ]),
        ),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        EditorView.contentAttributes.of({
          'aria-labelledby': 'post-body-label',
          ...(describedBy ? { 'aria-describedby': describedBy } : {}),
          ...(textarea.getAttribute('aria-invalid') ? { 'aria-invalid': 'true' } : {}),
          spellcheck: 'true',
          autocorrect: 'on',
          autocapitalize: 'sentences',
        }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          textarea.value = update.state.doc.toString();
          changed();
        }),
      ],
    }),
  });
  textarea.after(view.dom);
  textarea.hidden = true;
  byId('post-body-label').addEventListener('click', () => view.focus());
  form.addEventListener('submit', () => {
    textarea.value = view.state.doc.toString();
  });

  toolbar.hidden = false;
  statusBar.hidden = false;
  toolbar.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest('button');
    const action = button?.dataset.md;
    if (action === 'focus') {
      const on = button?.getAttribute('aria-pressed') !== 'true';
      button?.setAttribute('aria-pressed', String(on));
      document.body.classList.toggle('writing-focus', on);
      view.focus();
    } else if (action) actions[action]?.();
  });

  // --- Words and reading time, live.
  let countTimer = 0;
  const count = () => {
    const words = countWords(view.state.doc.toString());
    const minutes = readingMinutes(words);
    wordCount.textContent = `${words} ${words === 1 ? 'word' : 'words'} · ${minutes} min read`;
  };

  // --- Preview, rendered by the server with the real renderer, scrolled with the text.
  previewBox.closest('section')?.removeAttribute('hidden');
  let previewTimer = 0;
  const refreshPreview = async () => {
    const res = await fetch('/admin/posts/preview', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': csrf(), 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ body: view.state.doc.toString() }),
    }).catch(() => undefined);
    if (res?.ok) {
      previewBox.innerHTML = ((await res.json()) as { html: string }).html;
      syncScroll();
    }
  };
  const syncScroll = () => {
    const from = view.scrollDOM;
    const to = previewBox;
    const room = from.scrollHeight - from.clientHeight;
    to.scrollTop = room > 0 ? (from.scrollTop / room) * (to.scrollHeight - to.clientHeight) : 0;
  };
  view.scrollDOM.addEventListener('scroll', syncScroll, { passive: true });

  // --- Autosave: the working copy goes to the server two seconds after a change, when
  // the tab is hidden or closed, and on Retry; its state is always on screen.
  let dirty = false;
  let autosaveTimer = 0;
  const time = () => new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const autosave = async (keepalive = false) => {
    if (!dirty) return;
    dirty = false;
    saveState.textContent = 'Saving…';
    retry.hidden = true;
    const ok = await fetch('/admin/posts/autosave', {
      method: 'POST',
      credentials: 'same-origin',
      keepalive,
      headers: { 'x-csrf-token': csrf(), 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        postId,
        title: (form.elements.namedItem('title') as HTMLInputElement).value,
        body: view.state.doc.toString(),
        excerpt: (form.elements.namedItem('excerpt') as HTMLTextAreaElement).value,
      }),
    }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok && !dirty) saveState.textContent = `Saved ${time()}`;
    else if (!ok) {
      dirty = true;
      saveState.textContent = 'Not saved — retry';
      retry.hidden = false;
    }
  };
  retry.addEventListener('click', () => {
    dirty = true;
    autosave();
  });
  function changed() {
    dirty = true;
    clearTimeout(autosaveTimer);
    autosaveTimer = window.setTimeout(() => autosave(), 2000);
    clearTimeout(previewTimer);
    previewTimer = window.setTimeout(refreshPreview, 400);
    clearTimeout(countTimer);
    countTimer = window.setTimeout(count, 100);
  }
  form.addEventListener('input', (event) => {
    if (!view.contentDOM.contains(event.target as Node)) changed();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') autosave(true);
  });
  window.addEventListener('pagehide', () => autosave(true));
  form.addEventListener('submit', () => {
    dirty = false;
    saveState.textContent = 'Saving…';
  });
  // Ctrl/Cmd+S saves the post (the form's own Save), anywhere in the form.
  form.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // Tags: the suggestions complete the tag being typed after the commas (a datalist offers whole values).
  const tagsInput = form.elements.namedItem('tags') as HTMLInputElement | null;
  const suggestions = document.getElementById('tag-suggestions') as HTMLDataListElement | null;
  const tagNames = [...(suggestions?.options ?? [])].map((o) => o.value);
  tagsInput?.addEventListener('input', () => {
    const typed = tagsInput.value;
    const cut = typed.lastIndexOf(',') + 1;
    const prefix = typed.slice(0, cut) + (/^\s*/.exec(typed.slice(cut))?.[0] ?? '');
    const chosen = new Set(
      typed
        .slice(0, cut)
        .split(',')
        .map((t) => t.trim().toLowerCase()),
    );
    suggestions?.replaceChildren(
      ...tagNames
        .filter((name) => !chosen.has(name.toLowerCase()))
        .map((name) => {
          const option = document.createElement('option');
          option.value = `${prefix}${name}`;
          return option;
        }),
    );
  });

  // The upload form below the editor inserts its photo at the cursor too.
  const uploadForm = document.getElementById('upload-form') as HTMLFormElement | null;
  uploadForm?.addEventListener('submit', (event) => {
    const picked = (document.getElementById('upload-file') as HTMLInputElement).files;
    if (picked?.length) {
      event.preventDefault();
      uploadFiles([...picked]);
      uploadForm.reset();
    }
  });

  count();
  refreshPreview();
  form.dataset.editorReady = 'yes';
  performance.mark('hearth-editor-ready');
}
