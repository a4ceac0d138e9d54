// Copies the default theme's fonts (SIL OFL 1.1) from their @fontsource packages into
// themes/default/assets/fonts/: Literata (reading) and Source Sans 3 (interface), 400 and
// 700, Latin and Latin Extended. The files are committed; run this after updating either
// package (the version is in each file name, so the immutable /assets/ URL changes with it).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const target = path.resolve('themes/default/assets/fonts');
fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(target, { recursive: true });
const families = {
  literata: ['400-normal', '700-normal', '400-italic'],
  'source-sans-3': ['400-normal', '700-normal'],
};
for (const [family, styles] of Object.entries(families)) {
  const dir = path.dirname(require.resolve(`@fontsource/${family}/package.json`));
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const subset of ['latin', 'latin-ext'])
    for (const style of styles) {
      const file = `${family}-${subset}-${style}.woff2`;
      fs.copyFileSync(
        path.join(dir, 'files', file),
        path.join(target, `${family}-${version}-${subset}-${style}.woff2`),
      );
    }
  fs.copyFileSync(path.join(dir, 'LICENSE'), path.join(target, `${family}-LICENSE.txt`));
}
console.log(fs.readdirSync(target).join('\n'));
