import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { loadTheme, type Theme } from '../../src/render/theme/engine.js';
import { createTestApp, form } from '../helpers/app.js';

let app: App;
let stock: Theme;
const seen: { template: string; data: object; html: string }[] = [];

beforeAll(async () => {
  app = await createTestApp({ pageCache: false });
  stock = loadTheme(app.config.themeDir, { fastPath: false });
  const render = app.theme.render;
  app.theme.render = (template, data) => {
    const html = render(template, data);
    seen.push({ template, data, html });
    return html;
  };
});
afterAll(async () => {
  await app?.close();
});

describe('the default theme, through the fast path', () => {
  it('is on the fast path', () => {
    expect(app.theme.engine).toBe('fast path');
  });

  it('renders every page exactly as stock LiquidJS does', async () => {
    const urls = [
      '/',
      '/page/2/',
      '/benefits-of-infant-massage/',
      '/about/',
      '/category/green-living/',
      '/tag/babies/',
      '/nope/',
      '/search/?q=massage',
      '/benefits-of-infant-massage/?comment=pending',
    ];
    for (const url of urls) await app.server.inject(url);
    await app.server.inject({
      method: 'POST',
      url: '/comments',
      ...form({ post_id: '1', name: '', body: '<b>x</b>' }),
    });
    const setup = new URL(app.setupUrl as string).pathname;
    await app.server.inject(setup);
    await app.server.inject({ method: 'POST', url: setup, ...form({ name: 'A', email: 'bad', password: 'short' }) });
    expect(new Set(seen.map((s) => s.template))).toEqual(new Set(['list', 'post', 'page', 'error', 'search', 'setup']));
    for (const { template, data, html } of seen) expect(html, template).toBe(stock.render(template, data));
  });
});
