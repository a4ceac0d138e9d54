import type { Comment } from '../../domain/comments/index.js';
import type { Post, PostSummary } from '../../domain/posts/index.js';
import type { SiteSettings } from '../../domain/settings/index.js';
import type { Category } from '../../domain/taxonomy/index.js';
import type { AuthorWithAvatar } from '../../domain/users/index.js';
import { urls } from '../../shared/urls.js';
import { formatDate, formatDateTime } from '../dates.js';
import { pictureHtml } from '../markdown/index.js';

/**
 * View models: the plain objects templates see. No database rows, no services; strings
 * ending in `Html` are already safe markup, everything else is escaped by the theme.
 */

export interface SiteView {
  title: string;
  tagline: string;
  description: string;
  url: string;
  lang: string;
  nav: { label: string; url: string; current: boolean }[];
  /** The site's logo, when one is set: shown in the header beside the title. */
  logo: { src: string; width: number; height: number } | null;
  year: number;
}

export interface DateView {
  iso: string;
  text: string;
}

export interface CardView {
  url: string;
  title: string;
  excerpt: string;
  date: DateView | null;
  author: { name: string; url: string };
  category: { name: string; url: string } | null;
  imageHtml: string;
  /** Approved comments, and where they start on the post page. */
  comments: { count: number; url: string };
}

export interface AuthorView {
  name: string;
  url: string;
  bio: string;
  website: string | null;
  /** The website as the page shows it: without `https://` or `http://`. */
  websiteLabel: string | null;
  avatarHtml: string;
}

export interface CommentView {
  id: number;
  anchor: string;
  name: string;
  website: string | null;
  date: DateView;
  bodyHtml: string;
  depth: number;
  /** Written by the site's staff: shown with an "Author" badge. */
  byAuthor: boolean;
  /** The reply link (works without script: the page shows the form set to reply); null past the depth limit. */
  replyUrl: string | null;
  replies: CommentView[];
}

export interface CommentFormView {
  action: string;
  postId: number;
  values: { name: string; email: string; website: string; body: string };
  errors: Record<string, string>;
  errorList: { field: string; message: string }[];
  submitted: boolean;
  maxLength: number;
  /** The comment this form replies to, when a reader chose one. */
  replyTo: { id: number; name: string; anchor: string } | null;
  /** Where the theme's script fetches a form token (see `issueFormToken`). */
  tokenUrl: string;
  /** The name of the hidden field only robots fill in. */
  honeypot: string;
  /** The page's address without a reply chosen, to cancel one without script. */
  cancelReplyUrl: string;
}

export interface Context {
  settings: SiteSettings;
  /** The public URL of the site, no trailing slash. */
  publicUrl: string;
  timezone: string;
}

/** The navigation: the menu set in the admin, or else home, the categories and the about page. */
function navItems(ctx: Context, categories: Category[]): { label: string; url: string }[] {
  if (ctx.settings.menu.length > 0) return ctx.settings.menu;
  return [
    { label: 'Home', url: urls.home() },
    ...categories.map((c) => ({ label: c.name, url: urls.category(c.slug) })),
    ...(ctx.settings.aboutPage ? [{ label: 'About', url: urls.post(ctx.settings.aboutPage) }] : []),
  ];
}

const isCurrent = (url: string, currentPath: string) =>
  url === '/'
    ? currentPath === '/' || currentPath.startsWith('/page/')
    : url.startsWith('/') && url.length > 1 && currentPath.startsWith(url);

export function siteView(ctx: Context, categories: Category[], currentPath: string, logo?: SiteView['logo']): SiteView {
  const nav = navItems(ctx, categories);
  return {
    title: ctx.settings.title,
    tagline: ctx.settings.tagline,
    description: ctx.settings.description,
    url: ctx.publicUrl,
    lang: ctx.settings.locale,
    nav: nav.map((n) => ({ ...n, current: isCurrent(n.url, currentPath) })),
    logo: logo ?? null,
    year: new Date().getUTCFullYear(),
  };
}

export function dateView(iso: string | null, ctx: Context, withTime = false): DateView | null {
  if (!iso) return null;
  const { timezone, settings } = ctx;
  return {
    iso,
    text: withTime
      ? formatDateTime(iso, timezone, 'en-US', settings.dateFormat)
      : formatDate(iso, timezone, 'en-US', settings.dateFormat),
  };
}

const CARD_SIZES = '(min-width: 64rem) 22rem, (min-width: 40rem) 50vw, 100vw';

export function cardView(
  post: PostSummary,
  ctx: Context,
  options: { eager?: boolean; comments?: number } = {},
): CardView {
  return {
    url: urls.post(post.slug),
    title: post.title,
    excerpt: post.excerpt,
    date: dateView(post.publishedAt, ctx),
    author: { name: post.author.name, url: urls.author(post.author.slug) },
    category: post.category ? { name: post.category.name, url: urls.category(post.category.slug) } : null,
    imageHtml: post.featureImage
      ? pictureHtml(post.featureImage, { sizes: CARD_SIZES, alt: post.featureImage.alt, eager: options.eager ?? false })
      : '',
    comments: { count: options.comments ?? 0, url: `${urls.post(post.slug)}#comments` },
  };
}

export function authorView(author: AuthorWithAvatar): AuthorView {
  const avatar = author.avatar;
  return {
    name: author.name,
    url: urls.author(author.slug),
    bio: author.bio,
    website: author.website,
    websiteLabel: author.website ? author.website.replaceAll('https://', '').replaceAll('http://', '') : null,
    avatarHtml: avatar ? pictureHtml(avatar, { sizes: '5rem', alt: '', className: 'avatar' }) : '',
  };
}

export function commentView(comment: Comment, ctx: Context, reply: { url: string; canReply: boolean }): CommentView {
  return {
    id: comment.id,
    anchor: `comment-${comment.id}`,
    name: comment.name,
    website: comment.website,
    date: {
      iso: comment.createdAt,
      text: formatDateTime(comment.createdAt, ctx.timezone, 'en-US', ctx.settings.dateFormat),
    },
    bodyHtml: comment.bodyHtml,
    depth: comment.depth,
    byAuthor: comment.byAuthor,
    replyUrl: reply.canReply ? `${reply.url}?replyto=${comment.id}#respond` : null,
    replies: [],
  };
}

/**
 * Approved comments as threads: each reply under the comment it answers, oldest first.
 * A reply whose parent is not shown (no longer approved) stands on its own.
 */
export function commentThreads(
  comments: Comment[],
  ctx: Context,
  options: { postUrl: string; open: boolean; maxDepth: number },
): CommentView[] {
  const views = new Map<number, CommentView>();
  const roots: CommentView[] = [];
  for (const c of comments) {
    views.set(
      c.id,
      commentView(c, ctx, { url: options.postUrl, canReply: options.open && c.depth < options.maxDepth }),
    );
  }
  for (const c of comments) {
    const view = views.get(c.id) as CommentView;
    const parent = c.parentId === null ? undefined : views.get(c.parentId);
    if (parent) parent.replies.push(view);
    else roots.push(view);
  }
  return roots;
}

export function commentFormView(
  post: { id: number; slug: string },
  input: {
    values?: Partial<CommentFormView['values']>;
    errors?: Record<string, string>;
    submitted?: boolean;
    replyTo?: { id: number; name: string } | undefined;
  },
  options: { maxLength: number; honeypot: string },
): CommentFormView {
  const labels: Record<string, string> = {
    name: 'Name',
    email: 'Email',
    website: 'Website',
    body: 'Comment',
    postId: 'Post',
    parent: 'Reply',
  };
  const errors = input.errors ?? {};
  const replyTo = input.replyTo;
  return {
    action: urls.comments(),
    postId: post.id,
    replyTo: replyTo ? { id: replyTo.id, name: replyTo.name, anchor: `comment-${replyTo.id}` } : null,
    tokenUrl: `${urls.comments()}/token?post=${post.id}`,
    honeypot: options.honeypot,
    cancelReplyUrl: `${urls.post(post.slug)}#respond`,
    values: { name: '', email: '', website: '', body: '', ...input.values },
    errors,
    errorList: Object.entries(errors).map(([field, message]) => ({
      field,
      message: `${labels[field] ?? field}: ${message}`,
    })),
    submitted: input.submitted ?? false,
    maxLength: options.maxLength,
  };
}

export interface ShareView {
  url: string;
  title: string;
  links: { network: string; label: string; href: string }[];
}

/** Share links as plain URLs: no third-party script is loaded to share a post. */
export function shareView(absoluteUrl: string, title: string, imageUrl: string | undefined): ShareView {
  const u = encodeURIComponent(absoluteUrl);
  const t = encodeURIComponent(title);
  return {
    url: absoluteUrl,
    title,
    links: [
      { network: 'facebook', label: 'Facebook', href: `https://www.facebook.com/sharer/sharer.php?u=${u}` },
      {
        network: 'pinterest',
        label: 'Pinterest',
        href: `https://pinterest.com/pin/create/button/?url=${u}&description=${t}${imageUrl ? `&media=${encodeURIComponent(imageUrl)}` : ''}`,
      },
      { network: 'x', label: 'X', href: `https://x.com/intent/post?url=${u}&text=${t}` },
      {
        network: 'bluesky',
        label: 'Bluesky',
        href: `https://bsky.app/intent/compose?text=${encodeURIComponent(`${title} ${absoluteUrl}`)}`,
      },
      {
        network: 'whatsapp',
        label: 'WhatsApp',
        href: `https://wa.me/?text=${encodeURIComponent(`${title} ${absoluteUrl}`)}`,
      },
      { network: 'email', label: 'Email', href: `mailto:?subject=${t}&body=${u}` },
    ],
  };
}

export interface PaginationView {
  page: number;
  pages: number;
  prev: string | null;
  next: string | null;
}

export function paginationView(page: number, pages: number, pageUrl: (n: number) => string): PaginationView {
  return {
    page,
    pages,
    prev: page > 1 ? pageUrl(page - 1) : null,
    next: page < pages ? pageUrl(page + 1) : null,
  };
}

/** The post page's whole view model. */
export function postPageView(
  post: Post,
  ctx: Context,
  parts: {
    related: PostSummary[];
    comments: Comment[];
    form: CommentFormView;
    commentsOpen: boolean;
    maxDepth: number;
    commentFeedUrl: string;
  },
) {
  const absoluteUrl = `${ctx.publicUrl}${urls.post(post.slug)}`;
  // The writer and the editor's note's author, each made into a view once (often the
  // same person, shown in the byline, the note and the bio boxes).
  const author = authorView(post.author);
  const noteAuthor = post.editorNote?.author;
  const noteAuthorView = noteAuthor && (noteAuthor.id === post.author.id ? author : authorView(noteAuthor));
  const authors = [
    { bio: post.author.bio, view: author },
    ...(noteAuthor && noteAuthorView && noteAuthor.id !== post.author.id
      ? [{ bio: noteAuthor.bio, view: noteAuthorView }]
      : []),
  ];
  return {
    isPage: post.type === 'page',
    id: post.id,
    url: urls.post(post.slug),
    absoluteUrl,
    title: post.title,
    seoTitle: post.seoTitle ?? post.title,
    description: post.seoDescription ?? post.excerpt,
    excerpt: post.excerpt,
    date: dateView(post.publishedAt, ctx),
    updated: dateView(post.updatedAt, ctx),
    author,
    authors: authors.filter((a) => a.bio !== '').map((a) => a.view),
    category: post.category ? { name: post.category.name, url: urls.category(post.category.slug) } : null,
    tags: post.tags.map((t) => ({ name: t.name, url: urls.tag(t.slug) })),
    featureImageHtml: post.featureImage
      ? pictureHtml(post.featureImage, {
          sizes: '(min-width: 72rem) 68rem, 100vw',
          alt: post.featureImage.alt,
          eager: true,
        })
      : '',
    featureImageUrl: post.featureImage ? `${ctx.publicUrl}${post.featureImage.src}` : null,
    bodyHtml: post.html,
    editorNote: post.editorNote ? { html: post.editorNote.html, author: noteAuthorView ?? null } : null,
    share: shareView(
      absoluteUrl,
      post.title,
      post.featureImage ? `${ctx.publicUrl}${post.featureImage.src}` : undefined,
    ),
    related: parts.related.map((r) => cardView(r, ctx)),
    comments: commentThreads(parts.comments, ctx, {
      postUrl: urls.post(post.slug),
      open: parts.commentsOpen,
      maxDepth: parts.maxDepth,
    }),
    commentCount: parts.comments.length,
    commentsEnabled: parts.commentsOpen,
    /** Comments were on and have closed (by age or by the writer): say so. */
    commentsClosed: !parts.commentsOpen && (post.commentsEnabled || parts.comments.length > 0),
    commentFeedUrl: parts.commentFeedUrl,
    form: parts.form,
    jsonLd: [
      {
        '@context': 'https://schema.org',
        '@type': 'BlogPosting',
        headline: post.title,
        description: post.seoDescription ?? post.excerpt,
        datePublished: post.publishedAt,
        dateModified: post.updatedAt,
        mainEntityOfPage: absoluteUrl,
        author: personLd(post.author, ctx),
        publisher: { '@type': 'Organization', name: ctx.settings.title, url: ctx.publicUrl },
        ...(post.featureImage ? { image: `${ctx.publicUrl}${post.featureImage.src}` } : {}),
        ...(post.tags.length > 0 ? { keywords: post.tags.map((t) => t.name).join(', ') } : {}),
      },
      {
        '@context': 'https://schema.org',
        '@type': 'BreadcrumbList',
        itemListElement: [
          { name: ctx.settings.title, item: `${ctx.publicUrl}/` },
          ...(post.category
            ? [{ name: post.category.name, item: `${ctx.publicUrl}${urls.category(post.category.slug)}` }]
            : []),
          { name: post.title, item: absoluteUrl },
        ].map((crumb, i) => ({ '@type': 'ListItem', position: i + 1, ...crumb })),
      },
    ],
  };
}

export type PostPageView = ReturnType<typeof postPageView>;

/** schema.org `Person` for an author, linked to their archive. */
export function personLd(author: { name: string; slug: string; bio?: string; website?: string | null }, ctx: Context) {
  return {
    '@type': 'Person',
    name: author.name,
    url: `${ctx.publicUrl}${urls.author(author.slug)}`,
    ...(author.bio ? { description: author.bio } : {}),
    ...(author.website ? { sameAs: [author.website] } : {}),
  };
}

/** schema.org `WebSite` with the search box that search engines may show. */
export function websiteLd(ctx: Context) {
  return {
    '@context': 'https://schema.org',
    '@type': 'WebSite',
    name: ctx.settings.title,
    url: `${ctx.publicUrl}/`,
    ...(ctx.settings.description ? { description: ctx.settings.description } : {}),
    potentialAction: {
      '@type': 'SearchAction',
      target: { '@type': 'EntryPoint', urlTemplate: `${ctx.publicUrl}/search/?q={search_term_string}` },
      'query-input': 'required name=search_term_string',
    },
  };
}
