import { HearthError, ValidationError } from '../../errors.js';
import type { Db } from '../../storage/index.js';
import type { AuditLog } from '../audit/index.js';
import type { ChangeFeed } from '../changes.js';
import { can } from '../roles/index.js';
import type { Trash } from './trash.js';
import type { Writer } from './types.js';

export interface UserRemovalDeps {
  db: Db;
  trash: Trash;
  audit: AuditLog;
  changes: ChangeFeed;
}

/** What becomes of a removed user's posts and pages. */
export type RemovedPosts = { posts: 'reassign'; reassignTo: number } | { posts: 'trash' };

/**
 * Removes a user (issue 18), in one transaction: their posts and pages go to another user
 * or to the trash, their sessions and account links end (at once: a session is looked up
 * with its user), what named them (editor's notes, revisions, photos, books, staff
 * comments) names nobody, and the audit log records it. The owner cannot be removed,
 * nor can you remove yourself.
 */
export class UserRemoval {
  #d: UserRemovalDeps;

  constructor(deps: UserRemovalDeps) {
    this.#d = deps;
  }

  /** How many posts and pages a user wrote, in the trash or not (the removal page says it). */
  async postCount(userId: number): Promise<number> {
    const row = await this.#d.db
      .selectFrom('posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('author_id', '=', userId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async remove(
    actor: Writer & { ip?: string | null },
    userId: number,
    choice: { posts?: string; reassignTo?: string },
  ): Promise<{ email: string; posts: number }> {
    if (!can(actor.role, 'manage_users'))
      throw new HearthError('HEARTH_ERR_FORBIDDEN', { role: actor.role, capability: 'manage_users' });
    const plan = readChoice(choice);
    const result = await this.#d.db.transaction().execute(async (tx) => {
      const target = await tx
        .selectFrom('users')
        .select(['id', 'email', 'role'])
        .where('id', '=', userId)
        .executeTakeFirst();
      if (!target) throw new HearthError('HEARTH_ERR_USER_NOT_FOUND', { id: userId });
      if (target.role === 'owner')
        throw new HearthError('HEARTH_ERR_USER_REMOVE_REFUSED', { reason: 'The owner cannot be removed.' });
      if (target.id === actor.id)
        throw new HearthError('HEARTH_ERR_USER_REMOVE_REFUSED', { reason: 'You cannot remove yourself.' });
      let heir = actor.id;
      if (plan.posts === 'reassign') {
        const to = await tx.selectFrom('users').select('id').where('id', '=', plan.reassignTo).executeTakeFirst();
        if (!to || to.id === userId) {
          throw new ValidationError({
            reassignTo:
              to === undefined
                ? `There is no user ${plan.reassignTo} to give the posts to. Choose someone on the list.`
                : 'Choose someone other than the person you remove.',
          });
        }
        heir = to.id;
      }
      const posts = await tx.selectFrom('posts').select(['id']).where('author_id', '=', userId).execute();
      if (plan.posts === 'trash') for (const p of posts) await this.#d.trash.trashInside(tx, p.id, actor);
      // A post needs an author: in the trash, the one who removed the user (restoring it gives it to them).
      await tx.updateTable('posts').set({ author_id: heir }).where('author_id', '=', userId).execute();
      await tx
        .updateTable('posts')
        .set({ editor_note_author_id: null })
        .where('editor_note_author_id', '=', userId)
        .execute();
      await tx.updateTable('comments').set({ staff_user_id: null }).where('staff_user_id', '=', userId).execute();
      await tx.updateTable('media').set({ uploaded_by: null }).where('uploaded_by', '=', userId).execute();
      await tx.updateTable('revisions').set({ user_id: null }).where('user_id', '=', userId).execute();
      await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await tx.deleteFrom('account_links').where('user_id', '=', userId).execute();
      await tx.deleteFrom('users').where('id', '=', userId).execute();
      await this.#d.audit.record(
        {
          action: 'user_removed',
          actor,
          subject: `user:${userId}`,
          ip: actor.ip ?? null,
          details: {
            email: target.email,
            role: target.role,
            posts: posts.length,
            to: plan.posts === 'trash' ? 'trash' : `user:${heir}`,
          },
        },
        tx,
      );
      return { email: target.email, posts: posts.length };
    });
    // Bylines, author pages and lists change across the site.
    this.#d.changes.publish({ kind: 'site' });
    return result;
  }
}

function readChoice(choice: { posts?: string; reassignTo?: string }): RemovedPosts {
  if (choice.posts === 'trash') return { posts: 'trash' };
  if (choice.posts !== 'reassign')
    throw new ValidationError({ posts: 'Choose whether their posts go to someone else or to the trash.' });
  const to = choice.reassignTo?.trim() ?? '';
  if (!/^[1-9][0-9]{0,9}$/.test(to))
    throw new ValidationError({ reassignTo: 'Choose the person who gets their posts.' });
  return { posts: 'reassign', reassignTo: Number(to) };
}
