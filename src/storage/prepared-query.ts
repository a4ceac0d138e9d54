import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Schema } from './schema.js';

/** The database as queries see it (`Db` in database.ts; named here so the two need not import each other). */
type Db = Kysely<Schema>;

/** Gives the stand-in for a named value while a prepared query is built. */
export type ValueOf<Values> = <K extends keyof Values & string>(name: K) => Values[K];

/** Runs a prepared query with its named values; resolves to its rows. */
export type PreparedQuery<Values, Row> = (values: Values) => Promise<Row[]>;

/** Databases whose prepared reads may run at once (see `DialectAdapter.readAtOnce`). */
const atOnce = new WeakMap<Db, (sql: string, parameters: readonly unknown[]) => unknown[] | undefined>();

/** Lets prepared queries on `db` run through `read` whenever it accepts them. */
export function readsAtOnce(
  db: Db,
  read: (sql: string, parameters: readonly unknown[]) => unknown[] | undefined,
): void {
  atOnce.set(db, read);
}

/**
 * A read query built and compiled once, then run with new values each time. Kysely
 * builds and compiles a query on every run, which for a page's joined queries costs more
 * than the database takes to answer them. `build` gets `value(name)`, a stand-in that
 * must go where Kysely binds a parameter (a comparison, an offset, each item of an `in`
 * list, which then has a fixed length), never into `sql.lit`; a stand-in that ends up
 * nowhere is refused here, at once. (A LIMIT is
 * better written into the SQL with `sql.lit`: SQLite plans a bound one for any size.)
 *
 * @example
 *   const bySlug = prepareQuery(db, (value: ValueOf<{ slug: string }>) =>
 *     db.selectFrom('posts').select('id').where('slug', '=', value('slug')),
 *   );
 *   const rows = await bySlug({ slug: 'hello' });
 */
export function prepareQuery<Values extends Record<string, unknown>, Row>(
  db: Db,
  build: (value: ValueOf<Values>) => Compilable<Row>,
): PreparedQuery<Values, Row> {
  const standIns = new Map<string, string>();
  const compiled = build((name) => {
    const standIn = `\u0000hearth-value:${name}`;
    standIns.set(standIn, name);
    return standIn as never;
  }).compile();
  const slots = compiled.parameters.map((p) => (typeof p === 'string' ? standIns.get(p) : undefined));
  for (const name of standIns.values()) {
    if (!slots.includes(name)) throw new Error(`prepared query: the value "${name}" is not a bound parameter`);
  }
  const read = atOnce.get(db);
  return async (values) => {
    const parameters = compiled.parameters.map((p, i) => {
      const name = slots[i];
      return name === undefined ? p : values[name];
    });
    const rows = read?.(compiled.sql, parameters);
    if (rows) return rows as Row[];
    const query: CompiledQuery<Row> = { ...compiled, parameters };
    return (await db.executeQuery(query)).rows;
  };
}
