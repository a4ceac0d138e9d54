// Bundles the admin editor's script (src/http/admin/editor-src/) with esbuild into
// dist/admin-build/, named by a hash of its bytes, and writes manifest.json (source name ->
// built name) for the admin's `admin_asset` filter. Run by `npm run build` and `prepare`.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'admin-build');
const entries = { editor: path.join(root, 'src/http/admin/editor-src/main.ts') };

await fs.rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: entries,
  outdir,
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});
const manifest = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!output.entryPoint) continue;
  const name = Object.keys(entries).find((key) => path.resolve(root, output.entryPoint) === entries[key]);
  if (name) manifest[`${name}.js`] = path.basename(file);
}
await fs.writeFile(path.join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
