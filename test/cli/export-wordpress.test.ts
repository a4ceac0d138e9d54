import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWxr, type WxrCategory, type WxrEntry, type WxrItem } from '../../src/domain/portability/index.js';
import type { App } from '../../src/main.js';
import { createTestApp, postIdBySlug } from '../helpers/app.js';

/** `hearth export wordpress`: the demo site and a few posts of our own, out as WXR and read back. */
const bin = path.resolve('dist/cli/bin.js');
let app: App & { dataDir: string };
let file: string;

const hearth = (args: string[]) => {
  const env: Record<string, string> = {
    HEARTH_DATA_DIR: app.dataDir,
    HEARTH_PUBLIC_URL: 'http://blog.test',
    HEARTH_LOG_LEVEL: 'silent',
    ...(app.config.databaseUrl ? { HEARTH_DATABASE_URL: app.config.databaseUrl } : {}),
  };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_') && v !== undefined) env[k] = v;
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 120_000, cwd: app.dataDir });
};

// The stored HTML of one post, with every way `]]>` can meet a CDATA section's end.
const TRICKY_HTML = '<p>a ]]> b ]]]>> c]]>]]> d]]</p>\n<p>]]</p>]]>';
const ids: Record<string, number> = {};
let entries: WxrEntry[] = [];
const items = () => entries.flatMap((e) => (e.kind === 'item' ? [e.item] : []));
const item = (slug: string) => items().find((i) => i.postName === slug) as WxrItem;

beforeAll(async () => {
  if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  app = await createTestApp();
  const { services, database } = app;
  const db = database.db;
  file = path.join(app.dataDir, 'export.xml');
  const owner = await db
    .selectFrom('users')
    .select(['id', 'display_name', 'email'])
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const green = await services.taxonomy.categoryBySlug('green-living');
  const child = await services.taxonomy.createCategory({
    name: 'Küche & 厨房',
    slug: 'kueche',
    description: 'Recipes <b>and</b> “quotes”',
    parentId: green?.id ?? null,
  });
  ids.draft = (
    await services.posts.create({
      title: 'Ελληνικά, 中文 and ñ: a draft',
      slug: 'unicode-draft',
      body: 'Grüße aus Köln — 你好 🌿',
      excerpt: 'Not yet, 未完',
      status: 'draft',
      authorId: owner.id,
      categoryId: child.id,
      tags: ['Ünïcode', 'guest post'],
    })
  ).id;
  ids.scheduled = (
    await services.posts.create({
      title: 'Coming soon',
      slug: 'coming-soon',
      body: 'Later.',
      status: 'scheduled',
      publishedAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      authorId: owner.id,
    })
  ).id;
  ids.cdata = (
    await services.posts.create({
      title: 'Why ]]> ends CDATA',
      slug: 'cdata-end',
      body: 'placeholder',
      excerpt: 'x ]]> y',
      status: 'published',
      publishedAt: new Date(Date.now() - 86_400_000).toISOString(),
      authorId: owner.id,
    })
  ).id;
  // An imported body can hold anything; Hearth's own renderer would escape the `>`.
  await db.updateTable('posts').set({ html: TRICKY_HTML, featured: 1 }).where('id', '=', ids.cdata).execute();
  // A page below another, as an import leaves it.
  const about = await db.selectFrom('posts').select('id').where('type', '=', 'page').executeTakeFirstOrThrow();
  ids.about = about.id;
  ids.subpage = (
    await services.posts.create({
      type: 'page',
      title: 'Our story',
      slug: 'our-story',
      body: 'How it began.',
      status: 'published',
      publishedAt: new Date(Date.now() - 86_400_000).toISOString(),
      authorId: owner.id,
    })
  ).id;
  await db.updateTable('posts').set({ parent_id: about.id, menu_order: 3 }).where('id', '=', ids.subpage).execute();
  // A post in the trash: exported with WordPress's own `trash` status, which an import leaves out.
  ids.binned = (
    await services.posts.create({
      title: 'Second thoughts',
      slug: 'second-thoughts',
      body: 'Not for the blog after all.',
      status: 'published',
      publishedAt: new Date(Date.now() - 86_400_000).toISOString(),
      authorId: owner.id,
    })
  ).id;
  await services.trash.trash({ id: owner.id, email: owner.email, role: 'owner' }, ids.binned);
  // A thread: a staff reply under a reader's comment; other comments held as spam and in the trash.
  const massage = await postIdBySlug(app, 'benefits-of-infant-massage');
  const comments = await db.selectFrom('comments').select('id').where('post_id', '=', massage).orderBy('id').execute();
  ids.parentComment = comments[0]?.id as number;
  const moderator = { id: owner.id, name: owner.display_name, email: owner.email, role: 'owner' as const };
  ids.reply = (await services.moderation.reply(moderator, ids.parentComment, 'Danke schön — 谢谢 🌿, *thank you*')).id;
  await services.comments.setStatus(comments[1]?.id as number, 'spam');
  await services.comments.setStatus(comments[2]?.id as number, 'trash');
  ids.spam = comments[1]?.id as number;
  ids.trash = comments[2]?.id as number;

  const run = hearth(['export', 'wordpress', 'export.xml']);
  expect(run.stderr.replace(/WordPress export \[[^\n\r]*/g, '').trim()).toBe('');
  expect(run.stdout).toMatch(
    /^Wrote export\.xml: 15 posts, 2 pages, 7 comments, \d+ photos, 5 categories, \d+ tags, 3 authors\.\n$/,
  );
  expect(run.status).toBe(0);
  entries = [];
  for await (const entry of readWxr(fs.createReadStream(file))) entries.push(entry);
}, 120_000);
afterAll(async () => {
  await app?.close();
});

describe('hearth export wordpress', () => {
  it('writes well-formed XML (xmllint), in the WXR 1.2 namespace', () => {
    const lint = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    const site = entries[0];
    expect(site?.kind).toBe('site');
    if (site?.kind !== 'site') return;
    expect(site.site).toMatchObject({
      namespace: 'http://wordpress.org/export/1.2/',
      wxrVersion: '1.2',
      title: 'Willowfold',
      link: 'http://blog.test',
      baseSiteUrl: 'http://blog.test',
    });
  });

  it('carries every author, category, tag, photo, post, page and comment', async () => {
    const db = app.database.db;
    const count = async (table: 'users' | 'categories' | 'tags' | 'media' | 'comments') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const of = (kind: WxrEntry['kind']) => entries.filter((e) => e.kind === kind).length;
    expect(of('author')).toBe(await count('users'));
    expect(of('category')).toBe(await count('categories'));
    expect(of('tag')).toBe(await count('tags'));
    const byType = (type: string) => items().filter((i) => i.postType === type).length;
    expect(byType('attachment')).toBe(await count('media'));
    const posts = await db.selectFrom('posts').select(['type']).execute();
    expect(byType('post')).toBe(posts.filter((p) => p.type === 'post').length);
    expect(byType('page')).toBe(posts.filter((p) => p.type === 'page').length);
    expect(items().reduce((n, i) => n + i.comments.length, 0)).toBe(await count('comments'));
    // One numbering for posts, pages and photos, as WordPress has.
    const postIds = items().map((i) => i.postId);
    expect(new Set(postIds).size).toBe(postIds.length);
    const authors = entries.flatMap((e) => (e.kind === 'author' ? [e.author] : []));
    expect(authors[0]).toMatchObject({
      id: 1,
      login: 'maren-ashby',
      email: 'maren@example.com',
      displayName: 'Maren Ashby',
    });
  });

  it('writes categories parents first, with the parent nicename and description; non-ASCII intact', () => {
    const categories = entries.flatMap((e) => (e.kind === 'category' ? [e.category] : []));
    const child = categories.find((c) => c.nicename === 'kueche') as WxrCategory;
    expect(child).toMatchObject({
      name: 'Küche & 厨房',
      parent: 'green-living',
      description: 'Recipes <b>and</b> “quotes”',
    });
    expect(categories.findIndex((c) => c.nicename === 'green-living')).toBeLessThan(categories.indexOf(child));
  });

  it('keeps titles, slugs, statuses, dates, terms, parents and stickiness', () => {
    const draft = item('unicode-draft');
    expect(draft).toMatchObject({
      title: 'Ελληνικά, 中文 and ñ: a draft',
      status: 'draft',
      postType: 'post',
      excerpt: 'Not yet, 未完',
      creator: 'maren-ashby',
      postId: ids.draft,
    });
    expect(draft.content).toContain('Grüße aus Köln — 你好 🌿');
    expect(draft.terms).toEqual([
      { domain: 'category', nicename: 'kueche', name: 'Küche & 厨房' },
      { domain: 'post_tag', nicename: 'uenicode', name: 'Ünïcode' },
      { domain: 'post_tag', nicename: 'guest-post', name: 'guest post' },
    ]);
    expect(item('coming-soon').status).toBe('future');
    expect(item('second-thoughts').status).toBe('trash');
    const massage = item('benefits-of-infant-massage');
    expect(massage).toMatchObject({ status: 'publish', title: 'Benefits of Infant Massage', commentStatus: 'open' });
    expect(massage.link).toBe('http://blog.test/benefits-of-infant-massage/');
    expect(massage.postDateGmt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(massage.pubDate).toMatch(/ \+0000$/);
    // Site-relative links and photos made absolute, so they still lead here from WordPress.
    expect(massage.content).toContain('src="http://blog.test/media/');
    expect(massage.content).not.toMatch(/(src|href)="\/(?!\/)/);
    expect(item('our-story')).toMatchObject({ postType: 'page', postParent: ids.about, menuOrder: 3 });
    expect(item('cdata-end').isSticky).toBe(true);
    expect(massage.isSticky).toBe(false);
  });

  it('carries photos as attachments, and feature images as _thumbnail_id', () => {
    const massage = item('benefits-of-infant-massage');
    const thumbnail = massage.meta.find((m) => m.key === '_thumbnail_id')?.value;
    const photo = items().find((i) => i.postType === 'attachment' && String(i.postId) === thumbnail) as WxrItem;
    expect(photo).toBeDefined();
    expect(photo.attachmentUrl).toMatch(/^http:\/\/blog\.test\/media\/\d{4}\/\d\d\/.+\.jpg$/);
    const attached = photo.meta.find((m) => m.key === '_wp_attached_file')?.value ?? '';
    expect(photo.attachmentUrl.endsWith(`/media/${attached}`)).toBe(true);
    expect(photo.meta.find((m) => m.key === '_wp_attachment_image_alt')?.value).not.toBe('');
    expect(photo.status).toBe('inherit');
  });

  it('carries comment threads, statuses and HTML bodies', () => {
    const comments = item('benefits-of-infant-massage').comments;
    const reply = comments.find((c) => c.id === ids.reply);
    expect(reply).toMatchObject({ parent: ids.parentComment, approved: '1', author: 'Maren Ashby', userId: 1 });
    expect(reply?.content).toBe('<p>Danke schön — 谢谢 🌿, <em>thank you</em></p>\n');
    expect(comments.find((c) => c.id === ids.parentComment)?.parent).toBe(0);
    expect(comments.find((c) => c.id === ids.spam)?.approved).toBe('spam');
    expect(comments.find((c) => c.id === ids.trash)?.approved).toBe('trash');
    expect(comments.find((c) => c.id === ids.parentComment)?.authorEmail).toMatch(/@/);
  });

  it('keeps `]]>` in bodies, titles and excerpts exactly', () => {
    const post = item('cdata-end');
    expect(post.content).toBe(TRICKY_HTML);
    expect(post.title).toBe('Why ]]> ends CDATA');
    expect(post.excerpt).toBe('x ]]> y');
  });

  it('refuses to replace a file without --force, and replaces it with', () => {
    const again = hearth(['export', 'wordpress', 'export.xml']);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('hearth: export.xml exists; add --force to replace it');
    const forced = hearth(['export', 'wordpress', 'export.xml', '--force']);
    expect(forced.status).toBe(0);
    expect(fs.readdirSync(app.dataDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('says how to use it when the format or file is missing', () => {
    expect(hearth(['export', 'ghost', 'x.json']).stderr).toContain('hearth: unknown export format');
    const bare = hearth(['export', 'wordpress']);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('hearth: name the file to write');
    expect(bare.stderr).toContain('hearth export wordpress FILE.xml [--force]');
  });
});
