import { pictureHtml } from '../../content/markdown/index.js';
import type { Comment } from '../../domain/comments/index.js';
import type { Post, PostSummary } from '../../domain/posts/index.js';
import { urls } from '../../shared/urls.js';
import { type CommentFormView, commentThreads } from './comments.js';
import { authorView, type Context, cardView, dateView } from './site.js';

/** The post page's view model, with its share links and JSON-LD. */

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
