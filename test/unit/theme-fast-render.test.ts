import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTheme, type Theme } from '../../src/render/theme/engine.js';

/*
 * The theme engine's fast path must render every template exactly as stock LiquidJS
 * does. The site's pages are compared in test/http/theme-fast-path.test.ts; here a
 * theme made for the purpose goes through the corners: loops and their modifiers,
 * `forloop`, `break` and `continue`, `unless`, `render` with `with` and `for`, filters
 * with arguments, escaping of every kind of value, and errors.
 */

const files: Record<string, string> = {
  'theme.json': JSON.stringify({ name: 'corners', version: '1.0.0', templates: ['loops', 'layered', 'bare'] }),
  'templates/loops.liquid': [
    '{% for item in items %}[{{ forloop.index }}/{{ forloop.length }} {{ item.name }}{% if forloop.first %} first{% elsif forloop.last %} last{% else %} mid{% endif %} {{ forloop.rindex0 }}]{% else %}none{% endfor %}',
    '{% for item in items limit: 2 %}{{ item.name }},{% endfor %}|{% for item in items offset: continue %}{{ item.name }},{% endfor %}',
    '{% for item in items reversed offset: 1 %}{{ item.name }}{% endfor %}',
    '{% for n in numbers %}{% if n == 3 %}{% continue %}{% endif %}{% if n > 4 %}{% break %}{% endif %}{{ n }}{% endfor %}',
    '{% for pair in map %}{{ pair[0] }}={{ pair[1] }};{% endfor %}{% for c in word %}<{{ c }}>{% endfor %}{% for x in nothing %}x{% else %}empty{% endfor %}',
    '{% for a in numbers %}{% for b in numbers limit: 2 %}{{ a | times: b }}{% unless forloop.last %},{% endunless %}{% endfor %};{% endfor %}',
    '{{ forloopOutside }}{% for item in items limit: 1 %}{{ forloop }}{% endfor %}',
    '{% unless flag %}not flagged{% elsif other %}other{% else %}flagged{% endunless %}',
    '{% if items.size > 2 and word contains "ll" %}big{% endif %}{% if not_there or flag %}either{% endif %}{% if nil_value == nil %}nil{% endif %}',
    '{{ items.first.name }} {{ items.last.name }} {{ items[1].name }} {{ map["b"] }} {{ numbers[-1] }} {{ numbers.size }}',
    '{{ unsafe }}|{{ unsafe | raw }}|{{ unsafe | escape }}|{{ 42 }}|{{ numbers }}|{{ nothing }}|{{ flag }}|{{ fn }}',
    '{{ missing | default: "fallback" }} {{ word | append: suffix | upcase }} {{ numbers | join: ", " }} {{ word | slice: 1, 3 }} {{ "a,b" | split: "," | last }}',
    '{{ inherited.secret }}{{ inherited.own }}',
    '{{ klass.own }}|{{ klass.shout }}|{{ klass.method }}|{{ liquidy.name }}|{{ items["-1"].name }}|{{ numbers.length }}|{{ when.getTime }}|{{ scoped.x }}',
    '{% assign total = 0 %}{% for n in numbers %}{% assign total = total | plus: n %}{% endfor %}{{ total }}',
    '{% capture said %}{% for item in items %}{{ item.name | downcase }}{% endfor %}{% endcapture %}{{ said | size }}',
    '{% for item in items %}{% case item.name %}{% when "Ann" %}A{% when "Bob" %}B{% else %}?{% endcase %}{% endfor %}',
    "{% render 'card', item: items[0], label: 'one' %}{% render 'card' with items[1] as item %}{% render 'card' for items as item %}",
    "{% for item in items %}{% render 'card', item: item, flag %}{% endfor %}",
    "{% render 'tree', node: tree %}",
  ].join('\n'),
  'partials/card.liquid':
    '<b>{{ item.name }}</b>{% if label %}({{ label }}){% endif %}{% if forloop %}#{{ forloop.index }}{% endif %}{% if flag %}!{% endif %}{{ numbers }}',
  'partials/tree.liquid':
    '<li>{{ node.name }}{% if node.children.size > 0 %}<ol>{% for child in node.children %}{% render "tree", node: child %}{% endfor %}</ol>{% endif %}</li>',
  'partials/broken.liquid': '{{ fails.now }}',
  // Layouts: a chain of two, arguments, default blocks, `block.super`, the anonymous
  // block, a block left to its default, and `layout none`.
  'templates/layered.liquid': [
    "{% layout 'middle', tone: word %}",
    '{% block title %}Child {{ block.super }} ({{ tone }}){% endblock %}',
    'loose {{ items.size }} text',
    '{% block body %}{% for item in items %}{{ item.name }};{% endfor %}{% endblock %}',
  ].join('\n'),
  'layouts/middle.liquid': [
    "{% layout 'outer' %}",
    '{% block title %}Middle {{ block.super }}{% endblock %}',
    '{% block body %}<main>{% block inner %}{% endblock %}</main>{% endblock %}',
  ].join('\n'),
  'layouts/outer.liquid': [
    '<title>{% block title %}Outer{% endblock %}</title>',
    '<body>{% block body %}empty{% endblock %}|{% block %}{% endblock %}|{% block footer %}foot {{ word }}{% endblock %}</body>',
  ].join('\n'),
  'templates/bare.liquid': '{% layout none %}{% block a %}A{{ word }}{% endblock %}plain',
};

let dir: string;
let fast: Theme;
let stock: Theme;

/** A theme folder with these files, in a new temporary directory. */
function writeTheme(prefix: string, theme: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [file, text] of Object.entries(theme)) {
    fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    fs.writeFileSync(path.join(folder, file), text);
  }
  return folder;
}

beforeAll(() => {
  dir = writeTheme('hearth-fast-render-', files);
  fast = loadTheme(dir);
  stock = loadTheme(dir, { fastPath: false });
  // assign, capture, case, break and continue keep a theme on the fast path.
  expect(fast.engine).toBe('fast path');
  expect(stock.engine).toBe('liquidjs');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const data = () => ({
  items: [{ name: 'Ann' }, { name: 'Bob' }, { name: 'Cy' }, { name: 'Di' }],
  numbers: [1, 2, 3, 4, 5, 6],
  map: { a: 1, b: 'two' },
  word: 'hello',
  suffix: '-x',
  nothing: null,
  nil_value: null,
  flag: false,
  other: true,
  unsafe: `<a href="x" onclick='y'>Tom & Jerry</a> — “quoted”`,
  fn: () => 'called',
  inherited: Object.assign(Object.create({ secret: 'leaked' }), { own: 'mine' }),
  klass: new (class {
    own = 'own field';
    get shout() {
      return 'from the prototype';
    }
    method() {
      return 'a method';
    }
  })(),
  liquidy: { name: 'hidden', toLiquid: () => ({ name: 'shown' }) },
  when: new Date(0),
  scoped: Object.assign(Object.create(null), { x: 'no prototype' }),
  tree: {
    name: 'root',
    children: [
      { name: 'a', children: [{ name: 'a1', children: [] }] },
      { name: 'b', children: [] },
    ],
  },
});

/** The comparison is only worth something if the template did its work. */
function expectCorners(html: string): void {
  expect(html).toContain('[1/4 Ann first 3][2/4 Bob mid 2]');
  expect(html).toContain('Ann,Bob,|Cy,Di,');
  expect(html).toContain('&lt;a href=&#34;x&#34; onclick=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;');
  expect(html).toContain('<li>root<ol><li>a<ol><li>a1</li></ol></li><li>b</li></ol></li>');
  expect(html).toContain('{&#34;i&#34;:0,&#34;length&#34;:1,&#34;name&#34;:&#34;item-items&#34;}');
  expect(html).not.toContain('leaked');
  expect(html).toContain('own field|||shown||6||no prototype');
}

describe('the theme fast path', () => {
  it('renders loops, branches, partials and filters exactly as stock LiquidJS', () => {
    const html = fast.render('loops', data());
    expect(html).toBe(stock.render('loops', data()));
    expectCorners(html);
    expect(html).toContain('124');
  });

  it('renders layouts and their blocks exactly as stock LiquidJS', () => {
    for (const name of ['layered', 'bare']) {
      expect(fast.render(name, data())).toBe(stock.render(name, data()));
      expect(fast.render(name, {})).toBe(stock.render(name, {}));
    }
    const html = fast.render('layered', data());
    expect(html).toContain('<title>Child Middle Outer (hello)</title>');
    expect(html).toContain('Ann;Bob;Cy;Di;');
    expect(html).toContain('foot hello');
    expect(fast.render('bare', data())).toBe('Ahelloplain');
  });

  it('renders the same with other values, and with none', () => {
    const other = { ...data(), items: [], flag: true, other: false, word: '', numbers: [] };
    expect(fast.render('loops', other)).toBe(stock.render('loops', other));
    expect(fast.render('loops', {})).toBe(stock.render('loops', {}));
  });

  it('fails where stock LiquidJS fails, with the same message', () => {
    const failing = {
      ...data(),
      get items(): never {
        throw new Error('no items today');
      },
    };
    const fastError = (() => {
      try {
        fast.render('loops', failing);
      } catch (error) {
        return error as Error;
      }
    })();
    expect(fastError?.message).toContain('no items today');
    expect(() => stock.render('loops', failing)).toThrow(fastError?.message as string);
  });
});
