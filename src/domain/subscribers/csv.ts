import { randomBytes } from 'node:crypto';
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { HearthError, ValidationError } from '../../errors.js';
import type { Db } from '../../storage/index.js';
import type { SubscriberStatus } from '../../storage/schema.js';
import { checkName, isOneLine, normaliseEmail } from './address.js';

/** The columns of an export, in order; an import reads the same names. */
export const CSV_COLUMNS = [
  'email',
  'name',
  'status',
  'frequency',
  'source',
  'consent_at',
  'consent_note',
  'created_at',
] as const;

/** Columns an import reads; others are reported and left alone. */
const IMPORT_COLUMNS = new Set(['email', 'name', 'status', 'consent_at', 'consent_note']);
export const MAX_IMPORT_ROWS = 100_000;

/**
 * A cell a spreadsheet would not take for a formula: text starting with = + - @ (or a tab
 * or carriage return, which some spreadsheets skip before one) gets a leading quote.
 */
export function guardCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The formula guard taken off a cell on import: the export's leading quote before = + - @ (or a tab, CR). */
export function unguardCell(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

/**
 * Every subscriber as CSV (RFC 4180: quoted where needed, CRLF line ends), oldest first,
 * after a UTF-8 byte order mark so that Excel reads it as UTF-8.
 */
export async function exportCsv(db: Db): Promise<string> {
  const rows = await db
    .selectFrom('subscribers')
    .select(['email', 'name', 'status', 'frequency', 'source', 'consent_at', 'consent_note', 'created_at'])
    .orderBy('id')
    .execute();
  return `\uFEFF${stringify(
    rows.map((r) => CSV_COLUMNS.map((c) => guardCell(String(r[c] ?? '')))),
    { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows', quoted_match: /^\s|\s$/ },
  )}`;
}

export type ImportMode = 'good-rows' | 'all-or-nothing';

export interface ImportProblem {
  /** The line of the file (1 is the header). */
  line: number;
  field: string;
  message: string;
}

export interface ImportReport {
  mode: ImportMode;
  rows: number;
  added: number;
  updated: number;
  /** Rows of the file left out: the bad ones, or all when all or nothing found a bad one. */
  skipped: number;
  problems: ImportProblem[];
  /** Columns of the file an import does not read. */
  ignoredColumns: string[];
  /** Whether anything was written. */
  written: boolean;
  /** Known addresses an import left as they were, by why (e.g. "2 unsubscribed themselves: left unsubscribed"). */
  kept: { count: number; reason: string }[];
}

/** Statuses a file may give (every one an export writes). */
const IMPORT_STATUSES = ['active', 'pending', 'unsubscribed', 'bounced', 'complained'] as const;
type ImportStatus = (typeof IMPORT_STATUSES)[number];
/** Statuses an import never changes: the reader left, or mail to them failed or was reported. */
const KEPT_REASONS: Partial<Record<SubscriberStatus, (n: number) => string>> = {
  unsubscribed: (n) => `${n} unsubscribed themselves: left unsubscribed (only they can subscribe again, with the form)`,
  bounced: (n) => `${n} bounced: left bounced`,
  complained: (n) => `${n} reported mail as spam: left complained`,
};

interface GoodRow {
  line: number;
  email: string;
  name: string | undefined;
  status: ImportStatus;
  consentAt: string | null;
  consentNote: string;
}

/** A date or a date and time (ISO 8601, UTC unless it says) not in the future, as ISO; undefined if not one. */
function consentDate(text: string, now: Date): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (!m) return undefined;
  const date = new Date(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? 'Z'}`);
  if (Number.isNaN(date.getTime()) || date.getTime() > now.getTime() + 86_400_000) return undefined;
  // No 2024-02-30 (which Date would roll over into March).
  if (!m[3] && date.toISOString().slice(0, 10) !== m[1]) return undefined;
  return date.toISOString();
}

/**
 * Reads a CSV of addresses (a header row naming at least `email`; optional `name`,
 * `status` active or unsubscribed, `consent_at`, `consent_note`) and writes it in one
 * transaction: new addresses are added (source `import`), known ones updated, never
 * duplicated. A row is active only with a consent date, or with the consent note given for
 * the whole import. Bad rows are reported by line and field; `good-rows` writes the rest,
 * `all-or-nothing` writes nothing when any row is bad.
 *
 * @throws HearthError `HEARTH_ERR_SUBSCRIBERS_CSV` (400) for a file that is not CSV or has no `email` column
 */
export async function importCsv(
  db: Db,
  input: { csv: string; mode: ImportMode; consentNote: string; now: Date },
): Promise<ImportReport> {
  const note = input.consentNote.trim();
  if (note.length > 500 || !isOneLine(note))
    throw new HearthError('HEARTH_ERR_VALIDATION', {
      field: 'consentNote',
      reason: 'The consent note must be one line of at most 500 characters.',
    });
  let records: { record: Record<string, string>; info: { lines: number } }[];
  let header: string[] = [];
  const body = input.csv.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new ValidationError({ file: 'The file is empty: it has no lines to import.' });
  // A spreadsheet set to a language with decimal commas saves "CSV" separated by semicolons.
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  try {
    records = parse(body, {
      delimiter,
      bom: true,
      columns: (names: string[]) => {
        header = names.map((n) => unguardCell(String(n).trim()).toLowerCase());
        return header;
      },
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      max_record_size: 100_000,
      cast: (value: string) => unguardCell(value),
    }) as never;
  } catch (error) {
    const reason =
      error instanceof CsvError
        ? `line ${(error as CsvError & { lines?: number }).lines ?? '?'}: ${error.message.replace(/^Invalid [^:]*: /, '')}`
        : (error as Error).message;
    throw new HearthError('HEARTH_ERR_SUBSCRIBERS_CSV', { reason, field: 'file' }, { cause: error });
  }
  if (!header.includes('email'))
    throw new HearthError('HEARTH_ERR_SUBSCRIBERS_CSV', {
      reason: 'the first line must name the columns, with at least one called "email"',
      field: 'file',
    });
  if (records.length > MAX_IMPORT_ROWS)
    throw new HearthError('HEARTH_ERR_SUBSCRIBERS_CSV', {
      reason: `at most ${MAX_IMPORT_ROWS} rows at once`,
      field: 'file',
    });

  const problems: ImportProblem[] = [];
  const good: GoodRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const bad = (field: string, message: string) => problems.push({ line, field, message });
    const before = problems.length;
    const email = normaliseEmail(record.email ?? '');
    if ((record.email ?? '').trim() === '') bad('email', 'No email address.');
    else if ('error' in email) bad('email', email.error);
    else if (seen.has(email.email)) bad('email', `The address is on line ${seen.get(email.email)} already.`);
    const name = record.name === undefined ? undefined : checkName(record.name);
    if (name && 'error' in name) bad('name', name.error);
    const status = (record.status ?? '').trim().toLowerCase() || 'active';
    if (!(IMPORT_STATUSES as readonly string[]).includes(status))
      bad('status', `The status must be one of ${IMPORT_STATUSES.join(', ')} (or empty: active).`);
    const rawDate = (record.consent_at ?? '').trim();
    const consentAt = rawDate === '' ? null : consentDate(rawDate, input.now);
    if (consentAt === undefined)
      bad('consent_at', 'The consent date must be a date such as 2024-05-01, not in the future.');
    const rowNote = (record.consent_note ?? '').trim();
    if (rowNote.length > 500 || !isOneLine(rowNote))
      bad('consent_note', 'The consent note must be one line of at most 500 characters.');
    if (status === 'active' && rawDate === '' && note === '')
      bad('consent_at', 'An active address needs its consent date, or a consent note for the whole import.');
    if (problems.length > before || 'error' in email) continue;
    seen.set(email.email, line);
    good.push({
      line,
      email: email.email,
      name: name && 'name' in name ? name.name : undefined,
      status: status as GoodRow['status'],
      consentAt: consentAt ?? null,
      consentNote: rowNote || note,
    });
  }
  const report: ImportReport = {
    mode: input.mode,
    rows: records.length,
    added: 0,
    updated: 0,
    skipped: records.length - good.length,
    problems,
    ignoredColumns: header.filter((h) => !IMPORT_COLUMNS.has(h) && !CSV_COLUMNS.includes(h as never)),
    written: false,
    kept: [],
  };
  if (input.mode === 'all-or-nothing' && problems.length > 0) return { ...report, skipped: records.length };
  if (good.length === 0) return report;

  const at = input.now.toISOString();
  await db.transaction().execute(async (tx) => {
    const existing = new Map<string, { id: number; status: SubscriberStatus }>();
    for (let i = 0; i < good.length; i += 500) {
      const rows = await tx
        .selectFrom('subscribers')
        .select(['id', 'email', 'status'])
        .where(
          'email',
          'in',
          good.slice(i, i + 500).map((g) => g.email),
        )
        .execute();
      for (const r of rows) existing.set(r.email, { id: r.id, status: r.status });
    }
    const fresh = good.filter((g) => !existing.has(g.email));
    for (let i = 0; i < fresh.length; i += 200) {
      await tx
        .insertInto('subscribers')
        .values(
          fresh.slice(i, i + 200).map((g) => ({
            email: g.email,
            name: g.name ?? '',
            status: g.status,
            source: 'import' as const,
            token: randomBytes(32).toString('base64url'),
            consent_at: g.status === 'active' ? (g.consentAt ?? at) : g.consentAt,
            consent_note: g.consentNote,
            created_at: at,
            updated_at: at,
            unsubscribed_at: g.status === 'unsubscribed' ? at : null,
          })),
        )
        .execute();
    }
    const kept = new Map<SubscriberStatus, number>();
    for (const g of good) {
      const known = existing.get(g.email);
      if (!known) continue;
      // A known address keeps its consent record. One that left, bounced or complained keeps
      // its status: an import never sends it mail again. Only a waiting address may become
      // active (with the file's consent), and any may be marked as one that gets no mail.
      const stays = known.status === 'unsubscribed' || known.status === 'bounced' || known.status === 'complained';
      let status: SubscriberStatus = known.status;
      if (g.status !== known.status) {
        if (stays) kept.set(known.status, (kept.get(known.status) ?? 0) + 1);
        else if (g.status === 'active' && known.status === 'pending') status = 'active';
        else if (g.status !== 'active' && g.status !== 'pending') status = g.status;
      }
      await tx
        .updateTable('subscribers')
        .set({
          ...(g.name === undefined || g.name === '' ? {} : { name: g.name }),
          status,
          ...(status === 'active' && known.status === 'pending'
            ? {
                consent_at: g.consentAt ?? at,
                consent_note: g.consentNote,
                // Their consent comes from the import, not the form (nor is it a form's sign-up in analytics).
                source: 'import' as const,
                confirm_hash: null,
                unsubscribed_at: null,
              }
            : {}),
          ...(status === 'unsubscribed' && known.status !== 'unsubscribed' ? { unsubscribed_at: at } : {}),
          updated_at: at,
        })
        .where('id', '=', known.id)
        .execute();
    }
    report.kept = [...kept].map(([s, count]) => ({ count, reason: (KEPT_REASONS[s] as (n: number) => string)(count) }));
    report.added = fresh.length;
    report.updated = good.length - fresh.length;
  });
  return { ...report, written: true };
}
