import { escapeHtml } from '../../shared/html.js';

/**
 * The newsletter's message: an email-safe HTML part and a plain-text part (issue 20).
 * The per-reader links are given as strings; a send fixes the message once with the
 * placeholders below and puts each reader's own links in as it sends.
 */
export const PREFERENCES_PLACEHOLDER = '%%HEARTH_PREFERENCES_URL%%';
export const UNSUBSCRIBE_PLACEHOLDER = '%%HEARTH_UNSUBSCRIBE_URL%%';

export interface EmailSite {
  title: string;
  /** The blog's public address, no trailing slash. */
  url: string;
  /** BCP 47 language of the blog, such as 'en'. */
  language: string;
}

export interface EmailLinks {
  preferences: string;
  unsubscribe: string;
}

export interface EmailPost {
  title: string;
  /** Absolute address of the post. */
  url: string;
  /** The post's rendered HTML (as stored), relative links included. */
  html: string;
  excerpt: string;
  authorName: string;
  publishedAt: string;
  /** Absolute address of a JPEG about 600 px wide, with its alt text; or none. */
  image?: { url: string; alt: string; width: number; height: number };
}

export interface EmailMessage {
  subject: string;
  html: string;
  text: string;
}

/** A post as a newsletter: the whole post, or its excerpt with a link. */
export function renderPostEmail(input: {
  site: EmailSite;
  post: EmailPost;
  content: 'full' | 'excerpt';
  links: EmailLinks;
}): EmailMessage {
  const { site, post, links } = input;
  const body = input.content === 'full' ? post.html : `<p>${escapeHtml(post.excerpt)}</p>`;
  return {
    subject: post.title,
    html: `<!doctype html><html lang="${escapeHtml(site.language)}"><body><h1>${escapeHtml(post.title)}</h1>${body}<p><a href="${escapeHtml(post.url)}">Read on ${escapeHtml(site.title)}</a></p><p><a href="${escapeHtml(links.preferences)}">Preferences</a> · <a href="${escapeHtml(links.unsubscribe)}">Unsubscribe</a></p></body></html>`,
    text: `${post.title}\n\n${post.excerpt}\n\n${post.url}\n\nPreferences: ${links.preferences}\nUnsubscribe: ${links.unsubscribe}\n`,
  };
}

/** The weekly digest: the posts published since the last one, each a title, excerpt and link. */
export function renderDigestEmail(input: {
  site: EmailSite;
  posts: readonly Omit<EmailPost, 'html'>[];
  links: EmailLinks;
}): EmailMessage {
  const { site, posts, links } = input;
  const subject = `New on ${site.title}`;
  const items = posts
    .map((p) => `<h2><a href="${escapeHtml(p.url)}">${escapeHtml(p.title)}</a></h2><p>${escapeHtml(p.excerpt)}</p>`)
    .join('');
  return {
    subject,
    html: `<!doctype html><html lang="${escapeHtml(site.language)}"><body><h1>${escapeHtml(subject)}</h1>${items}<p><a href="${escapeHtml(links.preferences)}">Preferences</a> · <a href="${escapeHtml(links.unsubscribe)}">Unsubscribe</a></p></body></html>`,
    text: `${subject}\n\n${posts.map((p) => `${p.title}\n${p.excerpt}\n${p.url}`).join('\n\n')}\n\nPreferences: ${links.preferences}\nUnsubscribe: ${links.unsubscribe}\n`,
  };
}
