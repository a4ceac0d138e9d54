import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Context, Liquid, LookupType, filters as stockFilters, type Template } from 'liquidjs';
import { z } from 'zod';
import { htmlEscaper, jsonForScript } from '../../shared/html.js';
import { fileRenderer, speedUpTemplates } from './fast-render.js';

const themeManifest = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string().default(''),
  /** Templates a theme must provide, checked at load. */
  templates: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1),
});

export type ThemeManifest = z.infer<typeof themeManifest>;

// LiquidJS's `escape` writes these entities, and escapes nothing else (see shared/html.ts).
const escapeText = htmlEscaper({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' });
const stockEscape = stockFilters.escape as (this: { context: Context }, value: unknown) => string;

/** The theme's `escape` and every output's: LiquidJS's own, counting the memory it uses. */
function themeEscape(this: { context: Context }, value: unknown): string {
  if (typeof value === 'number') {
    // What `escape` makes of a number: its digits, nothing to escape.
    const text = String(value);
    this.context.memoryLimit.use(text.length);
    return text;
  }
  if (typeof value !== 'string') return stockEscape.call(this, value);
  this.context.memoryLimit.use(value.length);
  return escapeText(value);
}

/** A loaded theme: renders its templates with view models, and knows its assets. */
export interface Theme {
  manifest: ThemeManifest;
  /** Folder of static assets served under /assets/. */
  assetsDir: string;
  /** How it renders: through the fast path (fast-render.ts), or stock LiquidJS. */
  engine: 'fast path' | 'liquidjs';
  /** Renders synchronously: view models are complete before a theme sees them. */
  render(template: string, data: object): string;
  /**
   * Gives `asset_url` the versions of the asset bytes actually served (by path under
   * `assetsDir`, with `/`), so a URL changes exactly when what it serves does. Until then
   * (or for a file not listed) a version is hashed from the file when first asked for.
   */
  useAssetVersions(versions: ReadonlyMap<string, string>): void;
}

export interface ThemeOptions {
  /** false: stock LiquidJS only (to rule the fast path out when a theme misbehaves). */
  fastPath?: boolean;
}

/**
 * Loads a theme folder. Themes are untrusted data: LiquidJS with a fixed root,
 * strict filters, every output escaped unless a view model marks it as HTML with `raw`.
 */
export function loadTheme(dir: string, options: ThemeOptions = {}): Theme {
  const manifestPath = path.join(dir, 'theme.json');
  let manifest: ThemeManifest;
  try {
    manifest = themeManifest.parse(JSON.parse(fs.readFileSync(manifestPath, 'utf8')));
  } catch (error) {
    throw new Error(`the theme at ${dir} has no valid theme.json`, { cause: error });
  }
  for (const t of manifest.templates) {
    if (!fs.existsSync(path.join(dir, 'templates', `${t}.liquid`)))
      throw new Error(`the theme ${manifest.name} lacks templates/${t}.liquid`);
  }
  const assetsDir = path.join(dir, 'assets');
  const versions = new Map<string, string>();
  let served: ReadonlyMap<string, string> = new Map();
  const assetVersion = (file: string) => {
    let v = versions.get(file);
    if (v === undefined) {
      const full = path.resolve(assetsDir, file);
      const inside = full.startsWith(assetsDir + path.sep);
      v =
        (inside ? served.get(path.relative(assetsDir, full).split(path.sep).join('/')) : undefined) ??
        (inside && fs.existsSync(full)
          ? createHash('sha1').update(fs.readFileSync(full)).digest('hex').slice(0, 10)
          : '0');
      versions.set(file, v);
    }
    return v;
  };

  const liquid = new Liquid({
    root: [path.join(dir, 'templates')],
    partials: [path.join(dir, 'partials')],
    layouts: [path.join(dir, 'layouts')],
    extname: '.liquid',
    relativeReference: false,
    outputEscape: themeEscape,
    strictFilters: true,
    ownPropertyOnly: true,
    cache: true,
    greedy: false,
  });
  liquid.registerFilter('escape', themeEscape);
  liquid.registerFilter('asset_url', (file: string) => `/assets/${file}?v=${assetVersion(file)}`);
  liquid.registerFilter('json_ld', (value: unknown) => jsonForScript(value));

  // Every file is parsed now, once (the engine keeps what it parsed), and its commonest
  // nodes are given plain render functions: see fast-render.ts.
  const parsed: Template[][] = [];
  const pages = new Map<string, Template[]>();
  for (const [folder, type] of [
    ['templates', LookupType.Root],
    ['partials', LookupType.Partials],
    ['layouts', LookupType.Layouts],
  ] as const) {
    const full = path.join(dir, folder);
    if (!fs.existsSync(full)) continue;
    for (const file of fs.readdirSync(full)) {
      if (!file.endsWith('.liquid')) continue;
      try {
        const templates = liquid.parseFileSync(file.slice(0, -7), type);
        parsed.push(templates);
        if (type === LookupType.Root) pages.set(file.slice(0, -7), templates);
      } catch {
        // A file that does not parse fails where it is used, as it always has.
      }
    }
  }
  const renderers = new Map<string, (data: object) => string>();
  let engine: Theme['engine'] = 'liquidjs';
  if (options.fastPath !== false && speedUpTemplates(liquid, parsed)) {
    engine = 'fast path';
    for (const [name, templates] of pages) renderers.set(name, fileRenderer(liquid, templates));
  }

  return {
    manifest,
    assetsDir,
    engine,
    // Liquid's async renderer costs several times its sync one, and themes need no I/O.
    render: (template, data) => renderers.get(template)?.(data) ?? (liquid.renderFileSync(template, data) as string),
    useAssetVersions(given) {
      served = given;
      versions.clear();
    },
  };
}
