import {
  BlockTag,
  type Context,
  Drop,
  defaultOperators,
  type Expression,
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
  type Template,
  type Token,
  TokenKind,
  toValue,
  toValueSync,
  UnlessTag,
  type Value,
} from 'liquidjs';
import {
  Forloop,
  findScope,
  fusedFrom,
  loopCollection,
  type Render,
  readsSpecially,
  renderNode,
  setRender,
  settle,
  stringify,
  toEnumerable,
} from './fast-render.js';

/*
 * The second step after the fast path (fast-render.ts): a theme's files compiled to
 * JavaScript, one function per file, per layout's body and per block, that builds the
 * page in a local string.
 *
 * The fast path is an interpreter: every `{{ post.author.name }}` is the same closure,
 * which finds the scope holding `post` and reads each name through one generic reader.
 * That reader sees objects of every shape in the theme, so V8 can keep no inline cache
 * for it, and a post page makes some 250 such reads of 500 names. Here each read is written out
 * where it happens, with the checks `readProperty` makes (a drop, `toLiquid`, an own
 * property, a function to call), so each keeps its own cache: the view model at any one
 * place in a template has one shape. A loop's variable is a local of the function, and
 * the scope that holds any other name is found once per function call, not per read.
 *
 * It applies to themes made of text, outputs, `if`, `unless`, `for`, `render` (of a
 * partial named by a literal), `layout` and `block`: none of those writes to a scope
 * other than its own, which is what makes finding a name's scope once correct. A theme
 * with any other tag (`assign`, `capture`, `case`, `include`, `break`, ...) keeps the
 * fast path. Within a compiled theme, an output or condition the compiler does not
 * write out (a range, a computed path), and `layout` and `block` themselves, render
 * through their fast-path functions.
 *
 * Errors: every node sets a local to its index before it runs. When anything throws,
 * the node that was running renders again through the fast path, with the context as
 * it was (rendering has no side effects), so the error is the fast path's own, which
 * is stock LiquidJS's.
 */

type Compiled = (ctx: Context) => string;

/** The runtime pieces generated code calls, passed in once. */
const helpers = {
  /** Whether LiquidJS's comparisons of a value reduce to JavaScript's: no array, drop or `empty`. */
  primitive: (value: unknown) => value === null || (typeof value !== 'object' && typeof value !== 'function'),
  settle,
  toValue,
  toValueSync,
  stringify,
  isTruthy,
  isFalsy,
  findScope,
  Drop,
  hasOwn: Object.prototype.hasOwnProperty,
  Forloop,
  toEnumerable,
  renderNode,
  createScope: () => Object.create(null) as Record<string, unknown>,
  fail(error: unknown, node: Template, ctx: Context): unknown {
    if (LiquidError.is(error)) return error;
    try {
      renderNode(node, ctx);
    } catch (again) {
      return LiquidError.is(again) ? again : new RenderError(again as Error, node);
    }
    return new RenderError(error as Error, node);
  },
};

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * LiquidJS's operators are generators, run to their end for each use. The default ones
 * are written out here: a comparison of two primitives is JavaScript's (what `equals`
 * and the others reduce to for them), anything else goes to LiquidJS's own; `and`, `or`
 * and `not` as LiquidJS writes them, without the generator.
 */
const comparisons: Record<string, string> = { '==': '===', '!=': '!==', '>': '>', '<': '<', '>=': '>=', '<=': '<=' };
const logic: Record<string, (left: string, right: string) => string> = {
  and: (left, right) => `isTruthy(settle(toValue(${left})), ctx) && isTruthy(settle(toValue(${right})), ctx)`,
  or: (left, right) => `isTruthy(settle(toValue(${left})), ctx) || isTruthy(settle(toValue(${right})), ctx)`,
};

/** Prototypes a value of plain data can have, or inherit from as a primitive. */
const PLAIN_PROTOTYPES = [Object.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype];

/**
 * Whether `key` read from plain data can only find an own property (or nothing): no
 * prototype plain data has or borrows holds it. `constructor`, `length`, `map`... do not
 * qualify, and are read with every check.
 */
const ownOnlyInPlainData = (key: string | number) => !PLAIN_PROTOTYPES.some((p) => key in p);

type PropertyAccess = Token & { variable: unknown; props: (Token & { content?: unknown })[] };
type FilterArg = Token | [string, Token];
type FilterParts = { token: Token; handler: (...args: unknown[]) => unknown; args: FilterArg[] };
type RenderParts = {
  file: unknown;
  currentFile?: string;
  hash: { hash: Record<string, Token | undefined> };
  with?: { value: Token; alias?: string };
  forBinding?: { value: Token; alias?: string };
};

/** Names bound by the loops around a place in one function: name -> [value local, scope local]. */
type Lexical = Map<string, readonly [string, string]>;

/** The nodes a theme may hold to be compiled; anything else keeps the fast path. */
function supported(template: Template): boolean {
  if (fusedFrom.has(template)) return true;
  if (template.token.kind === TokenKind.HTML) return true;
  if (template instanceof Output || template instanceof IfTag || template instanceof UnlessTag) return true;
  if (template instanceof LayoutTag || template instanceof BlockTag) return true;
  if (template instanceof ForTag) return !['forloop', 'size', 'first', 'last', 'toLiquid'].includes(template.variable);
  if (template instanceof RenderTag) return typeof (template as unknown as RenderParts).file === 'string';
  return false;
}

/** The lists of nodes inside a node (its branches, loop body, partial body...). */
function innerLists(template: Template): Template[][] {
  if (fusedFrom.has(template)) return [fusedFrom.get(template) as Template[]];
  if (template instanceof IfTag || template instanceof UnlessTag)
    return [...template.branches.map((b) => b.templates), template.elseTemplates ?? []];
  if (template instanceof ForTag) return [template.templates, template.elseTemplates];
  if (template instanceof LayoutTag || template instanceof BlockTag)
    return [(template as unknown as { templates: Template[] }).templates];
  return [];
}

/**
 * Compiles a theme's parsed files (already sped up by `speedUpTemplates`): every list
 * of nodes that is rendered on its own (a file, a layout's body, a block) becomes one
 * node whose render is a compiled function. Gives the source of each tag or output
 * that still renders through the fast path inside compiled code; undefined when the
 * theme holds a node this does not compile, or LiquidJS lacks what it reads, and so
 * keeps the fast path.
 */
export function compileTemplates(
  liquid: Liquid,
  files: Template[][],
  options: { plainData?: boolean } = {},
): { interpreted: string[] } | undefined {
  if (findScope === undefined) return undefined;
  const partialOf = (tag: RenderTag): Template[] | undefined => {
    const t = tag as unknown as RenderParts;
    try {
      return toValueSync(liquid._parsePartialFile(t.file as string, true, t.currentFile)) as Template[];
    } catch {
      return undefined;
    }
  };
  // Every list rendered on its own, and a check of every node reachable.
  const entries = new Set<Template[]>();
  const seenLists = new Set<Template[]>();
  let ok = true;
  // Whether any loop has `offset`, `limit` or `reversed`: only such a loop reads where
  // another stopped (`offset: continue`), so without one, loops need not note it.
  let modifiers = false;
  const walk = (list: Template[], entry: boolean) => {
    if (entry) entries.add(list);
    if (seenLists.has(list)) return;
    seenLists.add(list);
    for (const node of list) {
      if (!supported(node)) ok = false;
      if (node instanceof ForTag && Object.keys((node as unknown as { hash: { hash: object } }).hash.hash).length > 0)
        modifiers = true;
      if (node instanceof RenderTag) {
        const partial = partialOf(node);
        if (partial) walk(partial, true);
      }
      if (node instanceof LayoutTag) {
        const t = node as unknown as { file: unknown; currentFile?: string };
        if (typeof t.file === 'string' && t.file !== '') {
          try {
            walk(toValueSync(liquid._parseLayoutFile(t.file, true, t.currentFile)) as Template[], true);
          } catch {
            // A missing layout fails where it is rendered.
          }
        }
      }
      const entryInside = node instanceof LayoutTag || node instanceof BlockTag;
      for (const inner of innerLists(node)) walk(inner, entryInside);
    }
  };
  for (const file of files) walk(file, true);
  if (!ok) return undefined;

  // Each entry list's function; a partial's is called straight from the render tag.
  const compiled = new Map<Template[], { fn: Compiled }>();
  const interpreted = new Set<string>();
  for (const list of entries) compiled.set(list, { fn: () => '' });
  try {
    for (const [list, holder] of compiled) {
      holder.fn = new UnitCompiler(
        interpreted,
        liquid,
        (tag) => {
          const partial = partialOf(tag);
          return partial && compiled.get(partial);
        },
        modifiers,
        options.plainData === true,
      ).compile(list);
    }
  } catch {
    // A case the compiler writes wrongly must not stop the blog: nothing has been
    // replaced yet, so the theme keeps the fast path.
    return undefined;
  }
  for (const [list, holder] of compiled) {
    const node = { token: list[0]?.token } as Template;
    const fn = holder.fn;
    setRender(node, ((ctx, emitter) => emitter.write(fn(ctx))) as Render);
    list.splice(0, list.length, node);
  }
  return { interpreted: [...interpreted] };
}

/** Writes one function for one list of nodes (with the lists inside it). */
class UnitCompiler {
  #constants: unknown[] = [];
  #constantIndex = new Map<unknown, number>();
  #nodes: Template[] = [];
  #temps = 0;
  #scopes = new Map<string, string>();
  #lines: string[] = [];
  #interpreted: string[] = [];

  constructor(
    private readonly interpreted: Set<string>,
    private readonly liquid: Liquid,
    private readonly partial: (tag: RenderTag) => { fn: Compiled } | undefined,
    private readonly modifiers: boolean,
    private readonly plainData: boolean,
  ) {}

  compile(list: Template[]): Compiled {
    this.#list(list, new Map());
    for (const source of this.#interpreted) this.interpreted.add(source);
    const temps = Array.from({ length: this.#temps }, (_, i) => `t${i}`);
    const scopes = [...this.#scopes].map(([name, local]) => `${local} = findScope.call(ctx, ${JSON.stringify(name)})`);
    const source = [
      'const { primitive, settle, toValue, toValueSync, stringify, isTruthy, isFalsy, findScope, Drop, hasOwn, Forloop, toEnumerable, renderNode, createScope, fail } = H;',
      'return function compiledTemplate(ctx) {',
      `let out = '', k = 0${temps.length ? `, ${temps.join(', ')}` : ''}${scopes.length ? `, ${[...this.#scopes.values()].join(', ')}` : ''};`,
      'const own = ctx.ownPropertyOnly;',
      'try {',
      ...scopes.map((s) => `${s};`),
      ...this.#lines,
      '} catch (error) { throw fail(error, N[k], ctx); }',
      'return out;',
      '};',
    ].join('\n');
    return new Function('H', 'K', 'N', source)(helpers, this.#constants, this.#nodes) as Compiled;
  }

  #emit(line: string): void {
    this.#lines.push(line);
  }

  #temp(): string {
    return `t${this.#temps++}`;
  }

  #constant(value: unknown): string {
    let i = this.#constantIndex.get(value);
    if (i === undefined) {
      i = this.#constants.push(value) - 1;
      this.#constantIndex.set(value, i);
    }
    return `K[${i}]`;
  }

  #node(template: Template): number {
    return this.#nodes.push(template) - 1;
  }

  #list(list: Template[], lexical: Lexical): void {
    for (const template of list) {
      const originals = fusedFrom.get(template);
      if (originals) this.#list(originals, lexical);
      else this.#one(template, lexical);
    }
  }

  #fallback(index: number): void {
    const token = (this.#nodes[index] as Template).token;
    this.#interpreted.push(token.input.slice(token.begin, token.end));
    this.#emit(`k = ${index}; out += renderNode(N[${index}], ctx);`);
  }

  /**
   * Writes a node with `write`, which says false when a part of it is not compiled:
   * then what it wrote is taken back and the node renders through the fast path.
   */
  #attempt(index: number, write: () => boolean): void {
    const lines = this.#lines.length;
    const interpreted = this.#interpreted.length;
    this.#emit(`k = ${index};`);
    if (write()) return;
    this.#lines.length = lines;
    this.#interpreted.length = interpreted;
    this.#fallback(index);
  }

  #one(template: Template, lexical: Lexical): void {
    if (template.token.kind === TokenKind.HTML) {
      const text = (template.token as Token & { getContent(): string }).getContent();
      if (text) this.#emit(`out += ${JSON.stringify(text)};`);
      return;
    }
    const index = this.#node(template);
    if (template instanceof Output) {
      this.#output(template, index, lexical);
      return;
    }
    if (template instanceof IfTag || template instanceof UnlessTag) {
      this.#branches(template, index, lexical);
      return;
    }
    if (template instanceof ForTag) {
      this.#for(template, index, lexical);
      return;
    }
    if (template instanceof RenderTag) {
      this.#render(template, index, lexical);
      return;
    }
    this.#fallback(index);
  }

  /** `{{ value | filters }}`: as the fast path's output (the value, `toValue`, written). */
  #output(template: Output, index: number, lexical: Lexical): void {
    this.#attempt(index, () => {
      const value = this.#value(template.value, lexical);
      if (value === undefined) return false;
      const text = this.#temp();
      this.#emit(`${text} = toValue(${value}); out += typeof ${text} === 'string' ? ${text} : stringify(${text});`);
      return true;
    });
  }

  #branches(tag: IfTag | UnlessTag, index: number, lexical: Lexical): void {
    const unless = tag instanceof UnlessTag;
    this.#attempt(index, () => {
      let closers = 0;
      for (const [i, branch] of tag.branches.entries()) {
        const value = this.#value(branch.value as Value, lexical);
        if (value === undefined) return false;
        const test =
          unless && i === 0
            ? `isFalsy(toValue(${value}), ctx)`
            : unless
              ? `isTruthy(toValue(${value}), ctx)`
              : `isTruthy(${value}, ctx)`;
        this.#emit(`if (${test}) {`);
        this.#list(branch.templates, lexical);
        this.#emit('} else {');
        closers++;
      }
      this.#list(tag.elseTemplates ?? [], lexical);
      this.#emit('}'.repeat(closers));
      return true;
    });
  }

  /** `{% for %}`: as the fast path's loop (a scope with `forloop` and the variable). */
  #for(tag: ForTag, index: number, lexical: Lexical): void {
    const t = tag as ForTag & { collection: Token };
    this.#attempt(index, () => {
      const collection = this.#token(t.collection, lexical);
      if (collection === undefined) return false;
      const items = this.#temp();
      const forloop = this.#temp();
      const scope = this.#temp();
      const item = this.#temp();
      this.#emit(`${items} = toEnumerable(${collection});`);
      this.#emit(`if (!${items}.length) {`);
      this.#list(tag.elseTemplates, lexical);
      this.#emit('} else {');
      if (this.modifiers) this.#emit(`${items} = ${this.#constant(loopCollection(tag))}(ctx, ${items});`);
      this.#emit(
        `${forloop} = new Forloop(${items}.length, ${JSON.stringify(t.collection.getText())}, ${JSON.stringify(tag.variable)});`,
      );
      this.#emit(`${scope} = createScope(); ${scope}.forloop = ${forloop}; ctx.push(${scope});`);
      this.#emit(`for (let i = 0; i < ${items}.length; i++) {`);
      this.#emit(`${item} = ${items}[i]; ${scope}[${JSON.stringify(tag.variable)}] = ${item};`);
      this.#emit('ctx.continueCalled = ctx.breakCalled = false;');
      const inner: Lexical = new Map(lexical);
      inner.set('forloop', [forloop, scope]);
      inner.set(tag.variable, [item, scope]);
      this.#list(tag.templates, inner);
      this.#emit(`if (ctx.breakCalled) break; ${forloop}.next();`);
      this.#emit('}');
      this.#emit('ctx.continueCalled = ctx.breakCalled = false; ctx.pop();');
      this.#emit('}');
      return true;
    });
  }

  /** `{% render 'partial' … %}`: as the fast path's, calling the partial's function. */
  #render(tag: RenderTag, index: number, lexical: Lexical): void {
    const t = tag as unknown as RenderParts;
    const target = this.partial(tag);
    if (!target) {
      this.#fallback(index);
      return;
    }
    this.#attempt(index, () => {
      const evaluate = (token: Token | undefined) => (token === undefined ? 'true' : this.#token(token, lexical));
      const hash: [string, string][] = [];
      for (const [key, token] of Object.entries(t.hash.hash)) {
        const value = evaluate(token);
        if (value === undefined) return false;
        hash.push([key, value]);
      }
      const withValue = t.with && evaluate(t.with.value);
      const forValue = t.forBinding && evaluate(t.forBinding.value);
      if ((t.with && withValue === undefined) || (t.forBinding && forValue === undefined)) return false;
      const fn = `${this.#constant(target)}.fn`;
      const child = this.#temp();
      const scope = this.#temp();
      this.#emit(`${child} = ctx.spawn(); ${scope} = ${child}.bottom();`);
      // The fast path evaluates the hash into an object, then assigns it to the scope.
      this.#emit(
        `Object.assign(${scope}, {${hash.map(([key, value]) => `${JSON.stringify(key)}: ${value}`).join(', ')}});`,
      );
      if (t.with && withValue !== undefined)
        this.#emit(`${scope}[${JSON.stringify(t.with.alias || (t.file as string))}] = ${withValue};`);
      if (t.forBinding && forValue !== undefined) {
        const items = this.#temp();
        const forloop = this.#temp();
        const alias = JSON.stringify(t.forBinding.alias);
        this.#emit(`${items} = toEnumerable(${forValue});`);
        this.#emit(
          `${forloop} = new Forloop(${items}.length, ${JSON.stringify(t.forBinding.value.getText())}, ${alias}); ${scope}.forloop = ${forloop};`,
        );
        this.#emit(
          `for (let i = 0; i < ${items}.length; i++) { ${scope}[${alias}] = ${items}[i]; out += ${fn}(${child}); ${forloop}.next(); }`,
        );
      } else {
        this.#emit(`out += ${fn}(${child});`);
      }
      return true;
    });
  }

  /**
   * A value with its filters (as the fast path's `compileValue`), into a temp; the
   * temp's name, or undefined when a part of it is not compiled.
   */
  #value(value: Value, lexical: Lexical): string | undefined {
    const initial = this.#expression(value.initial, lexical);
    if (initial === undefined) return undefined;
    let result = initial;
    for (const filter of value.filters as unknown as FilterParts[]) {
      const args: string[] = [];
      for (const arg of filter.args) {
        if (Array.isArray(arg)) {
          const [name, token] = arg;
          const v = this.#token(token, lexical);
          if (v === undefined) return undefined;
          args.push(`[${JSON.stringify(name)}, ${v}]`);
        } else {
          const v = this.#token(arg, lexical);
          if (v === undefined) return undefined;
          args.push(v);
        }
      }
      const self = `{ context: ctx, token: ${this.#constant(filter.token)}, liquid: ${this.#constant(this.liquid)} }`;
      const next = this.#temp();
      this.#emit(`${next} = settle(${this.#constant(filter.handler)}.call(${self}, ${[result, ...args].join(', ')}));`);
      result = next;
    }
    return result;
  }

  /** An expression of literals, paths and operators (as `compileExpression`), into a temp. */
  #expression(expression: Expression, lexical: Lexical): string | undefined {
    const stack: string[] = [];
    for (const token of expression.postfix) {
      if (token.kind === TokenKind.Operator) {
        const operator = (token as Token & { operator: string }).operator;
        const handler = this.liquid.options.operators[operator];
        const stock = handler === defaultOperators[operator];
        const fn = this.#constant(handler);
        const right = stack.pop();
        const target = this.#temp();
        if (operator === 'not') {
          this.#emit(
            stock
              ? `${target} = isFalsy(settle(toValue(${right})), ctx);`
              : `${target} = settle(${fn}(${right}, ctx));`,
          );
        } else {
          const left = stack.pop();
          const generic = `settle(${fn}(${left}, ${right}, ctx))`;
          const comparison = comparisons[operator];
          const combined = logic[operator];
          if (stock && comparison)
            this.#emit(
              `${target} = primitive(${left}) && primitive(${right}) ? ${left} ${comparison} ${right} : ${generic};`,
            );
          else if (stock && combined) this.#emit(`${target} = ${combined(left as string, right as string)};`);
          else this.#emit(`${target} = ${generic};`);
        }
        stack.push(target);
        continue;
      }
      const operand = this.#token(token, lexical);
      if (operand === undefined) return undefined;
      stack.push(operand);
    }
    return stack[0];
  }

  /** A literal or a plain path (as the fast path's `compileToken`), into a temp. */
  #token(token: Token, lexical: Lexical): string | undefined {
    if ('content' in token) return this.#constant((token as Token & { content: unknown }).content);
    if (token.kind !== TokenKind.PropertyAccess) return undefined;
    const access = token as PropertyAccess;
    if (access.variable !== undefined || access.props.length === 0) return undefined;
    if (!access.props.every((p) => p.kind !== TokenKind.PropertyAccess && 'content' in p)) return undefined;
    const path = access.props.map((p) => toValue(p.content));
    const first = path[0];
    if (typeof first !== 'string') return undefined;
    const target = this.#temp();
    const bound = lexical.get(first);
    // `forloop` and `block` are the engine's objects, with getters and methods: they are
    // always read with every check.
    const plain = this.plainData && first !== 'forloop' && first !== 'block';
    let rest = path;
    if (bound && plain) {
      this.#emit(`${target} = ${bound[0]};`);
      rest = path.slice(1);
    } else if (bound) {
      // A loop's scope holds its variable and `forloop` as own properties.
      const [local, scope] = bound;
      this.#emit(
        `${target} = typeof ${local} === 'function' ? settle(${local}.call(${scope})) : ${local} !== null && typeof ${local} === 'object' && typeof ${local}.next === 'function' ? toValueSync(${local}) : ${local};`,
      );
      rest = path.slice(1);
    } else {
      let scope = this.#scopes.get(first);
      if (!scope) {
        scope = `s${this.#scopes.size}`;
        this.#scopes.set(first, scope);
      }
      this.#emit(`${target} = ${scope};`);
    }
    for (const key of rest) {
      if (plain && !readsSpecially(key) && ownOnlyInPlainData(key)) {
        // Plain data (see `plainData` in engine.ts): no drop, function, generator or
        // `toLiquid` to look for, and a name no prototype holds is own or absent.
        const read = IDENTIFIER.test(key) ? `${target}.${key}` : `${target}[${JSON.stringify(key)}]`;
        this.#emit(`${target} = ${target} == null ? ${target} : ${read};`);
        continue;
      }
      if (readsSpecially(key)) {
        this.#emit(`${target} = settle(ctx.readProperty(${target}, ${this.#constant(key)}));`);
        continue;
      }
      const name = JSON.stringify(key);
      const read = IDENTIFIER.test(key) ? `${target}.${key}` : `${target}[${name}]`;
      const v = this.#temp();
      this.#emit(
        `if (typeof ${target} === 'object' && ${target} !== null && !(${target} instanceof Drop) && typeof ${target}.toLiquid !== 'function') {` +
          ` ${v} = own && !hasOwn.call(${target}, ${name}) ? undefined : ${read};` +
          ` ${target} = typeof ${v} === 'function' ? settle(${v}.call(${target})) : ${v} !== null && typeof ${v} === 'object' && typeof ${v}.next === 'function' ? toValueSync(${v}) : ${v};` +
          ` } else ${target} = settle(ctx.readProperty(${target}, ${name}));`,
      );
    }
    return target;
  }
}
