import type { Kysely } from 'kysely';

/*
 * Stored HTML as Hearth now writes it: ASCII (see shared/html.ts). Posts, editor's notes
 * and comments rendered before keep showing the same text; after this they are one-byte
 * strings, as cheap to serve as new ones. Inside `<script>` (the how-to block's JSON-LD,
 * the only script stored HTML holds) characters become `\uXXXX`, which JSON reads the
 * same; elsewhere, numeric character references. Self-contained, like every migration:
 * later changes to shared/html.ts do not change what this did.
 */

const SCRIPT = /(<script\b[^>]*>)([\s\S]*?)(<\/script>)/gi;
const NON_ASCII = /[\u0080-\uffff]/;
const PAIR_OR_CHAR = /[\ud800-\udbff][\udc00-\udfff]|[\u0080-\uffff]/g;
const CHAR = /[\u0080-\uffff]/g;

function reference(c: string): string {
  const code = c.codePointAt(0) as number;
  return code >= 0xd800 && code <= 0xdfff ? '&#65533;' : `&#${code};`;
}

/** Stored HTML in ASCII; the same string when it already is. */
export function asciiHtml(html: string): string {
  if (!NON_ASCII.test(html)) return html;
  let out = '';
  let last = 0;
  for (const match of html.matchAll(SCRIPT)) {
    const [whole, open, body, close] = match as unknown as [string, string, string, string];
    out += html.slice(last, match.index).replace(PAIR_OR_CHAR, reference);
    out += open + body.replace(CHAR, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + close;
    last = (match.index as number) + whole.length;
  }
  return out + html.slice(last).replace(PAIR_OR_CHAR, reference);
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
      const html = asciiHtml(row.html);
      const note = row.editor_note_html === null ? null : asciiHtml(row.editor_note_html);
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
      const html = asciiHtml(row.body_html);
      if (html !== row.body_html)
        await d.updateTable('comments').set({ body_html: html }).where('id', '=', row.id).execute();
    }
    if (rows.length < BATCH) break;
    after = (rows[rows.length - 1] as { id: number }).id;
  }
}
