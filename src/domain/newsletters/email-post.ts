import { urls } from '../../shared/urls.js';
import type { ImageInfo } from '../media/index.js';
import type { PostSummary } from '../posts/index.js';
import type { SiteSettings } from '../settings/index.js';
import type { EmailPost, EmailSite } from './email.js';
import { absoluteUrl, emailImageSrc, fitWidth } from './email-html.js';
import { EMAIL_WIDTH } from './email-style.js';

/** The blog as a newsletter names it: its title, public address, language and time zone. */
export function emailSiteOf(
  settings: Pick<SiteSettings, 'title' | 'locale' | 'timezone'>,
  publicUrl: string,
): EmailSite {
  return {
    title: settings.title,
    url: publicUrl.replace(/\/+$/, ''),
    language: settings.locale || 'en',
    timeZone: settings.timezone || 'UTC',
  };
}

/**
 * A post as `renderPostEmail` takes it: its absolute address, its stored HTML (none for
 * a summary), its author and date, and its feature image as a JPEG or PNG about 600 px wide.
 */
export function emailPostOf(post: PostSummary & { html?: string }, site: EmailSite): EmailPost {
  const url = `${site.url}${urls.post(post.slug)}`;
  const image = post.featureImage && emailImageOf(post.featureImage, site.url);
  return {
    title: post.title,
    url,
    html: post.html ?? '',
    excerpt: post.excerpt,
    authorName: post.author.name,
    publishedAt: post.publishedAt ?? '',
    ...(image ? { image } : {}),
  };
}

/** A stored photo as the email shows it: the fallback format's file nearest above 600 px, absolute, with its size. */
export function emailImageOf(image: ImageInfo, siteUrl: string): EmailPost['image'] {
  const srcset = image.sources.at(-1)?.srcset ?? '';
  const src = emailImageSrc(image.src, srcset);
  const url = src && absoluteUrl(src, { siteUrl, postUrl: `${siteUrl}/` });
  if (!url) return undefined;
  const width = Number(
    srcset
      .split(/,\s+/)
      .map((c) => c.trim().split(/\s+/))
      .find(([u]) => u === src)?.[1]
      ?.replace(/w$/, '') ?? image.width,
  );
  const size = fitWidth(width, Math.round((image.height * width) / image.width), EMAIL_WIDTH * 2);
  return { url, alt: image.alt, width: size.width, height: size.height };
}
