import type { Db } from '../../storage/index.js';

/** A post in one of the dashboard's lists. */
export interface DashboardPost {
  id: number;
  title: string;
  type: 'post' | 'page';
  author: string;
  /** Last saved (drafts) or due to appear (scheduled), UTC. */
  at: string;
}

/** A comment waiting for moderation. */
export interface DashboardComment {
  id: number;
  postId: number;
  postTitle: string;
  name: string;
  excerpt: string;
  at: string;
}

export interface Dashboard {
  drafts: { count: number; items: DashboardPost[] };
  scheduled: { count: number; items: DashboardPost[] };
  pending: { count: number; items: DashboardComment[] };
}

/**
 * What waits for the writer: drafts, posts scheduled to appear, comments to moderate.
 * Counts of each and the first few; a writer without `edit_any` sees only their own posts.
 */
export class DashboardReads {
  #db: Db;
  #now: () => Date;

  constructor(deps: { db: Db; now?: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now ?? (() => new Date());
  }

  async summary(options: { authorId?: number; withComments: boolean; limit?: number }): Promise<Dashboard> {
    const limit = options.limit ?? 5;
    const now = this.#now().toISOString();
    const posts = () => {
      // What is in the trash waits for nobody.
      let q = this.#db
        .selectFrom('posts')
        .innerJoin('users', 'users.id', 'posts.author_id')
        .where('posts.trashed_at', 'is', null);
      if (options.authorId !== undefined) q = q.where('posts.author_id', '=', options.authorId);
      return q;
    };
    const drafts = posts().where('posts.status', '=', 'draft');
    // A published post whose time is still ahead is waiting just as a scheduled one is.
    const scheduled = posts().where((eb) =>
      eb.or([
        eb('posts.status', '=', 'scheduled'),
        eb.and([eb('posts.status', '=', 'published'), eb('posts.published_at', '>', now)]),
      ]),
    );
    const columns = ['posts.id', 'posts.title', 'posts.type', 'users.display_name as author'] as const;
    const [draftCount, draftRows, scheduledCount, scheduledRows] = await Promise.all([
      drafts.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
      drafts
        .select([...columns, 'posts.updated_at as at'])
        .orderBy('posts.updated_at', 'desc')
        .limit(limit)
        .execute(),
      scheduled.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
      scheduled
        .select([...columns, 'posts.published_at as at'])
        .orderBy('posts.published_at')
        .limit(limit)
        .execute(),
    ]);
    const pending = options.withComments ? await this.#pending(limit) : { count: 0, items: [] };
    return {
      drafts: { count: Number(draftCount.n), items: draftRows.map((r) => ({ ...r, at: r.at })) },
      scheduled: { count: Number(scheduledCount.n), items: scheduledRows.map((r) => ({ ...r, at: r.at ?? '' })) },
      pending,
    };
  }

  async #pending(limit: number): Promise<Dashboard['pending']> {
    const waiting = this.#db
      .selectFrom('comments')
      .innerJoin('posts', 'posts.id', 'comments.post_id')
      .where('comments.status', '=', 'pending')
      .where('posts.trashed_at', 'is', null);
    const [count, rows] = await Promise.all([
      waiting.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
      waiting
        .select([
          'comments.id',
          'comments.post_id as postId',
          'posts.title as postTitle',
          'comments.author_name as name',
          'comments.body',
          'comments.created_at as at',
        ])
        .orderBy('comments.created_at', 'desc')
        .limit(limit)
        .execute(),
    ]);
    return {
      count: Number(count.n),
      items: rows.map(({ body, ...r }) => ({
        ...r,
        excerpt: body.length > 140 ? `${body.slice(0, 139).trimEnd()}…` : body,
      })),
    };
  }
}
