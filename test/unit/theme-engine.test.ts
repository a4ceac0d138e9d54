import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTheme, type Theme } from '../../src/render/theme/engine.js';

/*
 * Themes are untrusted data (DESIGN.md, STYLE.md 14): stock LiquidJS with a fixed root,
 * strict filters, every output escaped, only a value's own properties read, and a
 * validated theme.json. A theme made for the purpose tries each way out.
 */

const folders: string[] = [];

/** A theme folder with these files, in a new temporary directory. */
function writeTheme(files: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-theme-'));
  folders.push(folder);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    fs.writeFileSync(path.join(folder, file), text);
  }
  return folder;
}

const manifest = (templates: string[]) => JSON.stringify({ name: 'probe', version: '1.0.0', templates });

let secretFile: string;
const themes: Record<string, Theme> = {};

beforeAll(() => {
  // A file beside the theme folder, which no template may reach.
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-outside-'));
  folders.push(outside);
  secretFile = path.join(outside, 'secret.liquid');
  fs.writeFileSync(secretFile, 'THE SECRET');
  const relative = path.relative(path.join(os.tmpdir(), 'x', 'partials'), secretFile).replace(/\.liquid$/, '');
  const folder = writeTheme({
    'theme.json': manifest(['page']),
    'templates/page.liquid': "{{ text }}|{{ text | raw }}|{{ n }}|{% render 'card', text: text %}",
    'partials/card.liquid': '<b>{{ text }}</b>',
    'layouts/base.liquid': '<main>{% block body %}{% endblock %}</main>',
    'templates/layered.liquid': "{% layout 'base' %}{% block body %}{{ text }}{% endblock %}",
    'templates/props.liquid':
      '[{{ inherited.secret }}][{{ inherited.own }}][{{ map.constructor }}][{{ when.getTime }}][{{ klass.method }}][{{ klass.own }}]',
    'templates/unknown-filter.liquid': '{{ text | no_such_filter }}',
    'templates/escape-root.liquid': `{% render '${relative}' %}`,
    'templates/absolute.liquid': `{% render '${secretFile.replace(/\.liquid$/, '')}' %}`,
    'templates/include-up.liquid': `{% include '${relative}' %}`,
    'templates/layout-up.liquid': `{% layout '${relative}' %}x`,
  });
  themes['stock LiquidJS'] = loadTheme(folder, { fastPath: false });
  themes['the fast path'] = loadTheme(folder);
});
afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

describe.each(['stock LiquidJS', 'the fast path'])('a theme, rendered by %s', (engine) => {
  let theme: Theme;
  beforeAll(() => {
    theme = themes[engine] as Theme;
    expect(theme.engine).toBe(engine === 'stock LiquidJS' ? 'liquidjs' : 'fast path');
  });

  it('escapes every output unless the view model marks it raw, in partials and layouts too', () => {
    const text = `<script>alert("x")</script> & 'quoted'`;
    expect(theme.render('page', { text, n: 42 })).toBe(
      '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;quoted&#39;|' +
        `${text}|42|` +
        '<b>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;quoted&#39;</b>',
    );
    expect(theme.render('layered', { text: '<i>' })).toBe('<main>&lt;i&gt;</main>');
  });

  it('reads only what the data holds as its own: nothing inherited, no methods of its prototype', () => {
    const html = theme.render('props', {
      inherited: Object.assign(Object.create({ secret: 'leaked' }), { own: 'mine' }),
      map: { a: 1 },
      when: new Date(0),
      klass: new (class {
        own = 'field';
        method() {
          return 'called';
        }
      })(),
    });
    expect(html).toBe('[][mine][][][][field]');
  });

  it('refuses a filter it does not know, naming it', () => {
    expect(() => theme.render('unknown-filter', { text: 'x' })).toThrow(/no_such_filter/);
  });

  it('reads no file outside its own folders', () => {
    for (const name of ['escape-root', 'absolute', 'include-up', 'layout-up']) {
      expect(() => theme.render(name, {}), name).toThrow(/ENOENT: Failed to lookup/);
    }
  });
});

describe('loading a theme', () => {
  it('refuses a theme without a valid theme.json', () => {
    const noManifest = writeTheme({ 'templates/page.liquid': 'x' });
    expect(() => loadTheme(noManifest)).toThrow(`the theme at ${noManifest} has no valid theme.json`);
    const badName = writeTheme({ 'theme.json': manifest(['../page']), 'templates/page.liquid': 'x' });
    expect(() => loadTheme(badName)).toThrow('has no valid theme.json');
  });

  it('refuses a theme that lacks a template its theme.json lists', () => {
    const lacking = writeTheme({ 'theme.json': manifest(['page', 'post']), 'templates/page.liquid': 'x' });
    expect(() => loadTheme(lacking)).toThrow('the theme probe lacks templates/post.liquid');
  });
});
