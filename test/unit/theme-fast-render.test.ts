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

/*
 * A theme with only the tags the compiler writes out (text, outputs, if, unless, for,
 * render, layout, block) is compiled (compile.ts). The same corners, less the tags that
 * keep a theme on the fast path, plus what the compiler hands back to the fast path
 * inside a compiled theme (a range, a computed path) and errors in every place.
 */
const compiledFiles: Record<string, string> = {
  // The same partials, child template and middle layout.
  ...Object.fromEntries(
    [
      'partials/card.liquid',
      'partials/tree.liquid',
      'templates/layered.liquid',
      'layouts/middle.liquid',
      'templates/bare.liquid',
    ].map((f) => [f, files[f] as string]),
  ),
  'theme.json': JSON.stringify({ name: 'compiled', version: '1.0.0', templates: ['loops', 'layered', 'bare'] }),
  'templates/loops.liquid': [
    '{% for item in items %}[{{ forloop.index }}/{{ forloop.length }} {{ item.name }}{% if forloop.first %} first{% elsif forloop.last %} last{% else %} mid{% endif %} {{ forloop.rindex0 }}]{% else %}none{% endfor %}',
    '{% for item in items limit: 2 %}{{ item.name }},{% endfor %}|{% for item in items offset: continue %}{{ item.name }},{% endfor %}',
    '{% for item in items reversed offset: 1 %}{{ item.name }}{% endfor %}',
    '{% for pair in map %}{{ pair[0] }}={{ pair[1] }};{% endfor %}{% for c in word %}<{{ c }}>{% endfor %}{% for x in nothing %}x{% else %}empty{% endfor %}',
    '{% for a in numbers %}{% for b in numbers limit: 2 %}{{ a | times: b }}{% unless forloop.last %},{% endunless %}{% endfor %};{% endfor %}',
    '{{ forloopOutside }}{% for item in items limit: 1 %}{{ forloop }}{% endfor %}',
    '{% unless flag %}not flagged{% elsif other %}other{% else %}flagged{% endunless %}',
    '{% if items.size > 2 and word contains "ll" %}big{% endif %}{% if not_there or flag %}either{% endif %}{% if nil_value == nil %}nil{% endif %}{% if word == empty %}blank word{% endif %}',
    '{{ items.first.name }} {{ items.last.name }} {{ items[1].name }} {{ map["b"] }} {{ numbers[-1] }} {{ numbers.size }} {{ word.size }} {{ map.size }}',
    '{{ unsafe }}|{{ unsafe | raw }}|{{ unsafe | escape }}|{{ 42 }}|{{ 4.5 }}|{{ numbers }}|{{ nothing }}|{{ flag }}|{{ fn }}|{{ numbers.size | plus: 1 }}',
    '{{ missing | default: "fallback" }} {{ word | append: suffix | upcase }} {{ numbers | join: ", " }} {{ word | slice: 1, 3 }} {{ "a,b" | split: "," | last }}',
    '{{ inherited.secret }}{{ inherited.own }}{{ inherited.toString }}{{ map.constructor }}',
    '{{ klass.own }}|{{ klass.shout }}|{{ klass.method }}|{{ liquidy.name }}|{{ items["-1"].name }}|{{ numbers.length }}|{{ when.getTime }}|{{ scoped.x }}|{{ gen }}|{{ holder.gen }}',
    '{% for i in (1..3) %}{{ i }}{% endfor %}|{{ items[pick].name }}|{% for item in items %}{{ items[forloop.index0].name }}{% endfor %}',
    '{% for item in items %}{% for item in numbers limit: 1 %}{{ item }}{% endfor %}{{ item.name }}{% endfor %}',
    "{% render 'card', item: items[0], label: 'one' %}{% render 'card' with items[1] as item %}{% render 'card' for items as item %}",
    "{% for item in items %}{% render 'card', item: item, flag %}{% endfor %}{% render 'card' %}",
    "{% render 'tree', node: tree %}",
    // Operators: written out for primitives, LiquidJS's own for arrays, drops and `empty`.
    '{% if numbers == numbers %}A{% endif %}{% if items.first == items.first %}B{% endif %}{% if 3 >= 2 and 1 <= 1 %}C{% endif %}{% if word != "x" %}D{% endif %}{% if klass == klass %}E{% endif %}',
    '{% if nothing == empty %}F{% endif %}{% if map == empty %}G{% endif %}{% if word < "z" and pick > 1.5 %}H{% endif %}{% if nothing == nil or flag %}I{% endif %}{% if not flag %}J{% endif %}',
    '{% if numbers != numbers %}K{% endif %}{% if word == "hello" %}L{% endif %}{% if missing < 1 %}M{% endif %}{% if liquidy == liquidy %}N{% endif %}{% if "" == empty %}O{% endif %}{% unless flag or other %}P{% endunless %}',
  ].join('\n'),
  'templates/failing.liquid': '{% for item in items %}{{ item.name }}{% endfor %}|{{ later.thing }}',
  'templates/failing-partial.liquid': "ok {% render 'broken', fails: fails %}",
  'templates/failing-filter.liquid': '{% for n in numbers %}{{ n }}{{ loop | json }}{% endfor %}',
  'partials/broken.liquid': '{% if fails %}{{ fails.now }}{% endif %}',
  'layouts/outer.liquid': [
    '<title>{% block title %}Outer{% endblock %}</title>',
    '<body>{% for n in numbers limit: 2 %}{% block body %}empty {{ n }}{% endblock %}{% endfor %}|{% block %}{% endblock %}|{% block footer %}foot {{ word }}{% endblock %}</body>',
  ].join('\n'),
};

describe('the compiled theme', () => {
  let compiledDir: string;
  let compiled: Theme;
  let fastOnly: Theme;
  let stockOnly: Theme;
  beforeAll(() => {
    compiledDir = writeTheme('hearth-compiled-', compiledFiles);
    compiled = loadTheme(compiledDir);
    fastOnly = loadTheme(compiledDir, { compile: false });
    stockOnly = loadTheme(compiledDir, { fastPath: false });
  });
  afterAll(() => fs.rmSync(compiledDir, { recursive: true, force: true }));

  const more = () => ({
    ...data(),
    pick: 2,
    gen: (function* () {
      yield 'from a generator';
      return 'generated';
    })(),
    holder: {
      get gen() {
        // A generator that only returns: LiquidJS settles it to its return value.
        // biome-ignore lint/correctness/useYield: the point is a generator with no yield
        return (function* () {
          return 'held';
        })();
      },
    },
  });

  it('is compiled, and renders exactly as stock LiquidJS and the fast path', () => {
    expect(compiled.engine).toBe('compiled');
    // Only what the compiler leaves to the fast path: layouts, blocks, a range, computed paths.
    expect(compiled.interpreted.sort()).toEqual(
      [
        "{% layout 'middle', tone: word %}",
        "{% layout 'outer' %}",
        '{% layout none %}',
        '{% block %}',
        '{% block a %}',
        '{% block body %}',
        '{% block footer %}',
        '{% block inner %}',
        '{% block title %}',
        '{% for i in (1..3) %}',
        '{{ items[pick].name }}',
        '{{ items[forloop.index0].name }}',
      ].sort(),
    );
    expect(fastOnly.engine).toBe('fast path');
    const html = compiled.render('loops', more());
    expect(html).toBe(stockOnly.render('loops', more()));
    expect(html).toBe(fastOnly.render('loops', more()));
    expectCorners(html);
    expect(html).toContain('123|Cy|AnnBobCyDi');
    expect(html).toContain('|generated|held');
    expect(html).toContain('ABCDE\nHIJ\nLNO');
  });

  it('renders layouts, blocks inside a layout loop and block.super exactly as stock LiquidJS', () => {
    for (const name of ['layered', 'bare']) {
      expect(compiled.render(name, data())).toBe(stockOnly.render(name, data()));
      expect(compiled.render(name, {})).toBe(stockOnly.render(name, {}));
    }
    expect(compiled.render('layered', data())).toContain('<title>Child Middle Outer (hello)</title>');
  });

  it('renders the same with other values, and with none', () => {
    // A generator runs once: each render has its own values.
    const other = () => ({ ...more(), items: [], flag: true, other: false, word: '', numbers: [], map: {} });
    expect(compiled.render('loops', other())).toBe(stockOnly.render('loops', other()));
    expect(compiled.render('loops', {})).toBe(stockOnly.render('loops', {}));
  });

  const errorOf = (theme: Theme, name: string, values: object): string | undefined => {
    try {
      theme.render(name, values);
    } catch (error) {
      return (error as Error).message;
    }
    return undefined;
  };

  it('fails where stock LiquidJS fails, with the same message', () => {
    const cases: [string, object][] = [
      [
        'loops',
        {
          ...more(),
          get items(): never {
            throw new Error('no items today');
          },
        },
      ],
      [
        'failing',
        {
          items: [
            { name: 'fine' },
            {
              get name(): never {
                throw new Error('second item broken');
              },
            },
          ],
        },
      ],
      [
        'failing',
        {
          items: [],
          later: () => {
            throw new Error('later broken');
          },
        },
      ],
      [
        'failing-partial',
        {
          fails: {
            get now(): never {
              throw new Error('partial broken');
            },
          },
        },
      ],
      [
        'failing-filter',
        (() => {
          const loop: Record<string, unknown> = { numbers: [1, 2] };
          loop.loop = loop; // JSON.stringify throws on a cycle
          return loop;
        })(),
      ],
    ];
    for (const [name, values] of cases) {
      const message = errorOf(compiled, name, values);
      expect(message, name).toBeDefined();
      expect(message).not.toContain('undefined filter');
      expect(message).toBe(errorOf(stockOnly, name, values));
      expect(message).toBe(errorOf(fastOnly, name, values));
    }
  });
});

describe('the compiled theme, given plain data', () => {
  let plainDir: string;
  let plain: Theme;
  let stockOnly: Theme;
  beforeAll(() => {
    plainDir = writeTheme('hearth-plain-', {
      ...compiledFiles,
      // Names that plain data inherits (read with every check), own names, and misses.
      'templates/inherit.liquid': [
        '{{ map.constructor }}|{{ map.toString }}|{{ map.hasOwnProperty }}|{{ word.length }}|{{ word.trim }}',
        '{{ items.length }}|{{ items.map }}|{{ numbers.join }}|{{ items[0].valueOf }}|{{ flag.toString }}',
        '{{ own.constructor }}|{{ own.length }}|{{ own.map }}|{{ items[9].name }}|{{ nothing.name }}|{{ missing.a.b }}',
        '{{ 42.toFixed }}|{{ word[0] }}|{{ numbers[1] }}|{% for item in items %}{{ item.name }}{{ forloop.index }}{% endfor %}',
      ].join('\n'),
    });
    plain = loadTheme(plainDir, { plainData: true, checkPlainData: true });
    stockOnly = loadTheme(plainDir, { fastPath: false });
  });
  afterAll(() => fs.rmSync(plainDir, { recursive: true, force: true }));

  /** The corner data without what is not plain data (functions, class instances, getters...). */
  const plainValues = () => {
    const { fn, inherited, klass, liquidy, when, ...rest } = data();
    return { ...rest, pick: 2, own: { constructor: 'own constructor', length: 7, map: 'own map' } };
  };

  it('renders exactly as stock LiquidJS, inherited names included', () => {
    expect(plain.engine).toBe('compiled');
    for (const name of ['loops', 'layered', 'bare', 'inherit']) {
      expect(plain.render(name, plainValues()), name).toBe(stockOnly.render(name, plainValues()));
      expect(plain.render(name, {}), name).toBe(stockOnly.render(name, {}));
    }
    const html = plain.render('inherit', plainValues());
    expect(html).toContain('own constructor|7|own map');
    expect(html).toContain('Ann1Bob2Cy3Di4');
    expect(html).toContain('|5|');
  });

  it('refuses data that is not plain, naming where it is', () => {
    const cases: [object, string][] = [
      [{ ...plainValues(), when: new Date(0) }, 'loops.when is not plain data: an instance of Date'],
      [{ ...plainValues(), items: [{ name: () => 'x' }] }, 'loops.items[0].name is not plain data: a function'],
      [
        {
          ...plainValues(),
          map: {
            get a() {
              return 1;
            },
          },
        },
        'loops.map.a is not plain data: a getter',
      ],
      [{ ...plainValues(), tree: new Map() }, 'loops.tree is not plain data: an instance of Map'],
    ];
    for (const [values, message] of cases) expect(() => plain.render('loops', values)).toThrow(message);
    // The same object twice, or inside itself, is plain data still.
    const shared = { name: 'twice' };
    const cyclic: Record<string, unknown> = { name: 'me' };
    cyclic.self = cyclic;
    expect(() => plain.render('loops', { ...plainValues(), items: [shared, shared], map: cyclic })).not.toThrow();
  });
});
