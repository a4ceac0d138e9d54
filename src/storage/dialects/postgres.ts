import { type Expression, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { HearthError } from '../../errors.js';
import { createPostgresNotifications } from './postgres-notify.js';
import { postgresSearch } from './postgres-search.js';
import type { DialectAdapter } from './types.js';

const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;

export interface PostgresOptions {
  url: string;
  /** Connections in the pool. */
  poolSize: number;
  /** Milliseconds a statement may run before the server cancels it. */
  statementTimeout: number;
}

/**
 * PostgreSQL through `pg`: a pool with limits, a statement timeout, and times read back
 * as ISO 8601 strings so that domain code sees the same values as on SQLite.
 */
export function createPostgresAdapter(options: PostgresOptions): DialectAdapter {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === TIMESTAMPTZ_OID) return (value: string) => new Date(value).toISOString();
      if (oid === INT8_OID) return (value: string) => Number(value);
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeout,
    types,
  });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => {});
  return {
    name: 'postgres',
    kyselyDialect: new PostgresDialect({ pool }),
    timestampType: 'timestamptz',
    primaryKeyId: (column) => column.primaryKey().generatedByDefaultAsIdentity(),
    search: postgresSearch,
    lower: (expression: Expression<string>) => sql<string>`lower(${expression})`,
    async resetIdSequences(db, tables) {
      for (const table of tables) {
        await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 0) + 1, false)`.execute(
          db,
        );
      }
    },
    async afterOpen(db) {
      await sql`select 1`.execute(db);
    },
    async close() {},
    explainError: (error) => explainPostgresError(error, options.url),
    notifications: createPostgresNotifications(pool, options.url),
    forMigrations: () => {
      const migrations = new pg.Pool({ connectionString: options.url, max: 2, connectionTimeoutMillis: 10_000, types });
      migrations.on('error', () => {});
      return new PostgresDialect({ pool: migrations });
    },
  };
}

function explainPostgresError(error: unknown, url: string): Error {
  const e = error as { code?: string; message?: string };
  const where = redact(url);
  const reasons: Record<string, string> = {
    ECONNREFUSED: `nothing is listening at ${where}; is PostgreSQL running?`,
    ENOTFOUND: `the host in ${where} cannot be found`,
    ETIMEDOUT: `${where} did not answer in time`,
    '28P01': `the password for ${where} was refused`,
    '28000': `the user in ${where} is not allowed to connect`,
    '3D000': `the database in ${where} does not exist; create it first (createdb)`,
  };
  const reason = e.code ? reasons[e.code] : undefined;
  if (reason) return new HearthError('HEARTH_ERR_DB_CONNECT', { reason }, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the database URL';
  }
}
