import { describe, expect, it } from 'vitest';
import { asciiHtml } from '../../src/storage/migrations/0011-ascii-html.js';
import { up, utf8Html } from '../../src/storage/migrations/0013-utf8-html.js';
import { dialects } from './dialects.js';

const howTo = { '@type': 'HowTo', name: 'Mum’s “quiet” bath — 10 min', step: ['Wash ♥ 🌱', 'a\\u00e9 stays'] };
const original =
  '<p>I’m café 🌱 中文 العربية e\u0301 👩‍👩‍👧 🇳🇿 &#38; &#60;b&#62; &#34;x&#34; &#39;y&#39;</p>' +
  `<script type="application/ld+json">${JSON.stringify(howTo).replaceAll('<', '\\u003c')}</script><p>— end</p>`;

describe('stored HTML back in UTF-8 (migration 0013)', () => {
  it('undoes 0011 exactly: characters back outside scripts and inside, the references HTML needs kept', () => {
    const ascii = asciiHtml(original);
    expect(ascii).toMatch(/^[\u0000-\u007f]*$/);
    expect(utf8Html(ascii)).toBe(original);
    const json = utf8Html(ascii).match(/<script[^>]*>([\s\S]*)<\/script>/)?.[1] ?? '';
    expect(JSON.parse(json)).toEqual(howTo);
    expect(utf8Html(original)).toBe(original);
  });

  it('leaves alone what is no character, and what is no reference or escape it wrote', () => {
    expect(utf8Html('<p>&#55357; &#1114112; &#65533; &#x00e9; &#127;</p>')).toBe(
      '<p>&#55357; &#1114112; \ufffd &#x00e9; &#127;</p>',
    );
    // In a script, references are text; outside one, \u escapes are text.
    expect(utf8Html('<p>\\u00e9</p><script>"&#233; \\ud83c \\u2028 \\u003c \\ud83c\\udf31"</script>')).toBe(
      '<p>\\u00e9</p><script>"&#233; \\ud83c \\u2028 \\u003c 🌱"</script>',
    );
  });

  describe.each(dialects)('on $name', (dialect) => {
    it('rewrites posts, editor’s notes and comments stored before, and nothing else', async () => {
      const t = await dialect.open();
      try {
        await t.database.migrate();
        const db = t.database.db;
        const now = new Date().toISOString();
        const user = await db
          .insertInto('users')
          .values({
            slug: 'ana',
            display_name: 'Ana',
            email: 'ana@example.org',
            bio: '',
            role: 'owner',
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const post = await db
          .insertInto('posts')
          .values({
            type: 'post',
            slug: 'old',
            title: 'Old&#8217;s title',
            body: 'I&#8217;m',
            html: asciiHtml(original),
            editor_note_html: '<p>Note &#8212; old</p>',
            status: 'published',
            published_at: now,
            created_at: now,
            updated_at: now,
            author_id: user.id,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await db
          .insertInto('comments')
          .values({
            post_id: post.id,
            author_name: 'Zo&#235;',
            body: 'Thanks &#8212; lovely',
            body_html: '<p>Thanks &#8212; lovely &#127793;</p>',
            status: 'approved',
            created_at: now,
          })
          .execute();

        await up(db as never);

        const row = await db.selectFrom('posts').selectAll().where('id', '=', post.id).executeTakeFirstOrThrow();
        expect(row.html).toBe(original);
        expect(row.editor_note_html).toBe('<p>Note — old</p>');
        // What is not HTML is left as it was written.
        expect(row.title).toBe('Old&#8217;s title');
        expect(row.body).toBe('I&#8217;m');
        const comment = await db.selectFrom('comments').selectAll().executeTakeFirstOrThrow();
        expect(comment.body_html).toBe('<p>Thanks — lovely 🌱</p>');
        expect(comment.author_name).toBe('Zo&#235;');
      } finally {
        await t.dispose();
      }
    });
  });
});
