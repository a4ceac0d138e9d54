/**
 * A WordPress export (WXR 1.2, as WordPress itself writes it) of a Hearth site, so that a writer
 * can go back: authors, categories (parents first), tags, photos as attachments, then posts and
 * pages with their comments. It is written item by item to a stream, one page of posts read at a
 * time, so a large site is never built in memory as one string.
 */

import { once } from 'node:events';
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { urls } from '../../../shared/urls.js';
import { xmlText } from '../../../shared/xml.js';
import { utcToWallClock } from '../../../shared/zoned-time.js';

export const WXR_NAMESPACE = 'http://wordpress.org/export/1.2/';

export interface WxrExportSite {
  title: string;
  description: string;
  /** The site's public address, without a trailing slash. */
  url: string;
  /** BCP 47, e.g. "en-GB". */
  language: string;
  /** IANA time zone of the site: WordPress's `post_date` is wall-clock time there. */
  timeZone: string;
}

export interface WxrExportAuthor {
  id: number;
  slug: string;
  name: string;
  email: string;
}

export interface WxrExportCategory {
  id: number;
  slug: string;
  name: string;
  description: string;
  parentId: number | null;
}

export interface WxrExportTag {
  id: number;
  slug: string;
  name: string;
}

export interface WxrExportMedia {
  id: number;
  /** Below the media root, e.g. "2026/06/bath-time-3fa2c1d0e9.jpg" (WordPress's `_wp_attached_file`). */
  path: string;
  /** Absolute URL of the original, from which WordPress's importer downloads it. */
  url: string;
  title: string;
  alt: string;
  caption: string;
  mimeType: string;
  createdAt: string;
  uploadedBy: number | null;
}

export type WxrExportCommentStatus = 'approved' | 'pending' | 'spam' | 'trash';

export interface WxrExportComment {
  id: number;
  parentId: number | null;
  authorName: string;
  authorEmail: string | null;
  authorWebsite: string | null;
  html: string;
  status: WxrExportCommentStatus;
  createdAt: string;
  staffUserId: number | null;
}

export interface WxrExportPost {
  id: number;
  type: 'post' | 'page';
  slug: string;
  title: string;
  excerpt: string;
  html: string;
  status: 'draft' | 'scheduled' | 'published';
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
  authorId: number;
  categoryId: number | null;
  tags: WxrExportTag[];
  featureImageId: number | null;
  featured: boolean;
  parentId: number | null;
  menuOrder: number;
  commentsEnabled: boolean;
  /** In the trash: written with WordPress's own `trash` status. */
  trashed?: boolean;
  comments: WxrExportComment[];
}

/** What an export reads: the small lists whole, photos and posts a page at a time. */
export interface WxrExportSource {
  site: WxrExportSite;
  authors: WxrExportAuthor[];
  categories: WxrExportCategory[];
  tags: WxrExportTag[];
  /** How many posts and pages, and their highest id (photos are numbered after it). */
  posts: { count: number; maxId: number };
  media(): AsyncIterable<WxrExportMedia>;
  postPages(): AsyncIterable<WxrExportPost[]>;
}

export interface WxrExportCounts {
  authors: number;
  categories: number;
  tags: number;
  media: number;
  posts: number;
  pages: number;
  comments: number;
}

/**
 * Writes the export to `out`, waiting when the stream asks to. `progress` is told after each post.
 * The stream is not ended here.
 */
export async function writeWxr(
  source: WxrExportSource,
  out: Writable,
  progress?: (done: number, total: number) => void,
): Promise<WxrExportCounts> {
  const write = async (text: string) => {
    if (!out.write(text, 'utf8')) await once(out, 'drain');
  };
  const { site } = source;
  const counts: WxrExportCounts = {
    authors: source.authors.length,
    categories: source.categories.length,
    tags: source.tags.length,
    media: 0,
    posts: 0,
    pages: 0,
    comments: 0,
  };
  const authors = new Map(source.authors.map((a) => [a.id, a]));
  const categories = new Map(source.categories.map((c) => [c.id, c]));
  // WordPress numbers posts, pages and attachments in one series, and categories and tags in
  // another: photos are numbered after the last post, tags after the last category.
  const mediaId = (id: number) => source.posts.maxId + id;
  const tagOffset = Math.max(0, ...source.categories.map((c) => c.id));
  const creator = (id: number | null) =>
    (id !== null ? authors.get(id)?.slug : undefined) ?? source.authors[0]?.slug ?? '';
  const absolute = (html: string) => absoluteUrls(html, site.url);
  const local = (iso: string) => utcToWallClock(iso, site.timeZone);
  const gmt = (iso: string) => utcToWallClock(iso, 'UTC');

  await write(
    [
      '<?xml version="1.0" encoding="UTF-8" ?>',
      `<!-- A WordPress export (WXR ${WXR_NAMESPACE.slice(-4, -1)}) written by Hearth. Import it with WordPress's importer: Tools > Import > WordPress. -->`,
      '<rss version="2.0"',
      '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"',
      '\txmlns:content="http://purl.org/rss/1.0/modules/content/"',
      '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"',
      '\txmlns:dc="http://purl.org/dc/elements/1.1/"',
      `\txmlns:wp="${WXR_NAMESPACE}"`,
      '>',
      '<channel>',
      `\t<title>${text(site.title)}</title>`,
      `\t<link>${text(site.url)}</link>`,
      `\t<description>${text(site.description)}</description>`,
      `\t<pubDate>${rfc2822(new Date().toISOString())}</pubDate>`,
      `\t<language>${text(site.language)}</language>`,
      '\t<wp:wxr_version>1.2</wp:wxr_version>',
      `\t<wp:base_site_url>${text(site.url)}</wp:base_site_url>`,
      `\t<wp:base_blog_url>${text(site.url)}</wp:base_blog_url>`,
      '',
    ].join('\n'),
  );

  for (const a of source.authors) {
    await write(
      el(1, 'wp:author', [
        el(2, 'wp:author_id', String(a.id)),
        el(2, 'wp:author_login', cdata(a.slug)),
        el(2, 'wp:author_email', cdata(a.email)),
        el(2, 'wp:author_display_name', cdata(a.name)),
        el(2, 'wp:author_first_name', cdata('')),
        el(2, 'wp:author_last_name', cdata('')),
      ]),
    );
  }

  for (const c of parentsFirst(source.categories)) {
    const parent = c.parentId !== null ? categories.get(c.parentId) : undefined;
    await write(
      el(1, 'wp:category', [
        el(2, 'wp:term_id', String(c.id)),
        el(2, 'wp:category_nicename', cdata(c.slug)),
        el(2, 'wp:category_parent', cdata(parent?.slug ?? '')),
        el(2, 'wp:cat_name', cdata(c.name)),
        el(2, 'wp:category_description', cdata(c.description)),
      ]),
    );
  }

  for (const t of source.tags) {
    await write(
      el(1, 'wp:tag', [
        el(2, 'wp:term_id', String(tagOffset + t.id)),
        el(2, 'wp:tag_slug', cdata(t.slug)),
        el(2, 'wp:tag_name', cdata(t.name)),
      ]),
    );
  }

  for await (const m of source.media()) {
    counts.media++;
    const name = m.path.replace(/^.*\//, '').replace(/\.[^.]*$/, '');
    await write(
      el(1, 'item', [
        el(2, 'title', cdata(m.title)),
        el(2, 'link', text(m.url)),
        el(2, 'pubDate', rfc2822(m.createdAt)),
        el(2, 'dc:creator', cdata(creator(m.uploadedBy))),
        `\t\t<guid isPermaLink="false">${text(m.url)}</guid>`,
        el(2, 'description', ''),
        el(2, 'content:encoded', cdata('')),
        el(2, 'excerpt:encoded', cdata(m.caption)),
        el(2, 'wp:post_id', String(mediaId(m.id))),
        el(2, 'wp:post_date', cdata(local(m.createdAt))),
        el(2, 'wp:post_date_gmt', cdata(gmt(m.createdAt))),
        el(2, 'wp:post_modified', cdata(local(m.createdAt))),
        el(2, 'wp:post_modified_gmt', cdata(gmt(m.createdAt))),
        el(2, 'wp:comment_status', cdata('closed')),
        el(2, 'wp:ping_status', cdata('closed')),
        el(2, 'wp:post_name', cdata(name)),
        el(2, 'wp:status', cdata('inherit')),
        el(2, 'wp:post_parent', '0'),
        el(2, 'wp:menu_order', '0'),
        el(2, 'wp:post_type', cdata('attachment')),
        el(2, 'wp:post_password', cdata('')),
        el(2, 'wp:is_sticky', '0'),
        el(2, 'wp:post_mime_type', cdata(m.mimeType)),
        el(2, 'wp:attachment_url', cdata(m.url)),
        meta('_wp_attached_file', m.path),
        ...(m.alt !== '' ? [meta('_wp_attachment_image_alt', m.alt)] : []),
      ]),
    );
  }

  let done = 0;
  for await (const page of source.postPages()) {
    for (const p of page) {
      const date = p.publishedAt ?? p.createdAt;
      const link = `${site.url}${urls.post(p.slug)}`;
      const category = p.categoryId !== null ? categories.get(p.categoryId) : undefined;
      const parts = [
        el(2, 'title', cdata(p.title)),
        el(2, 'link', text(link)),
        el(2, 'pubDate', rfc2822(date)),
        el(2, 'dc:creator', cdata(creator(p.authorId))),
        `\t\t<guid isPermaLink="false">${text(`${site.url}/?p=${p.id}`)}</guid>`,
        el(2, 'description', ''),
        el(2, 'content:encoded', cdata(absolute(p.html))),
        el(2, 'excerpt:encoded', cdata(p.excerpt)),
        el(2, 'wp:post_id', String(p.id)),
        el(2, 'wp:post_date', cdata(local(date))),
        el(2, 'wp:post_date_gmt', cdata(gmt(date))),
        el(2, 'wp:post_modified', cdata(local(p.updatedAt))),
        el(2, 'wp:post_modified_gmt', cdata(gmt(p.updatedAt))),
        el(2, 'wp:comment_status', cdata(p.commentsEnabled ? 'open' : 'closed')),
        el(2, 'wp:ping_status', cdata('closed')),
        el(2, 'wp:post_name', cdata(p.slug)),
        el(2, 'wp:status', cdata(p.trashed ? 'trash' : WP_STATUS[p.status])),
        el(2, 'wp:post_parent', String(p.parentId ?? 0)),
        el(2, 'wp:menu_order', String(p.menuOrder)),
        el(2, 'wp:post_type', cdata(p.type)),
        el(2, 'wp:post_password', cdata('')),
        el(2, 'wp:is_sticky', p.featured ? '1' : '0'),
      ];
      if (category) {
        parts.push(
          `\t\t<category domain="category" nicename="${attr(category.slug)}">${cdata(category.name)}</category>`,
        );
      }
      for (const t of p.tags) {
        parts.push(`\t\t<category domain="post_tag" nicename="${attr(t.slug)}">${cdata(t.name)}</category>`);
      }
      if (p.featureImageId !== null) parts.push(meta('_thumbnail_id', String(mediaId(p.featureImageId))));
      for (const c of p.comments) {
        parts.push(
          el(2, 'wp:comment', [
            el(3, 'wp:comment_id', String(c.id)),
            el(3, 'wp:comment_author', cdata(c.authorName)),
            el(3, 'wp:comment_author_email', cdata(c.authorEmail ?? '')),
            el(3, 'wp:comment_author_url', text(c.authorWebsite ?? '')),
            el(3, 'wp:comment_author_IP', cdata('')),
            el(3, 'wp:comment_date', cdata(local(c.createdAt))),
            el(3, 'wp:comment_date_gmt', cdata(gmt(c.createdAt))),
            el(3, 'wp:comment_content', cdata(absolute(c.html))),
            el(3, 'wp:comment_approved', cdata(WP_APPROVAL[c.status])),
            el(3, 'wp:comment_type', cdata('comment')),
            el(3, 'wp:comment_parent', String(c.parentId ?? 0)),
            el(3, 'wp:comment_user_id', String(c.staffUserId ?? 0)),
          ]),
        );
      }
      await write(el(1, 'item', parts));
      counts[p.type === 'page' ? 'pages' : 'posts']++;
      counts.comments += p.comments.length;
      progress?.(++done, source.posts.count);
    }
  }
  await write('</channel>\n</rss>\n');
  return counts;
}

/**
 * Writes the export to `file`: first to a file beside it, renamed into place when complete, so a
 * failed export never leaves a half-written file under the name asked for.
 */
export async function writeWxrFile(
  file: string,
  source: WxrExportSource,
  progress?: (done: number, total: number) => void,
): Promise<WxrExportCounts> {
  const partial = `${file}.partial`;
  const out = fs.createWriteStream(partial, { encoding: 'utf8' });
  try {
    await once(out, 'open');
    const counts = await writeWxr(source, out, progress);
    out.end();
    await once(out, 'finish');
    await fs.promises.rename(partial, file);
    return counts;
  } catch (error) {
    out.destroy();
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
}

const WP_STATUS = { draft: 'draft', scheduled: 'future', published: 'publish' } as const;
const WP_APPROVAL = { approved: '1', pending: '0', spam: 'spam', trash: 'trash' } as const;

/** Text in an element or attribute: what XML cannot hold dropped, its specials escaped. */
function text(value: string): string {
  return xmlText(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;');
}

/**
 * A CDATA section holding `value` exactly: `]]>` would end it, so it is split between two
 * sections (`]]` ends the first, `>` begins the second), as WordPress does.
 */
export function cdata(value: string): string {
  return `<![CDATA[${xmlText(value).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function el(depth: number, name: string, content: string | string[]): string {
  const tabs = '\t'.repeat(depth);
  if (typeof content === 'string') return `${tabs}<${name}>${content}</${name}>`;
  return `${tabs}<${name}>\n${content.join('\n')}\n${tabs}</${name}>${depth === 1 ? '\n' : ''}`;
}

function meta(key: string, value: string): string {
  return el(2, 'wp:postmeta', [el(3, 'wp:meta_key', cdata(key)), el(3, 'wp:meta_value', cdata(value))]);
}

/** "Sun, 06 Dec 2026 19:17:38 +0000", as WordPress writes `pubDate`. */
function rfc2822(iso: string): string {
  return new Date(iso).toUTCString().replace(/GMT$/, '+0000');
}

/** Categories with each parent before its children (WordPress's importer needs the parent first). */
function parentsFirst(categories: WxrExportCategory[]): WxrExportCategory[] {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const done = new Set<number>();
  const ordered: WxrExportCategory[] = [];
  const visit = (c: WxrExportCategory, seen: Set<number>) => {
    if (done.has(c.id) || seen.has(c.id)) return;
    seen.add(c.id);
    const parent = c.parentId !== null ? byId.get(c.parentId) : undefined;
    if (parent) visit(parent, seen);
    done.add(c.id);
    ordered.push(c);
  };
  for (const c of categories) visit(c, new Set());
  return ordered;
}

/**
 * Site-relative URLs in stored HTML (`src="/media/…"`, `href="/about/"`, `srcset` entries) made
 * absolute, so that they still lead to this site from another one (WordPress's importer then
 * finds the photos).
 */
export function absoluteUrls(html: string, base: string): string {
  return html
    .replace(
      /(\s(?:src|href|poster)=")(\/(?!\/)[^"]*)"/g,
      (_, before: string, path: string) => `${before}${base}${path}"`,
    )
    .replace(
      /(\ssrcset=")([^"]*)"/g,
      (_, before: string, list: string) =>
        `${before}${list
          .split(',')
          .map((part) =>
            part.replace(/^(\s*)(\/(?!\/)\S*)/, (_m, space: string, path: string) => `${space}${base}${path}`),
          )
          .join(',')}"`,
    );
}
