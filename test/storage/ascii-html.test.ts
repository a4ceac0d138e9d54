import { describe, expect, it } from 'vitest';
import { asciiHtml, up } from '../../src/storage/migrations/0011-ascii-html.js';
import { dialects } from './dialects.js';

const howTo = { '@type': 'HowTo', name: 'Mum’s “quiet” bath — 10 min', step: ['Wash ♥'] };
const before = `<p>I’m café 🌱</p><script type="application/ld+json">${JSON.stringify(howTo)}</script><p>— end</p>`;

describe('stored HTML made ASCII (migration 0011)', () => {
  it('writes references outside scripts and \\u escapes inside, which read the same', () => {
    const after = asciiHtml(before);
    expect(after).toMatch(/^[\u0000-\u007f]*$/);
    expect(after.startsWith('<p>I&#8217;m caf&#233; &#127793;</p><script type="application/ld+json">')).toBe(true);
    expect(after.endsWith('</script><p>&#8212; end</p>')).toBe(true);
    const json = after.match(/<script[^>]*>([\s\S]*)<\/script>/)?.[1] ?? '';
    expect(JSON.parse(json)).toEqual(howTo);
    expect(asciiHtml('<p>plain</p>')).toBe('<p>plain</p>');
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
            title: 'Old’s title',
            body: 'I’m',
            html: before,
            editor_note_html: '<p>Note — old</p>',
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
            author_name: 'Zoë',
            body: 'Thanks — lovely',
            body_html: '<p>Thanks — lovely</p>',
            status: 'approved',
            created_at: now,
          })
          .execute();

        await up(db as never);

        const row = await db.selectFrom('posts').selectAll().where('id', '=', post.id).executeTakeFirstOrThrow();
        expect(row.html).toBe(asciiHtml(before));
        expect(row.editor_note_html).toBe('<p>Note &#8212; old</p>');
        // What is not HTML is left as it was written.
        expect(row.title).toBe('Old’s title');
        expect(row.body).toBe('I’m');
        const comment = await db.selectFrom('comments').selectAll().executeTakeFirstOrThrow();
        expect(comment.body_html).toBe('<p>Thanks &#8212; lovely</p>');
        expect(comment.author_name).toBe('Zoë');
      } finally {
        await t.dispose();
      }
    });
  });
});
