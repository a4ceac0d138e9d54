import type { ColumnDataType, ColumnDefinitionBuilder, Dialect, Expression, Kysely, RawBuilder } from 'kysely';
import type { SearchIndex } from '../search.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * What the rest of Hearth may know about a database: a name for logs, a few capability
 * flags, and the small pieces of SQL that differ between dialects. Nothing outside
 * `storage/dialects/` asks which database it is talking to.
 */
export interface DialectAdapter {
  name: DialectName;
  /** Kysely's own dialect, ready to use. */
  kyselyDialect: Dialect;
  /** Column type for a point in time (stored and read as an ISO 8601 UTC string). */
  timestampType: ColumnDataType;
  /** Makes an integer column the auto-incrementing primary key. */
  primaryKeyId(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** The full-text index (FTS5 or tsvector). */
  search: SearchIndex;
  /** Case-insensitive equality on a text expression. */
  lower(expression: Expression<string>): RawBuilder<string>;
  /**
   * After rows were inserted with explicit ids (a copy between databases), moves each
   * table's id generator past the largest id. SQLite does this by itself.
   */
  resetIdSequences(db: Kysely<unknown>, tables: string[]): Promise<void>;
  /**
   * A dialect of its own for running migrations, without the pool's statement timeout
   * (an instance waiting for another's migrations waits on a lock; a migration may be
   * long). Closed with its Kysely instance. Undefined: migrations use the main one.
   */
  forMigrations?: () => Dialect;
  /** Runs once after the connection opens (pragmas, session settings). */
  afterOpen(db: Kysely<unknown>): Promise<void>;
  /** Closes whatever the dialect holds open besides Kysely. */
  close(): Promise<void>;
  /** Turns a driver error into a HearthError when it has a known meaning (locked, unreachable). */
  explainError(error: unknown): Error;
  /**
   * Whether another connection (another process: the CLI, a second server) has committed
   * since the last call; cheap enough to ask on every request. Undefined where the
   * dialect cannot tell.
   */
  writtenElsewhere?: () => boolean;
  /**
   * Runs a read synchronously, past Kysely's driver, when that is safe now (no
   * transaction open on the connection); undefined when not, or for a statement that
   * is not a read. Only where the database answers synchronously (SQLite).
   */
  readAtOnce?: (sql: string, parameters: readonly unknown[]) => unknown[] | undefined;
  /** Messages to every process on the same database (PostgreSQL); undefined where there is none. */
  notifications?: NotificationChannel;
}

/** What a listener is told. */
export interface NotificationHandlers {
  /** A message, with its number in the database's counter (1, 2, 3… in order). */
  message(version: number, body: string): void;
  /** Listening (again): `version` is the counter now; `first` is false after a loss. */
  connected(version: number, first: boolean): void;
  /** The listening connection was lost; it connects again by itself. */
  lost(reason: unknown): void;
}

/**
 * Short numbered messages to every process connected to the same database. Each `send`
 * raises a counter in the database and delivers the message with its new value, so a
 * listener can tell when it missed one.
 */
export interface NotificationChannel {
  /** The largest message `send` takes, in UTF-8 bytes. */
  maxMessageBytes: number;
  send(message: string): Promise<void>;
  /** The counter's value now. */
  current(): Promise<number>;
  /** Listens on a connection of its own until `stop`; `reconnect` drops it and connects again. */
  listen(handlers: NotificationHandlers): { stop(): Promise<void>; reconnect(): void };
  /** Waits for the messages being sent (before the pool closes). */
  settle(): Promise<void>;
}
