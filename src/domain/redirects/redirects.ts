import type { Db } from '../../storage/index.js';

/**
 * Adds a permanent (301) redirect inside the caller's transaction. An address that
 * redirected elsewhere before now leads to `to`, and nothing redirects away from `to`
 * (it is a live address again), so no chain or loop is left.
 */
export async function addRedirect(db: Db, from: string, to: string, at: string): Promise<void> {
  await db.deleteFrom('redirects').where('from_path', 'in', [from, to]).execute();
  await db.updateTable('redirects').set({ to_path: to }).where('to_path', '=', from).execute();
  await db.insertInto('redirects').values({ from_path: from, to_path: to, status_code: 301, created_at: at }).execute();
}

/** Where an old address leads now, if it moved. */
export async function redirectFor(db: Db, path: string): Promise<string | undefined> {
  const row = await db.selectFrom('redirects').select('to_path').where('from_path', '=', path).executeTakeFirst();
  return row?.to_path;
}
