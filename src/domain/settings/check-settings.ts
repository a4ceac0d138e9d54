import { isIP } from 'node:net';
import { ValidationError } from '../../errors.js';
import { hasControlCharacters } from '../../shared/text.js';
import { isDateFormat } from './date-formats.js';
import type { MenuItem, SiteSettings } from './settings-service.js';

/** The settings form as sent: text fields, and the menu rows in the order chosen. */
export interface SettingsForm {
  title?: string;
  tagline?: string;
  timezone?: string;
  dateFormat?: string;
  postsPerPage?: string;
  /** 'full' or 'excerpt': what feeds carry of each post. Absent: left as it is. */
  feedContent?: string;
  /** 'on' or 'off': whether the site takes email subscriptions. Absent: left as it is. */
  subscriptions?: string;
  /** Rows left wholly empty are dropped before this. */
  menu?: { label: string; url: string }[];
  /** The site's texts shown by the theme. Each absent: left as it is. */
  description?: string;
  aboutPage?: string;
  footerText?: string;
  /** One link a line, `Label | address`. */
  footerLinks?: string;
  socialLinks?: string;
}

export const MAX_FOOTER_LINKS = 12;

/**
 * Reads `Label | address` lines (blank lines skipped); the address must pass `valid`.
 * Returns the links, or the message naming the first wrong line.
 */
function linkLines(text: string, what: string, valid: (url: string) => boolean, rule: string): MenuItem[] | string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length > MAX_FOOTER_LINKS) return `At most ${MAX_FOOTER_LINKS} ${what}s.`;
  const links: MenuItem[] = [];
  for (const [i, line] of lines.entries()) {
    const bar = line.lastIndexOf('|');
    const label = bar < 0 ? '' : line.slice(0, bar).trim();
    const url = bar < 0 ? line : line.slice(bar + 1).trim();
    const n = i + 1;
    if (label === '' || url === '')
      return `${what} ${n}: write a label, a bar and the address, as in "Label | ${rule === 'site' ? '/about/' : 'https://example.org/'}".`;
    if (label.length > 60 || hasControlCharacters(label))
      return `${what} ${n}: the label must be at most 60 characters.`;
    if (url.length > 500 || !valid(url))
      return rule === 'site'
        ? `${what} ${n}: the address must start with http://, https:// or / (a page of this site).`
        : `${what} ${n}: the address must start with https:// or http://.`;
    links.push({ label, url });
  }
  return links;
}

/** The theme's texts: About, the about page, the footer line, footer and social links. */
function checkTexts(form: SettingsForm, errors: Record<string, string>): Partial<SiteSettings> {
  const out: Partial<SiteSettings> = {};
  if (form.description !== undefined) {
    const description = form.description.trim().replace(/\r\n?/g, '\n');
    if (description.length > 600 || hasControlCharacters(description))
      errors.description = 'About the site must be at most 600 characters.';
    else out.description = description;
  }
  if (form.aboutPage !== undefined) {
    const aboutPage = form.aboutPage.trim().replace(/^\/+|\/+$/g, '');
    if (aboutPage.length > 200 || !/^[^\s/?#\\]*$/u.test(aboutPage) || hasControlCharacters(aboutPage))
      errors.aboutPage = 'The about page must be the slug of a page, such as "about" (no spaces or slashes).';
    else out.aboutPage = aboutPage;
  }
  if (form.footerText !== undefined) {
    const footerText = form.footerText.trim();
    if (footerText.length > 200 || !oneLine(footerText))
      errors.footerText = 'The footer text must be one line of at most 200 characters.';
    else out.footerText = footerText;
  }
  if (form.footerLinks !== undefined) {
    const links = linkLines(form.footerLinks, 'Footer link', isMenuUrl, 'site');
    if (typeof links === 'string') errors.footerLinks = links;
    else out.footerLinks = links;
  }
  if (form.socialLinks !== undefined) {
    const links = linkLines(form.socialLinks, 'Social link', (u) => /^https?:\/\//i.test(u) && isMenuUrl(u), 'web');
    if (typeof links === 'string') errors.socialLinks = links;
    else out.socialLinks = links;
  }
  return out;
}

export const MAX_MENU_ITEMS = 20;

let timeZones: Set<string> | undefined;
/** IANA time zone names this Node.js knows; UTC is listed by some versions only. */
export function isTimeZone(name: string): boolean {
  timeZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return timeZones.has(name);
}

/** A site path (`/about/`) or an absolute http(s) address: nothing a browser would run. */
export function isMenuUrl(url: string): boolean {
  if (/^\/(?![/\\])[^\s]*$/.test(url)) return true;
  if (!/^https?:\/\//i.test(url)) return false;
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

const oneLine = (text: string) => !hasControlCharacters(text) && !/[\r\n]/.test(text);

/**
 * Checks the settings form; returns the values to store, or throws a ValidationError
 * naming each wrong field (menu rows as `menu-<n>-label` / `menu-<n>-url`, counted from 1).
 */
export function checkSettings(
  form: SettingsForm,
): Pick<SiteSettings, 'title' | 'tagline' | 'timezone' | 'dateFormat' | 'postsPerPage' | 'menu'> &
  Partial<SiteSettings> {
  const errors: Record<string, string> = {};
  const title = form.title?.trim() ?? '';
  if (title === '') errors.title = 'Please enter a title for the site.';
  else if (title.length > 100 || !oneLine(title))
    errors.title = 'The title must be one line of at most 100 characters.';
  const tagline = form.tagline?.trim() ?? '';
  if (tagline.length > 200 || !oneLine(tagline))
    errors.tagline = 'The tagline must be one line of at most 200 characters.';
  const timezone = form.timezone?.trim() ?? '';
  if (!isTimeZone(timezone))
    errors.timezone = `"${timezone.slice(0, 60)}" is not a time zone. Use a name such as Europe/Berlin or America/New_York.`;
  const dateFormat = form.dateFormat ?? '';
  if (!isDateFormat(dateFormat)) errors.dateFormat = 'Please choose one of the date formats.';
  const raw = form.postsPerPage?.trim() ?? '';
  const postsPerPage = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(postsPerPage >= 1 && postsPerPage <= 50))
    errors.postsPerPage = 'Posts per page must be a whole number from 1 to 50.';
  const feedContent = form.feedContent;
  if (feedContent !== undefined && feedContent !== 'full' && feedContent !== 'excerpt')
    errors.feedContent = 'Please choose what the feeds carry: whole posts or excerpts.';
  const subscriptions = form.subscriptions;
  if (subscriptions !== undefined && subscriptions !== 'on' && subscriptions !== 'off')
    errors.subscriptions = 'Please choose whether readers may subscribe by email.';
  const menu: MenuItem[] = [];
  const rows = form.menu ?? [];
  if (rows.length > MAX_MENU_ITEMS) errors.menu = `The menu can have at most ${MAX_MENU_ITEMS} links.`;
  rows.slice(0, MAX_MENU_ITEMS).forEach((row, i) => {
    const label = row.label.trim();
    const url = row.url.trim();
    const n = i + 1;
    if (label === '') errors[`menu-${n}-label`] = `Menu link ${n}: please enter a label.`;
    else if (label.length > 60 || !oneLine(label))
      errors[`menu-${n}-label`] = `Menu link ${n}: the label must be one line of at most 60 characters.`;
    if (url === '') errors[`menu-${n}-url`] = `Menu link ${n}: please enter an address.`;
    else if (url.length > 500 || !isMenuUrl(url))
      errors[`menu-${n}-url`] =
        `Menu link ${n}: the address must start with http://, https:// or / (a page of this site).`;
    menu.push({ label, url });
  });
  const texts = checkTexts(form, errors);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return {
    title,
    tagline,
    timezone,
    dateFormat: dateFormat as SiteSettings['dateFormat'],
    postsPerPage,
    menu,
    ...texts,
    ...(feedContent === undefined ? {} : { feedContent: feedContent as SiteSettings['feedContent'] }),
    ...(subscriptions === undefined ? {} : { subscriptionsEnabled: subscriptions === 'on' }),
  };
}

/** The comment settings form as sent: text fields; lists one entry per line. */
export interface CommentSettingsForm {
  commentModeration?: string;
  commentsMaxDepth?: string;
  commentsCloseAfterDays?: string;
  commentMaxLinks?: string;
  commentBlockedWords?: string;
  commentBlockedEmails?: string;
  commentBlockedIps?: string;
  commentBlockedDomains?: string;
}

const MODERATION = ['hold-all', 'hold-first-time', 'approve-passing'] as const;
const MAX_BLOCKED = 500;

/**
 * Checks the comment settings form; returns the values to store, or throws a
 * ValidationError naming each wrong field.
 */
export function checkCommentSettings(
  form: CommentSettingsForm,
): Pick<
  SiteSettings,
  | 'commentModeration'
  | 'commentsMaxDepth'
  | 'commentsCloseAfterDays'
  | 'commentMaxLinks'
  | 'commentBlockedWords'
  | 'commentBlockedEmails'
  | 'commentBlockedIps'
  | 'commentBlockedDomains'
> {
  const errors: Record<string, string> = {};
  const moderation = form.commentModeration ?? '';
  if (!(MODERATION as readonly string[]).includes(moderation))
    errors.commentModeration = 'Please choose one of the moderation policies.';
  const whole = (field: keyof CommentSettingsForm, min: number, max: number, message: string) => {
    const raw = form[field]?.trim() ?? '';
    const n = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= min && n <= max)) errors[field] = message;
    return n;
  };
  const depth = whole('commentsMaxDepth', 1, 10, 'Reply depth must be a whole number from 1 to 10.');
  const closeAfter = whole(
    'commentsCloseAfterDays',
    0,
    36500,
    'Closing after must be a number of days (0 keeps comments open).',
  );
  const maxLinks = whole('commentMaxLinks', 0, 50, 'Links per comment must be a whole number from 0 to 50.');
  const list = (field: keyof CommentSettingsForm, valid: (entry: string) => boolean, what: string) => {
    const entries = [
      ...new Set(
        (form[field] ?? '')
          .split(/\r?\n/)
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      ),
    ];
    const bad = entries.find((e) => !valid(e) || e.length > 200);
    if (bad !== undefined) errors[field] = `"${bad.slice(0, 60)}" is not ${what}. Put one on each line.`;
    else if (entries.length > MAX_BLOCKED) errors[field] = `At most ${MAX_BLOCKED} entries.`;
    return entries;
  };
  const words = list('commentBlockedWords', (e) => !hasControlCharacters(e), 'a word or phrase');
  const emails = list('commentBlockedEmails', (e) => /^[^\s@]+@[^\s@]+$/.test(e), 'an email address');
  const ips = list('commentBlockedIps', (e) => isIP(e) !== 0, 'an IP address');
  const domains = list(
    'commentBlockedDomains',
    (e) => /^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/.test(e),
    'a domain name',
  );
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return {
    commentModeration: moderation as SiteSettings['commentModeration'],
    commentsMaxDepth: depth,
    commentsCloseAfterDays: closeAfter,
    commentMaxLinks: maxLinks,
    commentBlockedWords: words,
    commentBlockedEmails: emails,
    commentBlockedIps: ips,
    commentBlockedDomains: domains,
  };
}
