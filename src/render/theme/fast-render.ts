import {
  BlockTag,
  Context,
  Drop,
  type Emitter,
  type Expression,
  evalToken as evaluateToken,
  ForTag,
  IfTag,
  isFalsy,
  isTruthy,
  LayoutTag,
  type Liquid,
  LiquidError,
  Output,
  RenderError,
  RenderTag,
  type Scope,
  type Template,
  type Token,
  TokenKind,
  toValue,
  toValueSync,
  UndefinedVariableError,
  UnlessTag,
  type Value,
} from 'liquidjs';

/*
 * LiquidJS renders every node of a template through generators, even in its sync mode:
 * a `{{ post.title }}` costs a dozen generator objects, a `for` loop a generator per
 * item, a `render` a child context and a generator per node of the partial. A post page
 * has several hundred nodes, and that machinery was half the time of an uncached page.
 *
 * Once a theme's files are parsed, its nodes get plain render functions (the `Template`
 * interface allows any return value): static text; outputs; `if`, `unless`, `for`,
 * `render` (of a partial named by a literal), `layout` (named by a literal, or `none`)
 * and `block`. Each list of nodes renders through its nodes' render functions, taken
 * once (`listRenderer`), instead of LiquidJS's generator; runs of text and outputs
 * render as one node; a page renders from its parsed file (`fileRenderer`). All of it
 * does what LiquidJS's own code does, step for step: variables are read as
 * `Context._get` reads them, operators and filters are the engine's handlers, escaping
 * is the engine's `outputEscape` filter, truth is `isTruthy`, a loop's `forloop` has the
 * same fields. Any other node (`assign`, `case`, `include`, `capture`, ...), or an
 * option this does not mirror (strict variables, JS truthiness, collected errors, typed
 * output, a render time limit, no cache), keeps LiquidJS's own rendering; its lists are
 * still sped up inside.
 *
 * The sped-up nodes render synchronously: the theme engine renders synchronously only
 * (themes need no I/O).
 *
 * This reads parts of LiquidJS that are private (see `missingInternals`), so `liquidjs`
 * is pinned to an exact version; test/unit/liquid-internals.test.ts names any that a
 * new version changes, and test/unit/theme-differential.test.ts (fast-check) and
 * test/unit/theme-fast-render.test.ts compare every render with stock LiquidJS's. It
 * stays because stock LiquidJS costs about ten times as much on a post page (see
 * docs/performance.md); `loadTheme(dir, { fastPath: false })` renders without it.
 */

type Evaluate = (ctx: Context) => unknown;
type PropertyAccess = Token & { variable: unknown; props: (Token & { content?: unknown })[] };
type FilterArg = Token | [string, Token];
/** A filter as LiquidJS keeps it: its handler is resolved at parse time (private in its types). */
type FilterParts = { token: Token; handler: (...args: unknown[]) => unknown; args: FilterArg[] };

// `Context._get` finds the scope that holds a path's first name, then reads each name
// with `readProperty`, through two generators. `findScope` is private in LiquidJS's types.
const findScope = (Context.prototype as unknown as { findScope?: (this: Context, key: string) => Scope }).findScope;

/** LiquidJS's `toValueSync` for what a read returned: strings, numbers and the like need no check. */
function settle<T>(value: T): T {
  return (typeof value === 'object' && value !== null) || typeof value === 'function' ? toValueSync(value) : value;
}

/** How a node renders: it writes to the emitter, or returns what to write (maybe a generator). */
type Render = (ctx: Context, emitter: Emitter) => unknown;

/** Nodes whose render is a closure of this module: it needs no `this` and returns nothing. */
const ownRenders = new WeakSet<Template>();

/**
 * Renders a list of nodes in order, as `Render.renderTemplates` does, but with a plain
 * loop over their render functions, taken once, at the first render (when every node of
 * the theme has been sped up): a call through `template.render` on nodes of a dozen
 * shapes is a property lookup V8 cannot cache well, on every node of every page.
 */
function listRenderer(templates: Template[]): Render {
  let renders: Render[] | undefined;
  return (ctx, emitter) => {
    renders ??= templates.map((t) =>
      ownRenders.has(t) ? t.render : (c: Context, e: Emitter) => settle(t.render(c, e)),
    );
    for (let i = 0; i < renders.length; i++) {
      try {
        const html = (renders[i] as Render)(ctx, emitter);
        if (html) emitter.write(html);
      } catch (error) {
        throw LiquidError.is(error) ? error : new RenderError(error as Error, templates[i] as Template);
      }
      if (ctx.breakCalled || ctx.continueCalled) break;
    }
  };
}

/** Gives a node a render function of this module. */
function setRender(template: Template, render: Render): void {
  (template as { render: Render }).render = render;
  ownRenders.add(template);
}

/** What `SimpleEmitter` (not exported) does: a string, written to as LiquidJS writes. */
class StringEmitter implements Emitter {
  buffer = '';
  write(html: unknown): void {
    this.buffer += typeof html === 'string' ? html : stringify(html);
  }
}

/** LiquidJS's `stringify` (not exported). */
function stringify(input: unknown): string {
  const value = toValue(input);
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(stringify).join('');
  return String(value);
}

/** The `forloop` of a loop: LiquidJS's ForloopDrop (not exported), field for field, name too. */
class ForloopDrop extends Drop {
  i = 0;
  length: number;
  name: string;
  constructor(length: number, collection: string, variable: string | undefined) {
    super();
    this.length = length;
    this.name = `${variable}-${collection}`;
  }
  next() {
    this.i++;
  }
  index0() {
    return this.i;
  }
  index() {
    return this.i + 1;
  }
  first() {
    return this.i === 0;
  }
  last() {
    return this.i === this.length - 1;
  }
  rindex() {
    return this.length - this.i;
  }
  rindex0() {
    return this.length - this.i - 1;
  }
  override valueOf() {
    return JSON.stringify(this);
  }
}

/** What `for` and `render … for` loop over: LiquidJS's `toEnumerable`. */
function toEnumerable(input: unknown): unknown[] {
  const value = toValue(input);
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value.length > 0) return [value];
  if (value !== null && typeof value === 'object' && Symbol.iterator in value)
    return Array.from(value as Iterable<unknown>);
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return Object.keys(object).map((key) => [key, object[key]]);
  }
  return [];
}

/** One pass over a theme: the nodes and lists done, and the nodes whose render only writes. */
interface Pass {
  liquid: Liquid;
  seen: WeakSet<Template>;
  lists: WeakSet<Template[]>;
  writesOnly: WeakSet<Template>;
}

/**
 * Gives a theme's parsed files (each a list of nodes, as `parseFileSync` returns them
 * and the engine keeps them) plain render functions where that changes nothing but speed.
 */
export function speedUpTemplates(liquid: Liquid, files: Template[][]): boolean {
  const o = liquid.options;
  if (o.strictVariables || o.jsTruthy || o.catchAllErrors || o.keepOutputType || !o.outputEscape) return false;
  if (o.renderLimit !== Number.POSITIVE_INFINITY || !o.cache) return false;
  if (missingInternals(liquid).length > 0) return false;
  const pass: Pass = { liquid, seen: new WeakSet(), lists: new WeakSet(), writesOnly: new WeakSet() };
  for (const templates of files) speedUpList(pass, templates);
  return true;
}

/**
 * The parts of LiquidJS this file relies on that its types mark private or that it does
 * not document, each looked for on templates parsed for the purpose: the names of those
 * missing or changed. `liquidjs` is pinned to an exact version in package.json while
 * this list is not empty; test/unit/liquid-internals.test.ts fails naming any that
 * changed, and a theme whose engine lacks any renders through stock LiquidJS only.
 * (The registers and drops it mirrors, `blockMode`, `blocks`, `forloop` and
 * `block.super`, are held to stock LiquidJS's by the differential tests.)
 */
export function missingInternals(liquid: Liquid): string[] {
  const missing: string[] = [];
  const expect = (name: string, ok: () => unknown) => {
    try {
      if (!ok()) missing.push(name);
    } catch {
      missing.push(name);
    }
  };
  // biome-ignore lint/suspicious/noExplicitAny: probing fields its types do not show
  type Any = Record<string, any>;
  // Without narrowing the probe to the class's type, where these fields are private.
  const is = (value: unknown, kind: abstract new (...args: never[]) => unknown) => value instanceof kind;
  const first = (source: string) => liquid.parse(source)[0] as unknown as Any;
  expect('Context#findScope', () => typeof findScope === 'function');
  const ctx = new Context({}, liquid.options, { sync: true }, { liquid }) as unknown as Any;
  for (const method of ['spawn', 'bottom', 'push', 'pop', 'getRegister', 'setRegister', 'readProperty'])
    expect(`Context#${method}`, () => typeof ctx[method] === 'function');
  expect('Context#breakCalled, #continueCalled', () => 'breakCalled' in ctx && 'continueCalled' in ctx);
  // readKey reads it to keep reads off prototypes: were it renamed, they would fall through.
  expect('Context#ownPropertyOnly', () => ctx.ownPropertyOnly === liquid.options.ownPropertyOnly);
  expect('Liquid#_parsePartialFile', () => typeof liquid._parsePartialFile === 'function');
  expect('Liquid#_parseLayoutFile', () => typeof liquid._parseLayoutFile === 'function');
  expect('HTMLToken#getContent', () => first('text').token.getContent() === 'text');
  const output = first("{{ a.b[0] | default: 'x', n: c }}");
  expect('Output#value (a Value)', () => is(output, Output) && output.value.initial);
  expect('Value#initial.postfix', () => output.value.initial.postfix[0].kind === TokenKind.PropertyAccess);
  expect('PropertyAccessToken#props, #variable', () => {
    const token = output.value.initial.postfix[0];
    return 'variable' in token && token.props.map((p: Any) => p.content).join() === 'a,b,0';
  });
  expect('Filter#handler, #args, #token', () => {
    const filter = output.value.filters[0];
    return (
      typeof filter.handler === 'function' &&
      filter.token &&
      filter.args[0].content === 'x' &&
      filter.args[1][0] === 'n'
    );
  });
  expect('OperatorToken#operator', () => {
    const tag = first('{% if a and not b %}{% endif %}');
    return tag.branches[0].value.initial.postfix.some((t: Any) => t.operator === 'not');
  });
  expect('IfTag#branches, #elseTemplates', () => {
    const tag = first('{% if a %}1{% elsif b %}2{% else %}3{% endif %}');
    return is(tag, IfTag) && tag.branches.length === 2 && tag.branches[1].templates && tag.elseTemplates;
  });
  expect('UnlessTag#branches, #elseTemplates', () => {
    const tag = first('{% unless a %}1{% else %}3{% endunless %}');
    return is(tag, UnlessTag) && tag.branches.length === 1 && tag.elseTemplates;
  });
  expect('ForTag#collection, #hash, #variable, #templates, #elseTemplates', () => {
    const tag = first('{% for i in a.b limit: 1 %}1{% else %}2{% endfor %}');
    return (
      is(tag, ForTag) &&
      tag.collection.getText() === 'a.b' &&
      'limit' in tag.hash.hash &&
      typeof tag.hash.render === 'function' &&
      tag.variable === 'i' &&
      tag.templates.length === 1 &&
      tag.elseTemplates.length === 1
    );
  });
  expect('RenderTag#file, #currentFile, #hash, #with', () => {
    const tag = first("{% render 'p' with a as b, k: v %}");
    return (
      is(tag, RenderTag) &&
      tag.file === 'p' &&
      'currentFile' in tag &&
      'k' in tag.hash.hash &&
      tag.with.alias === 'b' &&
      tag.with.value.getText() === 'a'
    );
  });
  expect('RenderTag#forBinding', () => {
    const tag = first("{% render 'p' for a as b %}");
    return tag.forBinding.alias === 'b' && tag.forBinding.value.getText() === 'a';
  });
  expect('LayoutTag#file, #currentFile, #args, #templates', () => {
    const tag = first("{% layout 'l', k: v %}x");
    return (
      is(tag, LayoutTag) &&
      tag.file === 'l' &&
      'currentFile' in tag &&
      'k' in tag.args.hash &&
      typeof tag.args.render === 'function' &&
      tag.templates.length === 1
    );
  });
  expect('BlockTag#block, #templates', () => {
    const tag = first('{% block b %}x{% endblock %}');
    return is(tag, BlockTag) && tag.block === 'b' && tag.templates.length === 1;
  });
  return missing;
}

/**
 * Renders a parsed file (sped up by `speedUpTemplates`) as `renderFileSync` renders it:
 * a new context over `data`, the file's nodes in order into a string. Without finding
 * the file again and without LiquidJS's generators.
 */
export function fileRenderer(liquid: Liquid, templates: Template[]): (data: object) => string {
  const body = listRenderer(templates);
  return (data) => {
    const ctx = new Context(data, liquid.options, { sync: true }, { liquid });
    const emitter = new StringEmitter();
    body(ctx, emitter);
    return emitter.buffer;
  };
}

/** Speeds up a list of nodes in place, once (a partial may render itself). */
function speedUpList(pass: Pass, templates: Template[]): void {
  if (pass.lists.has(templates)) return;
  pass.lists.add(templates);
  for (const template of templates) visit(pass, template);
  fuse(pass, templates);
}

function visit(pass: Pass, template: Template): void {
  const { liquid, seen, writesOnly } = pass;
  if (seen.has(template)) return;
  seen.add(template);
  if (template.token.kind === TokenKind.HTML) {
    const text = (template.token as Token & { getContent(): string }).getContent();
    setRender(template, (_ctx, emitter) => emitter.write(text));
    writesOnly.add(template);
    return;
  }
  if (template instanceof Output) {
    const evaluate = compileValue(liquid, template.value);
    if (evaluate) {
      setRender(template, (ctx, emitter) => emitter.write(toValue(evaluate(ctx))));
      writesOnly.add(template);
    }
    return;
  }
  if (template instanceof IfTag || template instanceof UnlessTag) speedUpBranches(liquid, template);
  else if (template instanceof ForTag) speedUpFor(template);
  else if (template instanceof RenderTag) speedUpRender(pass, template);
  else if (template instanceof LayoutTag) speedUpLayout(pass, template);
  else if (template instanceof BlockTag) speedUpBlock(template);
  // The lists of nodes that these tags render in order are sped up in place; other
  // tags' nodes are reached through `children`, which gives copies of such lists.
  const lists =
    template instanceof IfTag || template instanceof UnlessTag
      ? [...template.branches.map((b) => b.templates), template.elseTemplates ?? []]
      : template instanceof ForTag
        ? [template.templates, template.elseTemplates]
        : 'templates' in template && Array.isArray(template.templates)
          ? [template.templates as Template[]]
          : undefined;
  if (lists) {
    for (const list of lists) speedUpList(pass, list);
  } else if (template.children) {
    for (const child of toValueSync(template.children(false, true))) visit(pass, child);
  }
}

/** Replaces each run of write-only nodes in a list with one node that renders them in turn. */
function fuse(pass: Pass, templates: Template[]): void {
  const fused: Template[] = [];
  let run: Template[] = [];
  const flush = () => {
    if (run.length > 1) {
      const nodes = run;
      const renders = nodes.map((n) => n.render as Render);
      const node = { token: nodes[0]!.token } as Template;
      setRender(node, (ctx, emitter) => {
        for (let i = 0; i < renders.length; i++) {
          try {
            (renders[i] as Render)(ctx, emitter);
          } catch (error) {
            // As LiquidJS reports it: the error at the node that failed.
            throw LiquidError.is(error) ? error : new RenderError(error as Error, nodes[i] as Template);
          }
        }
      });
      pass.seen.add(node);
      pass.writesOnly.add(node);
      fused.push(node);
    } else {
      fused.push(...run);
    }
    run = [];
  };
  for (const template of templates) {
    if (pass.writesOnly.has(template)) run.push(template);
    else {
      flush();
      fused.push(template);
    }
  }
  flush();
  if (fused.length !== templates.length) templates.splice(0, templates.length, ...fused);
}

/** `{% if %}` and `{% unless %}` with their `elsif`s and `else`: as their `render`. */
function speedUpBranches(liquid: Liquid, tag: IfTag | UnlessTag): void {
  const unless = tag instanceof UnlessTag;
  const branches = tag.branches.map((branch, i) => {
    const value = branch.value as Value;
    const evaluate =
      compileValue(liquid, value) ?? ((ctx: Context) => toValueSync(value.value(ctx, ctx.opts.lenientIf)));
    // `unless` renders its first branch when the value is falsy, its `elsif`s when truthy.
    return { evaluate, test: unless && i === 0 ? isFalsy : isTruthy, render: listRenderer(branch.templates) };
  });
  const otherwise = listRenderer(tag.elseTemplates ?? []);
  setRender(tag, (ctx, emitter) => {
    for (const { evaluate, test, render } of branches) {
      if (test(unless ? toValue(evaluate(ctx)) : evaluate(ctx), ctx)) {
        render(ctx, emitter);
        return;
      }
    }
    otherwise(ctx, emitter);
  });
}

const MODIFIERS = ['offset', 'limit', 'reversed'];

/** `{% for item in collection %}…{% else %}…{% endfor %}`: as `ForTag.render`. */
function speedUpFor(tag: ForTag): void {
  const t = tag as ForTag & { collection: Token; hash: { hash: object; render(ctx: Context): unknown } };
  const collectionOf = compileToken(t.collection) ?? ((ctx: Context) => toValueSync(evaluateToken(t.collection, ctx)));
  const { variable, templates, elseTemplates } = tag;
  const text = t.collection.getText();
  const body = listRenderer(templates);
  const otherwise = listRenderer(elseTemplates);
  const modified = loopCollection(tag);
  setRender(tag, (ctx, emitter) => {
    let collection = toEnumerable(collectionOf(ctx));
    if (!collection.length) {
      otherwise(ctx, emitter);
      return;
    }
    collection = modified(ctx, collection);
    const forloop = new ForloopDrop(collection.length, text, variable);
    const scope: Scope = Object.assign(Object.create(null), { forloop });
    ctx.push(scope);
    for (const item of collection) {
      scope[variable] = item;
      ctx.continueCalled = ctx.breakCalled = false;
      body(ctx, emitter);
      if (ctx.breakCalled) break;
      forloop.next();
    }
    ctx.continueCalled = ctx.breakCalled = false;
    ctx.pop();
  });
}

/**
 * What a loop goes over once its collection is not empty: after its `offset`, `limit`
 * and `reversed`, as `ForTag.render` applies them; it notes where an `offset: continue`
 * would carry on. Made once per tag: the register's name and whether there are
 * modifiers are known from the tag.
 */
function loopCollection(tag: ForTag): (ctx: Context, collection: unknown[]) => unknown[] {
  const t = tag as ForTag & { collection: Token; hash: { hash: object; render(ctx: Context): unknown } };
  const continueKey = `continue-${tag.variable}-${t.collection.getText()}`;
  const hasHash = Object.keys(t.hash.hash).length > 0;
  return (ctx, collection) => {
    let hash: Record<string, unknown> = {};
    if (hasHash) {
      ctx.push(Object.assign(Object.create(null), { continue: ctx.getRegister(continueKey, {}) }));
      hash = toValueSync(t.hash.render(ctx)) as Record<string, unknown>;
      ctx.pop();
      const modifiers = ctx.opts.orderedFilterParameters
        ? Object.keys(hash).filter((x) => MODIFIERS.includes(x))
        : MODIFIERS.filter((x) => hash[x] !== undefined);
      for (const modifier of modifiers) {
        if (modifier === 'offset') collection = collection.slice(hash.offset as number);
        else if (modifier === 'limit') collection = collection.slice(0, hash.limit as number);
        else collection = [...collection].reverse();
      }
    }
    ctx.setRegister(continueKey, ((hash.offset as number) || 0) + collection.length);
    return collection;
  };
}

/** Whether a path's key is read by `readProperty` itself: `size`, `first` and `last`
 * read more than a property, a negative number counts from the end of an array. */
function readsSpecially(key: unknown): boolean {
  return typeof key !== 'string' || key === 'size' || key === 'first' || key === 'last' || Number(key) < 0;
}

/**
 * `{% render 'name', key: value %}`, also `with … as` and `for … as`: as `RenderTag.render`,
 * for a partial named by a literal (the engine keeps what it parsed, so it is found once).
 */
function speedUpRender(pass: Pass, tag: RenderTag): void {
  type Binding = { value: Token; alias?: string };
  // The tag's parts are private in LiquidJS's types.
  const t = tag as unknown as {
    file: unknown;
    currentFile?: string;
    hash: { hash: Record<string, Token | undefined> };
    with?: Binding;
    forBinding?: Binding;
  };
  const file = t.file;
  if (typeof file !== 'string' || file === '') return;
  let templates: Template[];
  try {
    templates = toValueSync(pass.liquid._parsePartialFile(file, true, t.currentFile));
  } catch {
    return; // A missing partial fails where it is rendered, as it always has.
  }
  const hash = Object.entries(t.hash.hash).map(([key, token]) => ({ key, evaluate: tokenEvaluator(token) }));
  const withBinding = t.with && { key: t.with.alias || file, evaluate: tokenEvaluator(t.with.value) };
  const forBinding = t.forBinding && {
    alias: t.forBinding.alias,
    text: t.forBinding.value.getText(),
    evaluate: tokenEvaluator(t.forBinding.value),
  };
  const body = listRenderer(templates);
  setRender(tag, (ctx, emitter) => {
    const child = ctx.spawn();
    const scope = child.bottom();
    const values: Record<string, unknown> = {};
    for (const { key, evaluate } of hash) values[key] = evaluate(ctx);
    Object.assign(scope, values);
    if (withBinding) scope[withBinding.key] = withBinding.evaluate(ctx);
    if (forBinding) {
      const collection = toEnumerable(forBinding.evaluate(ctx));
      const forloop = new ForloopDrop(collection.length, forBinding.text, forBinding.alias);
      scope.forloop = forloop;
      for (const item of collection) {
        scope[forBinding.alias as string] = item;
        body(child, emitter);
        forloop.next();
      }
    } else {
      body(child, emitter);
    }
  });
  speedUpList(pass, templates);
}

// LiquidJS's `BlockMode` (not exported): blocks are stored, then output by the layout.
const OUTPUT = 0;
const STORE = 1;

/** LiquidJS's `createScope`: a scope with no prototype. */
const createScope = (from?: object): Scope => Object.assign(Object.create(null), from);

type BlockRender = (superBlock: Drop, emitter: Emitter) => unknown;

/**
 * `{% layout 'name', key: value %}` (a layout named by a literal) and `{% layout none %}`:
 * as `LayoutTag.render`. The layout is found once, here, rather than on every render.
 */
function speedUpLayout(pass: Pass, tag: LayoutTag): void {
  const t = tag as unknown as {
    file: unknown;
    currentFile?: string;
    args: { hash: object; render(ctx: Context): unknown };
    templates: Template[];
  };
  const body = listRenderer(t.templates);
  if (t.file === undefined) {
    setRender(tag, (ctx, emitter) => {
      ctx.setRegister('blockMode', OUTPUT);
      body(ctx, emitter);
    });
    return;
  }
  if (typeof t.file !== 'string' || t.file === '') return;
  let layout: Template[];
  try {
    layout = toValueSync(pass.liquid._parseLayoutFile(t.file, true, t.currentFile));
  } catch {
    return; // A missing layout fails where it is rendered, as it always has.
  }
  const renderLayout = listRenderer(layout);
  const hasArgs = Object.keys(t.args.hash).length > 0;
  setRender(tag, (ctx, emitter) => {
    // The rest of the file renders first, storing its blocks; what it writes outside
    // them is the anonymous block.
    ctx.setRegister('blockMode', STORE);
    const rest = new StringEmitter();
    body(ctx, rest);
    const blocks = ctx.getRegister('blocks', {}) as Record<string, BlockRender>;
    if (blocks[''] === undefined) blocks[''] = (_parent, e) => e.write(rest.buffer);
    ctx.setRegister('blockMode', OUTPUT);
    // LiquidJS pushes a scope of the arguments even when there are none. Nothing writes
    // to the top scope (`assign` and `capture` write to the bottom one), so an empty one
    // changes nothing but the cost of finding every name the layout reads.
    if (hasArgs) ctx.push(createScope(toValueSync(t.args.render(ctx)) as object));
    renderLayout(ctx, emitter);
    if (hasArgs) ctx.pop();
  });
  speedUpList(pass, layout);
}

/** `{% block name %}…{% endblock %}`: as `BlockTag.render`, with `block.super`. */
function speedUpBlock(tag: BlockTag): void {
  const name = tag.block;
  const body = listRenderer(tag.templates);
  const blockRender = (ctx: Context): BlockRender => {
    const renderChild = (ctx.getRegister('blocks', {}) as Record<string, BlockRender | undefined>)[name];
    const renderCurrent: BlockRender = (superBlock, emitter) => {
      const stack = ctx.getRegister('blockStack', []) as Template[];
      if (stack.includes(tag)) throw new Error('block tag cannot be nested');
      stack.push(tag);
      ctx.push(createScope({ block: superBlock }));
      body(ctx, emitter);
      ctx.pop();
      stack.pop();
    };
    // The child's render may be LiquidJS's own (a generator): settled here.
    return renderChild
      ? (superBlock, emitter) => settle(renderChild(new BlockDrop((e) => renderCurrent(superBlock, e)), emitter))
      : renderCurrent;
  };
  setRender(tag, (ctx, emitter) => {
    const render = blockRender(ctx);
    if (ctx.getRegister('blockMode') === STORE)
      (ctx.getRegister('blocks', {}) as Record<string, BlockRender>)[name] = render;
    else render(new BlockDrop(), emitter);
  });
}

/** LiquidJS's `BlockDrop` (not exported), name too: `{{ block.super }}` renders the layout's block. */
class BlockDrop extends Drop {
  #render: (emitter: Emitter) => unknown;
  constructor(render: (emitter: Emitter) => unknown = () => '') {
    super();
    this.#render = render;
  }
  *super(): Generator<unknown, string, unknown> {
    const emitter = new StringEmitter();
    yield this.#render(emitter);
    return emitter.buffer;
  }
}

/** A hash value or binding: `true` when absent (`{% render 'x', flag %}`), as `Hash.render`. */
function tokenEvaluator(token: Token | undefined): Evaluate {
  if (token === undefined) return () => true;
  return compileToken(token) ?? ((ctx) => toValueSync(evaluateToken(token, ctx)));
}

/**
 * A value with its filters, as `Value.value` evaluates it: the expression, then each
 * filter's handler with its arguments (literals or plain paths, positional or named).
 * Undefined when any part is something else.
 */
function compileValue(liquid: Liquid, value: Value): Evaluate | undefined {
  const initial = compileExpression(value.initial);
  if (!initial) return undefined;
  const filters: { filter: FilterParts; args: ((ctx: Context) => unknown)[] }[] = [];
  for (const filter of value.filters as unknown as FilterParts[]) {
    const args: ((ctx: Context) => unknown)[] = [];
    for (const arg of filter.args) {
      if (Array.isArray(arg)) {
        const [name, token] = arg;
        const evaluate = compileToken(token);
        if (!evaluate) return undefined;
        args.push((ctx) => [name, evaluate(ctx)]);
      } else {
        const evaluate = compileToken(arg);
        if (!evaluate) return undefined;
        args.push(evaluate);
      }
    }
    filters.push({ filter, args });
  }
  if (filters.length === 0) return initial;
  return (ctx) => {
    let result = initial(ctx);
    for (const { filter, args } of filters) {
      const self = { context: ctx, token: filter.token, liquid };
      result = settle(
        args.length === 0
          ? filter.handler.call(self, result)
          : filter.handler.apply(self, [result, ...args.map((a) => a(ctx))]),
      );
    }
    return result;
  };
}

/**
 * A literal or a plain path (`post.author.name`, `items[0]`), evaluated as `evalToken`
 * does; undefined for anything else (ranges, a path with a computed part).
 */
function compileToken(token: Token): Evaluate | undefined {
  if ('content' in token) {
    const content = (token as Token & { content: unknown }).content;
    return () => content;
  }
  if (token.kind !== TokenKind.PropertyAccess) return undefined;
  const access = token as PropertyAccess;
  if (access.variable !== undefined || access.props.length === 0) return undefined;
  if (!access.props.every((p) => p.kind !== TokenKind.PropertyAccess && 'content' in p)) return undefined;
  const path = access.props.map((p) => toValue(p.content));
  if (typeof path[0] !== 'string') return undefined;
  const first = path[0];
  const special = path.map(readsSpecially);
  return (ctx) => {
    try {
      let value: unknown = (findScope as NonNullable<typeof findScope>).call(ctx, first);
      for (let i = 0; i < path.length; i++) {
        value = special[i]
          ? settle(ctx.readProperty(value as Scope, path[i] as string))
          : readKey(ctx, value, path[i] as string);
      }
      return value;
    } catch (error) {
      throw new UndefinedVariableError(error as Error, token);
    }
  };
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * `readProperty` of a plain name, then settled as `_getFromScope` settles it. For an
 * object that is not a drop and has no `toLiquid` it takes the steps that apply (the
 * caller sends `size`, `first`, `last` and negative numbers to `readProperty`): an own
 * property (with `ownPropertyOnly`), called when it is a function. An array reads the
 * same way then. Anything else goes to `readProperty` itself. (Asking for the prototype
 * instead, to find plain objects, was a call into V8's runtime on every read.)
 */
function readKey(ctx: Context, object: unknown, key: string): unknown {
  if (
    typeof object === 'object' &&
    object !== null &&
    !(object instanceof Drop) &&
    typeof (object as { toLiquid?: unknown }).toLiquid !== 'function'
  ) {
    const value = ctx.ownPropertyOnly && !hasOwn.call(object, key) ? undefined : (object as Scope)[key];
    return typeof value === 'function' ? settle(value.call(object)) : settle(value);
  }
  return settle(ctx.readProperty(object as Scope, key));
}

/**
 * An expression of literals, plain paths and operators, evaluated as `Expression.evaluate`
 * does (its postfix order, the context's operators, `not` the one unary); undefined for
 * anything else (ranges, groups, a path with a computed part).
 */
function compileExpression(expression: Expression): Evaluate | undefined {
  const steps: ({ operand: Evaluate } | { operator: string })[] = [];
  for (const token of expression.postfix) {
    if (token.kind === TokenKind.Operator) {
      steps.push({ operator: (token as Token & { operator: string }).operator });
      continue;
    }
    const operand = compileToken(token);
    if (!operand) return undefined;
    steps.push({ operand });
  }
  const [only] = steps;
  if (steps.length === 1 && only && 'operand' in only) return only.operand;
  return (ctx) => {
    const operands: unknown[] = [];
    for (const step of steps) {
      if ('operand' in step) {
        operands.push(step.operand(ctx));
        continue;
      }
      const operator = ctx.opts.operators[step.operator] as (...args: unknown[]) => unknown;
      const right = operands.pop();
      operands.push(settle(step.operator === 'not' ? operator(right, ctx) : operator(operands.pop(), right, ctx)));
    }
    return operands[0];
  };
}
