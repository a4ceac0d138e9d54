import pg from 'pg';
import type { NotificationChannel, NotificationHandlers } from './types.js';

/** The one channel Hearth's instances talk on. */
const CHANNEL = 'hearth_changes';
/** NOTIFY refuses payloads of 8000 bytes or more; the number and a space come first. */
export const MAX_MESSAGE_BYTES = 7900;

/**
 * Numbered messages to every process on the same PostgreSQL database, over LISTEN/NOTIFY.
 * `send` raises the counter and notifies in one statement: the row lock orders senders,
 * and PostgreSQL delivers notifications in commit order, so listeners see 1, 2, 3…; a
 * gap means a message was missed. Listening holds one connection of its own (outside the
 * pool), connected again after a loss with a growing pause.
 */
export function createPostgresNotifications(pool: pg.Pool, url: string): NotificationChannel {
  const inFlight = new Set<Promise<unknown>>();
  return {
    maxMessageBytes: MAX_MESSAGE_BYTES,
    send(message) {
      if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES)
        return Promise.reject(new Error(`a notification holds at most ${MAX_MESSAGE_BYTES} bytes`));
      const sending = pool
        .query(
          `with bumped as (update change_counter set version = version + 1 where id = 1 returning version)
           select pg_notify($1, bumped.version::text || ' ' || $2) from bumped`,
          [CHANNEL, message],
        )
        .then(() => undefined);
      inFlight.add(sending);
      const forget = () => inFlight.delete(sending);
      sending.then(forget, forget);
      return sending;
    },
    async current() {
      const { rows } = await pool.query<{ version: string | number }>(
        'select version from change_counter where id = 1',
      );
      return Number(rows[0]?.version ?? 0);
    },
    listen: (handlers) => listen(url, handlers),
    async settle() {
      await Promise.allSettled([...inFlight]);
    },
  };
}

function listen(url: string, handlers: NotificationHandlers): { stop(): Promise<void>; reconnect(): void } {
  let client: pg.Client | undefined;
  let stopped = false;
  let first = true;
  let pause = 250;
  let timer: NodeJS.Timeout | undefined;

  const drop = (reason: unknown) => {
    const old = client;
    client = undefined;
    old?.removeAllListeners();
    old?.on('error', () => {});
    old?.end().catch(() => {});
    if (stopped) return;
    handlers.lost(reason);
    timer = setTimeout(connect, pause);
    timer.unref();
    pause = Math.min(pause * 2, 5000);
  };

  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({
      connectionString: url,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      // Named, so that pg_stat_activity shows which connection listens.
      application_name: 'hearth-listen',
    });
    client = next;
    next.on('error', (error) => client === next && drop(error));
    next.on('end', () => client === next && drop(new Error('the listening connection closed')));
    next.on('notification', (note) => {
      if (note.channel !== CHANNEL || note.payload === undefined) return;
      const space = note.payload.indexOf(' ');
      const version = Number(note.payload.slice(0, space));
      if (space > 0 && Number.isSafeInteger(version)) handlers.message(version, note.payload.slice(space + 1));
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      // Read after LISTEN: every later change arrives as a notification.
      const { rows } = await next.query<{ version: string }>('select version from change_counter where id = 1');
      if (client !== next) return;
      pause = 250;
      handlers.connected(Number(rows[0]?.version ?? 0), first);
      first = false;
    } catch (error) {
      if (client === next) drop(error);
    }
  };

  void connect();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const old = client;
      client = undefined;
      old?.removeAllListeners();
      old?.on('error', () => {});
      await old?.end().catch(() => {});
    },
    reconnect() {
      if (!stopped && client) drop(new Error('asked to listen again'));
    },
  };
}
