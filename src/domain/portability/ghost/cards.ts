import MarkdownIt from 'markdown-it';
import { escapeHtml } from '../../../shared/html.js';

/**
 * Ghost's cards (mobiledoc cards and Koenig's lexical card nodes share their names and fields) as
 * plain HTML that the HTML to Markdown converter understands. Hearth has no gallery, bookmark,
 * toggle, button, video, audio, file or product block, so these become figures, links and
 * paragraphs; a callout becomes a `::: note` (`data-ghost-callout`, read by the converter).
 */

/** Ghost rendered Markdown cards with markdown-it, raw HTML allowed, a newline a line break. */
const ghostMarkdown = new MarkdownIt({ html: true, breaks: true, linkify: true });

/** Cards Ghost shows only in emails or that only mark a place (the members' paywall): nothing on the web. */
const SILENT = new Set(['paywall', 'email', 'email-cta', 'preview', 'soft-return']);

export type Payload = Record<string, unknown>;

/** A card as HTML, or `undefined` for a card Hearth has no meaning for (the caller lists it). */
export function cardHtml(rawName: string, payload: Payload): string | undefined {
  const name = rawName.replace(/^card-/, '');
  const str = (key: string): string => {
    const value = payload[key];
    return typeof value === 'string' ? value : '';
  };
  const caption = (html: string) => (html.trim() ? `<p>${html}</p>` : '');
  switch (name) {
    case 'markdown':
      return ghostMarkdown.render(str('markdown'));
    case 'html':
      return str('html');
    case 'image':
      return figure(str('src'), str('alt'), str('caption'));
    case 'gallery': {
      const images = Array.isArray(payload.images) ? (payload.images as Payload[]) : [];
      const inner = images
        .map((i) => figure(String(i.src ?? ''), String(i.alt ?? ''), String(i.caption ?? '')))
        .join('');
      return inner
        ? `<figure>${inner}${str('caption') ? `<figcaption>${str('caption')}</figcaption>` : ''}</figure>`
        : '';
    }
    case 'before-after':
      return (
        figure(String((payload.beforeImage as Payload | undefined)?.src ?? ''), '', '') +
        figure(String((payload.afterImage as Payload | undefined)?.src ?? ''), '', '') +
        caption(str('caption'))
      );
    case 'code':
    case 'codeblock': {
      const language = str('language').trim().toLowerCase().replace(/\s+/g, '-');
      const lang = language ? ` class="language-${escapeHtml(language)}"` : '';
      return `<pre><code${lang}>${escapeHtml(str('code'))}</code></pre>${caption(str('caption'))}`;
    }
    case 'hr':
    case 'horizontalrule':
      return '<hr>';
    case 'embed': {
      const url = str('url');
      if (!url) return str('html');
      return `${link(url, url)}${caption(str('caption'))}`;
    }
    case 'bookmark': {
      const metadata = (payload.metadata ?? {}) as Payload;
      const title = typeof metadata.title === 'string' && metadata.title.trim() ? metadata.title : str('url');
      return `${link(str('url'), title)}${caption(str('caption'))}`;
    }
    case 'callout': {
      const emoji = str('calloutEmoji').trim();
      let body = str('calloutText').trim();
      if (emoji)
        body = /^<p\b[^>]*>/i.test(body)
          ? body.replace(/^<p\b[^>]*>/i, `$&${escapeHtml(emoji)} `)
          : `${escapeHtml(emoji)} ${body}`;
      return `<div data-ghost-callout="">${/^<p\b/i.test(body) ? body : `<p>${body}</p>`}</div>`;
    }
    case 'toggle':
      return `<p><strong>${str('heading')}</strong></p>${str('content')}`;
    case 'button':
      return link(str('buttonUrl'), str('buttonText') || str('buttonUrl'));
    case 'video':
      return `${link(str('src'), str('fileName') || str('src'))}${caption(str('caption'))}`;
    case 'audio':
      return link(str('src'), str('title') || str('src'));
    case 'file':
      return `${link(str('src'), str('fileTitle') || str('fileName') || str('src'))}${caption(str('fileCaption'))}`;
    case 'header': {
      const button = payload.buttonEnabled ? link(str('buttonUrl'), str('buttonText')) : '';
      return `${str('header') ? `<h2>${str('header')}</h2>` : ''}${caption(str('subheader'))}${button}`;
    }
    case 'product': {
      const title = str('productTitle') ? `<h3>${str('productTitle')}</h3>` : '';
      const button = payload.productButtonEnabled ? link(str('productUrl'), str('productButton')) : '';
      return `${title}${figure(str('productImageSrc'), '', '')}${str('productDescription')}${button}`;
    }
    default:
      if (SILENT.has(name)) return '';
      return undefined;
  }
}

function figure(src: string, alt: string, caption: string): string {
  if (!src.trim()) return '';
  const figcaption = caption.trim() ? `<figcaption>${caption}</figcaption>` : '';
  return `<figure><img src="${escapeHtml(src)}" alt="${escapeHtml(alt)}">${figcaption}</figure>`;
}

function link(url: string, text: string): string {
  if (!url.trim()) return text ? `<p>${escapeHtml(text)}</p>` : '';
  return `<p><a href="${escapeHtml(url)}">${text.trim() ? escapeHtml(text) : escapeHtml(url)}</a></p>`;
}
