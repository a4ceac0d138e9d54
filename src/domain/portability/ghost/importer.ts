import { encodeUrl, htmlToMarkdown } from '../html-markdown.js';
import type {
  ImportContext,
  ImportEntry,
  Importer,
  ImportMedia,
  ImportPost,
  ImportPostStatus,
  ImportSkip,
} from '../model.js';
import { ghostToMarkdown } from './content.js';
import type { GhostExport, GhostPost } from './export.js';
import { GhostMedia } from './media.js';

export interface GhostImportOptions {
  /**
   * The old site's address (`https://blog.example`): what `__GHOST_URL__` stood for, and whose
   * absolute image URLs are the export's photos. Ghost keeps it in its config, not in the export,
   * so without it (and without a `url` setting) those URLs become paths.
   */
  siteUrl?: string | null;
}

/** The title a post without one is given (Ghost's own word for it). */
export const UNTITLED = '(Untitled)';

/** Why a post Ghost showed to some members only is held back, by its `visibility`. */
const HELD_BACK: Record<string, string> = {
  members: 'members only on Ghost (visibility "members")',
  paid: 'paying members only on Ghost (visibility "paid")',
  tiers: 'members of some tiers only on Ghost (visibility "tiers")',
  filter: 'a members filter only on Ghost (visibility "filter")',
};

const COPY = { lexical: 'lexical field', mobiledoc: 'mobiledoc field', html: 'HTML copy', none: '' } as const;

/** Private-use characters around a photo's index stand for its URL until the writer has taken it in. */
const TOKEN = /\uE000(\d+)\uE001/g;

/**
 * A Ghost export (read by `readGhostExport`) as import entries: the site, its users as authors,
 * its public tags (`#internal` tags are reported as skips: they are Ghost's theming switches, not
 * topics), every photo of the site the posts use (feature images and images in bodies), then
 * posts and pages in the export's order. Ghost has no categories; tags stay tags. Posts for
 * members (`members`, `paid`, `tiers`, `filter`) and email-only posts are imported as drafts with
 * `heldBack` saying why. Ghost exports hold no comments.
 *
 * @example
 *   for await (const entry of ghostImporter(readGhostExport(json), { siteUrl: 'https://old.example' })(context)) {}
 */
export function ghostImporter(exported: GhostExport, options: GhostImportOptions = {}): Importer {
  return (context) => entries(exported, options, context);
}

interface Prepared {
  skips: ImportSkip[];
  post: ImportPost | undefined;
}

async function* entries(
  exported: GhostExport,
  options: GhostImportOptions,
  context: ImportContext,
): AsyncGenerator<ImportEntry, void, undefined> {
  const siteUrl = siteAddress(options.siteUrl ?? exported.site.url);
  yield {
    kind: 'site',
    site: {
      platform: 'ghost',
      key: siteUrl ?? (exported.site.title || 'ghost'),
      url: siteUrl,
      title: exported.site.title,
    },
  };

  const users = new Map(exported.users.map((u) => [u.id, u]));
  for (const user of exported.users) {
    yield {
      kind: 'author',
      author: {
        id: user.id,
        slug: user.slug,
        name: user.name || user.slug,
        email: user.email,
        bio: user.bio,
        website: user.website,
        oldUrls: [`/author/${user.slug}/`],
      },
    };
  }

  const publicTags = new Map(exported.tags.filter((t) => !t.internal).map((t) => [t.id, t]));
  for (const tag of exported.tags) {
    if (tag.internal) {
      yield {
        kind: 'skip',
        skip: {
          what: 'tag',
          name: tag.name || tag.slug,
          reason: 'an #internal tag: Ghost uses it for themes and filters and never shows it to readers',
        },
      };
    } else {
      yield {
        kind: 'tag',
        tag: { id: tag.id, slug: tag.slug, name: tag.name || tag.slug, oldUrls: [`/tag/${tag.slug}/`] },
      };
    }
  }

  // Bodies are converted before the photos are handed out (they name them), and their photo URLs
  // filled in after, once the writer has taken the photos in.
  const media = new GhostMedia(siteUrl);
  const prepared = exported.posts.map((post) => prepare(post, exported, siteUrl, media, users, publicTags));
  for (const item of media.list) yield { kind: 'media', media: item };
  yield { kind: 'settle' };

  const mapped = media.list.map((item) => hearthUrl(item, context));
  let done = 0;
  for (const { skips, post } of prepared) {
    for (const skip of skips) yield { kind: 'skip', skip };
    if (post) {
      post.body = post.body.replace(TOKEN, (_, n: string) => encodeUrl(mapped[Number(n)] ?? ''));
      yield { kind: 'post', post };
    }
    yield { kind: 'progress', done: ++done, total: prepared.length };
  }
}

function hearthUrl(item: ImportMedia, context: ImportContext): string {
  return context.mediaUrl(item.url) ?? context.media(item.id)?.url ?? item.url;
}

function prepare(
  post: GhostPost,
  exported: GhostExport,
  siteUrl: string | null,
  media: GhostMedia,
  users: Map<string, GhostExport['users'][number]>,
  publicTags: Map<string, GhostExport['tags'][number]>,
): Prepared {
  const name = post.title || post.slug || post.id;
  const skip = (what: string, reason: string): ImportSkip => ({ what, name, reason });
  if (post.dateProblem) return { skips: [skip(post.type, `its ${post.dateProblem}`)], post: undefined };
  const createdAt = post.createdAt ?? post.publishedAt ?? post.updatedAt ?? exported.exportedOn;
  if (!createdAt) return { skips: [skip(post.type, 'it has no created_at date')], post: undefined };

  const skips: ImportSkip[] = [];
  let featureImageId: string | null = null;
  if (post.featureImage) {
    const resolved = post.featureImage.replace(/__GHOST_URL__/g, siteUrl ?? '');
    const caption = post.featureImageCaption
      ? htmlToMarkdown(post.featureImageCaption).markdown.replace(/\s*\n\s*/g, ' ')
      : '';
    const item = media.add(resolved, post.featureImageAlt, caption);
    if (item) featureImageId = item.id;
    else if (!siteUrl && /^https?:/i.test(resolved) && GhostMedia.looksLocal(resolved)) {
      skips.push(skip('feature image', `it is at ${resolved}: give the old site's address to import its own photos`));
    } else {
      skips.push(
        skip('feature image', `it is not one of the site's own photos (${resolved}): only content/images is imported`),
      );
    }
  }

  const content = ghostToMarkdown(post, {
    siteUrl,
    mediaUrl: (url) => {
      const item = media.add(url);
      return item ? `\uE000${media.indexOf(item)}\uE001` : undefined;
    },
  });
  if (content.problem) {
    if (content.from === 'none')
      return { skips: [skip(post.type, `${content.problem} and it has no HTML copy`)], post: undefined };
    skips.push(skip(`${post.type} body`, `${content.problem}; it was imported from its ${COPY[content.from]}`));
  }
  for (const image of content.images) {
    const index = Number(image.url.match(/^\uE000(\d+)\uE001$/)?.[1] ?? Number.NaN);
    const item = media.list[index];
    // A caption linking to a photo keeps that photo's old URL (photos are handed out before their new ones are known).
    const caption = image.caption.replace(TOKEN, (_, n: string) => media.list[Number(n)]?.url ?? '');
    if (item) media.add(item.url, image.alt, caption);
  }

  let title = post.title;
  if (!title) {
    title = UNTITLED;
    skips.push(skip(`${post.type} title`, `it has no title; it is imported as "${UNTITLED}"`));
  }

  const { status, publishedAt, heldBack } = publication(post, createdAt);
  const authorId = post.authorIds.find((id) => users.has(id)) ?? null;
  const tagIds = post.tagIds.filter((id) => publicTags.has(id));
  const oldUrls =
    post.status === 'published'
      ? [oldUrl(post, exported.site.permalinks, users.get(authorId ?? '')?.slug, publicTags.get(tagIds[0] ?? '')?.slug)]
      : [];

  return {
    skips,
    post: {
      id: post.id,
      type: post.type,
      slug: post.slug,
      title,
      body: content.markdown,
      excerpt: post.customExcerpt,
      status,
      publishedAt,
      createdAt,
      updatedAt: post.updatedAt ?? createdAt,
      authorId,
      categoryIds: [],
      tagIds,
      featureImageId,
      featured: post.featured,
      parentId: null,
      menuOrder: 0,
      commentsEnabled: post.type === 'post',
      seoTitle: post.metaTitle,
      seoDescription: post.metaDescription,
      oldUrls,
      comments: [],
      heldBack,
      unknownShortcodes: content.unknownCards,
    },
  };
}

function publication(
  post: GhostPost,
  createdAt: string,
): { status: ImportPostStatus; publishedAt: string | null; heldBack: string | null } {
  const publishedAt = post.publishedAt ?? (post.status === 'published' ? createdAt : null);
  if (post.status === 'draft') return { status: 'draft', publishedAt, heldBack: null };
  if (post.status === 'sent') {
    return { status: 'draft', publishedAt, heldBack: 'sent by email only on Ghost, never shown on the site' };
  }
  if (post.status !== 'published' && post.status !== 'scheduled') {
    return { status: 'draft', publishedAt, heldBack: `its Ghost status is "${post.status}"` };
  }
  if (post.visibility !== 'public') {
    const why = HELD_BACK[post.visibility] ?? `visibility "${post.visibility}" on Ghost`;
    return { status: 'draft', publishedAt, heldBack: `for ${why}; imported as a draft` };
  }
  if (post.status === 'scheduled' && !publishedAt) {
    return { status: 'draft', publishedAt: null, heldBack: 'scheduled on Ghost without a date' };
  }
  return { status: post.status, publishedAt, heldBack: null };
}

/** The post's address on the old site: Ghost's `/slug/`, or the 1.x `permalinks` setting's pattern for posts. */
function oldUrl(
  post: GhostPost,
  permalinks: string | null,
  author: string | undefined,
  tag: string | undefined,
): string {
  if (post.type === 'page' || !permalinks) return `/${post.slug}/`;
  const date = post.publishedAt ?? post.createdAt ?? '';
  const path = permalinks
    .replace(/:year\b/g, date.slice(0, 4))
    .replace(/:month\b/g, date.slice(5, 7))
    .replace(/:day\b/g, date.slice(8, 10))
    .replace(/:slug\b/g, post.slug)
    .replace(/:id\b/g, post.id)
    .replace(/:author\b/g, author ?? 'ghost')
    .replace(/:primary_tag\b/g, tag ?? 'all');
  return `/${path.replace(/^\/+|\/+$/g, '')}/`;
}

function siteAddress(url: string | null | undefined): string | null {
  if (!url?.trim()) return null;
  try {
    const parsed = new URL(url.trim());
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}
