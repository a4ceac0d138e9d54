/**
 * Tells a CDN or Varnish which cache tags a write touched, so that the pages it keeps
 * (by the `Surrogate-Key`/`Cache-Tag` headers `sendPage` writes) are dropped as the page
 * cache drops them. One HTTP call per batch: the tags of the writes of the last 100 ms,
 * as JSON `{"tags": [...]}` (Cloudflare's purge API) and as a `Surrogate-Key` header,
 * space-separated (Fastly's API, and what the Varnish VCL in deploy/ bans by). Sent in
 * the background: a write never waits, a failure is retried with backoff and then
 * logged, never thrown. The tags waiting are bounded: past the bound they become `site`,
 * which every public page carries, so a flood purges everything rather than growing.
 */
export interface CdnPurgeOptions {
  url: string;
  method: string;
  /** Sent with each call: the token's Authorization, Fastly-Key, ... */
  headers: Record<string, string>;
  /** Told of a batch given up after its last try (with the tags), never thrown at. */
  onError: (error: Error, tags: string[]) => void;
  /** Told of each batch purged (for tests and debug logs). */
  onPurged?: (tags: string[]) => void;
  fetch?: typeof fetch;
  /** Waits this long (ms): the batching delay and the pauses between tries. */
  sleep?: (ms: number) => Promise<void>;
  /** How long writes are gathered into one call (ms). */
  batchMs?: number;
  /** Tries per batch (the first and the retries), with pauses of 1 s, 2 s, 4 s, ... */
  attempts?: number;
  retryBaseMs?: number;
  /** How long one call may take before it counts as failed (ms). */
  timeoutMs?: number;
  /** Most tags waiting; beyond it they are replaced by `site`. */
  maxPendingTags?: number;
}

/**
 * How long (s) a CDN that Hearth purges may keep a page: a day. Writes purge what they
 * touch at once; the day bounds what a lost purge (the CDN unreachable for all tries) costs.
 */
export const PURGED_MAX_AGE = 86_400;

/** Most tags in one call: Cloudflare takes 30 per purge request (Fastly 256). */
const TAGS_PER_CALL = 30;

export class CdnPurge {
  #options: Required<Omit<CdnPurgeOptions, 'onPurged'>> & Pick<CdnPurgeOptions, 'onPurged'>;
  #pending = new Set<string>();
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: CdnPurgeOptions) {
    this.#options = {
      fetch: globalThis.fetch,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
      batchMs: 100,
      attempts: 4,
      retryBaseMs: 1000,
      timeoutMs: 10_000,
      maxPendingTags: 500,
      ...options,
    };
  }

  /** Queues tags to purge and returns at once; the call goes out within `batchMs`. */
  purge(tags: string[]): void {
    if (this.#closed || tags.length === 0) return;
    // `site` is on every response Hearth tags: with it, no other tag adds anything.
    if (!this.#pending.has('site')) for (const tag of tags) this.#pending.add(tag);
    if (this.#pending.has('site') || this.#pending.size > this.#options.maxPendingTags) {
      this.#pending.clear();
      this.#pending.add('site');
    }
    this.#start();
  }

  #start(): void {
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
      // Tags that came in after the last batch left, while it was being retried.
      if (this.#pending.size > 0) this.#start();
    });
  }

  /** Resolves when every tag queued so far has been sent or given up (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops taking tags and waits up to `graceMs` for what is queued to be sent. */
  async close(graceMs = 5000): Promise<void> {
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  async #drain(): Promise<void> {
    while (this.#pending.size > 0) {
      await this.#options.sleep(this.#options.batchMs);
      const tags = [...this.#pending];
      this.#pending.clear();
      for (let i = 0; i < tags.length; i += TAGS_PER_CALL) await this.#send(tags.slice(i, i + TAGS_PER_CALL));
    }
  }

  /** One batch, tried `attempts` times; a 2xx answer purged it. */
  async #send(tags: string[]): Promise<void> {
    const { url, method, headers, attempts, retryBaseMs, timeoutMs } = this.#options;
    let lastError: Error = new Error('not tried');
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await this.#options.sleep(retryBaseMs * 2 ** (attempt - 2));
      try {
        const response = await this.#options.fetch(url, {
          method,
          headers: { ...headers, 'content-type': 'application/json', 'surrogate-key': tags.join(' ') },
          body: JSON.stringify({ tags }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        // The answer's body is not needed, but must be read for the connection to be reused.
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.#options.onPurged?.(tags);
          return;
        }
        lastError = new Error(`the purge URL answered ${response.status} ${response.statusText}`.trim());
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
        // fetch's own message is "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause.
        const cause = lastError.cause;
        if (cause instanceof Error) lastError = new Error(`${lastError.message}: ${cause.message}`);
      }
    }
    const error = new Error(`purging ${tags.join(' ')} failed after ${attempts} tries: ${lastError.message}`, {
      cause: lastError,
    });
    try {
      this.#options.onError(error, tags);
    } catch {
      // A logger that throws must not stop later batches.
    }
  }
}
