/**
 * The revisions table: a saved version for every save, and one autosaved working copy
 * per writer and post (`postId` null for a post not saved yet). The editorial service
 * decides who may see and write them; these only read and write.
 */

import { diffLines } from 'diff';
import { HearthError } from '../../errors.js';
import type { Db } from '../../storage/index.js';
import type { DiffPart, Revision } from './types.js';

type RevisionText = { title: string; body: string; excerpt: string };

/** Records a version of a post, inside the caller's transaction. */
export async function keepRevision(
  db: Db,
  postId: number | null,
  userId: number,
  kind: 'save' | 'autosave',
  text: RevisionText,
  at: Date,
): Promise<void> {
  await db
    .insertInto('revisions')
    .values({
      post_id: postId,
      user_id: userId,
      kind,
      title: text.title,
      body: text.body,
      excerpt: text.excerpt,
      created_at: at.toISOString(),
    })
    .execute();
}

/** Throws a writer's working copy of a post away. */
export async function dropAutosave(db: Db, userId: number, postId: number | null): Promise<void> {
  let query = db.deleteFrom('revisions').where('user_id', '=', userId).where('kind', '=', 'autosave');
  query = postId === null ? query.where('post_id', 'is', null) : query.where('post_id', '=', postId);
  await query.execute();
}

/** A writer's newest working copy of a post, if any. */
export async function autosaveOf(
  db: Db,
  userId: number,
  postId: number | null,
): Promise<Omit<Revision, 'userName'> | undefined> {
  let query = db.selectFrom('revisions').selectAll().where('user_id', '=', userId).where('kind', '=', 'autosave');
  query = postId === null ? query.where('post_id', 'is', null) : query.where('post_id', '=', postId);
  const row = await query.orderBy('id', 'desc').executeTakeFirst();
  return row ? revisionOf(row) : undefined;
}

/** Every saved version of a post, newest first, with who saved it. */
export async function savedRevisions(db: Db, postId: number): Promise<Revision[]> {
  const rows = await db
    .selectFrom('revisions')
    .leftJoin('users', 'users.id', 'revisions.user_id')
    .selectAll('revisions')
    .select('users.display_name')
    .where('revisions.post_id', '=', postId)
    .where('revisions.kind', '=', 'save')
    .orderBy('revisions.id', 'desc')
    .execute();
  return rows.map((r) => ({ ...revisionOf(r), userName: r.display_name }));
}

/** One revision of a post; throws when the post has no such revision. */
export async function revisionById(db: Db, postId: number, id: number): Promise<Revision> {
  const row = await db
    .selectFrom('revisions')
    .leftJoin('users', 'users.id', 'revisions.user_id')
    .selectAll('revisions')
    .select('users.display_name')
    .where('revisions.id', '=', id)
    .where('revisions.post_id', '=', postId)
    .executeTakeFirst();
  if (!row) throw new HearthError('HEARTH_ERR_REVISION_NOT_FOUND', { id, postId });
  return { ...revisionOf(row), userName: row.display_name };
}

/** How `to` differs from `from`, line by line. */
export function lineDiff(from: string, to: string): DiffPart[] {
  return diffLines(from, to).map((c) => ({
    kind: c.added ? 'added' : c.removed ? 'removed' : 'same',
    text: c.value,
  }));
}

function revisionOf(row: {
  id: number;
  kind: 'save' | 'autosave';
  title: string;
  body: string;
  excerpt: string;
  created_at: string;
}): Omit<Revision, 'userName'> {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    excerpt: row.excerpt,
    createdAt: row.created_at,
  };
}
