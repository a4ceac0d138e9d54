import { sql } from 'kysely';

/** A CHECK that a text column holds one of a few values: portable SQL. */
export function sqlIn(column: string, values: string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}
