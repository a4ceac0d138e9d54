import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTheme } from '../../src/render/theme/engine.js';

/*
 * The theme fast path (fast-render.ts) against stock LiquidJS, on templates and data
 * that fast-check makes up: every tag the fast path renders itself (outputs with
 * filters, if, unless, for with its modifiers, render, layout, block), tags that keep
 * LiquidJS's own rendering around and inside them (assign, capture, case, break,
 * continue), and data of every kind a view model could hold, plain or not. Both must
 * write the same page, or fail with the same message.
 */

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-differential-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const fixed: Record<string, string> = {
  'partials/card.liquid':
    '<{{ item.name }}|{{ k }}|{% if forloop %}{{ forloop.index }}/{{ forloop.length }}{% endif %}>',
  'partials/echo.liquid': '({{ echo }}{{ a }})',
  'layouts/base.liquid':
    '[{% block head %}H{{ s }}{% endblock %}|{% block body %}-{% endblock %}|{% block %}{% endblock %}]',
};

let count = 0;
function render(source: string, data: object): { fast: string; stock: string } {
  const dir = path.join(root, String(count++));
  const files = {
    ...fixed,
    'theme.json': JSON.stringify({ name: 't', version: '1', templates: ['t'] }),
    'templates/t.liquid': source,
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const outcome = (fastPath: boolean) => {
    const theme = loadTheme(dir, { fastPath });
    expect(theme.engine).toBe(fastPath ? 'fast path' : 'liquidjs');
    try {
      return theme.render('t', data);
    } catch (error) {
      return `ERROR ${(error as Error).message}`;
    }
  };
  const result = { fast: outcome(true), stock: outcome(false) };
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

// Templates.
const names = ['a', 'b', 's', 'n', 'items', 'obj', 'nil', 'flag', 'missing', 'forloop', 'item'];
const keys = ['name', 'size', 'first', 'last', '0', '1', '-1', 'k', 'x', 'toString', 'constructor', 'method'];
const path_ = fc
  .tuple(fc.constantFrom(...names), fc.array(fc.constantFrom(...keys), { maxLength: 2 }))
  .map(([name, rest]) => name + rest.map((k) => (/^-?\d/.test(k) ? `[${k}]` : `.${k}`)).join(''));
const literal = fc.oneof(
  fc.constantFrom('nil', 'true', 'false', 'empty', 'blank', '0', '1', '2.5', '-3'),
  fc.constantFrom('""', '"x"', '"<&>"', "'a'"),
);
const operand = fc.oneof({ weight: 3, arbitrary: path_ }, { weight: 1, arbitrary: literal });
const comparison = fc
  .tuple(operand, fc.constantFrom('==', '!=', '<', '>', '<=', '>=', 'contains'), operand)
  .map((parts) => parts.join(' '));
const condition = fc
  .array(
    fc.oneof(
      operand,
      comparison,
      operand.map((o) => `not ${o}`),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .chain((parts) =>
    fc
      .array(fc.constantFrom('and', 'or'), { minLength: parts.length - 1, maxLength: parts.length - 1 })
      .map((ops) => parts.map((p, i) => (i === 0 ? p : `${ops[i - 1]} ${p}`)).join(' ')),
  );
const filter = fc.constantFrom(
  'upcase',
  'downcase',
  'size',
  'first',
  'last',
  'escape',
  'raw',
  'strip',
  'reverse',
  'default: "d"',
  'default: s',
  'append: s',
  'prepend: "<"',
  'join: ", "',
  'plus: 1',
  'times: n',
  'slice: 1, 2',
  'split: ","',
  'json',
);
const output = fc
  .tuple(fc.oneof(operand, fc.constant('(1..3)')), fc.array(filter, { maxLength: 2 }))
  .map(([value, filters]) => `{{ ${[value, ...filters].join(' | ')} }}`);
const text = fc.constantFrom('x', ' ', '<p>', '&amp;', 'é', '\n', '“q”');

const node: fc.Memo<string> = fc.memo((depth) => {
  const body = depth <= 1 ? fc.constant('') : fc.array(node(depth - 1), { maxLength: 3 }).map((n) => n.join(''));
  return fc.oneof(
    { weight: 3, arbitrary: text },
    { weight: 4, arbitrary: output },
    {
      weight: 2,
      arbitrary: fc
        .tuple(condition, body, fc.option(fc.tuple(condition, body)), fc.option(body))
        .map(
          ([c, b, elsif, otherwise]) =>
            `{% if ${c} %}${b}${elsif ? `{% elsif ${elsif[0]} %}${elsif[1]}` : ''}${otherwise !== null ? `{% else %}${otherwise}` : ''}{% endif %}`,
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(condition, body, fc.option(body))
        .map(([c, b, e]) => `{% unless ${c} %}${b}${e !== null ? `{% else %}${e}` : ''}{% endunless %}`),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('item', 'a', 'x'),
          fc.oneof(path_, fc.constant('(1..4)')),
          fc.constantFrom('', ' limit: 2', ' offset: 1', ' reversed', ' offset: continue', ' reversed limit: 1'),
          body,
          fc.option(body),
          fc.constantFrom(
            '',
            '{{ forloop.index0 }}{{ forloop.last }}',
            '{% if forloop.first %}{% continue %}{% endif %}',
            '{% break %}',
          ),
        )
        .map(
          ([v, c, mod, b, e, extra]) =>
            `{% for ${v} in ${c}${mod} %}${extra}${b}${e !== null ? `{% else %}${e}` : ''}{% endfor %}`,
        ),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc
          .tuple(path_, fc.constantFrom('"lit"', 's', 'item'))
          .map(([p, k]) => `{% render 'card', item: ${p}, k: ${k} %}`),
        path_.map((p) => `{% render 'card' for ${p} as item %}`),
        path_.map((p) => `{% render 'echo' with ${p} %}`),
        fc.constant("{% render 'echo', a %}"),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.tuple(fc.constantFrom('a', 'total'), output).map(([v, o]) => `{% assign ${v} = ${o.slice(3, -3)} %}`),
        body.map((b) => `{% capture a %}${b}{% endcapture %}`),
        fc.tuple(path_, body).map(([p, b]) => `{% case ${p} %}{% when 1, "x" %}one${b}{% else %}other{% endcase %}`),
      ),
    },
  );
});
const template = fc.oneof(
  { weight: 3, arbitrary: fc.array(node(3), { minLength: 1, maxLength: 5 }).map((n) => n.join('')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.array(node(2), { maxLength: 3 }),
        fc.option(fc.array(node(2), { maxLength: 2 })),
        fc.array(node(1), { maxLength: 2 }),
      )
      .map(
        ([body, head, loose]) =>
          `{% layout 'base' %}{% block body %}${body.join('')}{% endblock %}${head ? `{% block head %}{{ block.super }}${head.join('')}{% endblock %}` : ''}${loose.join('')}`,
      ),
  },
);

// Data: what a view model may hold, and what it should not (drops of LiquidJS's own
// reading rules: inherited names, getters, methods, dates, functions, toLiquid).
const scalar = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('<b>"&\'', 'x,y', '', 'é中😀'),
  fc.integer({ min: -3, max: 5 }),
  fc.constantFrom(0.5, -0, Number.NaN),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const value: fc.Memo<unknown> = fc.memo((depth) => {
  if (depth <= 1) return scalar;
  const child = value(depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(child, { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...keys, 'a', 'item'), child, { maxKeys: 4 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        Object.assign(Object.create({ name: 'inherited' }), { k: 'own' }),
        new (class {
          name = 'field';
          get k() {
            return 'getter';
          }
          method() {
            return 'method';
          }
        })(),
        new Date(0),
        () => 'called',
        { name: 'hidden', toLiquid: () => ({ name: 'shown' }) },
        Object.assign(Object.create(null), { name: 'no prototype' }),
      ),
    },
  );
});
const data = fc.record(
  Object.fromEntries(
    names.filter((n) => n !== 'forloop' && n !== 'missing').map((n) => [n, n === 's' ? scalar : value(3)]),
  ),
  { requiredKeys: [] },
);

describe('the theme fast path against stock LiquidJS', () => {
  it('renders made-up templates and data exactly as stock LiquidJS does, errors included', () => {
    fc.assert(
      fc.property(template, data, (source, scope) => {
        const { fast, stock } = render(source, scope);
        expect(fast).toBe(stock);
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
