import type { Kysely } from 'kysely';

/*
 * Stored HTML back in plain UTF-8, undoing 0011: Hearth writes characters as themselves
 * now (see shared/html.ts). Outside `<script>`, decimal references to characters above
 * U+007F become the characters; the references HTML needs (`&#38;`, `&#60;` ...) stay.
 * Inside `<script>` (the how-to block's JSON-LD, the only script stored HTML holds),
 * `\uXXXX` escapes of characters above U+007F become the characters, a surrogate pair
 * one character; `\u003c` and the like stay, and so do U+2028 and U+2029, which old
 * JavaScript parsers take for line ends. Self-contained, like every migration: later
 * changes to shared/html.ts do not change what this did.
 */

const SCRIPT = /(<script\b[^>]*>)([\s\S]*?)(<\/script>)/gi;
const REFERENCE = /&#(\d{1,8});/g;
// An escaped backslash first, so that `\\u00e9` (a backslash, then the text u00e9) stays.
const ESCAPE = /\\\\|\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})/g;

const isSurrogate = (code: number) => code >= 0xd800 && code <= 0xdfff;

function character(whole: string, digits: string): string {
  const code = Number(digits);
  return code >= 0x80 && code <= 0x10ffff && !isSurrogate(code) ? String.fromCodePoint(code) : whole;
}

function unescaped(whole: string, high?: string, low?: string, single?: string): string {
  if (high !== undefined && low !== undefined)
    return String.fromCharCode(Number.parseInt(high, 16), Number.parseInt(low, 16));
  if (single === undefined) return whole;
  const code = Number.parseInt(single, 16);
  return code < 0x80 || isSurrogate(code) || code === 0x2028 || code === 0x2029 ? whole : String.fromCharCode(code);
}

/** Stored HTML with its characters as themselves; the same string when there is nothing to undo. */
export function utf8Html(html: string): string {
  if (!html.includes('&#') && !html.includes('\\u')) return html;
  let out = '';
  let last = 0;
  for (const match of html.matchAll(SCRIPT)) {
    const [whole, open, body, close] = match as unknown as [string, string, string, string];
    out += html.slice(last, match.index).replace(REFERENCE, character);
    out += open + body.replace(ESCAPE, unescaped) + close;
    last = (match.index as number) + whole.length;
  }
  return out + html.slice(last).replace(REFERENCE, character);
}

const BATCH = 200;

type Db = Kysely<{
  posts: { id: number; html: string; editor_note_html: string | null };
  comments: { id: number; body_html: string | null };
}>;

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = db as unknown as Db;
  // In batches by id: a large site's posts need not all be in memory at once.
  for (let after = 0; ; ) {
    const rows = await d
      .selectFrom('posts')
      .select(['id', 'html', 'editor_note_html'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const html = utf8Html(row.html);
      const note = row.editor_note_html === null ? null : utf8Html(row.editor_note_html);
      if (html !== row.html || note !== row.editor_note_html) {
        await d.updateTable('posts').set({ html, editor_note_html: note }).where('id', '=', row.id).execute();
      }
    }
    if (rows.length < BATCH) break;
    after = (rows[rows.length - 1] as { id: number }).id;
  }
  for (let after = 0; ; ) {
    const rows = await d
      .selectFrom('comments')
      .select(['id', 'body_html'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      if (row.body_html === null) continue;
      const html = utf8Html(row.body_html);
      if (html !== row.body_html)
        await d.updateTable('comments').set({ body_html: html }).where('id', '=', row.id).execute();
    }
    if (rows.length < BATCH) break;
    after = (rows[rows.length - 1] as { id: number }).id;
  }
}
