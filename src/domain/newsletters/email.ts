import { escapeHtml } from '../../shared/html.js';
import { emailBodyHtml, imgTag } from './email-html.js';
import { CARD_PADDING, CONTENT_WIDTH, EMAIL_WIDTH, FONT_STACK, headStyle, light, paint } from './email-style.js';
import { htmlToText, wrap } from './email-text.js';

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
  /** The writing direction; by default worked out from `language` (Arabic, Hebrew, Persian… are right to left). */
  direction?: 'ltr' | 'rtl';
  /** The IANA time zone dates are written in; UTC by default. */
  timeZone?: string;
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

/**
 * A post as a newsletter: the whole post, or its excerpt with a link. The HTML part is a
 * centred 600 px table with inline styles (and a dark palette for clients that read
 * `prefers-color-scheme`); the post's HTML is made email-safe (`emailBodyHtml`). The text
 * part says the same, links written out.
 */
export function renderPostEmail(input: {
  site: EmailSite;
  post: EmailPost;
  content: 'full' | 'excerpt';
  links: EmailLinks;
}): EmailMessage {
  const { site, post, links } = input;
  const dir = directionOf(site);
  const full =
    input.content === 'full' && post.html.trim() !== ''
      ? emailBodyHtml(neutralise(post.html), { siteUrl: site.url, postUrl: post.url, dir })
      : undefined;
  const body =
    full !== undefined
      ? full
      : post.excerpt.trim() !== ''
        ? `<p ${paint('card', 'text', 'margin:0 0 16px;font-size:17px;line-height:1.6')}>${escapeHtml(neutralise(post.excerpt))}</p>`
        : '';
  const byline = [post.authorName, dateOf(post.publishedAt, site)].filter(Boolean).join(' · ');
  const image = post.image
    ? `<tr><td ${paint('card', 'text', 'padding:0;line-height:0;font-size:0')}><a href="${escapeHtml(post.url)}">${imgTag(post.image, EMAIL_WIDTH)}</a></td></tr>`
    : '';
  const card = [
    `<h1 ${paint('card', 'text', 'margin:0 0 8px;font-size:28px;line-height:1.25;font-weight:700')}><a href="${escapeHtml(post.url)}" ${paint('card', 'text', 'text-decoration:none')}>${escapeHtml(post.title)}</a></h1>`,
    byline
      ? `<p ${paint('card', 'muted', 'margin:0 0 24px;font-size:14px;line-height:1.5')}>${escapeHtml(byline)}</p>`
      : '',
    body,
    button(post.url, 'Read on the blog'),
  ].join('\n');
  const html = frame({
    site,
    dir,
    subject: post.title,
    preheader: post.excerpt,
    links,
    rows: `${image}${cardRow(card)}`,
  });

  const bodyText = full !== undefined ? htmlToText(full) : wrap(neutralise(post.excerpt).trim());
  const text = [
    `${site.title} (${site.url})`,
    `${post.title}\n${'='.repeat(Math.min([...post.title].length, 72))}`,
    byline,
    post.image?.alt ? `[${post.image.alt}]` : '',
    bodyText.trim(),
    `Read on the blog: ${post.url}`,
    footerText(site, links),
  ];
  return { subject: post.title, html, text: joinText(text) };
}

/** The weekly digest: the posts published since the last one, each a title, excerpt and link. */
export function renderDigestEmail(input: {
  site: EmailSite;
  posts: readonly Omit<EmailPost, 'html'>[];
  links: EmailLinks;
}): EmailMessage {
  const { site, posts, links } = input;
  const dir = directionOf(site);
  const subject = `New on ${site.title}`;
  const items = posts.map((p, i) => {
    const byline = [p.authorName, dateOf(p.publishedAt, site)].filter(Boolean).join(' · ');
    return [
      i > 0 ? `<hr class="em-rule" style="border:0;border-top:1px solid ${light.rule};margin:28px 0;height:0">` : '',
      p.image
        ? `<a href="${escapeHtml(p.url)}" style="display:block;margin:0 0 14px">${imgTag(p.image, CONTENT_WIDTH)}</a>`
        : '',
      `<h2 ${paint('card', 'text', 'margin:0 0 6px;font-size:22px;line-height:1.3;font-weight:700')}><a href="${escapeHtml(p.url)}" ${paint('card', 'text', 'text-decoration:none')}>${escapeHtml(p.title)}</a></h2>`,
      byline
        ? `<p ${paint('card', 'muted', 'margin:0 0 10px;font-size:14px;line-height:1.5')}>${escapeHtml(byline)}</p>`
        : '',
      p.excerpt.trim()
        ? `<p ${paint('card', 'text', 'margin:0 0 10px;font-size:17px;line-height:1.6')}>${escapeHtml(neutralise(p.excerpt))}</p>`
        : '',
      `<p ${paint('card', 'text', 'margin:0;font-size:16px;line-height:1.5')}><a href="${escapeHtml(p.url)}" ${paint('card', 'link', 'font-weight:600')}>Read on the blog ${dir === 'rtl' ? '←' : '→'}</a></p>`,
    ].join('');
  });
  const card = [
    `<h1 ${paint('card', 'text', 'margin:0 0 24px;font-size:28px;line-height:1.25;font-weight:700')}>${escapeHtml(subject)}</h1>`,
    ...items,
  ].join('\n');
  const preheader = posts.map((p) => p.title).join(' · ');
  const html = frame({ site, dir, subject, preheader, links, rows: cardRow(card) });
  const text = joinText([
    `${site.title} (${site.url})`,
    `${subject}\n${'='.repeat(Math.min([...subject].length, 72))}`,
    ...posts.map((p) =>
      [
        `${p.title}`,
        [p.authorName, dateOf(p.publishedAt, site)].filter(Boolean).join(' · '),
        wrap(neutralise(p.excerpt).trim()),
        p.url,
      ]
        .filter(Boolean)
        .join('\n'),
    ),
    footerText(site, links),
  ]);
  return { subject, html, text };
}

const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ks', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** The blog's writing direction: as given, else from its language. */
export function directionOf(site: EmailSite): 'ltr' | 'rtl' {
  if (site.direction) return site.direction;
  const primary = site.language.split(/[-_]/)[0]?.toLowerCase() ?? '';
  return RTL_LANGUAGES.has(primary) ? 'rtl' : 'ltr';
}

/** A publication time written as the blog's readers write dates ("7 December 2026"); empty when there is none. */
function dateOf(iso: string, site: EmailSite): string {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(site.language, { dateStyle: 'long', timeZone: site.timeZone ?? 'UTC' }).format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}

/** A writer's text can never become a reader's link: the placeholders in it are broken up. */
function neutralise(text: string): string {
  return text.replaceAll('%%HEARTH_', '%\u200b%HEARTH_');
}

function joinText(parts: string[]): string {
  return `${parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .join('\n\n')}\n`;
}

function footerText(site: EmailSite, links: EmailLinks): string {
  return [
    '--',
    wrap(`Why you get this: you subscribed to ${site.title} (${site.url}).`),
    `Choose what you get: ${links.preferences}`,
    `Unsubscribe: ${links.unsubscribe}`,
  ].join('\n');
}

/** A bulletproof button: a link filling a coloured table cell (Outlook draws the cell). */
function button(url: string, label: string): string {
  const style = `display:inline-block;padding:12px 24px;font-family:${FONT_STACK};font-size:16px;line-height:1.25;font-weight:600;color:${light.buttonText};background-color:${light.button};border:1px solid ${light.button};border-radius:6px;text-decoration:none`;
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:28px 0 8px"><tr><td class="em-btn" align="center" bgcolor="${light.button}" style="border-radius:6px;background-color:${light.button}"><a class="em-btn" href="${escapeHtml(url)}" style="${style}">${escapeHtml(label)}</a></td></tr></table>`;
}

function cardRow(content: string): string {
  return `<tr><td ${paint('card', 'text', `padding:${CARD_PADDING + 8}px ${CARD_PADDING}px ${CARD_PADDING}px;font-family:${FONT_STACK};font-size:17px;line-height:1.6`, 'em-pad')}>\n${content}\n</td></tr>`;
}

/** The frame every newsletter shares: head, hidden preheader, the blog's name, the card, the footer. */
function frame(input: {
  site: EmailSite;
  dir: 'ltr' | 'rtl';
  subject: string;
  preheader: string;
  links: EmailLinks;
  rows: string;
}): string {
  const { site, dir, links } = input;
  const align = dir === 'rtl' ? 'right' : 'left';
  const host = hostOf(site.url);
  // Clients show the first text of a message beside its subject: the excerpt, then
  // invisible spacers so the rest of the message is not pulled in after it.
  const preheader = `<div class="em-preheader" style="display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;font-size:1px;line-height:1px">${escapeHtml(neutralise(input.preheader))}${'\u034f\u00a0'.repeat(60)}</div>`;
  const foot = paint(
    'page',
    'muted',
    `padding:20px ${CARD_PADDING}px 32px;font-family:${FONT_STACK};font-size:13px;line-height:1.6;text-align:${align}`,
  );
  const footLink = paint('page', 'muted', 'text-decoration:underline');
  return `<!doctype html>
<html lang="${escapeHtml(site.language)}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting" content="">
<meta name="format-detection" content="telephone=no, date=no, address=no, email=no">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${escapeHtml(input.subject)}</title>
<style>
${headStyle()}
</style>
<!--[if mso]><style>table,td,h1,h2,h3,p,li,a{font-family:Arial,sans-serif !important}.em-preheader{display:none !important;mso-hide:all}</style><![endif]-->
</head>
<body class="em-page" dir="${dir}" style="margin:0;padding:0;background-color:${light.page};color:${light.text}">
${preheader}
<table role="presentation" class="em-page" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="${light.page}" style="width:100%;background-color:${light.page}">
<tr><td align="center" style="padding:24px 8px">
<!--[if mso]><table role="presentation" align="center" width="${EMAIL_WIDTH}" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" class="em-wrap" dir="${dir}" width="${EMAIL_WIDTH}" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:${EMAIL_WIDTH}px;margin:0 auto">
<tr><td ${paint('page', 'text', `padding:0 ${CARD_PADDING}px 16px;font-family:${FONT_STACK};font-size:15px;line-height:1.4;font-weight:700;text-align:${align}`)}><a href="${escapeHtml(`${site.url}/`)}" ${paint('page', 'text', 'text-decoration:none')}>${escapeHtml(site.title)}</a></td></tr>
${input.rows}
<tr><td ${foot}>
<p ${paint('page', 'muted', 'margin:0 0 8px')}>Why you get this: you subscribed to <a href="${escapeHtml(`${site.url}/`)}" ${footLink}>${escapeHtml(site.title)}</a>${host ? ` (${escapeHtml(host)})` : ''}.</p>
<p ${paint('page', 'muted', 'margin:0')}><a href="${escapeHtml(links.preferences)}" ${footLink}>Choose what you get</a> · <a href="${escapeHtml(links.unsubscribe)}" ${footLink}>Unsubscribe</a></p>
</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
