import type { Config } from '../../config.js';
import type { SiteSettings } from '../../domain/settings/index.js';
import type { Theme } from '../../render/theme/engine.js';
import { type Context, siteView } from '../../render/view-models/index.js';
import type { Services } from '../../services.js';

/** The services the public site's plugins use. */
export type SiteServices = Pick<
  Services,
  | 'analytics'
  | 'books'
  | 'bookBuilds'
  | 'commentFeeds'
  | 'commentNotifier'
  | 'comments'
  | 'demo'
  | 'editorial'
  | 'feeds'
  | 'media'
  | 'mediaStore'
  | 'posts'
  | 'search'
  | 'settings'
  | 'setup'
  | 'sitemap'
  | 'subscribers'
  | 'taxonomy'
  | 'users'
>;

export interface SiteDeps {
  config: Config;
  services: SiteServices;
  theme: Theme;
}

/**
 * What every public page needs: settings, time zone, the site view for the header.
 * A route that has read the settings already passes them, so they are read once.
 */
export async function pageContext(
  deps: SiteDeps,
  currentPath: string,
  known: { settings?: SiteSettings; subscribe?: boolean } = {},
) {
  const [settings, categories] = await Promise.all([
    known.settings ?? deps.services.settings.get(),
    deps.services.taxonomy.categories(),
  ]);
  const ctx: Context = {
    settings,
    publicUrl: deps.config.publicUrl,
    timezone: deps.config.timezone ?? settings.timezone,
  };
  const logo = settings.logoId === null ? undefined : await deps.services.media.get(settings.logoId);
  // The smallest fallback variant (JPEG, PNG or GIF): a logo is shown small.
  const small = logo?.variants
    .filter((v) => v.format !== 'avif' && v.format !== 'webp')
    .sort((a, b) => a.width - b.width)[0];
  const logoView = logo
    ? small
      ? { src: logo.url.replace(logo.path, small.path), width: small.width, height: small.height }
      : { src: logo.url, width: logo.width, height: logo.height }
    : null;
  // The subscribe form, on public pages only (not a preview, the setup or an error page).
  const subscribe = known.subscribe !== false && settings.subscriptionsEnabled;
  return { ctx, site: siteView(ctx, categories, currentPath, logoView, subscribe) };
}

/** Parses a page number from the URL: a positive whole number, or null (which is a 404). */
export function parsePageNumber(raw: string | undefined): number | null {
  if (raw === undefined) return 1;
  if (!/^[1-9][0-9]{0,6}$/.test(raw)) return null;
  return Number(raw);
}
