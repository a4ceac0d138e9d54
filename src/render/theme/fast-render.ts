import {
  BlockTag,
  Context,
  type Emitter,
  type Expression,
  ForTag,
  IfTag,
  isTruthy,
  LayoutTag,
  type Liquid,
  LiquidError,
  Output,
  RenderError,
  type Scope,
  type Template,
  type Token,
  TokenKind,
  toValue,
  toValueSync,
} from 'liquidjs';

/*
 * LiquidJS renders every node of a template through generators, even in its sync mode:
 * a `{{ post.title }}` costs a dozen generator objects, and a post page has several
 * hundred nodes. That was most of the time, and most of the garbage, of an uncached page.
 *
 * Once a theme's files are parsed, the commonest nodes get a plain `render` function
 * (the `Template` interface allows any return value): static text; an output whose
 * value is a plain path (`post.author.name`) or a literal, with filters that take no
 * arguments; an `if` whose conditions are made of such values and binary operators.
 * Runs of text and outputs in a list of nodes then render as one node. All they do is
 * LiquidJS's own: variables are read as `Context.getSync` reads them, operators and
 * filters are the engine's handlers, escaping is the engine's `outputEscape`, truth is
 * `isTruthy`. Any other node, or an option this does not mirror (strict variables, JS
 * truthiness, collected errors, typed output), keeps LiquidJS's own rendering.
 */

type Evaluate = (ctx: Context) => unknown;
type Handler = (this: { context: Context; liquid: Liquid }, value: unknown) => unknown;
type PropertyAccess = Token & { variable: unknown; props: (Token & { content?: unknown })[] };

const BINARY_OPERATORS = new Set(['==', '!=', '>', '<', '>=', '<=', 'contains', 'and', 'or']);

// `Context.getSync` finds the scope that holds a path's first name, then reads each name
// with `readProperty`, through two generators. `findScope` is private in LiquidJS's
// types, so it is looked for; without it every read goes through `getSync`.
const findScope = (Context.prototype as unknown as { findScope?: (this: Context, key: string) => Scope }).findScope;

function read(ctx: Context, path: string[]): unknown {
  if (findScope === undefined || ctx.strictVariables) return ctx.getSync(path);
  let value: unknown = findScope.call(ctx, path[0] as string);
  for (const key of path) value = toValueSync(ctx.readProperty(value as Scope, key));
  return value;
}

/** One pass over a theme: the nodes done, and those whose render only writes. */
interface Pass {
  liquid: Liquid;
  seen: WeakSet<Template>;
  writesOnly: WeakSet<Template>;
}

/**
 * Gives a theme's parsed files (each a list of nodes, as `parseFileSync` returns them
 * and the engine keeps them) plain render functions where that changes nothing but speed.
 */
export function speedUpTemplates(liquid: Liquid, files: Template[][]): void {
  const o = liquid.options;
  if (o.strictVariables || o.jsTruthy || o.catchAllErrors || o.keepOutputType || !o.outputEscape) return;
  const pass: Pass = { liquid, seen: new WeakSet(), writesOnly: new WeakSet() };
  for (const templates of files) speedUpList(pass, templates);
}

function speedUpList(pass: Pass, templates: Template[]): void {
  for (const template of templates) visit(pass, template);
  fuse(pass, templates);
}

function visit(pass: Pass, template: Template): void {
  const { liquid, seen, writesOnly } = pass;
  if (seen.has(template)) return;
  seen.add(template);
  if (template.token.kind === TokenKind.HTML) {
    const text = (template.token as Token & { getContent(): string }).getContent();
    template.render = (_ctx: Context, emitter: Emitter) => emitter.write(text);
    writesOnly.add(template);
    return;
  }
  if (template instanceof Output) {
    if (speedUpOutput(liquid, template)) writesOnly.add(template);
    return;
  }
  if (template instanceof IfTag) speedUpIf(liquid, template);
  // The lists of nodes that these tags render in order are sped up in place; other
  // tags' nodes are reached through `children`, which gives copies of such lists.
  const lists =
    template instanceof IfTag
      ? [...template.branches.map((b) => b.templates), template.elseTemplates ?? []]
      : template instanceof ForTag
        ? [template.templates, template.elseTemplates]
        : template instanceof BlockTag || template instanceof LayoutTag
          ? [template.templates]
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
      const node: Template = {
        token: nodes[0]!.token,
        render(ctx: Context, emitter: Emitter) {
          for (const n of nodes) {
            try {
              n.render(ctx, emitter);
            } catch (error) {
              // As LiquidJS reports it: the error at the node that failed.
              throw LiquidError.is(error) ? error : new RenderError(error as Error, n);
            }
          }
        },
      };
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

/** `{{ value | filter | ... }}`: as `Output.render`, with the engine's filter handlers. */
function speedUpOutput(liquid: Liquid, output: Output): boolean {
  const evaluate = compileExpression(output.value.initial);
  const filters = output.value.filters;
  if (!evaluate || filters.some((f) => f.args.length > 0)) return false;
  // The engine appends its escaping filter to every output whose last filter is not `raw`.
  const escaped = filters.length > 0 && !filters[filters.length - 1]?.raw;
  const handlers: Handler[] = [];
  for (const filter of escaped ? filters.slice(0, -1) : filters) {
    const impl = liquid.filters[filter.name];
    if (typeof impl === 'function') handlers.push(impl as Handler);
    else if (impl && typeof impl.handler === 'function') handlers.push(impl.handler as Handler);
    else return false;
  }
  if (escaped) handlers.push(liquid.options.outputEscape as Handler);
  (output as Template).render = (ctx: Context, emitter: Emitter) => {
    let value = evaluate(ctx);
    for (const handler of handlers) value = toValueSync(handler.call({ context: ctx, liquid }, value));
    emitter.write(toValue(value));
  };
  return true;
}

/** `{% if %}…{% elsif %}…{% else %}…{% endif %}`: as `IfTag.render`. */
function speedUpIf(liquid: Liquid, tag: IfTag): void {
  const branches: { test: Evaluate; templates: Template[] }[] = [];
  for (const branch of tag.branches) {
    const test = branch.value.filters.length === 0 ? compileExpression(branch.value.initial) : undefined;
    if (!test) return;
    branches.push({ test, templates: branch.templates });
  }
  const otherwise = tag.elseTemplates ?? [];
  function* renderBranch(templates: Template[], ctx: Context, emitter: Emitter) {
    yield liquid.renderer.renderTemplates(templates, ctx, emitter);
  }
  (tag as Template).render = (ctx: Context, emitter: Emitter) => {
    for (const { test, templates } of branches) {
      if (isTruthy(toValue(test(ctx)), ctx))
        return templates.length > 0 ? renderBranch(templates, ctx, emitter) : undefined;
    }
    return otherwise.length > 0 ? renderBranch(otherwise, ctx, emitter) : undefined;
  };
}

/**
 * An expression of plain paths, literals and binary operators, evaluated as
 * `Expression.evaluate` does (its postfix order, the context's operators); undefined
 * for anything else (ranges, groups, `not`, a path with a computed part).
 */
function compileExpression(expression: Expression): Evaluate | undefined {
  const steps: ({ path: string[] } | { literal: unknown } | { operator: string })[] = [];
  for (const token of expression.postfix) {
    if (token.kind === TokenKind.PropertyAccess) {
      const access = token as PropertyAccess;
      if (access.variable !== undefined || access.props.length === 0) return undefined;
      if (!access.props.every((p) => p.kind === TokenKind.Word && typeof p.content === 'string')) return undefined;
      steps.push({ path: access.props.map((p) => p.content as string) });
    } else if (token.kind === TokenKind.Quoted || token.kind === TokenKind.Number || token.kind === TokenKind.Literal) {
      steps.push({ literal: (token as Token & { content: unknown }).content });
    } else if (token.kind === TokenKind.Operator) {
      const operator = (token as Token & { operator: string }).operator;
      if (!BINARY_OPERATORS.has(operator)) return undefined;
      steps.push({ operator });
    } else {
      return undefined;
    }
  }
  if (steps.length === 1) {
    const [step] = steps;
    if (step && 'path' in step) return (ctx) => read(ctx, step.path);
    if (step && 'literal' in step) return () => step.literal;
  }
  return (ctx) => {
    const operands: unknown[] = [];
    for (const step of steps) {
      if ('path' in step) operands.push(read(ctx, step.path));
      else if ('literal' in step) operands.push(step.literal);
      else {
        const right = operands.pop();
        const left = operands.pop();
        const operator = ctx.opts.operators[step.operator];
        if (!operator) throw new Error(`unknown operator ${step.operator}`);
        operands.push(toValueSync((operator as (l: unknown, r: unknown, c: Context) => unknown)(left, right, ctx)));
      }
    }
    return operands[0];
  };
}
