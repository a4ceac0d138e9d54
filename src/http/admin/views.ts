import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Liquid } from 'liquidjs';
import { packageRoot } from '../../config.js';

/** The admin's own templates and stylesheet (not the site theme's), inside the package. */
export const adminDir = path.join(packageRoot(), 'src', 'http', 'admin');
export const adminAssetsDir = path.join(adminDir, 'assets');
/** The admin's bundled scripts (`npm run build`: scripts/build-editor.mjs), named by their hash. */
export const adminBuildDir = path.join(packageRoot(), 'dist', 'admin-build');

/** Built script name -> its hashed file in `adminBuildDir` (empty when not built). */
function builtAssets(): Map<string, string> {
  try {
    return new Map(Object.entries(JSON.parse(fs.readFileSync(path.join(adminBuildDir, 'manifest.json'), 'utf8'))));
  } catch {
    return new Map();
  }
}

/** Renders the admin's views: LiquidJS with a fixed root, strict filters, every output escaped. */
export interface AdminViews {
  render(view: string, data: object): Promise<string>;
}

export function createAdminViews(): AdminViews {
  const views = path.join(adminDir, 'views');
  const liquid = new Liquid({
    root: [views],
    partials: [path.join(views, 'partials')],
    layouts: [views],
    extname: '.liquid',
    relativeReference: false,
    outputEscape: 'escape',
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    cache: true,
  });
  const versions = new Map<string, string>();
  const built = builtAssets();
  // A bundled script has its hash in its name (served immutable from /admin/build/); without
  // a build the page still works, without its script.
  liquid.registerFilter('admin_built', (file: string) => `/admin/build/${built.get(file) ?? file}`);
  liquid.registerFilter('admin_asset', (file: string) => {
    let version = versions.get(file);
    if (version === undefined) {
      const full = path.resolve(adminAssetsDir, file);
      version = full.startsWith(adminAssetsDir + path.sep)
        ? createHash('sha1').update(fs.readFileSync(full)).digest('hex').slice(0, 10)
        : '0';
      versions.set(file, version);
    }
    return `/admin/assets/${file}?v=${version}`;
  });
  return { render: (view, data) => liquid.renderFile(view, data) as Promise<string> };
}
