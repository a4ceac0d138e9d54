import fs from 'node:fs';

/** Hearth's version, from package.json (two folders up from both src/shared and dist/shared). */
export const hearthVersion: string = (
  JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
