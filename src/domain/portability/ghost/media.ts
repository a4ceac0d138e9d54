import type { ImportMedia } from '../model.js';

const PLACEHOLDER = 'http://ghost.invalid';

/**
 * The photos of a Ghost export: every URL of the old site under `content/images/` (relative, with
 * `__GHOST_URL__` already replaced, or on the site's own address) names one file, its path below
 * `content/images/`. Ghost's sized copies (`size/w600/`, `format/webp/`) name their original.
 * Images on other sites are not the export's and stay where they are.
 */
export class GhostMedia {
  readonly list: ImportMedia[] = [];
  readonly #byFile = new Map<string, ImportMedia>();
  readonly #index = new Map<ImportMedia, number>();
  readonly #site: URL | undefined;
  readonly #sitePath: string;

  constructor(siteUrl: string | null) {
    this.#site = siteUrl ? new URL(siteUrl) : undefined;
    this.#sitePath = (this.#site?.pathname ?? '/').replace(/\/+$/, '');
  }

  /** The photo a URL shows, taken in on first sight; `undefined` when it is not the export's. */
  add(raw: string, alt = '', caption = ''): ImportMedia | undefined {
    const found = this.#locate(raw.trim());
    if (!found) return undefined;
    let media = this.#byFile.get(found.file);
    if (!media) {
      media = {
        id: found.file,
        file: found.file,
        url: found.original,
        urls: [found.original],
        alt: '',
        caption: '',
        credit: '',
        title: '',
        oldUrls: [],
      };
      this.#byFile.set(found.file, media);
      this.#index.set(media, this.list.push(media) - 1);
    }
    if (!media.urls.includes(found.seen)) media.urls.push(found.seen);
    if (!media.alt && alt.trim()) media.alt = alt.trim();
    if (!media.caption && caption.trim()) media.caption = caption.trim();
    return media;
  }

  /** The photo's place in `list`. */
  indexOf(media: ImportMedia): number {
    return this.#index.get(media) ?? -1;
  }

  /** True when the URL has the path of a Ghost photo (on whatever site). */
  static looksLocal(url: string): boolean {
    return /\/content\/images\//.test(url);
  }

  #locate(raw: string): { file: string; original: string; seen: string } | undefined {
    if (!raw) return undefined;
    const relative = raw.startsWith('/') && !raw.startsWith('//');
    if (!relative && !this.#site) return undefined;
    let url: URL;
    try {
      url = new URL(raw, this.#site ?? PLACEHOLDER);
    } catch {
      return undefined;
    }
    // A site that moved from http to https keeps its old links: both schemes are its own.
    if (!relative && (!/^https?:$/.test(url.protocol) || url.host !== this.#site?.host)) return undefined;
    const prefixes = [`${this.#sitePath}/content/images/`, ...(relative ? ['/content/images/'] : [])];
    const prefix = prefixes.find((p) => url.pathname.startsWith(p));
    if (!prefix) return undefined;
    const below = url.pathname.slice(prefix.length).replace(/^(?:size\/[wh\d]+\/)?(?:format\/[a-z0-9]+\/)?/i, '');
    let file: string;
    try {
      file = decodeURIComponent(below);
    } catch {
      file = below;
    }
    if (!file || file.endsWith('/') || file.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      return undefined;
    }
    const origin = this.#site ? this.#site.origin : '';
    return {
      file,
      original: `${origin}${prefix}${below}`,
      seen: this.#site ? url.href.replace(/#.*$/, '') : `${url.pathname}${url.search}`,
    };
  }
}
