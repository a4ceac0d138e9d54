import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';

/** A Markdown file cut into its front matter (as plain data) and its body. */
export interface FrontMatterFile {
  data: Record<string, unknown>;
  body: string;
  /** Which fence the front matter had: `---` YAML, `+++` TOML, or none. */
  format: 'yaml' | 'toml' | 'none';
}

/**
 * Cuts a file's front matter off and parses it: YAML between `---` lines (Jekyll, Hugo,
 * Eleventy; `...` may end it too) or TOML between `+++` lines (Hugo). YAML is read with the
 * 1.2 core schema, so dates stay strings (see `parseFrontMatterDate`) and `yes` stays text;
 * aliases are capped by the parser (no entity bombs). Throws an Error naming the problem when
 * the front matter does not parse, is not a mapping, or its fence is never closed.
 */
export function splitFrontMatter(text: string): FrontMatterFile {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const first = /^(---|\+\+\+)[ \t]*\r?\n/.exec(source);
  if (!first) return { data: {}, body: source, format: 'none' };
  const fence = first[1] as string;
  const format = fence === '---' ? 'yaml' : 'toml';
  const rest = source.slice(first[0].length);
  const closing = fence === '---' ? /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m : /^\+\+\+[ \t]*(?:\r?\n|$)/m;
  const end = closing.exec(rest);
  if (!end) throw new Error(`the front matter's closing ${fence} is missing`);
  const raw = rest.slice(0, end.index);
  const body = rest.slice(end.index + end[0].length);
  let data: unknown;
  try {
    data = format === 'yaml' ? parseYaml(raw, { schema: 'core', uniqueKeys: true }) : parseToml(raw);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new Error(`the ${format === 'yaml' ? 'YAML' : 'TOML'} front matter does not parse: ${message}`);
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new Error('the front matter is not a list of keys');
  return { data: data as Record<string, unknown>, body, format };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?[ \t]*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A front-matter date as an ISO 8601 UTC string, or undefined when it is not a date. Takes
 * Date objects (TOML dates) and the strings Jekyll, Hugo and Eleventy write:
 * `2024-03-05`, `2024-03-05 10:00`, `2024-03-05 10:00:00 +0100`, `2024-03-05T10:00:00+01:00`,
 * `...Z`. A time without an offset is taken as UTC.
 */
export function parseFrontMatterDate(value: unknown): string | undefined {
  // TOML dates (smol-toml's TomlDate) print their own offset: take the instant.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : new Date(value.getTime()).toISOString();
  if (typeof value !== 'string') return undefined;
  const m = DATE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  let offset = 'Z';
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offset = `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
  }
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  // Date.parse rolls 2024-02-31 over to March: the day must be the one written.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  return new Date(time).toISOString();
}
