import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { type MediaConfig, readMediaConfig } from './config-media.js';
import { HearthError } from './errors.js';
import { hasControlCharacters, isEmailAddress } from './shared/text.js';

/**
 * Hearth's configuration, read from environment variables and validated at start.
 * A bad value stops start-up with a message that names the variable.
 */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Absolute public URL without a trailing slash, e.g. https://blog.example.org */
  publicUrl: string;
  /** IANA time zone that overrides the site setting, if set. */
  timezone: string | undefined;
  /** `sqlite` (file in dataDir) or a postgres:// URL. */
  databaseUrl: string | undefined;
  /** PostgreSQL only: connections in the pool, and how long a statement may run (ms). */
  databasePoolSize: number;
  databaseStatementTimeout: number;
  demo: boolean;
  pageCache: boolean;
  /** Whether this instance counts visits at all (docs/analytics.md); the admin's setting still applies. */
  analytics: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  themeDir: string;
  /**
   * Behind a reverse proxy: which proxies to believe about the visitor's address
   * (X-Forwarded-For) and protocol. false: none; a number: that many hops in front of
   * Hearth; a list: the proxies' addresses or CIDR ranges. Never "everything", which would
   * believe the leftmost X-Forwarded-For entry, the one a visitor writes.
   */
  trustProxy: false | number | string[];
  /** smtp:// or smtps:// URL of the mail server; without it mail goes to `<dataDir>/outbox/`. */
  smtpUrl: string | undefined;
  /** The From of every message Hearth sends, e.g. `Hearth <blog@example.org>`. */
  mailFrom: string;
  /** The bearer token of POST /hooks/mail-events (bounces, complaints); unset: the hook is off. */
  mailWebhookSecret: string | undefined;
  /** Newsletter messages a minute (HEARTH_NEWSLETTER_RATE), overriding the admin's setting. */
  newsletterRate: number | undefined;
  /** A newsletter send silent this long (ms) is taken over by another process (HEARTH_JOB_STALE_MS). */
  jobStaleMs: number;
  /** Largest upload accepted as a photo, in bytes. */
  mediaMaxBytes: number;
  /** Largest photo accepted, in pixels (width × height × frames), checked before decoding. */
  mediaMaxPixels: number;
  /** The Chromium binary that renders books as PDF (Debian's `chromium` package by default). */
  chromiumPath: string;
  /** Where media files live: `<dataDir>/media`, or an S3-compatible bucket (HEARTH_MEDIA_URL). */
  media: MediaConfig;
  /** With media in a bucket: the public base URL /media/ redirects to (HEARTH_MEDIA_PUBLIC_URL). */
  mediaPublicUrl: string | undefined;
  /**
   * Where to tell a CDN or Varnish which cache tags a write touched (HEARTH_PURGE_*):
   * the request's method and headers, the token already made an Authorization header.
   */
  purge: PurgeConfig | undefined;
}

export interface PurgeConfig {
  url: string;
  method: 'POST' | 'PURGE' | 'BAN';
  headers: Record<string, string>;
}

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Digits only, within bounds: "1e6" or "32MB" are refused rather than guessed at. */
function wholeNumber(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

const envSchema = z.object({
  HEARTH_HOST: z.string().min(1).default('127.0.0.1'),
  // Digits only: z.coerce.number() would read " " as port 0 and "1e3" as 1000.
  HEARTH_PORT: z
    .string()
    .regex(/^\d+$/, 'must be a whole number from 0 to 65535')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535))
    .default(3000),
  HEARTH_DATA_DIR: z.string().min(1).default('./data'),
  HEARTH_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://blog.example.org' })
    .optional(),
  HEARTH_TIMEZONE: z
    .string()
    .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/London' })
    .optional(),
  HEARTH_DATABASE_URL: z
    .string()
    .refine((v) => /^(postgres|postgresql):\/\//.test(v) || v.startsWith('sqlite:'), {
      message: 'must start with postgres:// or sqlite:',
    })
    .optional(),
  HEARTH_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  HEARTH_DATABASE_STATEMENT_TIMEOUT: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  HEARTH_DEMO: boolish.default(true),
  HEARTH_PAGE_CACHE: boolish.default(true),
  HEARTH_ANALYTICS: boolish.default(true),
  HEARTH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HEARTH_THEME_DIR: z.string().min(1).optional(),
  HEARTH_CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  HEARTH_TRUST_PROXY: z
    .string()
    .transform((value, ctx) => {
      const trust = parseTrustProxy(value);
      if (trust !== undefined) return trust;
      ctx.addIssue({
        code: 'custom',
        message:
          "must be false, true (a proxy on this machine), a number of proxies in front of Hearth (1 to 20), or a comma-separated list of the proxies' addresses or CIDR ranges such as 10.0.0.5,192.168.0.0/16",
      });
      return z.NEVER;
    })
    .default(false),
  HEARTH_SMTP_URL: z
    .url({
      protocol: /^smtps?$/,
      error: 'must be an smtp:// or smtps:// URL such as smtps://user:password@mail.example.org',
    })
    .optional(),
  HEARTH_NEWSLETTER_RATE: wholeNumber(1, 1_000_000).optional(),
  HEARTH_JOB_STALE_MS: wholeNumber(100, 86_400_000).default(60_000),
  HEARTH_MAIL_FROM: z
    .string()
    .refine(isMailbox, { message: 'must be an address such as blog@example.org or "Blog <blog@example.org>"' })
    .optional(),
  HEARTH_MAIL_WEBHOOK_SECRET: z
    .string()
    .regex(/^[\x21-\x7e]{24,200}$/, { message: 'must be 24 to 200 printable characters without spaces' })
    .optional(),
  // 32 MiB and 100 megapixels: above the largest phone photos, well below what exhausts memory.
  HEARTH_MEDIA_MAX_BYTES: wholeNumber(1024, 1024 ** 3).default(32 * 1024 * 1024),
  HEARTH_MEDIA_MAX_PIXELS: wholeNumber(1, 1_000_000_000).default(100_000_000),
  HEARTH_PURGE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:6081/' })
    .optional(),
  HEARTH_PURGE_METHOD: z.enum(['POST', 'PURGE', 'BAN'], { error: 'must be POST, PURGE or BAN' }).optional(),
  HEARTH_PURGE_HEADERS: z
    .string()
    .transform((value, ctx) => {
      const headers = parsePurgeHeaders(value);
      if (headers) return headers;
      ctx.addIssue({
        code: 'custom',
        message: 'must be "Name: value" headers separated by ";" or new lines, such as "Fastly-Key: abc123"',
      });
      return z.NEVER;
    })
    .optional(),
  HEARTH_PURGE_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]+$/, 'must be a token of printable characters without spaces')
    .optional(),
  // s3://bucket/prefix or file: (checked in config-media.ts, with the AWS SDK's own variables).
  HEARTH_MEDIA_URL: z.string().optional(),
  HEARTH_MEDIA_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://media.example.org' })
    .optional(),
  HEARTH_S3_FORCE_PATH_STYLE: boolish.default(false),
});

/** Variables whose values are secrets: an error names them but never shows the value. */
const SECRET_VARIABLES = new Set(['HEARTH_PURGE_HEADERS', 'HEARTH_PURGE_TOKEN']);

/**
 * HEARTH_PURGE_HEADERS: `Name: value` pairs separated by `;` or new lines. Undefined when
 * a name is not an HTTP token, a value is empty or holds control characters, or a name is
 * one Hearth sets itself (Content-Type, Content-Length, Surrogate-Key, Host).
 */
export function parsePurgeHeaders(value: string): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  const reserved = new Set(['content-type', 'content-length', 'surrogate-key', 'host']);
  for (const part of value.split(/[;\n]/)) {
    if (part.trim() === '') continue;
    const colon = part.indexOf(':');
    if (colon === -1) return undefined;
    const name = part.slice(0, colon).trim();
    const headerValue = part.slice(colon + 1).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || reserved.has(name.toLowerCase())) return undefined;
    if (headerValue === '' || hasControlCharacters(headerValue)) return undefined;
    headers[name] = headerValue;
  }
  return Object.keys(headers).length > 0 ? headers : undefined;
}

/**
 * HEARTH_TRUST_PROXY: false/no/off/0; true/yes/on, meaning proxies on this machine (nginx
 * or Caddy connecting from a loopback address, proxy-addr's `loopback`); a number of hops; or addresses and CIDR ranges (and proxy-addr's
 * names loopback, linklocal, uniquelocal). Undefined when it is none of these.
 */
export function parseTrustProxy(value: string): false | number | string[] | undefined {
  const v = value.trim().toLowerCase();
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) return ['loopback'];
  if (/^\d+$/.test(v)) return Number(v) >= 1 && Number(v) <= 20 ? Number(v) : undefined;
  const entries = v.split(',').map((s) => s.trim());
  const valid = (entry: string) => {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
    const [address = '', prefix, extra] = entry.split('/');
    const family = net.isIP(address);
    if (family === 0 || extra !== undefined) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  };
  return entries.length > 0 && entries.every(valid) ? entries : undefined;
}

/** `a@b.c` or `Name <a@b.c>`, on one line. */
function isMailbox(value: string): boolean {
  const match = /^(?:[^<>\r\n]*<([^<>]+)>|([^<>\s]+))$/.exec(value.trim());
  const address = match?.[1] ?? match?.[2];
  return address !== undefined && isEmailAddress(address) && !hasControlCharacters(value);
}

/** The variables Hearth reads, with their defaults, for the README and `--help`. */
export const configVariables = Object.keys(envSchema.shape);

/**
 * Reads and validates the configuration.
 *
 * @example
 *   const config = loadConfig(process.env, { demo: false });
 */
export function loadConfig(env: Record<string, string | undefined>, overrides: Partial<Config> = {}): Config {
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key.startsWith('HEARTH_') && value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'environment');
    const value = SECRET_VARIABLES.has(field) ? undefined : relevant[field];
    throw new HearthError('HEARTH_ERR_CONFIG', {
      field,
      reason: `${issue?.message ?? 'is not valid'}${value === undefined ? '' : ` (got "${value}")`}`,
    });
  }
  const e = parsed.data;
  if (!e.HEARTH_PURGE_URL) {
    const stray = ['HEARTH_PURGE_METHOD', 'HEARTH_PURGE_HEADERS', 'HEARTH_PURGE_TOKEN'].find((k) => k in relevant);
    if (stray)
      throw new HearthError('HEARTH_ERR_CONFIG', { field: stray, reason: 'has no effect without HEARTH_PURGE_URL' });
  }
  const media = readMediaConfig(env, {
    mediaUrl: e.HEARTH_MEDIA_URL,
    publicUrl: e.HEARTH_MEDIA_PUBLIC_URL,
    forcePathStyle: e.HEARTH_S3_FORCE_PATH_STYLE,
  });
  const port = overrides.port ?? e.HEARTH_PORT;
  const host = overrides.host ?? e.HEARTH_HOST;
  const publicUrl = (e.HEARTH_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(
    /\/+$/,
    '',
  );
  return {
    host,
    port,
    dataDir: path.resolve(e.HEARTH_DATA_DIR),
    publicUrl,
    timezone: e.HEARTH_TIMEZONE,
    databaseUrl: e.HEARTH_DATABASE_URL,
    databasePoolSize: e.HEARTH_DATABASE_POOL_SIZE,
    databaseStatementTimeout: e.HEARTH_DATABASE_STATEMENT_TIMEOUT,
    demo: e.HEARTH_DEMO,
    pageCache: e.HEARTH_PAGE_CACHE,
    analytics: e.HEARTH_ANALYTICS,
    logLevel: e.HEARTH_LOG_LEVEL,
    trustProxy: e.HEARTH_TRUST_PROXY,
    smtpUrl: e.HEARTH_SMTP_URL,
    newsletterRate: e.HEARTH_NEWSLETTER_RATE,
    jobStaleMs: e.HEARTH_JOB_STALE_MS,
    mailFrom: e.HEARTH_MAIL_FROM ?? `Hearth <hearth@${new URL(publicUrl).hostname.replace(/^\[|\]$/g, '')}>`,
    mailWebhookSecret: e.HEARTH_MAIL_WEBHOOK_SECRET,
    mediaMaxBytes: e.HEARTH_MEDIA_MAX_BYTES,
    mediaMaxPixels: e.HEARTH_MEDIA_MAX_PIXELS,
    chromiumPath: e.HEARTH_CHROMIUM_PATH,
    purge: e.HEARTH_PURGE_URL
      ? {
          url: e.HEARTH_PURGE_URL,
          method: e.HEARTH_PURGE_METHOD ?? 'POST',
          headers: {
            ...e.HEARTH_PURGE_HEADERS,
            ...(e.HEARTH_PURGE_TOKEN ? { Authorization: `Bearer ${e.HEARTH_PURGE_TOKEN}` } : {}),
          },
        }
      : undefined,
    ...media,
    themeDir: path.resolve(e.HEARTH_THEME_DIR ?? path.join(packageRoot(), 'themes', 'default')),
    ...overrides,
  };
}

/** The folder that holds package.json, whether running from src/ (tests) or dist/. */
export function packageRoot(): string {
  return path.resolve(import.meta.dirname, '..');
}

/** The database settings of a configuration, as `openDatabase` takes them. */
export function databaseOptions(config: Config) {
  return {
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    statementTimeout: config.databaseStatementTimeout,
  };
}
