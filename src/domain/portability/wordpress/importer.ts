import { htmlToText } from '../../../shared/text.js';
import type {
  ImportAuthor,
  ImportCategory,
  ImportComment,
  ImportCommentStatus,
  ImportContext,
  ImportEntry,
  Importer,
  ImportMedia,
  ImportPost,
  ImportTag,
} from '../model.js';
import { wordpressToMarkdown } from './content.js';
import { readWxr } from './wxr-reader.js';
import type { WxrAuthor, WxrComment, WxrItem, WxrSite } from './wxr-types.js';

/** Opens the export anew: the importer reads it twice (photos and terms first, then posts), streaming both times. */
export type WxrOpener = () => AsyncIterable<Uint8Array | string>;

/** Post types WordPress keeps for itself: counted in one report line each, never imported. */
const INTERNAL_TYPES: Record<string, string> = {
  nav_menu_item: 'navigation menu items: Hearth builds its menu from pages and categories',
  revision: 'revisions: only the current text of each post is imported',
  custom_css: 'custom CSS: themes are not carried over',
  customize_changeset: 'customiser change sets',
  oembed_cache: 'cached embeds',
  user_request: 'privacy requests',
  wp_block:
    'reusable blocks: Hearth has none (their text is in the posts that use them only when WordPress wrote it there)',
  wp_template: 'block theme templates: themes are not carried over',
  wp_template_part: 'block theme template parts: themes are not carried over',
  wp_global_styles: 'global styles: themes are not carried over',
  wp_navigation: 'navigation menus: Hearth builds its menu from pages and categories',
  wp_font_family: 'fonts: themes are not carried over',
  wp_font_face: 'fonts: themes are not carried over',
};

const STATUS_SKIPS: Record<string, string> = {
  trash: 'it is in the WordPress trash',
  'auto-draft': 'it is an auto-draft WordPress made and never saved',
  inherit: 'it is a revision',
};

/**
 * Reads a WordPress export (WXR 1.0 to 1.2) as the import writer takes it. A first pass over the
 * file collects the authors, terms and attachments (small), so that photos are imported before the
 * posts that show them, wherever they are in the file; the second pass hands out posts and pages
 * one at a time with their comments. Neither pass holds the file in memory.
 */
export function wordpressImporter(open: WxrOpener): Importer {
  return (context) => readExport(open, context);
}

interface FirstPass {
  site: WxrSite | undefined;
  authors: WxrAuthor[];
  categories: ImportCategory[];
  tags: ImportTag[];
  posts: number;
}

function toAuthor(author: WxrAuthor): ImportAuthor {
  return {
    id: author.login,
    slug: author.login,
    name: author.displayName || [author.firstName, author.lastName].filter(Boolean).join(' ') || author.login,
    email: author.email,
    bio: '',
    website: null,
    oldUrls: [`/author/${author.login}/`],
  };
}

async function* readExport(open: WxrOpener, context: ImportContext): AsyncGenerator<ImportEntry> {
  const first: FirstPass = { site: undefined, authors: [], categories: [], tags: [], posts: 0 };
  const categoryPaths = new Map<string, string>(); // nicename -> parent's nicename
  const known = new Set<string>(); // the categories and tags handed out
  const depthOf = (nicename: string) => {
    let depth = 0;
    for (let p = categoryPaths.get(nicename); p && depth < 20; p = categoryPaths.get(p)) depth++;
    return depth;
  };
  const attachmentFiles = new Set<string>();
  let siteUrl = '';
  let siteGiven = false;
  // The site first; authors and terms (WordPress writes them before any item) once they are all
  // read; attachments as they come, so that their photos are encoded while the file is still read.
  function* site(): Generator<ImportEntry> {
    if (siteGiven) return;
    siteGiven = true;
    const s = first.site;
    siteUrl = s?.baseBlogUrl || s?.link || s?.baseSiteUrl || '';
    yield {
      kind: 'site',
      site: { platform: 'wordpress', key: siteKey(s), url: siteUrl || null, title: s?.title ?? '' },
    };
  }
  function* terms(): Generator<ImportEntry> {
    yield* site();
    for (const author of first.authors.splice(0)) yield { kind: 'author', author: toAuthor(author) };
    for (const category of first.categories.splice(0)) {
      const slug = category.slug;
      const chain = [slug];
      for (
        let parent = categoryPaths.get(slug);
        parent && chain.length < 20 && !chain.includes(parent);
        parent = categoryPaths.get(parent)
      )
        chain.unshift(parent);
      category.oldUrls = [`/category/${chain.join('/')}/`, ...(chain.length > 1 ? [`/category/${slug}/`] : [])];
      known.add(category.id);
      yield { kind: 'category', category };
    }
    for (const tag of first.tags.splice(0)) {
      known.add(tag.id);
      yield { kind: 'tag', tag };
    }
  }
  for await (const entry of readWxr(open())) {
    if (entry.kind === 'site') first.site = entry.site;
    else if (entry.kind === 'author') first.authors.push(entry.author);
    else if (entry.kind === 'category') {
      const c = entry.category;
      categoryPaths.set(c.nicename, c.parent);
      first.categories.push({
        id: `category:${c.nicename}`,
        slug: c.nicename,
        name: htmlToText(c.name),
        description: htmlToText(c.description),
        parentId: c.parent ? `category:${c.parent}` : null,
        oldUrls: [],
      });
    } else if (entry.kind === 'tag') {
      const t = entry.tag;
      first.tags.push({ id: `tag:${t.slug}`, slug: t.slug, name: htmlToText(t.name), oldUrls: [`/tag/${t.slug}/`] });
    } else if (entry.kind === 'item') {
      yield* terms();
      const item = entry.item;
      if (item.postType === 'attachment') {
        attachmentFiles.add(unsized(meta(item, '_wp_attached_file') || uploadPath(item.attachmentUrl) || ''));
        const media = attachmentMedia(item, siteUrl);
        if (media) yield { kind: 'media', media };
        else
          yield {
            kind: 'skip',
            skip: { what: 'attachment', name: item.title || String(item.postId), reason: 'it has no file URL' },
          };
      } else if (isImported(item)) first.posts++;
    }
  }
  yield* terms();
  yield { kind: 'progress', done: 0, total: first.posts };

  const internal = new Map<string, number>();
  const otherTypes = new Map<string, number>();
  const otherTaxonomies = new Set<string>();
  let pingbacks = 0;
  const tried = new Set<string>();
  for await (const entry of readWxr(open())) {
    if (entry.kind !== 'item') continue;
    const item = entry.item;
    if (item.postType === 'attachment') continue;
    if (item.postType in INTERNAL_TYPES) {
      internal.set(item.postType, (internal.get(item.postType) ?? 0) + 1);
      continue;
    }
    if (item.postType !== 'post' && item.postType !== 'page') {
      otherTypes.set(item.postType, (otherTypes.get(item.postType) ?? 0) + 1);
      continue;
    }
    const skipped = STATUS_SKIPS[item.status];
    if (skipped) {
      yield { kind: 'skip', skip: { what: item.postType, name: itemName(item), reason: skipped } };
      continue;
    }
    // Terms a post uses that the export's header does not list (WordPress writes only those with posts).
    for (const term of item.terms) {
      if (term.domain === 'category' || term.domain === 'post_tag') {
        const id = `${term.domain === 'category' ? 'category' : 'tag'}:${term.nicename}`;
        if (known.has(id)) continue;
        known.add(id);
        const name = htmlToText(term.name);
        if (term.domain === 'category')
          yield {
            kind: 'category',
            category: {
              id,
              slug: term.nicename,
              name,
              description: '',
              parentId: null,
              oldUrls: [`/category/${term.nicename}/`],
            },
          };
        else yield { kind: 'tag', tag: { id, slug: term.nicename, name, oldUrls: [`/tag/${term.nicename}/`] } };
      } else if (term.domain !== 'post_format') otherTaxonomies.add(term.domain);
    }
    const post = await toPost(item, siteUrl, context, depthOf);
    // Body images from the uploads folder that have no attachment in the export: imported on their own.
    const orphans = [...new Set(post.orphans)].filter((url) => {
      const file = unsized(uploadPath(url) ?? url);
      return !tried.has(file) && !attachmentFiles.has(file);
    });
    if (orphans.length > 0) {
      for (const url of orphans) {
        const media = orphanMedia(url);
        tried.add(unsized(media.file));
        yield { kind: 'media', media };
      }
      yield { kind: 'settle' };
      const again = await toPost(item, siteUrl, context, depthOf);
      Object.assign(post, again);
    }
    pingbacks += post.pingbacks;
    yield { kind: 'post', post: post.post };
  }
  for (const [type, n] of internal)
    yield {
      kind: 'skip',
      skip: { what: type, name: `${n} ${n === 1 ? 'item' : 'items'}`, reason: INTERNAL_TYPES[type] as string },
    };
  for (const [type, n] of otherTypes)
    yield {
      kind: 'skip',
      skip: {
        what: type,
        name: `${n} ${n === 1 ? 'item' : 'items'}`,
        reason: `“${type}” is a post type of a plugin or theme; Hearth has posts and pages only`,
      },
    };
  for (const taxonomy of otherTaxonomies)
    yield {
      kind: 'skip',
      skip: {
        what: 'terms',
        name: taxonomy,
        reason: 'terms of this taxonomy are not imported (Hearth has categories and tags)',
      },
    };
  if (pingbacks > 0)
    yield {
      kind: 'skip',
      skip: {
        what: 'pingbacks and trackbacks',
        name: String(pingbacks),
        reason: 'they are notices from other sites, not comments by readers',
      },
    };
}

function isImported(item: WxrItem): boolean {
  return (item.postType === 'post' || item.postType === 'page') && !(item.status in STATUS_SKIPS);
}

function siteKey(site: WxrSite | undefined): string {
  const url = site?.baseBlogUrl || site?.link || site?.baseSiteUrl || site?.title || 'unnamed';
  return url.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

function itemName(item: WxrItem): string {
  return htmlToText(item.title) || item.postName || `#${item.postId ?? '?'}`;
}

function meta(item: { meta: { key: string; value: string }[] }, key: string): string {
  return item.meta.find((m) => m.key === key)?.value ?? '';
}

/** The path of an upload below `wp-content/uploads/`, if the URL is one. */
function uploadPath(url: string): string | undefined {
  const match = /\/wp-content\/uploads\/(.+)$/.exec(url.split(/[?#]/)[0] ?? '');
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

function attachmentMedia(item: WxrItem, siteUrl: string): ImportMedia | undefined {
  const url = item.attachmentUrl || (/\.[a-z0-9]{2,5}$/i.test(item.guid) ? item.guid : '');
  const file = meta(item, '_wp_attached_file') || (url ? uploadPath(url) : undefined);
  if (!url && !file) return undefined;
  const absolute = url || `${siteUrl.replace(/\/+$/, '')}/wp-content/uploads/${file}`;
  return {
    id: String(item.postId),
    file: file ?? absolute,
    url: absolute,
    urls: [absolute, item.guid].filter(Boolean),
    alt: meta(item, '_wp_attachment_image_alt'),
    caption: htmlToText(item.excerpt),
    credit: '',
    title: htmlToText(item.title),
    oldUrls: [item.link, `/?attachment_id=${item.postId}`, absolute].filter(Boolean),
  };
}

/** An upload's path without WordPress's size suffix (`bath-1024x768.jpg` is `bath.jpg`). */
function unsized(file: string): string {
  return file.replace(/-(?:\d+x\d+|scaled|rotated)(?=\.[a-z0-9]+$)/i, '');
}

function orphanMedia(url: string): ImportMedia {
  const file = uploadPath(url) ?? url;
  return { id: `file:${file}`, file, url, urls: [url], alt: '', caption: '', credit: '', title: '', oldUrls: [url] };
}

/** The first time that parses: GMT, then the RSS date, then the local time read as UTC. */
function itemTime(...candidates: string[]): string | null {
  for (const text of candidates) {
    if (!text || text.startsWith('0000-00-00')) continue;
    const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
    const time = Date.parse(iso);
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  return null;
}

/** A shortcode's opening or closing tag, left out of an excerpt made from the text before `<!--more-->`. */
const SHORTCODE = /\[\/?[a-z][\w-]*(?:\s[^\]]*)?\]/gi;

const COMMENT_STATUS: Record<string, ImportCommentStatus> = {
  '1': 'approved',
  '0': 'pending',
  spam: 'spam',
  trash: 'trash',
};

async function toPost(
  item: WxrItem,
  siteUrl: string,
  context: ImportContext,
  depthOf: (nicename: string) => number,
): Promise<{ post: ImportPost; orphans: string[]; pingbacks: number }> {
  const orphans: string[] = [];
  const mediaUrl = (url: string) => {
    const found = context.mediaUrl(url);
    if (!found && uploadPath(url) && sameSite(url, siteUrl)) orphans.push(url);
    return found;
  };
  const content = wordpressToMarkdown(item.content, {
    mediaUrl,
    attachment: (id) => context.media(String(id)),
  });
  const published = itemTime(item.postDateGmt, item.pubDate, item.postDate);
  let status: ImportPost['status'] =
    item.status === 'publish' ? 'published' : item.status === 'future' ? 'scheduled' : 'draft';
  let heldBack: string | null = null;
  if (item.status === 'private') heldBack = 'it is private on WordPress; imported as a draft';
  if (item.postPassword) {
    heldBack = 'it is password-protected on WordPress; imported as a draft, never public';
    status = 'draft';
  }
  const before = item.content.split(/<!--more(?:\s[^>]*)?-->/)[0] ?? '';
  const excerpt =
    htmlToText(item.excerpt) || (content.excerptBreak ? htmlToText(before.replace(SHORTCODE, ' ')).slice(0, 1000) : '');
  const pingbacks = item.comments.filter((c) => c.type === 'pingback' || c.type === 'trackback').length;
  const id = String(item.postId);
  const base = siteUrl.replace(/\/+$/, '');
  // The permalink, the guid, the short link, and the pages of a post split by <!--nextpage-->.
  const paged =
    item.link && content.pages > 1
      ? Array.from({ length: content.pages - 1 }, (_, n) => `${item.link.replace(/\/?$/, '/')}${n + 2}/`)
      : [];
  const oldUrls = [
    item.link,
    item.guid,
    `${base}/?${item.postType === 'page' ? 'page_id' : 'p'}=${id}`,
    ...paged,
  ].filter((u) => u && sameSite(u, siteUrl));
  // Hearth gives a post one category: the most specific of WordPress's (a child before its parent).
  const categories = item.terms
    .filter((t) => t.domain === 'category')
    .map((t, at) => ({ t, at, depth: depthOf(t.nicename) }))
    .sort((a, b) => b.depth - a.depth || a.at - b.at)
    .map((c) => c.t);
  const post: ImportPost = {
    id,
    type: item.postType === 'page' ? 'page' : 'post',
    slug: item.postName,
    title: htmlToText(item.title),
    body: content.markdown,
    excerpt,
    status,
    publishedAt: published,
    createdAt: published ?? itemTime(item.postModifiedGmt, item.postModified) ?? '',
    updatedAt: itemTime(item.postModifiedGmt, item.postModified) ?? published ?? '',
    authorId: item.creator || null,
    categoryIds: categories.map((t) => `category:${t.nicename}`),
    tagIds: item.terms.filter((t) => t.domain === 'post_tag').map((t) => `tag:${t.nicename}`),
    featureImageId: meta(item, '_thumbnail_id') || null,
    featured: item.isSticky,
    parentId: item.postParent ? String(item.postParent) : null,
    menuOrder: item.menuOrder ?? 0,
    commentsEnabled: item.commentStatus !== 'closed',
    seoTitle: yoast(meta(item, '_yoast_wpseo_title')),
    seoDescription: yoast(meta(item, '_yoast_wpseo_metadesc')),
    oldUrls,
    comments: item.comments.filter((c) => c.type !== 'pingback' && c.type !== 'trackback').map(toComment),
    heldBack,
    unknownShortcodes: [...content.unknownShortcodes, ...content.unknownBlocks.map((b) => `block ${b}`)],
  };
  return { post, orphans, pingbacks };
}

function toComment(comment: WxrComment): ImportComment {
  return {
    id: String(comment.id),
    parentId: comment.parent ? String(comment.parent) : null,
    authorName: htmlToText(comment.author),
    authorEmail: comment.authorEmail || null,
    authorWebsite: comment.authorUrl || null,
    body: wordpressToMarkdown(comment.content).markdown,
    status: COMMENT_STATUS[comment.approved] ?? 'trash',
    createdAt: itemTime(comment.dateGmt, comment.date) ?? '',
  };
}

/** A Yoast SEO field, unless it is a template of Yoast's variables (`%%title%% %%sep%%`), which only Yoast can fill. */
function yoast(text: string): string | null {
  return text && !text.includes('%%') ? text : null;
}

function sameSite(url: string, siteUrl: string): boolean {
  if (url.startsWith('/')) return true;
  try {
    const a = new URL(url).hostname.replace(/^www\./, '');
    const b = new URL(siteUrl).hostname.replace(/^www\./, '');
    return a === b;
  } catch {
    return false;
  }
}
