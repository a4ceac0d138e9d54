import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Liquid, Tag } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { missingInternals } from '../../src/render/theme/fast-render.js';

/*
 * The theme fast path (fast-render.ts) reads parts of LiquidJS that its types mark
 * private or that it does not document. They may change in any release: liquidjs is
 * pinned to one version, and this test names whatever a new one changed.
 */

const require = createRequire(import.meta.url);
const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

describe('the LiquidJS internals the theme fast path reads', () => {
  it('come from the exact version package.json pins, not a range', () => {
    expect(pkg.dependencies.liquidjs, 'liquidjs in package.json').toMatch(/^\d+\.\d+\.\d+$/);
    expect(require('liquidjs/package.json').version).toBe(pkg.dependencies.liquidjs);
  });

  it('are all there, as fast-render.ts expects them', () => {
    expect(missingInternals(new Liquid({ strictFilters: true, ownPropertyOnly: true })), 'changed in LiquidJS').toEqual(
      [],
    );
  });

  it('are named when one changes', () => {
    // A `render` tag of another shape stands for a LiquidJS whose RenderTag changed.
    const changed = new Liquid();
    changed.registerTag(
      'render',
      class extends Tag {
        render() {
          return '';
        }
      },
    );
    expect(missingInternals(changed)).toEqual(['RenderTag#file, #currentFile, #hash, #with', 'RenderTag#forBinding']);
  });
});
