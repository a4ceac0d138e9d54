import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Context, Liquid, Tag } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { loadTheme } from '../../src/render/theme/engine.js';
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

  it('send a theme to stock LiquidJS when one is missing: here, the own-property switch renamed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-internals-'));
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(
      path.join(dir, 'theme.json'),
      JSON.stringify({ name: 'probe', version: '1', templates: ['page'] }),
    );
    fs.writeFileSync(path.join(dir, 'templates', 'page.liquid'), '{{ a.b }}');
    expect(loadTheme(dir).engine).toBe('fast path');
    // LiquidJS assigns the field in Context's constructor: a setter on the prototype keeps
    // it under another name, as a release that renamed it would.
    Object.defineProperty(Context.prototype, 'ownPropertyOnly', {
      configurable: true,
      get: () => undefined,
      set(value) {
        (this as { renamedOwnPropertyOnly?: unknown }).renamedOwnPropertyOnly = value;
      },
    });
    try {
      expect(missingInternals(new Liquid({ ownPropertyOnly: true }))).toEqual(['Context#ownPropertyOnly']);
      const theme = loadTheme(dir);
      expect(theme.engine).toBe('liquidjs');
      expect(theme.render('page', { a: { b: 'x<' } })).toBe('x&lt;');
    } finally {
      delete (Context.prototype as { ownPropertyOnly?: unknown }).ownPropertyOnly;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
