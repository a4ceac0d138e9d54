import type { AuditLog } from '../audit/index.js';
import type { ChangeFeed } from '../changes.js';
import type { PostService } from '../posts/index.js';

export interface SchedulerDeps {
  posts: PostService;
  audit: AuditLog;
  changes: ChangeFeed;
  now?: () => Date;
  /** The longest sleep between two looks at the database (another instance may schedule). */
  maxSleepMs?: number;
  /** Told of a failed run; the timer keeps going. */
  onError?: (error: unknown) => void;
  /** Deletes what has been in the trash long enough (at most once a minute). */
  trash?: { purgeDue(): Promise<number[]> };
  /** Removes a demo the owner declined at setup while another instance was installing it. */
  demo?: { removeIfUnwanted(): Promise<unknown> };
}

/**
 * Makes scheduled posts public at their time. It sleeps until the next post is due (at
 * most `maxSleepMs`, since another instance may have scheduled one meanwhile), then
 * publishes what is due through a database claim, so that a post is published once
 * however many instances run, and also after a restart. Posts saved as published with a
 * time ahead need no write, but the pages showing them must go: it announces those too.
 */
export class PublishScheduler {
  #posts: PostService;
  #audit: AuditLog;
  #changes: ChangeFeed;
  #now: () => Date;
  #maxSleep: number;
  #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = true;
  #lastRun: string;
  #trash: SchedulerDeps['trash'];
  #demo: SchedulerDeps['demo'];
  #lastPurge = 0;

  constructor(deps: SchedulerDeps) {
    this.#posts = deps.posts;
    this.#audit = deps.audit;
    this.#changes = deps.changes;
    this.#now = deps.now ?? (() => new Date());
    this.#maxSleep = deps.maxSleepMs ?? 5000;
    this.#onError = deps.onError ?? (() => {});
    this.#lastRun = this.#now().toISOString();
    this.#trash = deps.trash;
    this.#demo = deps.demo;
  }

  /** Starts the timer: a first run at once, then at each due time. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#wake(0);
  }

  /** Stops the timer and waits for a run under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
  }

  /**
   * Publishes what is due now and announces posts published ahead that came due; returns
   * the posts this run published (claimed), not those another run or instance did.
   */
  async runDue(): Promise<number[]> {
    const now = this.#now().toISOString();
    const published = await this.#posts.publishDue();
    for (const post of published) {
      await this.#audit.record({
        action: 'post_published',
        actor: null,
        subject: `post:${post.id}`,
        details: { title: post.title, scheduled: true },
      });
    }
    const claimed = new Set(published.map((p) => p.id));
    const cameDue = (await this.#posts.cameDue(this.#lastRun, now)).filter((id) => !claimed.has(id));
    this.#lastRun = now;
    for (const id of cameDue) this.#changes.publish({ kind: 'post', postId: id });
    await this.purgeTrash();
    await this.#demo?.removeIfUnwanted();
    return [...claimed];
  }

  /** Deletes for good what has been in the trash long enough; a minute at least between two looks. */
  async purgeTrash(): Promise<number[]> {
    const now = this.#now().getTime();
    if (!this.#trash || now - this.#lastPurge < 60_000) return [];
    this.#lastPurge = now;
    return this.#trash.purgeDue();
  }

  #wake(delay: number): void {
    this.#timer = setTimeout(() => {
      const run = this.#tick();
      this.#running = run;
    }, delay);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    let delay = this.#maxSleep;
    try {
      await this.runDue();
      const next = await this.#posts.nextDue(this.#lastRun);
      if (next) delay = Math.min(delay, Math.max(20, Date.parse(next) - this.#now().getTime()));
    } catch (error) {
      this.#onError(error);
    }
    if (!this.#stopped) this.#wake(delay);
  }
}
