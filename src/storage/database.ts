import path from 'node:path';
import { Kysely, Migrator, sql, type Transaction } from 'kysely';
import { HearthError } from '../errors.js';
import { createPostgresAdapter } from './dialects/postgres.js';
import { createSqliteAdapter } from './dialects/sqlite.js';
import type { DialectAdapter, DialectName, NotificationChannel } from './dialects/types.js';
import { MIGRATION_NAMES, migrationsFor } from './migrations/index.js';
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
  /**
   * Migrations the database records that this code does not know: a newer Hearth migrated it
   * (then `migrate` refuses to go on, and `/readyz` says so).
   */
  newerMigrations(): Promise<string[]>;
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
  const migrator = (target: Kysely<Schema> = db) =>
    new Migrator({ db: target, provider: { getMigrations: async () => migrationsFor(adapter) } });
  const migrateWith = async (target: Kysely<Schema>): Promise<{ applied: string[] }> => {
    let { error, results } = await migrator(target).migrateToLatest();
    // SQLite: two processes' migration transactions both read, then one cannot write
    // (SQLITE_BUSY, not waited for). Its transaction rolled back: try again, and find
    // what the other applied. PostgreSQL waits on the advisory lock instead.
    const until = Date.now() + 60_000;
    while (error && isLockedError(adapter.explainError(error)) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
      ({ error, results } = await migrator(target).migrateToLatest());
    }
    if (error) {
      // A newer instance may have migrated between the check above and the lock.
      await refuseNewerSchema(db);
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new Error(`migration ${failed} failed; the database is left at the previous version`, {
        cause: adapter.explainError(error),
      });
    }
    return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  };

  return {
    db,
    dialect: adapter.name,
    async pendingMigrations() {
      return (await migrator().getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
    },
    newerMigrations: () => newerMigrations(db),
    /*
     * Several instances may start at once on one database; one runs the migrations, the others
     * wait and then find nothing to do. On PostgreSQL, Kysely's Migrator takes a session
     * advisory lock (`pg_advisory_lock`, waiting up to an hour, on connections without the
     * statement timeout) on one connection, then reads
     * what has run and applies the rest in one transaction, all under that lock (see
     * test/storage/migrations.test.ts, three at once). On SQLite one process's transaction
     * wins the file's write lock; another's is rolled back and tried again. A database that
     * records migrations this code does not know was migrated by a newer Hearth: this one stops with HEARTH_ERR_SCHEMA_NEWER rather than
     * run on a schema it does not understand.
     */
    async migrate() {
      await refuseNewerSchema(db);
      // PostgreSQL: connections without the statement timeout, which would cut short the
      // wait for another instance's migrations (and a long migration).
      const own = adapter.forMigrations ? new Kysely<Schema>({ dialect: adapter.forMigrations() }) : undefined;
      try {
        return await migrateWith(own ?? db);
      } finally {
        await own?.destroy();
      }
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

/** The names in Kysely's migration table that this code has no migration for, oldest first. */
async function newerMigrations(db: Db): Promise<string[]> {
  const known = new Set(MIGRATION_NAMES);
  let recorded: { name: string }[];
  try {
    recorded = await sql<{ name: string }>`select name from kysely_migration order by name`
      .execute(db)
      .then((r) => r.rows);
  } catch (error) {
    // A new database has no migration table yet; any other failure is the caller's to see.
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
    if (!tables.some((t) => t.name === 'kysely_migration')) return [];
    throw error;
  }
  return recorded.map((r) => r.name).filter((name) => !known.has(name));
}

function isLockedError(error: unknown): boolean {
  return error instanceof HearthError && error.code === 'HEARTH_ERR_DB_LOCKED';
}

async function refuseNewerSchema(db: Db): Promise<void> {
  const newer = await newerMigrations(db);
  if (newer.length > 0) throw new HearthError('HEARTH_ERR_SCHEMA_NEWER', { migrations: newer.join(', ') });
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
