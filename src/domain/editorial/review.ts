import { HearthError, ValidationError } from '../../errors.js';
import { urls } from '../../shared/urls.js';
import type { Db, ReviewNoteKind } from '../../storage/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Mailer } from '../mail/index.js';
import { can } from '../roles/index.js';
import type { Writer } from './types.js';

export interface ReviewDeps {
  db: Db;
  audit: AuditLog;
  mailer: Mailer;
  /** The site's public URL, no trailing slash. */
  publicUrl: string;
  siteTitle: () => Promise<string>;
  /** Told of a message that could not be sent; the review goes on. */
  onError: (error: unknown) => void;
  now?: () => Date;
}

/** One entry of a post's review thread: a note, or a step (submitted, withdrawn, sent back, published). */
export interface ReviewNote {
  id: number;
  kind: ReviewNoteKind;
  body: string;
  createdAt: string;
  authorId: number | null;
  authorName: string;
}

/** A post's review as its editor page shows it to one person. */
export interface ReviewState {
  /** When it was submitted; null when it is not waiting for review. */
  submittedAt: string | null;
  notes: ReviewNote[];
  /** The person is the post's writer (who submits and withdraws). */
  isWriter: boolean;
  /** The person reviews (edits everyone's posts): sends back, edits, publishes. */
  isReviewer: boolean;
}

/** A post waiting for review, for the review list. */
export interface WaitingPost {
  id: number;
  title: string;
  authorName: string;
  submittedAt: string;
}

/** Roles that review (edit and publish everyone's posts), and so hear of every submission. */
const REVIEWER_ROLES = ['owner', 'administrator', 'editor'] as const;
const NOTE_MAX = 5000;

/**
 * The guest writer's review (issue 18): a writer submits a draft, which is then locked
 * for them until they withdraw it or a reviewer sends it back; reviewers and the writer
 * keep a private thread of notes on it; the writer hears by email of every note, of a
 * send-back and of the publication, the reviewers of each submission. A submission is
 * claimed by a conditional update, so a second click (or a second instance) sends no
 * second round of email. Mail goes after the write commits, in the background.
 */
export class ReviewService {
  #deps: ReviewDeps;
  #now: () => Date;
  #pending = new Set<Promise<void>>();

  constructor(deps: ReviewDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * Submits the writer's own draft for review and tells the reviewers, each once. Submitting
   * it again while it waits changes nothing and sends nothing.
   * @throws HearthError `HEARTH_ERR_NOT_YOUR_POST` (someone else's post), `HEARTH_ERR_REVIEW_STATE` (not a draft)
   */
  async submit(writer: Writer, postId: number, ip?: string): Promise<{ submitted: boolean }> {
    const post = await this.#post(postId);
    if (post.author_id !== writer.id)
      throw new HearthError('HEARTH_ERR_NOT_YOUR_POST', { id: postId, role: writer.role });
    if (post.trashed_at !== null) throw new HearthError('HEARTH_ERR_POST_TRASHED', { id: postId });
    if (post.status !== 'draft') throw new HearthError('HEARTH_ERR_REVIEW_STATE', { id: postId, state: post.status });
    const at = this.#now().toISOString();
    const claimed = await this.#deps.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('posts')
        .set({ review_submitted_at: at })
        .where('id', '=', postId)
        .where('status', '=', 'draft')
        .where('review_submitted_at', 'is', null)
        .where('trashed_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await this.#step(tx, postId, writer.id, 'submitted', '', at);
      await this.#deps.audit.record(
        {
          action: 'post_submitted',
          actor: writer,
          subject: `post:${postId}`,
          ip: ip ?? null,
          details: { title: post.title },
        },
        tx,
      );
      return true;
    });
    if (claimed) this.#background(() => this.#sendSubmitted(postId, writer));
    return { submitted: claimed };
  }

  /**
   * Takes the writer's submitted draft back, so that they may change it again.
   * @throws HearthError `HEARTH_ERR_NOT_YOUR_POST`, `HEARTH_ERR_REVIEW_STATE` (not waiting)
   */
  async withdraw(writer: Writer, postId: number, ip?: string): Promise<void> {
    const post = await this.#post(postId);
    if (post.author_id !== writer.id)
      throw new HearthError('HEARTH_ERR_NOT_YOUR_POST', { id: postId, role: writer.role });
    await this.#release(writer, postId, post.title, 'withdrawn', '', ip);
  }

  /**
   * Adds a note to the post's thread: by its writer, or by a reviewer, who may also send
   * the post back for changes (then it is the writer's to change again). The writer is
   * emailed of a reviewer's note.
   * @throws ValidationError `note`; HearthError `HEARTH_ERR_NOT_YOUR_POST`, `HEARTH_ERR_FORBIDDEN`, `HEARTH_ERR_REVIEW_STATE`
   */
  async comment(
    writer: Writer,
    postId: number,
    text: string,
    options: { sendBack?: boolean; ip?: string } = {},
  ): Promise<void> {
    const post = await this.#post(postId);
    const reviewer = can(writer.role, 'edit_any');
    if (post.author_id !== writer.id && !reviewer) {
      throw new HearthError('HEARTH_ERR_NOT_YOUR_POST', { id: postId, role: writer.role });
    }
    if (options.sendBack && !reviewer) {
      throw new HearthError('HEARTH_ERR_FORBIDDEN', { role: writer.role, capability: 'edit_any' });
    }
    const body = text.replace(/\r\n?/g, '\n').trim();
    if (body === '' && !options.sendBack) throw new ValidationError({ note: 'Write the note first.' });
    if (body.length > NOTE_MAX) throw new ValidationError({ note: `A note can be at most ${NOTE_MAX} characters.` });
    if (options.sendBack) {
      await this.#release(writer, postId, post.title, 'changes', body, options.ip);
    } else {
      const at = this.#now().toISOString();
      await this.#deps.db.transaction().execute(async (tx) => {
        await this.#step(tx, postId, writer.id, 'note', body, at);
        await this.#deps.audit.record(
          { action: 'review_note_added', actor: writer, subject: `post:${postId}`, ip: options.ip ?? null },
          tx,
        );
      });
    }
    if (post.author_id !== writer.id) {
      this.#background(() => this.#sendToWriter(postId, writer, options.sendBack ? 'changes' : 'note', body));
    }
  }

  /** The post's review as this person may see it: its writer and reviewers only. */
  async state(writer: Writer, postId: number): Promise<ReviewState> {
    const post = await this.#post(postId);
    const isReviewer = can(writer.role, 'edit_any');
    if (post.author_id !== writer.id && !isReviewer) {
      throw new HearthError('HEARTH_ERR_NOT_YOUR_POST', { id: postId, role: writer.role });
    }
    const rows = await this.#deps.db
      .selectFrom('review_notes')
      .leftJoin('users', 'users.id', 'review_notes.author_id')
      .select([
        'review_notes.id',
        'review_notes.kind',
        'review_notes.body',
        'review_notes.created_at',
        'review_notes.author_id',
        'users.display_name',
      ])
      .where('review_notes.post_id', '=', postId)
      .orderBy('review_notes.id')
      .execute();
    return {
      submittedAt: post.review_submitted_at,
      isWriter: post.author_id === writer.id,
      isReviewer,
      notes: rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        body: r.body,
        createdAt: r.created_at,
        authorId: r.author_id,
        authorName: r.display_name ?? 'A former member',
      })),
    };
  }

  /** Whether a post waits for review (then its writer may not change it). */
  async isSubmitted(postId: number, db: Db = this.#deps.db): Promise<boolean> {
    const row = await db.selectFrom('posts').select('review_submitted_at').where('id', '=', postId).executeTakeFirst();
    return Boolean(row?.review_submitted_at);
  }

  /** Posts waiting for review, the longest waiting first. */
  async waiting(): Promise<WaitingPost[]> {
    const rows = await this.#deps.db
      .selectFrom('posts')
      .innerJoin('users', 'users.id', 'posts.author_id')
      .select(['posts.id', 'posts.title', 'posts.review_submitted_at', 'users.display_name'])
      .where('posts.review_submitted_at', 'is not', null)
      .where('posts.trashed_at', 'is', null)
      .orderBy('posts.review_submitted_at')
      .orderBy('posts.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      authorName: r.display_name,
      submittedAt: r.review_submitted_at ?? '',
    }));
  }

  /** How many posts wait for review (the admin menu's count). */
  async waitingCount(): Promise<number> {
    const row = await this.#deps.db
      .selectFrom('posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('review_submitted_at', 'is not', null)
      .where('trashed_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * Inside the transaction that publishes or schedules a post: it leaves the review list,
   * and a post that was reviewed gets the step in its thread. Returns whether it was.
   */
  async publishing(tx: Db, postId: number, by: Writer, status: 'published' | 'scheduled'): Promise<boolean> {
    await tx.updateTable('posts').set({ review_submitted_at: null }).where('id', '=', postId).execute();
    const reviewed = await tx.selectFrom('review_notes').select('id').where('post_id', '=', postId).executeTakeFirst();
    if (!reviewed) return false;
    await this.#step(
      tx,
      postId,
      by.id,
      'published',
      status === 'scheduled' ? 'scheduled' : '',
      this.#now().toISOString(),
    );
    return true;
  }

  /** A post was published or scheduled by someone: its writer hears of it, unless it was them. */
  published(postId: number, by: Writer, status: 'published' | 'scheduled'): void {
    this.#background(() => this.#sendPublished(postId, by, status));
  }

  /** Resolves when every message started so far has been sent or has failed. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async #post(postId: number) {
    const post = await this.#deps.db
      .selectFrom('posts')
      .select(['id', 'title', 'slug', 'status', 'author_id', 'review_submitted_at', 'trashed_at'])
      .where('id', '=', postId)
      .executeTakeFirst();
    if (!post) throw new HearthError('HEARTH_ERR_POST_MISSING', { id: postId });
    return post;
  }

  /** Ends a submission (withdrawn by the writer, or sent back): claimed like a submission. */
  async #release(
    writer: Writer,
    postId: number,
    title: string,
    kind: 'withdrawn' | 'changes',
    body: string,
    ip: string | undefined,
  ): Promise<void> {
    const at = this.#now().toISOString();
    const released = await this.#deps.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('posts')
        .set({ review_submitted_at: null })
        .where('id', '=', postId)
        .where('review_submitted_at', 'is not', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await this.#step(tx, postId, writer.id, kind, body, at);
      await this.#deps.audit.record(
        {
          action: kind === 'withdrawn' ? 'post_review_withdrawn' : 'post_sent_back',
          actor: writer,
          subject: `post:${postId}`,
          ip: ip ?? null,
          details: { title },
        },
        tx,
      );
      return true;
    });
    if (!released) throw new HearthError('HEARTH_ERR_REVIEW_STATE', { id: postId, state: 'not waiting for review' });
  }

  async #step(tx: Db, postId: number, authorId: number, kind: ReviewNoteKind, body: string, at: string) {
    await tx
      .insertInto('review_notes')
      .values({ post_id: postId, author_id: authorId, kind, body, created_at: at })
      .execute();
  }

  #background(work: () => Promise<void>): void {
    const run = work().catch((error: unknown) => this.#deps.onError(error));
    this.#pending.add(run);
    void run.finally(() => this.#pending.delete(run));
  }

  async #names(postId: number, byId: number) {
    const { db } = this.#deps;
    const post = await db
      .selectFrom('posts')
      .innerJoin('users', 'users.id', 'posts.author_id')
      .select(['posts.title', 'posts.slug', 'posts.status', 'posts.author_id', 'users.email', 'users.display_name'])
      .where('posts.id', '=', postId)
      .executeTakeFirst();
    const by = await db.selectFrom('users').select('display_name').where('id', '=', byId).executeTakeFirst();
    return post && { ...post, byName: by?.display_name ?? 'Someone' };
  }

  async #sendSubmitted(postId: number, writer: Writer): Promise<void> {
    const post = await this.#names(postId, writer.id);
    if (!post) return;
    const people = await this.#deps.db
      .selectFrom('users')
      .select(['email'])
      .where('role', 'in', [...REVIEWER_ROLES])
      .where('password_hash', 'is not', null)
      .where('id', '!=', writer.id)
      .orderBy('id')
      .execute();
    const recipients = [...new Set(people.map((p) => p.email.toLowerCase()))];
    const { publicUrl } = this.#deps;
    const text = [
      `${post.byName} submitted “${post.title}” for review.`,
      '',
      `Read it, leave a note, add an editor’s note and publish it: ${publicUrl}/admin/posts/${postId}`,
      `Everything waiting for review: ${publicUrl}/admin/review`,
      '',
      `— ${await this.#deps.siteTitle()}`,
    ].join('\n');
    for (const to of recipients) {
      await this.#deps.mailer.send({ to, subject: `“${post.title}” is waiting for review`, text });
    }
  }

  async #sendToWriter(postId: number, by: Writer, kind: 'note' | 'changes', body: string): Promise<void> {
    const post = await this.#names(postId, by.id);
    if (!post) return;
    const { publicUrl } = this.#deps;
    const lead =
      kind === 'changes'
        ? `${post.byName} sent “${post.title}” back to you for changes.`
        : `${post.byName} left a note on “${post.title}”:`;
    const text = [
      lead,
      ...(body ? ['', body] : []),
      '',
      kind === 'changes'
        ? `Change it and submit it again: ${publicUrl}/admin/posts/${postId}#review`
        : `Answer it in the post’s review notes: ${publicUrl}/admin/posts/${postId}#review`,
      '',
      `— ${await this.#deps.siteTitle()}`,
    ].join('\n');
    const subject = kind === 'changes' ? `“${post.title}” needs changes` : `A note on “${post.title}”`;
    await this.#deps.mailer.send({ to: post.email, subject, text });
  }

  async #sendPublished(postId: number, by: Writer, status: 'published' | 'scheduled'): Promise<void> {
    const post = await this.#names(postId, by.id);
    if (!post || post.author_id === by.id) return;
    const { publicUrl } = this.#deps;
    const text = [
      status === 'scheduled'
        ? `${post.byName} scheduled “${post.title}”: it goes public at its time.`
        : `${post.byName} published “${post.title}”. Thank you for writing it.`,
      '',
      status === 'scheduled'
        ? `See it in the admin: ${publicUrl}/admin/posts/${postId}`
        : `Read it on the blog: ${publicUrl}${urls.post(post.slug)}`,
      '',
      `— ${await this.#deps.siteTitle()}`,
    ].join('\n');
    const subject = status === 'scheduled' ? `“${post.title}” is scheduled` : `“${post.title}” is published`;
    await this.#deps.mailer.send({ to: post.email, subject, text });
  }
}
