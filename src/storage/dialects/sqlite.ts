import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { type Expression, SqliteAdapter, SqliteDialect, type SqliteStatement, sql } from 'kysely';
import { HearthError } from '../../errors.js';
import { sqliteSearch } from './sqlite-search.js';
import type { DialectAdapter } from './types.js';

/** SQLite performs DDL inside transactions; Kysely's adapter says otherwise to be safe. */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class HearthSqliteDialect extends SqliteDialect {
  override createAdapter() {
    return new TransactionalSqliteAdapter();
  }
}

/**
 * The embedded default: one SQLite file in WAL mode, foreign keys on, a busy timeout
 * so that a second process waits briefly instead of failing at once.
 */
export function createSqliteAdapter(file: string): DialectAdapter {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let native: SqliteDatabase.Database;
  try {
    native = new SqliteDatabase(file, { timeout: 5000 });
    native.pragma('journal_mode = WAL');
    native.pragma('foreign_keys = ON');
    native.pragma('synchronous = NORMAL');
    // SQLite's own lower() and upper() change ASCII letters only: a search for "ζωή" would miss
    // "Ζωή" and "émile" would miss "Émile". Unicode case mapping, as PostgreSQL's lower() does
    // (no index uses these functions, so replacing them changes no stored order).
    const unicodeCase = (to: (s: string) => string) => (value: unknown) =>
      value === null || value === undefined ? null : to(String(value));
    native.function(
      'lower',
      { deterministic: true },
      unicodeCase((s) => s.toLowerCase()),
    );
    native.function(
      'upper',
      { deterministic: true },
      unicodeCase((s) => s.toUpperCase()),
    );
  } catch (error) {
    throw explain(error, file);
  }
  const database = withStatementCache(native, (e) => explain(e, file));
  return {
    name: 'sqlite',
    kyselyDialect: new HearthSqliteDialect({ database }),
    timestampType: 'text',
    primaryKeyId: (column) => column.primaryKey().autoIncrement(),
    search: sqliteSearch,
    lower: (expression: Expression<string>) => sql<string>`lower(${expression})`,
    async resetIdSequences() {},
    async afterOpen() {},
    async close() {
      if (native.open) native.close();
    },
    explainError: (error) => explain(error, file),
    writtenElsewhere: watchDataVersion(native),
    // Kysely's driver takes a connection (one, behind a lock), runs the statement and
    // gives it back, a few promises for a query that SQLite answers synchronously. With
    // no transaction open nothing can be half-written, so a read may run at once; while
    // one is open it waits its turn through Kysely, as before.
    readAtOnce(sqlText, parameters) {
      if (native.inTransaction || !native.open) return undefined;
      const statement = database.prepare(sqlText);
      return statement.reader ? statement.all(parameters) : undefined;
    },
  };
}

/**
 * SQLite's `data_version` changes when another connection commits to the file, never for
 * this connection's own writes (those the process announces itself). Reading it touches
 * no table.
 */
function watchDataVersion(native: SqliteDatabase.Database): () => boolean {
  const statement = native.prepare('PRAGMA data_version').pluck();
  let seen = statement.get() as number;
  return () => {
    if (!native.open) return false;
    const version = statement.get() as number;
    if (version === seen) return false;
    seen = version;
    return true;
  };
}

function explain(error: unknown, file: string): Error {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new HearthError('HEARTH_ERR_DB_LOCKED', { file }, { cause: error });
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return new HearthError(
      'HEARTH_ERR_DB_CONNECT',
      { reason: `cannot open ${file} for writing (${code}); check the data directory's permissions` },
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a small query.
 * Statements are kept by SQL text (a bounded set: queries are built from code, values
 * are parameters), the oldest dropped first.
 */
function withStatementCache(native: SqliteDatabase.Database, explainError: (error: unknown) => Error, max = 500) {
  const statements = new Map<string, SqliteStatement>();
  const guard = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw explainError(error);
    }
  };
  return {
    close: () => native.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        const prepared = guard(() => native.prepare(sql));
        // A lock held by another process surfaces here: say so in words, not SQLITE_BUSY.
        statement = prepared.reader
          ? readerStatement(prepared, guard)
          : {
              reader: false,
              all: (parameters) => guard(() => prepared.all(...parameters)),
              run: (parameters) => guard(() => prepared.run(...parameters)),
              iterate: (parameters) => guard(() => prepared.iterate(...parameters)),
            };
        if (statements.size >= max) statements.delete(statements.keys().next().value as string);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * A query that returns rows. better-sqlite3 builds each row object key by key, looking
 * every column name up again; here rows come as arrays and become objects through one
 * literal per statement, made once from its column names. That is a third cheaper for a
 * page's joined queries, and every row of a statement has the same shape, which keeps
 * the code that reads them fast. (Duplicate names: the last wins, as before.)
 */
function readerStatement(prepared: SqliteDatabase.Statement, guard: <T>(run: () => T) => T): SqliteStatement {
  const names = prepared.columns().map((c) => c.name);
  prepared.raw(true);
  // Column names come from Hearth's own SQL; JSON.stringify quotes any of them safely.
  const toRow = new Function(
    'v',
    `return {${names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ')}};`,
  ) as (values: unknown[]) => unknown;
  return {
    reader: true,
    all: (parameters) => guard(() => (prepared.all(...parameters) as unknown[][]).map(toRow)),
    run: (parameters) => guard(() => prepared.run(...parameters)),
    iterate: (parameters) =>
      guard(() => {
        const rows = prepared.iterate(...parameters) as IterableIterator<unknown[]>;
        return (function* () {
          for (const values of rows) yield toRow(values);
        })();
      }),
  };
}
