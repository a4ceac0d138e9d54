import { pictureHtml } from '../../content/markdown/index.js';
import type { PostSummary } from '../../domain/posts/index.js';
import type { SiteSettings } from '../../domain/settings/index.js';
import { SUBSCRIBE_HONEYPOT } from '../../domain/subscribers/index.js';
import type { Category } from '../../domain/taxonomy/index.js';
import type { AuthorWithAvatar } from '../../domain/users/index.js';
import { urls } from '../../shared/urls.js';
import { formatDate, formatDateTime } from '../dates.js';

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
  /** The footer: its line (empty for the default), links, the writer's profiles elsewhere. */
  footer: { text: string; links: { label: string; url: string }[]; social: { label: string; url: string }[] };
  /** The about page, when one is set. */
  aboutUrl: string | null;
  /** The subscribe form (partial `subscribe`), when the site takes sign-ups and the page is public. */
  subscribe: { action: string; from: string; honeypot: string } | null;
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

export function siteView(
  ctx: Context,
  categories: Category[],
  currentPath: string,
  logo?: SiteView['logo'],
  subscribe = false,
): SiteView {
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
    footer: { text: ctx.settings.footerText, links: ctx.settings.footerLinks, social: ctx.settings.socialLinks },
    aboutUrl: ctx.settings.aboutPage ? urls.post(ctx.settings.aboutPage) : null,
    subscribe: subscribe
      ? { action: '/subscribe', from: subscribeFrom(currentPath), honeypot: SUBSCRIBE_HONEYPOT }
      : null,
  };
}

/** The page a sign-up comes from: its path without the query, as the form's `from`. */
function subscribeFrom(currentPath: string): string {
  const path = currentPath.split(/[?#]/)[0] ?? '/';
  return path.length <= 300 ? path : '/';
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
