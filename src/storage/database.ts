import path from 'node:path';
import { Kysely, Migrator, type Transaction } from 'kysely';
import { HearthError } from '../errors.js';
import { createPostgresAdapter } from './dialects/postgres.js';
import { createSqliteAdapter } from './dialects/sqlite.js';
import type { DialectAdapter, DialectName, NotificationChannel } from './dialects/types.js';
import { migrationsFor } from './migrations/index.js';
import { readsAtOnce } from './prepared-query.js';
import type { Schema } from './schema.js';
import { rebuildSearchIndex, type SearchDocument, type SearchHit, type SearchQuery } from './search.js';

export type Db = Kysely<Schema>;
export type Tx = Transaction<Schema>;

/** An open database: the Kysely instance, the dialect's name, and how to close it. */
export interface Database {
  db: Db;
  dialect: DialectName;
  /** Brings the schema up to date; a failed migration leaves the previous version. */
  migrate(): Promise<{ applied: string[] }>;
  /** Asks the database which of this code's migrations it has not run (it must answer to say). */
  pendingMigrations(): Promise<string[]>;
  /** The full-text index of this database's dialect. */
  search: {
    put(db: Db, doc: SearchDocument): Promise<void>;
    remove(db: Db, postId: number): Promise<void>;
    search(db: Db, query: SearchQuery): Promise<{ hits: SearchHit[]; total: number }>;
    /** Indexes every published post again from the rows; returns how many. */
    rebuild(db: Db, onProgress?: (indexed: number, total: number) => void): Promise<number>;
  };
  /** Moves id generators past the largest ids, after rows were copied in with their ids. */
  resetIdSequences(db: Db, tables: string[]): Promise<void>;
  /**
   * Whether another process has written since the last call (see the dialect's
   * `writtenElsewhere`); undefined where the database cannot tell (PostgreSQL, for now).
   */
  writtenElsewhere: (() => boolean) | undefined;
  /**
   * Numbered messages to every process on the same database (PostgreSQL LISTEN/NOTIFY),
   * which carry the change feed between instances; undefined on SQLite.
   */
  notifications: NotificationChannel | undefined;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…`, `sqlite:/path/file.db`, or undefined for `<dataDir>/hearth.db`. */
  url: string | undefined;
  dataDir: string;
  poolSize?: number;
  statementTimeout?: number;
}

/**
 * Opens the configured database and checks that it answers.
 *
 * @example
 *   const database = await openDatabase({ url: undefined, dataDir: './data' });
 *   await database.migrate();
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const adapter = createAdapter(options);
  const db = new Kysely<Schema>({ dialect: adapter.kyselyDialect });
  if (adapter.readAtOnce) readsAtOnce(db, adapter.readAtOnce);
  try {
    await adapter.afterOpen(db as Kysely<unknown>);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw adapter.explainError(error);
  }
  return {
    db,
    dialect: adapter.name,
    async pendingMigrations() {
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => migrationsFor(adapter) },
      });
      return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
    },
    async migrate() {
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => migrationsFor(adapter) },
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new Error(`migration ${failed} failed; the database is left at the previous version`, {
          cause: adapter.explainError(error),
        });
      }
      return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
    },
    search: {
      put: (target, doc) => adapter.search.put(target as Kysely<unknown>, doc),
      remove: (target, postId) => adapter.search.remove(target as Kysely<unknown>, postId),
      search: (target, query) => adapter.search.search(target as Kysely<unknown>, query),
      rebuild: (target, onProgress) => rebuildSearchIndex(target as Kysely<unknown>, adapter.search, onProgress),
    },
    resetIdSequences: (target, tables) => adapter.resetIdSequences(target as Kysely<unknown>, tables),
    writtenElsewhere: adapter.writtenElsewhere,
    notifications: adapter.notifications,
    async close() {
      await adapter.notifications?.settle();
      await db.destroy();
      await adapter.close();
    },
  };
}

function createAdapter(options: DatabaseOptions): DialectAdapter {
  const url = options.url;
  if (url === undefined || url === '') return createSqliteAdapter(path.join(options.dataDir, 'hearth.db'));
  if (url.startsWith('sqlite:')) return createSqliteAdapter(path.resolve(url.slice('sqlite:'.length)));
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new HearthError('HEARTH_ERR_CONFIG', {
        field: 'HEARTH_DATABASE_URL',
        reason: 'is not a valid URL (postgres://user:password@host:5432/database)',
      });
    }
    return createPostgresAdapter({
      url,
      poolSize: options.poolSize ?? 10,
      statementTimeout: options.statementTimeout ?? 15_000,
    });
  }
  throw new HearthError('HEARTH_ERR_CONFIG', {
    field: 'HEARTH_DATABASE_URL',
    reason: 'must start with postgres:// or sqlite:',
  });
}
