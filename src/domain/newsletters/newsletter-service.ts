import { randomUUID } from 'node:crypto';
import { type Expression, type ExpressionBuilder, type Selectable, type SqlBool, sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import { HearthError } from '../../errors.js';
import { zonedToUtc } from '../../shared/zoned-time.js';
import type { Db, NewsletterRecipientsTable, NewslettersTable, Schema, Tx } from '../../storage/index.js';
import type { Mailer } from '../mail/index.js';
import type { Post } from '../posts/index.js';
import type { SettingsService } from '../settings/index.js';
import { recordBounce } from '../subscribers/index.js';
import {
  type EmailMessage,
  type EmailPost,
  PREFERENCES_PLACEHOLDER,
  renderDigestEmail,
  renderPostEmail,
  UNSUBSCRIBE_PLACEHOLDER,
} from './email.js';
import { emailPostOf, emailSiteOf } from './email-post.js';

export type NewsletterContent = 'full' | 'excerpt';
type Row = Selectable<NewslettersTable>;

/** A send as pages show it. */
export interface Newsletter {
  id: number;
  kind: 'post' | 'digest';
  key: string;
  postId: number | null;
  /** The post's title (a digest: its subject). */
  title: string;
  content: NewsletterContent;
  subject: string;
  state: Row['state'];
  sendAt: string;
  /** A paused send taken up again by itself at `sendAt`; false when paused by hand. */
  retrying: boolean;
  total: number;
  sent: number;
  failed: number;
  pending: number;
  error: string;
  heartbeatAt: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface NewsletterServiceDeps {
  db: Db;
  settings: SettingsService;
  /** The blog's address, no trailing slash. */
  publicUrl: string;
  /** The From of every message. */
  from: string;
  /** smtp:// or smtps:// URL: a pooled transport of its own for bulk mail. Without it, `mailer` (the outbox). */
  smtpUrl: string | undefined;
  mailer: Mailer;
  /** The posts a message is made of, read as the preview reads them. */
  posts: { anyById(id: number): Promise<Post | undefined> };
  /** Overrides the setting `newsletterRatePerMinute` (HEARTH_NEWSLETTER_RATE). */
  ratePerMinute?: number | undefined;
  /** Overrides the site's time zone for the digest (HEARTH_TIMEZONE). */
  timezone?: string | undefined;
  /** A send whose process gave no sign of life for this long is taken over (default 60 s). */
  staleAfterMs?: number;
  /** First wait after a temporary SMTP failure, doubled at each failure in a row (default 60 s, at most 1 h). */
  retryAfterMs?: number;
  /** Recipients taken at once (default 50). */
  batchSize?: number;
  /** How often the server looks for due sends (default 5 s). */
  pollMs?: number;
  onError?: (error: unknown) => void;
  now?: () => Date;
}

/** A paused send waits for a person: its `send_at` is put this far away. */
const HELD = '9999-12-31T00:00:00.000Z';
const HEARTBEAT_MS = 5_000;
/** A reader's address refused for now (4xx) this many times is marked failed (no bounce). */
const MAX_ATTEMPTS = 5;
/** So many readers refused in a row pause the send (held for a person): a safety stop. */
const REFUSALS_IN_A_ROW = 20;

/**
 * Newsletters (issue 20): a post's send, scheduled by its writer, and the weekly digest, each
 * a job in the database. When due, one instance claims the send (a conditional update),
 * fixes its message once and lists its recipients in one transaction; then it sends in
 * batches, each recipient claimed (pending -> sending) before its message goes and marked
 * sent, with the send's counter, in one transaction after the server accepted it. A
 * temporary failure pauses the send and retries later; a process that stops leaves its
 * send to be taken over when its heartbeat is stale, and the recipient it was sending to is
 * sent again with the same Message-ID. Each claim writes a new `owner` token, which every
 * later write of the sender names: an instance that lost its send stops at its next write.
 * One send is 'sending' at a time across instances, so the rate is the site's.
 */
export class NewsletterService {
  #deps: NewsletterServiceDeps;
  #now: () => Date;
  #staleAfterMs: number;
  #retryAfterMs: number;
  #batchSize: number;
  #transport: Transporter | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #serving = false;
  /** Resolves the wait between two messages at once when closing. */
  #wake: (() => void) | undefined;

  constructor(deps: NewsletterServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#staleAfterMs = deps.staleAfterMs ?? 60_000;
    this.#retryAfterMs = deps.retryAfterMs ?? 60_000;
    this.#batchSize = deps.batchSize ?? 50;
  }

  get #db(): Db {
    return this.#deps.db;
  }

  /**
   * Schedules a post's newsletter, or changes the one still scheduled: sent once the post is
   * published and `sendAt` (default now) has passed. Refused once sending has started.
   */
  async schedule(input: {
    postId: number;
    content?: NewsletterContent;
    sendAt?: string | Date;
    createdBy?: number | null;
  }): Promise<Newsletter> {
    const content = input.content ?? 'full';
    if (content !== 'full' && content !== 'excerpt') {
      throw new HearthError('HEARTH_ERR_VALIDATION', { field: 'content', reason: 'must be "full" or "excerpt"' });
    }
    const sendAt = input.sendAt === undefined ? this.#now() : new Date(input.sendAt);
    if (Number.isNaN(sendAt.getTime())) {
      throw new HearthError('HEARTH_ERR_VALIDATION', { field: 'send_at', reason: 'is not a date and time' });
    }
    const post = await this.#db
      .selectFrom('posts')
      .select(['id', 'type', 'title'])
      .where('id', '=', input.postId)
      .executeTakeFirst();
    if (!post) throw new HearthError('HEARTH_ERR_POST_MISSING', { id: input.postId });
    if (post.type !== 'post') throw new HearthError('HEARTH_ERR_NEWSLETTER_PAGE', { title: post.title });
    const key = `post:${post.id}`;
    const now = this.#now().toISOString();
    const values = { content, send_at: sendAt.toISOString(), subject: '', error: '' };
    await this.#db
      .insertInto('newsletters')
      .values({ kind: 'post', key, post_id: post.id, ...values, created_by: input.createdBy ?? null, created_at: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.#rowByKey(key);
    if (!row) throw new HearthError('HEARTH_ERR_NEWSLETTER_MISSING', { id: key });
    if (row.state === 'scheduled' || row.state === 'cancelled') {
      // A cancelled send that never started may be asked for again.
      const updated = await this.#db
        .updateTable('newsletters')
        .set({ ...values, state: 'scheduled', finished_at: null })
        .where('id', '=', row.id)
        .where('state', 'in', ['scheduled', 'cancelled'])
        .where('started_at', 'is', null)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) {
        this.poke();
        return (await this.get(row.id)) as Newsletter;
      }
    }
    throw new HearthError('HEARTH_ERR_NEWSLETTER_STARTED', { title: post.title });
  }

  /** Cancels a post's newsletter while it is scheduled; false when there was none to cancel. */
  async unschedule(postId: number, reason = 'Cancelled before sending.'): Promise<boolean> {
    const done = await this.#db
      .updateTable('newsletters')
      .set({ state: 'cancelled', error: reason, finished_at: this.#now().toISOString() })
      .where('key', '=', `post:${postId}`)
      .where('state', '=', 'scheduled')
      .executeTakeFirst();
    return Number(done.numUpdatedRows) === 1;
  }

  /** A post's newsletter, if one was ever asked for. */
  async forPost(postId: number): Promise<Newsletter | undefined> {
    const row = await this.#rowByKey(`post:${postId}`);
    return row ? this.#toNewsletter(row) : undefined;
  }

  /** Sends, newest first, with their progress. */
  async list(limit = 100): Promise<Newsletter[]> {
    const rows = await this.#db
      .selectFrom('newsletters')
      .leftJoin('posts', 'posts.id', 'newsletters.post_id')
      .selectAll('newsletters')
      .select('posts.title as post_title')
      .orderBy('newsletters.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => toNewsletter(r, r.post_title, 0));
  }

  async get(id: number): Promise<Newsletter | undefined> {
    const row = await this.#db.selectFrom('newsletters').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.#toNewsletter(row) : undefined;
  }

  /** Pauses a send (scheduled or sending): nothing more goes until it is resumed. */
  async pause(id: number): Promise<Newsletter> {
    await this.#change(id, ['sending', 'paused'], { state: 'paused', send_at: HELD, error: '' });
    return (await this.get(id)) as Newsletter;
  }

  /** Takes a paused send up again now. */
  async resume(id: number): Promise<Newsletter> {
    await this.#change(id, ['paused'], { send_at: this.#now().toISOString(), error: '' });
    this.poke();
    return (await this.get(id)) as Newsletter;
  }

  /** Cancels a send: what was not sent is never sent. */
  async cancel(id: number): Promise<Newsletter> {
    await this.#db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('newsletters').select(['state']).where('id', '=', id).executeTakeFirst();
      if (!row) throw new HearthError('HEARTH_ERR_NEWSLETTER_MISSING', { id: String(id) });
      if (!['scheduled', 'sending', 'paused'].includes(row.state)) {
        throw new HearthError('HEARTH_ERR_NEWSLETTER_STATE', { id: String(id), state: row.state });
      }
      await tx
        .updateTable('newsletters')
        .set({ state: 'cancelled', error: 'Cancelled.', finished_at: this.#now().toISOString() })
        .where('id', '=', id)
        .execute();
      await tx
        .updateTable('newsletter_recipients')
        .set({ state: 'skipped' })
        .where('newsletter_id', '=', id)
        .where('state', '=', 'pending')
        .execute();
    });
    return (await this.get(id)) as Newsletter;
  }

  async #change(id: number, from: Row['state'][], set: Partial<Row>): Promise<void> {
    const done = await this.#db
      .updateTable('newsletters')
      .set(set)
      .where('id', '=', id)
      .where('state', 'in', from)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 1) return;
    const row = await this.#db.selectFrom('newsletters').select('state').where('id', '=', id).executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_NEWSLETTER_MISSING', { id: String(id) });
    throw new HearthError('HEARTH_ERR_NEWSLETTER_STATE', { id: String(id), state: row.state });
  }

  /** The server's part: looks for due sends now and every few seconds, until `close`. */
  start(): void {
    this.#serving = true;
    this.poke();
    this.#timer = setInterval(() => this.poke(), this.#deps.pollMs ?? 5_000);
    this.#timer.unref();
  }

  /** Looks for due work now (after a schedule, a resume). Only on a serving instance. */
  poke(): void {
    if (!this.#serving || this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.runDue();
        } while (this.#again && !this.#closed);
      } catch (error) {
        this.#deps.onError?.(error);
      } finally {
        this.#running = undefined;
      }
    })();
  }

  /** Stops: the message being sent is finished, the rest waits for the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#wake?.();
    await this.#running;
    this.#transport?.close();
    this.#transport = undefined;
  }

  /** Resolves when no send is due, waiting or running (scripts and tests). */
  async idle(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const now = this.#now().toISOString();
      // A post's send waiting for its post to be published is not busy.
      const busy = await this.#db
        .selectFrom('newsletters')
        .leftJoin('posts', 'posts.id', 'newsletters.post_id')
        .select('newsletters.id')
        .where((eb) =>
          eb.or([
            eb('newsletters.state', '=', 'sending'),
            eb.and([eb('newsletters.state', '=', 'paused'), eb('newsletters.send_at', '<=', now)]),
            eb.and([
              eb('newsletters.state', '=', 'scheduled'),
              eb('newsletters.send_at', '<=', now),
              eb.or([
                eb('newsletters.kind', '=', 'digest'),
                eb('posts.id', 'is', null),
                eb('posts.trashed_at', 'is not', null),
                eb.and([eb('posts.status', '=', 'published'), eb('posts.published_at', '<=', now)]),
                eb.and([eb('posts.status', '=', 'draft'), eb('posts.published_at', 'is not', null)]),
              ]),
            ]),
          ]),
        )
        .executeTakeFirst();
      if (!busy && !this.#running) return;
      if (Date.now() > until) throw new Error('newsletters are still sending');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * One pass: makes this week's digest when due, cancels or starts what is due, takes over
   * sends whose process stopped, and sends each to the end (or to a pause).
   */
  async runDue(): Promise<void> {
    await this.ensureDigest();
    for (;;) {
      if (this.#closed) return;
      const job = await this.#next();
      if (!job) return;
      await this.#send(job);
    }
  }

  /**
   * Makes the weekly digest once its time has come (settings: weekday and hour, in the
   * blog's time zone): the posts published since the last digest, for readers who chose it.
   * Nothing new: no digest. Its key is the day's date, so two instances make one.
   */
  async ensureDigest(): Promise<Newsletter | undefined> {
    const settings = await this.#deps.settings.get();
    const zone = this.#deps.timezone ?? settings.timezone ?? 'UTC';
    const moment = lastDigestMoment(this.#now(), settings.newsletterDigestWeekday, settings.newsletterDigestHour, zone);
    if (!moment) return undefined;
    const key = `digest:${moment.day}`;
    if (await this.#rowByKey(key)) return undefined;
    const last = await this.#db
      .selectFrom('newsletters')
      .select('send_at')
      .where('kind', '=', 'digest')
      .orderBy('send_at', 'desc')
      .executeTakeFirst();
    const weekBefore = new Date(Date.parse(moment.at) - 7 * 86_400_000).toISOString();
    const since = last && last.send_at > weekBefore ? last.send_at : weekBefore;
    const post = await this.#db
      .selectFrom('posts')
      .select('id')
      .where('type', '=', 'post')
      .where('status', '=', 'published')
      .where('trashed_at', 'is', null)
      .where('published_at', '>', since)
      .where('published_at', '<=', moment.at)
      .executeTakeFirst();
    if (!post) return undefined;
    await this.#db
      .insertInto('newsletters')
      .values({
        kind: 'digest',
        key,
        content: 'excerpt',
        send_at: moment.at,
        created_at: this.#now().toISOString(),
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.#rowByKey(key);
    return row ? this.#toNewsletter(row) : undefined;
  }

  /** The next send to work on, claimed for this process; undefined when none is due. */
  async #next(): Promise<Row | undefined> {
    const now = this.#now().toISOString();
    const stale = new Date(this.#now().getTime() - this.#staleAfterMs).toISOString();
    // One send at a time across instances, so that the rate is the site's: none is claimed
    // while another is sending with a fresh heartbeat.
    const busy = await this.#db
      .selectFrom('newsletters')
      .select('id')
      .where('state', '=', 'sending')
      .where('heartbeat_at', '>=', stale)
      .executeTakeFirst();
    if (busy) return undefined;
    const noOther = (id: number) => (eb: ExpressionBuilder<Schema, 'newsletters'>) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('newsletters as o')
            .select('o.id')
            .where('o.id', '!=', id)
            .where('o.state', '=', 'sending')
            .where('o.heartbeat_at', '>=', stale),
        ),
      );
    // Sends whose process stopped: taken over by a conditional update on the heartbeat and owner seen.
    const orphans = await this.#db
      .selectFrom('newsletters')
      .selectAll()
      .where('state', '=', 'sending')
      .where((eb) => eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', stale)]))
      .orderBy('id')
      .execute();
    for (const row of orphans) {
      const owner = randomUUID();
      const taken = await this.#db.transaction().execute(async (tx) => {
        const done = await tx
          .updateTable('newsletters')
          .set({ heartbeat_at: now, owner })
          .where('id', '=', row.id)
          .where('state', '=', 'sending')
          .where((eb) =>
            row.heartbeat_at === null ? eb('heartbeat_at', 'is', null) : eb('heartbeat_at', '=', row.heartbeat_at),
          )
          .where((eb) => (row.owner === null ? eb('owner', 'is', null) : eb('owner', '=', row.owner)))
          .where(noOther(row.id))
          .executeTakeFirst();
        if (Number(done.numUpdatedRows) !== 1) return false;
        await this.#requeue(tx, row.id);
        return true;
      });
      if (taken) return { ...row, heartbeat_at: now, owner };
    }
    // Paused (by a failure, or by hand and resumed), its wait over, and let go by its last
    // owner (or that owner gave no sign of life for a while).
    const paused = await this.#db
      .selectFrom('newsletters')
      .selectAll()
      .where('state', '=', 'paused')
      .where('send_at', '<=', now)
      .orderBy('send_at')
      .execute();
    for (const row of paused) {
      const owner = randomUUID();
      const taken = await this.#db.transaction().execute(async (tx) => {
        const done = await tx
          .updateTable('newsletters')
          .set({ state: 'sending', heartbeat_at: now, error: '', owner })
          .where('id', '=', row.id)
          .where('state', '=', 'paused')
          .where('send_at', '<=', now)
          .where((eb) =>
            eb.or([eb('owner', 'is', null), eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', stale)]),
          )
          .where(noOther(row.id))
          .executeTakeFirst();
        if (Number(done.numUpdatedRows) !== 1) return false;
        await this.#requeue(tx, row.id);
        return true;
      });
      if (taken) return { ...row, state: 'sending', heartbeat_at: now, owner };
    }
    const due = await this.#db
      .selectFrom('newsletters')
      .leftJoin('posts', 'posts.id', 'newsletters.post_id')
      .selectAll('newsletters')
      .select([
        'posts.status as post_status',
        'posts.trashed_at as post_trashed',
        'posts.published_at as post_published',
      ])
      .where('newsletters.state', '=', 'scheduled')
      .where('newsletters.send_at', '<=', now)
      .orderBy('newsletters.send_at')
      .orderBy('newsletters.id')
      .execute();
    for (const row of due) {
      if (row.kind === 'post') {
        const reason =
          row.post_id === null
            ? 'The post was deleted.'
            : row.post_trashed
              ? 'The post is in the trash.'
              : row.post_status === 'draft' && row.post_published
                ? 'The post was unpublished.'
                : undefined;
        if (reason) {
          await this.#db
            .updateTable('newsletters')
            .set({ state: 'cancelled', error: reason, finished_at: now })
            .where('id', '=', row.id)
            .where('state', '=', 'scheduled')
            .execute();
          continue;
        }
        // Waits for the post to be published (a draft, a post scheduled for later).
        if (row.post_status !== 'published' || !row.post_published || row.post_published > now) continue;
      }
      const claimed = await this.#begin(row, noOther(row.id));
      if (claimed) return claimed;
    }
    return undefined;
  }

  /**
   * Recipients left 'sending' by the send's previous owner (it stopped, or lost the send)
   * wait again: their message may or may not have gone, and is sent again with the same
   * Message-ID. Only the new owner calls this, in the transaction of its claim.
   */
  async #requeue(tx: Tx, id: number): Promise<void> {
    await tx
      .updateTable('newsletter_recipients')
      .set({ state: 'pending' })
      .where('newsletter_id', '=', id)
      .where('state', '=', 'sending')
      .execute();
  }

  /**
   * Starts a send: the message fixed once, and its recipients listed, in one transaction
   * whose first statement claims it (scheduled -> sending), so one instance starts it.
   */
  async #begin(
    row: Row,
    noOther: (eb: ExpressionBuilder<Schema, 'newsletters'>) => Expression<SqlBool>,
  ): Promise<Row | undefined> {
    const message = await this.#render(row);
    if (!message) {
      await this.#db
        .updateTable('newsletters')
        .set({ state: 'cancelled', error: 'Nothing to send.', finished_at: this.#now().toISOString() })
        .where('id', '=', row.id)
        .where('state', '=', 'scheduled')
        .execute();
      return undefined;
    }
    const now = this.#now().toISOString();
    const categories = await this.#categoriesOf(row);
    const owner = randomUUID();
    // Only `tx` inside: SQLite has one connection, which the transaction holds.
    return this.#db.transaction().execute(async (tx) => {
      const done = await tx
        .updateTable('newsletters')
        .set({
          state: 'sending',
          subject: message.subject,
          html: message.html,
          text: message.text,
          started_at: now,
          heartbeat_at: now,
          error: '',
          owner,
        })
        .where('id', '=', row.id)
        .where('state', '=', 'scheduled')
        .where(noOther)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) return undefined;
      const frequency = row.kind === 'post' ? 'every' : 'digest';
      await tx
        .insertInto('newsletter_recipients')
        .columns(['newsletter_id', 'subscriber_id', 'email'])
        .expression(
          tx
            .selectFrom('subscribers as s')
            .select([sql.lit(row.id).as('newsletter_id'), 's.id', 's.email'])
            .where('s.status', '=', 'active')
            .where('s.frequency', '=', frequency)
            .where((eb) => {
              const none = eb.not(
                eb.exists(
                  eb
                    .selectFrom('subscriber_categories as c')
                    .select('c.category_id')
                    .whereRef('c.subscriber_id', '=', 's.id'),
                ),
              );
              if (categories.length === 0) return none;
              return eb.or([
                none,
                eb.exists(
                  eb
                    .selectFrom('subscriber_categories as c')
                    .select('c.category_id')
                    .whereRef('c.subscriber_id', '=', 's.id')
                    .where('c.category_id', 'in', categories),
                ),
              ]);
            }),
        )
        .execute();
      const { n } = await tx
        .selectFrom('newsletter_recipients')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('newsletter_id', '=', row.id)
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('newsletters')
        .set({ total: Number(n) })
        .where('id', '=', row.id)
        .execute();
      return {
        ...row,
        state: 'sending' as const,
        subject: message.subject,
        html: message.html,
        text: message.text,
        owner,
      };
    });
  }

  /** The categories a send is about: the post's, or those of the digest's posts. */
  async #categoriesOf(row: Row): Promise<number[]> {
    if (row.kind === 'post') {
      const post = await this.#db
        .selectFrom('posts')
        .select('category_id')
        .where('id', '=', row.post_id as number)
        .executeTakeFirst();
      return post?.category_id ? [post.category_id] : [];
    }
    const posts = await this.#digestPosts(row);
    return [...new Set(posts.map((p) => p.category_id).filter((c): c is number => c !== null))];
  }

  async #digestPosts(row: Row) {
    const previous = await this.#db
      .selectFrom('newsletters')
      .select('send_at')
      .where('kind', '=', 'digest')
      .where('send_at', '<', row.send_at)
      .where('state', '!=', 'cancelled')
      .orderBy('send_at', 'desc')
      .executeTakeFirst();
    const weekBefore = new Date(Date.parse(row.send_at) - 7 * 86_400_000).toISOString();
    const since = previous && previous.send_at > weekBefore ? previous.send_at : weekBefore;
    return this.#db
      .selectFrom('posts')
      .innerJoin('users', 'users.id', 'posts.author_id')
      .select([
        'posts.id',
        'posts.slug',
        'posts.title',
        'posts.excerpt',
        'posts.html',
        'posts.published_at',
        'posts.category_id',
        'users.display_name',
      ])
      .where('posts.type', '=', 'post')
      .where('posts.status', '=', 'published')
      .where('posts.trashed_at', 'is', null)
      .where('posts.published_at', '>', since)
      .where('posts.published_at', '<=', row.send_at)
      .orderBy('posts.published_at')
      .orderBy('posts.id')
      .execute();
  }

  /** The message of a send: the same as the preview shows (`emailPostOf`, `emailSiteOf`), feature image and time zone included. */
  async #render(row: Row): Promise<EmailMessage | undefined> {
    const settings = await this.#deps.settings.get();
    const site = emailSiteOf(
      { ...settings, ...(this.#deps.timezone ? { timezone: this.#deps.timezone } : {}) },
      this.#deps.publicUrl,
    );
    const links = { preferences: PREFERENCES_PLACEHOLDER, unsubscribe: UNSUBSCRIBE_PLACEHOLDER };
    if (row.kind === 'post') {
      const post = await this.#deps.posts.anyById(row.post_id as number);
      if (!post) return undefined;
      return renderPostEmail({ site, post: emailPostOf(post, site), content: row.content, links });
    }
    const posts: EmailPost[] = [];
    for (const p of await this.#digestPosts(row)) {
      const post = await this.#deps.posts.anyById(p.id);
      if (!post) continue;
      const { html: _h, ...rest } = emailPostOf(post, site);
      posts.push({ ...rest, html: '' });
    }
    if (posts.length === 0) return undefined;
    return renderDigestEmail({ site, posts: posts.map(({ html: _h, ...rest }) => rest), links });
  }

  /**
   * Sends a claimed send's recipients in batches, until none is left, a pause, a stop, or the
   * send is lost (another instance owns it now): every write names `job.owner`, and one that
   * matches no row stops this process at once.
   */
  async #send(job: Row): Promise<void> {
    const token = job.owner as string;
    const settings = await this.#deps.settings.get();
    const rate = Math.max(1, this.#deps.ratePerMinute ?? settings.newsletterRatePerMinute);
    const interval = 60_000 / rate;
    const host = new URL(this.#deps.publicUrl).hostname.replace(/^\[|\]$/g, '') || 'localhost';
    let lost = false;
    let heartbeat: Promise<unknown> = Promise.resolve();
    const timer = setInterval(
      () => {
        heartbeat = this.#db
          .updateTable('newsletters')
          .set({ heartbeat_at: this.#now().toISOString() })
          .where('id', '=', job.id)
          .where('owner', '=', token)
          .executeTakeFirst()
          .then((done) => {
            if (Number(done.numUpdatedRows) !== 1) lost = true;
          })
          .catch(() => {});
      },
      Math.min(HEARTBEAT_MS, this.#staleAfterMs / 3),
    );
    timer.unref();
    let last = 0;
    let refusedInARow = 0;
    /** Lets the send go: the batch's rest waits again; false when it was lost meanwhile. */
    const letGo = (rest: number[], set: Partial<Row> = {}) => this.#letGo(job.id, token, rest, set);
    try {
      // Two instances that claimed two sends at the same instant (PostgreSQL sees neither
      // claim from the other): the later send waits, paused, for the earlier to finish.
      const stale = new Date(this.#now().getTime() - this.#staleAfterMs).toISOString();
      const rival = await this.#db
        .selectFrom('newsletters')
        .select('id')
        .where('state', '=', 'sending')
        .where('id', '<', job.id)
        .where('heartbeat_at', '>=', stale)
        .executeTakeFirst();
      if (rival) {
        await letGo([], {
          state: 'paused',
          send_at: this.#now().toISOString(),
          error: 'Waiting for another newsletter to finish.',
        });
        return;
      }
      for (;;) {
        const batch = await this.#claimBatch(job.id, token);
        if (batch === undefined) return;
        if (batch.length === 0) {
          await this.#finish(job.id, token);
          return;
        }
        for (let i = 0; i < batch.length; i++) {
          const r = batch[i] as (typeof batch)[number];
          const rest = batch.slice(i).map((b) => b.subscriber_id);
          // N a minute: one message every 60/N seconds.
          const wait = last + interval - Date.now();
          if (wait > 0) await this.#sleep(wait);
          // Before every message: still ours, still sending, its post still published.
          const current = await this.#current(job.id);
          if (lost || current?.owner !== token) return;
          if (current.state === 'cancelled') {
            await this.#stopped(job.id, token);
            return;
          }
          if (current.state !== 'sending') {
            await letGo(rest);
            return;
          }
          if (this.#closed) {
            // The server stopping: no heartbeat, for the next start to take it at once.
            await letGo(rest, { heartbeat_at: null });
            return;
          }
          if (job.kind === 'post' && current.postGone) {
            await this.#cancelOwned(job.id, token, current.postGone);
            return;
          }
          last = Date.now();
          const messageId = `<newsletter-${job.id}-${r.subscriber_id}@${host}>`;
          const tried = await this.#db
            .updateTable('newsletter_recipients')
            .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
            .where('newsletter_id', '=', job.id)
            .where('subscriber_id', '=', r.subscriber_id)
            .where('state', '=', 'sending')
            .returning('attempts')
            .executeTakeFirst();
          if (!tried) return;
          const outcome = await this.#deliver(job, r, messageId);
          const now = this.#now().toISOString();
          if (outcome.kind === 'refused') refusedInARow++;
          else if (outcome.kind === 'ok') refusedInARow = 0;
          if (outcome.kind === 'refused' && refusedInARow >= REFUSALS_IN_A_ROW) {
            // A safety stop: so many addresses refused in a row is more likely the server's doing.
            await letGo(rest, {
              state: 'paused',
              send_at: HELD,
              error: `${refusedInARow} readers in a row were refused; the last: ${outcome.error}`.slice(0, 1000),
            });
            return;
          }
          if (
            outcome.kind === 'failed' ||
            (outcome.kind === 'refused' && !outcome.permanent && tried.attempts < MAX_ATTEMPTS)
          ) {
            // Nothing lost: this recipient and the rest of the batch wait, the send pauses:
            // retried by itself after a while for a temporary failure, held for a person otherwise.
            const backoff = Math.min(this.#retryAfterMs * 2 ** Math.max(0, tried.attempts - 1), 3_600_000);
            const retry = outcome.kind === 'refused' || !outcome.permanent;
            await letGo(rest, {
              state: 'paused',
              error: outcome.error.slice(0, 1000),
              send_at: retry ? new Date(this.#now().getTime() + backoff).toISOString() : HELD,
            });
            this.#transport?.close();
            this.#transport = undefined;
            return;
          }
          const recipient: Partial<Selectable<NewsletterRecipientsTable>> =
            outcome.kind === 'ok'
              ? { state: 'sent', message_id: messageId, sent_at: now, error: '' }
              : outcome.kind === 'skip'
                ? { state: 'skipped', error: 'No longer subscribed.' }
                : outcome.permanent
                  ? { state: 'failed', error: outcome.error.slice(0, 1000) }
                  : { state: 'failed', error: `Refused ${tried.attempts} times: ${outcome.error}`.slice(0, 1000) };
          const kept = await this.#db.transaction().execute(async (tx) => {
            const done = await tx
              .updateTable('newsletters')
              .set((eb) => ({
                heartbeat_at: now,
                ...(outcome.kind === 'ok' ? { sent: eb('sent', '+', 1) } : {}),
                ...(outcome.kind === 'refused' ? { failed: eb('failed', '+', 1) } : {}),
              }))
              .where('id', '=', job.id)
              .where('owner', '=', token)
              .executeTakeFirst();
            if (Number(done.numUpdatedRows) !== 1) return false;
            await tx
              .updateTable('newsletter_recipients')
              .set(recipient)
              .where('newsletter_id', '=', job.id)
              .where('subscriber_id', '=', r.subscriber_id)
              .execute();
            // A hard bounce (5xx to this address): the third one and it never receives mail again.
            if (outcome.kind === 'refused' && outcome.permanent) await recordBounce(tx, r.email, this.#now());
            return true;
          });
          if (!kept) return;
        }
      }
    } finally {
      clearInterval(timer);
      await heartbeat;
    }
  }

  /** The send's state and owner, and why its post may no longer be sent. */
  async #current(id: number) {
    const row = await this.#db
      .selectFrom('newsletters')
      .leftJoin('posts', 'posts.id', 'newsletters.post_id')
      .select([
        'newsletters.state',
        'newsletters.owner',
        'newsletters.post_id',
        'posts.id as post',
        'posts.status as post_status',
        'posts.trashed_at as post_trashed',
      ])
      .where('newsletters.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const postGone =
      row.post === null
        ? 'The post was deleted.'
        : row.post_trashed
          ? 'The post is in the trash.'
          : row.post_status !== 'published'
            ? 'The post was unpublished.'
            : undefined;
    return { state: row.state, owner: row.owner, postGone };
  }

  /** Takes up to a batch of pending recipients (pending -> sending); undefined when the send was lost. */
  async #claimBatch(id: number, token: string) {
    return this.#db.transaction().execute(async (tx) => {
      const owned = await tx
        .updateTable('newsletters')
        .set({ heartbeat_at: this.#now().toISOString() })
        .where('id', '=', id)
        .where('owner', '=', token)
        .executeTakeFirst();
      if (Number(owned.numUpdatedRows) !== 1) return undefined;
      const ids = await tx
        .selectFrom('newsletter_recipients')
        .select('subscriber_id')
        .where('newsletter_id', '=', id)
        .where('state', '=', 'pending')
        .orderBy('subscriber_id')
        .limit(this.#batchSize)
        .execute();
      if (ids.length === 0) return [];
      const rows = await tx
        .updateTable('newsletter_recipients')
        .set({ state: 'sending' })
        .where('newsletter_id', '=', id)
        .where(
          'subscriber_id',
          'in',
          ids.map((r) => r.subscriber_id),
        )
        .where('state', '=', 'pending')
        .returning(['subscriber_id', 'email'])
        .execute();
      return rows.sort((a, b) => a.subscriber_id - b.subscriber_id);
    });
  }

  /**
   * This process lets its send go (paused, closing): the recipients it claimed and did not
   * send wait again, the send is no one's. Nothing when the send was lost meanwhile.
   */
  async #letGo(id: number, token: string, subscriberIds: number[], set: Partial<Row>): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      let q = tx
        .updateTable('newsletters')
        .set({ ...set, owner: null })
        .where('id', '=', id)
        .where('owner', '=', token);
      // Paused by this process: only from 'sending' (not over a pause or cancel by hand).
      if (set.state === 'paused') q = q.where('state', '=', 'sending');
      const done = await q.executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) {
        if (set.state !== 'paused') return false;
        // Paused or cancelled by hand meanwhile: let go as it is.
        const row = await tx
          .selectFrom('newsletters')
          .select(['state', 'owner'])
          .where('id', '=', id)
          .executeTakeFirst();
        if (row?.owner !== token) return false;
        if (row.state === 'cancelled') {
          await this.#skipWaiting(tx, id);
          return true;
        }
        await tx
          .updateTable('newsletters')
          .set({ owner: null })
          .where('id', '=', id)
          .where('owner', '=', token)
          .execute();
      }
      if (subscriberIds.length > 0) {
        await tx
          .updateTable('newsletter_recipients')
          .set({ state: 'pending' })
          .where('newsletter_id', '=', id)
          .where('subscriber_id', 'in', subscriberIds)
          .where('state', '=', 'sending')
          .execute();
      }
      return true;
    });
  }

  /** A send cancelled while this process sent it: who was waiting is skipped. */
  async #stopped(id: number, token: string): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const done = await tx
        .updateTable('newsletters')
        .set({ owner: null })
        .where('id', '=', id)
        .where('owner', '=', token)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 1) await this.#skipWaiting(tx, id);
    });
  }

  async #skipWaiting(tx: Tx, id: number): Promise<void> {
    await tx
      .updateTable('newsletter_recipients')
      .set({ state: 'skipped' })
      .where('newsletter_id', '=', id)
      .where('state', 'in', ['pending', 'sending'])
      .execute();
  }

  /** Its post was trashed, deleted or unpublished while sending: the send is cancelled, with why. */
  async #cancelOwned(id: number, token: string, reason: string): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const done = await tx
        .updateTable('newsletters')
        .set({ state: 'cancelled', error: reason, finished_at: this.#now().toISOString(), owner: null })
        .where('id', '=', id)
        .where('owner', '=', token)
        .where('state', 'in', ['sending', 'paused'])
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 1) await this.#skipWaiting(tx, id);
    });
  }

  async #finish(id: number, token: string): Promise<void> {
    await this.#db
      .updateTable('newsletters')
      .set({ state: 'done', finished_at: this.#now().toISOString(), error: '', owner: null })
      .where('id', '=', id)
      .where('state', '=', 'sending')
      .where('owner', '=', token)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('newsletter_recipients')
              .select('subscriber_id')
              .where('newsletter_id', '=', id)
              .where('state', 'in', ['pending', 'sending']),
          ),
        ),
      )
      .execute();
  }

  /** One reader's message, with their own links and headers. */
  async #deliver(
    job: Row,
    r: { subscriber_id: number; email: string },
    messageId: string,
  ): Promise<
    | { kind: 'ok' }
    | { kind: 'skip' }
    /** The server refused this reader's address (RCPT TO): 5xx permanent, 4xx for now. */
    | { kind: 'refused'; permanent: boolean; error: string }
    /** Any other failure (login, sender, size, connection): not the reader's. */
    | { kind: 'failed'; permanent: boolean; error: string }
  > {
    const subscriber = await this.#db
      .selectFrom('subscribers')
      .select(['token', 'status'])
      .where('id', '=', r.subscriber_id)
      .executeTakeFirst();
    // Unsubscribed (or bounced, or removed) since the send began: not sent.
    if (subscriber?.status !== 'active') return { kind: 'skip' };
    const base = `${this.#deps.publicUrl}/subscription/${encodeURIComponent(subscriber.token)}`;
    const unsubscribe = `${base}/unsubscribe`;
    const fill = (s: string, asHtml: boolean) =>
      s
        .replaceAll(PREFERENCES_PLACEHOLDER, asHtml ? escapeAttr(base) : base)
        .replaceAll(UNSUBSCRIBE_PLACEHOLDER, asHtml ? escapeAttr(unsubscribe) : unsubscribe);
    const message = {
      to: r.email,
      subject: job.subject,
      text: fill(job.text ?? '', false),
      html: fill(job.html ?? '', true),
      messageId,
      headers: {
        'List-Unsubscribe': `<${unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        Precedence: 'bulk',
      },
    };
    try {
      if (this.#deps.smtpUrl) {
        this.#transport ??= nodemailer.createTransport({ url: this.#deps.smtpUrl, pool: true, maxConnections: 1 });
        await this.#transport.sendMail({ from: this.#deps.from, ...message });
      } else {
        await this.#deps.mailer.send(message);
      }
      return { kind: 'ok' };
    } catch (error) {
      return smtpFailure(error, r.email);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  async #rowByKey(key: string): Promise<Row | undefined> {
    return this.#db.selectFrom('newsletters').selectAll().where('key', '=', key).executeTakeFirst();
  }

  async #toNewsletter(row: Row): Promise<Newsletter> {
    const post = row.post_id
      ? await this.#db.selectFrom('posts').select('title').where('id', '=', row.post_id).executeTakeFirst()
      : undefined;
    const { n } = await this.#db
      .selectFrom('newsletter_recipients')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('newsletter_id', '=', row.id)
      .where('state', 'in', ['pending', 'sending'])
      .executeTakeFirstOrThrow();
    return toNewsletter(row, post?.title ?? null, Number(n));
  }
}

function toNewsletter(row: Row, postTitle: string | null, pending: number): Newsletter {
  return {
    id: row.id,
    kind: row.kind,
    key: row.key,
    postId: row.post_id,
    title: postTitle ?? (row.subject || (row.kind === 'digest' ? `Digest ${row.key.slice(7)}` : row.key)),
    content: row.content,
    subject: row.subject,
    state: row.state,
    sendAt: row.send_at,
    retrying: row.state === 'paused' && row.send_at !== HELD,
    total: row.total,
    sent: row.sent,
    failed: row.failed,
    pending: row.state === 'sending' || row.state === 'paused' ? pending : 0,
    error: row.error,
    heartbeatAt: row.heartbeat_at,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/**
 * What a failed message says (nodemailer's error fields): a refusal of the reader's own
 * address (EENVELOPE at RCPT TO, or the address in `rejected`) is the reader's; anything else
 * (535 login, 554 sender, 552 size, a lost connection) is the server's or the site's.
 */
export function smtpFailure(
  error: unknown,
  email: string,
): { kind: 'refused' | 'failed'; permanent: boolean; error: string } {
  const cause = ((error as { cause?: unknown }).cause ?? error) as {
    code?: unknown;
    command?: unknown;
    responseCode?: unknown;
    rejected?: unknown;
    message?: unknown;
  };
  const code = Number(cause.responseCode);
  const text = typeof cause.message === 'string' ? cause.message : String(cause);
  const rejected =
    Array.isArray(cause.rejected) && cause.rejected.some((a) => String(a).toLowerCase() === email.toLowerCase());
  const refused = (cause.code === 'EENVELOPE' && cause.command === 'RCPT TO') || rejected;
  const permanent = code >= 500 && code < 600;
  return { kind: refused && code >= 400 && code < 600 ? 'refused' : 'failed', permanent, error: text };
}

function escapeAttr(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * The latest digest time at or before `now`: `weekday` (0 Sunday … 6 Saturday) at `hour`
 * in `zone`, with its local date. Undefined only for a zone the runtime does not know.
 */
export function lastDigestMoment(
  now: Date,
  weekday: number,
  hour: number,
  zone: string,
): { at: string; day: string } | undefined {
  for (let back = 0; back <= 8; back++) {
    const d = new Date(now.getTime() - back * 86_400_000);
    let local: string;
    try {
      local = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }).format(d);
    } catch {
      return undefined;
    }
    const day = new Date(`${local}T00:00:00Z`);
    if (day.getUTCDay() !== weekday) continue;
    const at = zonedToUtc(`${local}T${String(hour).padStart(2, '0')}:00`, zone);
    if (at && at <= now.toISOString()) return { at, day: local };
  }
  return undefined;
}
