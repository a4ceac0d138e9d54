import type { Kysely } from 'kysely';
import { sqlIn } from './helpers.js';

/*
 * A book's page size for print (issue 17, the PDF): A5, US trade (6 x 9 in), A4 or Letter.
 * Books made before this migration print on A5.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('books')
    .addColumn('page_size', 'text', (c) =>
      c
        .notNull()
        .defaultTo('a5')
        .check(sqlIn('page_size', ['a5', 'us-trade', 'a4', 'letter'])),
    )
    .execute();
}
