import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { NotificationChannel } from '../storage/index.js';

/** Something a reader could see has changed. Pages that show it must be rendered again. */
export type ContentChange =
  | { kind: 'post'; postId: number }
  | { kind: 'comment'; postId: number }
  | { kind: 'book'; bookId: number }
  | { kind: 'site' };

/** Where a change was made: in this process, or in another instance that told this one. */
export type ChangeSource = 'here' | 'elsewhere';

/** What the process that made a change said with it. */
export interface HeardChange {
  /** It told the CDN itself (a server with HEARTH_PURGE_URL; the CLI never does). */
  purged: boolean;
}

/**
 * Where services announce their writes, after they commit. The composition root
 * subscribes the page cache; with several instances, a `ChangeRelay` carries them over
 * the database to the others, where they arrive as `receive`d changes.
 */
export class ChangeFeed {
  #emitter = new EventEmitter();

  constructor() {
    // The page cache, settings, taxonomy, books and the relay all listen.
    this.#emitter.setMaxListeners(50);
  }

  /** A change made in this process. */
  publish(change: ContentChange): void {
    this.#emitter.emit('change', change, 'here');
  }

  /** A change another instance made and announced. */
  receive(change: ContentChange, heard: HeardChange = { purged: false }): void {
    this.#emitter.emit('change', change, 'elsewhere', heard);
  }

  subscribe(listener: (change: ContentChange, source: ChangeSource, heard?: HeardChange) => void): () => void {
    this.#emitter.on('change', listener);
    return () => this.#emitter.off('change', listener);
  }
}

/** What travels between instances: who sent it, and what changed. */
interface RelayMessage {
  from: string;
  changes: ContentChange[];
  /** The sender purged the CDN itself. */
  purged?: boolean;
}

const RETRY_PAUSES = [250, 1000, 4000, 16_000, 64_000];

/**
 * Carries the change feed between processes on one database (issue 19): each change made
 * here is sent as a numbered notification, and changes heard from other instances are
 * published here as `elsewhere`. When a notification may have been missed (a number
 * skipped, the listening connection lost, or the database's counter ahead of what was
 * heard at two checks in a row) nothing can say what changed, so `onMissed` drops
 * everything kept.
 */
export class ChangeRelay {
  readonly #feed: ChangeFeed;
  readonly #channel: NotificationChannel;
  readonly #onError: (error: unknown, what: string) => void;
  /** This process, so that it does not apply its own changes twice. */
  readonly id = randomBytes(9).toString('base64url');
  /** Whether this process purges a CDN after its own changes (set by the server that does). */
  purges = false;
  #stopped = false;

  constructor(deps: {
    feed: ChangeFeed;
    channel: NotificationChannel;
    onError: (error: unknown, what: string) => void;
  }) {
    this.#feed = deps.feed;
    this.#channel = deps.channel;
    this.#onError = deps.onError;
  }

  /** Sends every change made in this process to the others. Every process that writes does this, the CLI too. */
  sendOwn(): () => void {
    return this.#feed.subscribe((change, source) => {
      if (source !== 'here') return;
      const message: RelayMessage = { from: this.id, changes: [change], ...(this.purges ? { purged: true } : {}) };
      this.#send(JSON.stringify(message), 0);
    });
  }

  #send(message: string, attempt: number): void {
    this.#channel.send(message).catch((error: unknown) => {
      const pause = RETRY_PAUSES[attempt];
      if (this.#stopped || pause === undefined) {
        this.#onError(error, 'announcing a change to the other instances');
        return;
      }
      setTimeout(() => this.#send(message, attempt + 1), pause).unref();
    });
  }

  /**
   * Hears the other instances' changes (a server does this) until the returned `stop`.
   * `checkEveryMs`: how often the database's counter is compared with what was heard.
   */
  listen(options: { onMissed: (reason: string) => void; checkEveryMs?: number }): { stop(): Promise<void> } {
    let heard: number | undefined;
    let aheadAtLastCheck: number | undefined;
    const missed = (reason: string) => {
      aheadAtLastCheck = undefined;
      options.onMissed(reason);
    };
    const listening = this.#channel.listen({
      message: (version, body) => {
        if (heard !== undefined && version > heard + 1)
          missed(`notifications ${heard + 1} to ${version - 1} did not arrive`);
        if (heard === undefined || version > heard) heard = version;
        const message = parse(body);
        if (!message) return missed('a notification could not be read');
        if (message.from === this.id) return;
        for (const change of message.changes) this.#feed.receive(change, { purged: message.purged === true });
      },
      connected: (version, first) => {
        heard = Math.max(heard ?? 0, version);
        if (!first) missed('listening again after the connection was lost');
      },
      lost: (reason) => this.#onError(reason, 'listening for other instances’ changes'),
    });
    const check = async () => {
      let now: number;
      try {
        now = await this.#channel.current();
      } catch {
        return; // The database does not answer: the listener says so when it is lost.
      }
      if (heard === undefined) return;
      if (aheadAtLastCheck !== undefined && heard < aheadAtLastCheck) {
        heard = Math.max(heard, now);
        missed('the database counted changes that never arrived');
        listening.reconnect();
        return;
      }
      aheadAtLastCheck = now > heard ? now : undefined;
    };
    const timer = setInterval(() => void check(), options.checkEveryMs ?? 5000);
    timer.unref();
    return {
      stop: async () => {
        this.#stopped = true;
        clearInterval(timer);
        await listening.stop();
      },
    };
  }
}

function parse(body: string): RelayMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<RelayMessage>;
    if (typeof value.from !== 'string' || !Array.isArray(value.changes)) return undefined;
    return { from: value.from, changes: value.changes.filter(isChange), purged: value.purged === true };
  } catch {
    return undefined;
  }
}

function isChange(value: unknown): value is ContentChange {
  if (!value || typeof value !== 'object') return false;
  const change = value as Record<string, unknown>;
  switch (change.kind) {
    case 'site':
      return true;
    case 'post':
    case 'comment':
      return Number.isSafeInteger(change.postId);
    case 'book':
      return Number.isSafeInteger(change.bookId);
    default:
      return false;
  }
}
