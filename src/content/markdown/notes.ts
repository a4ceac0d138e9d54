import MarkdownIt from 'markdown-it';
import { blocksPlugin } from './blocks.js';

let parser: ReturnType<typeof MarkdownIt> | undefined;

/**
 * The editor's notes (`::: note` blocks) of a post's Markdown, as written: the text inside
 * each block, its lines' trailing spaces and the blank lines around it left out, in the
 * order they come. Parsed as the renderer parses (a `:::` inside a code block is no
 * note), so what is compared is what readers would see as "Editor's note".
 *
 * @example editorNoteBlocks('Hi.\n\n::: note\nUpdated in May.\n:::\n') // ['Updated in May.']
 */
export function editorNoteBlocks(markdown: string): string[] {
  parser ??= new MarkdownIt({ html: false }).use(blocksPlugin);
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const notes: string[] = [];
  for (const token of parser.parse(markdown, {})) {
    if (token.type !== 'container_note_open' || !token.map) continue;
    const [start, end] = token.map;
    const inner = lines.slice(start + 1, end);
    // The block's closing fence, when it has one (an unclosed block runs to the end).
    if (inner.length > 0 && /^\s*:{3,}\s*$/.test(inner[inner.length - 1] ?? '')) inner.pop();
    notes.push(
      inner
        .map((l) => l.trimEnd())
        .join('\n')
        .trim(),
    );
  }
  return notes;
}
