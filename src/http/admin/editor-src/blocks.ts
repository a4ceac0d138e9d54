// Hearth's Markdown blocks and inline marks as editor commands. Each writes the stored
// Markdown itself (docs/writing.md), so what is saved is exactly what the writer sees.
import { EditorSelection } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';

/** Wraps each selection in `before`/`after`; an empty one gets `placeholder`, selected to type over. */
export function wrap(view: EditorView, before: string, after: string, placeholder: string): boolean {
  const tr = view.state.changeByRange((range) => {
    const chosen = range.empty ? placeholder : view.state.sliceDoc(range.from, range.to);
    const text = `${before}${chosen}${after}`;
    const start = range.from + before.length;
    return {
      changes: { from: range.from, to: range.to, insert: text },
      range: EditorSelection.range(start, start + chosen.length),
    };
  });
  view.dispatch(view.state.update(tr, { scrollIntoView: true, userEvent: 'input' }));
  view.focus();
  return true;
}

/** A link: the selected text becomes its text, and the address is selected to paste over. */
export function link(view: EditorView): boolean {
  const tr = view.state.changeByRange((range) => {
    const chosen = range.empty ? 'link text' : view.state.sliceDoc(range.from, range.to);
    const text = `[${chosen}](https://)`;
    const selection = range.empty
      ? EditorSelection.range(range.from + 1, range.from + 1 + chosen.length)
      : EditorSelection.range(range.from + chosen.length + 3, range.from + chosen.length + 11);
    return { changes: { from: range.from, to: range.to, insert: text }, range: selection };
  });
  view.dispatch(view.state.update(tr, { scrollIntoView: true, userEvent: 'input' }));
  view.focus();
  return true;
}

/** Makes the line a second-level heading, or plain text again when it is one. */
export function heading(view: EditorView): boolean {
  const line = view.state.doc.lineAt(view.state.selection.main.head);
  const marks = /^#{1,6} /.exec(line.text);
  const changes = marks
    ? { from: line.from, to: line.from + marks[0].length, insert: '' }
    : { from: line.from, insert: '## ' };
  view.dispatch({ changes, scrollIntoView: true, userEvent: 'input' });
  view.focus();
  return true;
}

export interface Block {
  /** The Markdown inserted. */
  text: string;
  /** What to select in it afterwards (offsets into `text`), for the writer to type over. */
  select: [number, number];
}

const selecting = (text: string, part: string, from = 0): Block => {
  const at = text.indexOf(part, from);
  return { text, select: [at, at + part.length] };
};

/** The text blocks (photos are inserted once uploaded: `photoBlock`). */
export const BLOCKS = {
  note: () => selecting('::: note\nThe note.\n:::', 'The note.'),
  ps: () =>
    selecting(
      '::: ps\n**P.S.** What you want to add, or whom to thank.\n:::',
      'What you want to add, or whom to thank.',
    ),
  howto: () =>
    selecting(
      '::: howto How to do it\nWhat it is for, in a sentence.\n\n1. **First step.** What to do.\n2. **Second step.** What to do.\n\n:::',
      'How to do it',
    ),
  embed: () => selecting('::: embed https://\nWhat it is, in a sentence (shown under the link).\n:::', 'https://'),
} satisfies Record<string, () => Block>;

/**
 * A stored photo: `![ALT](URL "CAPTION")`, both left empty for the writer to fill (the editor
 * shows a hint in each; publishing without alt text asks first). A photo alone in its
 * paragraph is a figure with its caption.
 */
export function photoBlock(url: string): Block {
  const text = `![](${url} "")`;
  return { text, select: [2, 2] };
}

/** Several photos: one after another, each its own figure; two or more side by side in a gallery. */
export function photosBlock(urls: string[]): Block {
  const photos = urls.map((url) => photoBlock(url).text).join('\n\n');
  if (urls.length < 2) return { text: photos, select: [2, 2] };
  const open = '::: gallery\n';
  return { text: `${open}${photos}\n:::`, select: [open.length + 2, open.length + 2] };
}

const OPENS = /^:::\s*\S/;
const CLOSES = /^:::\s*$/;

/** The end of the `:::` block the line is in (of the outermost), or the line's own end. */
function afterEnclosingBlock(doc: EditorView['state']['doc'], lineNumber: number): number {
  let depth = 0;
  for (let n = 1; n <= lineNumber; n++) {
    const text = doc.line(n).text;
    if (OPENS.test(text)) depth++;
    else if (CLOSES.test(text) && depth > 0) depth--;
  }
  for (let n = lineNumber + 1; depth > 0 && n <= doc.lines; n++) {
    const text = doc.line(n).text;
    if (OPENS.test(text)) depth++;
    else if (CLOSES.test(text) && --depth === 0) return doc.line(n).to;
  }
  return doc.line(lineNumber).to;
}

/**
 * Inserts a block on a line of its own with a blank line around it: in place of `replace`
 * (the slash command's line), of an empty line, or after the line the cursor is on (after
 * the whole `:::` block when the cursor is inside one).
 */
export function insertBlock(view: EditorView, block: Block, replace?: { from: number; to: number }): void {
  const { state } = view;
  const line = state.doc.lineAt(state.selection.main.head);
  let from: number;
  let to: number;
  if (replace) ({ from, to } = replace);
  else if (line.text.trim() === '') ({ from, to } = line);
  else from = to = afterEnclosingBlock(state.doc, line.number);
  const before = state.sliceDoc(Math.max(0, from - 2), from);
  const after = state.sliceDoc(to, Math.min(state.doc.length, to + 2));
  const lead = from === 0 || before === '\n\n' ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  // A blank line after it, unless one follows; the text ends with one line break.
  const trail = after === '\n\n' || after === '\n' ? '' : after.startsWith('\n') || after === '' ? '\n' : '\n\n';
  const start = from + lead.length;
  view.dispatch({
    changes: { from, to, insert: `${lead}${block.text}${trail}` },
    selection: EditorSelection.range(start + block.select[0], start + block.select[1]),
    scrollIntoView: true,
    userEvent: 'input',
  });
  view.focus();
}

/** Words in the text as a reader reads it (marks, addresses and block fences left out). */
export function countWords(text: string): number {
  const plain = text
    .replace(/^:::.*$/gm, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<https?:[^>\s]*>/g, ' ');
  return plain.match(/[\p{L}\p{N}][\p{L}\p{N}\p{M}'’_-]*/gu)?.length ?? 0;
}

/** Minutes to read at 230 words a minute (at least one for any text). */
export function readingMinutes(words: number): number {
  return words === 0 ? 0 : Math.max(1, Math.round(words / 230));
}
