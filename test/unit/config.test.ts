import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, packageRoot } from '../../src/config.js';
import { HearthError } from '../../src/errors.js';

/** The error loadConfig throws for an environment (fails the test when it throws none). */
function configError(env: Record<string, string>): HearthError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(HearthError);
    return error as HearthError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('uses the defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 3000,
      dataDir: path.resolve('data'),
      publicUrl: 'http://127.0.0.1:3000',
      timezone: undefined,
      databaseUrl: undefined,
      databasePoolSize: 10,
      databaseStatementTimeout: 15_000,
      demo: true,
      pageCache: true,
      analytics: true,
      logLevel: 'info',
      themeDir: path.join(packageRoot(), 'themes', 'default'),
      trustProxy: false,
      smtpUrl: undefined,
      mailFrom: 'Hearth <hearth@127.0.0.1>',
      newsletterRate: undefined,
      jobStaleMs: 60_000,
      mediaMaxBytes: 32 * 1024 * 1024,
      mediaMaxPixels: 100_000_000,
      chromiumPath: '/usr/bin/chromium',
      media: { kind: 'disk' },
      mediaPublicUrl: undefined,
    });
  });

  it('finds the package root (the folder with package.json and the default theme)', () => {
    expect(path.join(packageRoot(), 'package.json')).toBe(path.resolve(import.meta.dirname, '../../package.json'));
  });

  it('treats empty values as unset and ignores variables that are not Hearth’s', () => {
    const config = loadConfig({ HEARTH_PORT: '', HEARTH_TIMEZONE: '', PORT: '80', TZ: 'Mars/Base' });
    expect(config.port).toBe(3000);
    expect(config.timezone).toBeUndefined();
  });
});

describe('loadConfig refuses bad values, naming the variable', () => {
  it.each([
    ['HEARTH_PORT', 'abc'],
    ['HEARTH_PORT', '70000'],
    ['HEARTH_PORT', '-1'],
    ['HEARTH_PORT', '80.5'],
    ['HEARTH_PORT', ' '],
    ['HEARTH_TIMEZONE', 'Mars/Base'],
    ['HEARTH_PUBLIC_URL', 'ftp://x'],
    ['HEARTH_PUBLIC_URL', 'blog.example.org'],
    ['HEARTH_DEMO', 'maybe'],
    ['HEARTH_PAGE_CACHE', 'sometimes'],
    ['HEARTH_ANALYTICS', 'maybe'],
    ['HEARTH_LOG_LEVEL', 'loud'],
    ['HEARTH_DATABASE_URL', 'mysql://localhost/hearth'],
    ['HEARTH_SMTP_URL', 'http://mail.example.org'],
    ['HEARTH_SMTP_URL', 'mail.example.org:25'],
    ['HEARTH_MAIL_FROM', 'not an address'],
    ['HEARTH_MAIL_WEBHOOK_SECRET', 'too-short'],
    ['HEARTH_MAIL_WEBHOOK_SECRET', 'has spaces in it, which a header would not keep'],
    ['HEARTH_MAIL_FROM', 'Blog <blog@example>'],
    ['HEARTH_MEDIA_MAX_BYTES', '32MB'],
    ['HEARTH_MEDIA_MAX_BYTES', '1e6'],
    ['HEARTH_MEDIA_MAX_BYTES', '10'],
    ['HEARTH_MEDIA_MAX_PIXELS', '0'],
    ['HEARTH_MEDIA_MAX_PIXELS', '-5'],
  ])('%s=%j', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.code).toBe('HEARTH_ERR_CONFIG');
    expect(error.field).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(`"${value}"`);
  });

  it('names the bad variable, not a good one next to it', () => {
    const error = configError({ HEARTH_PORT: '8080', HEARTH_TIMEZONE: 'Mars/Base', HEARTH_DEMO: 'no' });
    expect(error.message).toMatch(/^Configuration: HEARTH_TIMEZONE: /);
    expect(error.message).not.toContain('HEARTH_PORT');
  });
});

describe('loadConfig reads good values', () => {
  it('reads the port as a number', () => {
    expect(loadConfig({ HEARTH_PORT: '8080' }).port).toBe(8080);
    expect(loadConfig({ HEARTH_PORT: '0' }).port).toBe(0);
    expect(loadConfig({ HEARTH_PORT: '65535' }).port).toBe(65535);
  });

  it('reads the media limits as numbers', () => {
    const config = loadConfig({ HEARTH_MEDIA_MAX_BYTES: '5000000', HEARTH_MEDIA_MAX_PIXELS: '24000000' });
    expect(config.mediaMaxBytes).toBe(5_000_000);
    expect(config.mediaMaxPixels).toBe(24_000_000);
  });

  it('reads an IANA time zone', () => {
    expect(loadConfig({ HEARTH_TIMEZONE: 'America/New_York' }).timezone).toBe('America/New_York');
    expect(loadConfig({ HEARTH_TIMEZONE: 'Asia/Kolkata' }).timezone).toBe('Asia/Kolkata');
  });

  it('removes trailing slashes from the public URL', () => {
    expect(loadConfig({ HEARTH_PUBLIC_URL: 'https://blog.example.org/' }).publicUrl).toBe('https://blog.example.org');
    expect(loadConfig({ HEARTH_PUBLIC_URL: 'https://example.org/blog//' }).publicUrl).toBe('https://example.org/blog');
    expect(loadConfig({ HEARTH_PUBLIC_URL: 'http://localhost:8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('derives the public URL from host and port when unset, bracketing IPv6', () => {
    expect(loadConfig({ HEARTH_HOST: '0.0.0.0', HEARTH_PORT: '8080' }).publicUrl).toBe('http://0.0.0.0:8080');
    expect(loadConfig({ HEARTH_HOST: '::1' }).publicUrl).toBe('http://[::1]:3000');
  });

  it.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
    ['true', true],
    ['1', true],
    ['yes', true],
    ['on', true],
  ])('reads HEARTH_DEMO=%s as %s', (value, expected) => {
    expect(loadConfig({ HEARTH_DEMO: value }).demo).toBe(expected);
  });

  it('reads the other variables', () => {
    const config = loadConfig({
      HEARTH_PAGE_CACHE: 'off',
      HEARTH_ANALYTICS: 'false',
      HEARTH_LOG_LEVEL: 'silent',
      HEARTH_DATA_DIR: '/srv/hearth',
      HEARTH_DATABASE_URL: 'postgres://hearth@db/hearth',
      HEARTH_THEME_DIR: '/srv/themes/plain',
    });
    expect(config.pageCache).toBe(false);
    expect(config.analytics).toBe(false);
    expect(config.logLevel).toBe('silent');
    expect(config.dataDir).toBe(path.resolve('/srv/hearth'));
    expect(config.databaseUrl).toBe('postgres://hearth@db/hearth');
    expect(config.themeDir).toBe(path.resolve('/srv/themes/plain'));
  });

  it('reads the newsletter rate and the job stale time, and refuses bad ones', () => {
    const config = loadConfig({ HEARTH_NEWSLETTER_RATE: '1200', HEARTH_JOB_STALE_MS: '2000' });
    expect(config.newsletterRate).toBe(1200);
    expect(config.jobStaleMs).toBe(2000);
    expect(() => loadConfig({ HEARTH_NEWSLETTER_RATE: 'fast' })).toThrow(/HEARTH_NEWSLETTER_RATE/);
    expect(() => loadConfig({ HEARTH_JOB_STALE_MS: '0' })).toThrow(/HEARTH_JOB_STALE_MS/);
  });

  it('reads the mail settings, and derives the sender from the public URL when unset', () => {
    const config = loadConfig({
      HEARTH_SMTP_URL: 'smtps://hearth:secret@mail.example.org:465',
      HEARTH_MAIL_FROM: 'Ada’s blog <blog@example.org>',
    });
    expect(config.smtpUrl).toBe('smtps://hearth:secret@mail.example.org:465');
    expect(config.mailFrom).toBe('Ada’s blog <blog@example.org>');
    expect(loadConfig({ HEARTH_MAIL_FROM: 'blog@example.org' }).mailFrom).toBe('blog@example.org');
    expect(loadConfig({ HEARTH_MAIL_WEBHOOK_SECRET: 'a-webhook-secret-of-30-chars!!' }).mailWebhookSecret).toBe(
      'a-webhook-secret-of-30-chars!!',
    );
    expect(loadConfig({}).mailWebhookSecret).toBeUndefined();
    expect(loadConfig({ HEARTH_PUBLIC_URL: 'https://ada.example.org' }).mailFrom).toBe(
      'Hearth <hearth@ada.example.org>',
    );
  });

  it('lets overrides win over the environment', () => {
    const config = loadConfig({ HEARTH_PORT: '8080', HEARTH_DEMO: 'true' }, { port: 9000, demo: false });
    expect(config.port).toBe(9000);
    expect(config.demo).toBe(false);
    expect(config.publicUrl).toBe('http://127.0.0.1:9000');
  });
});

describe('HEARTH_PURGE_*', () => {
  const url = { HEARTH_PURGE_URL: 'http://127.0.0.1:6081/' };

  it('is off without a URL, and POST with the token as a Bearer header with one', () => {
    expect(loadConfig({}).purge).toBeUndefined();
    expect(loadConfig(url).purge).toEqual({ url: 'http://127.0.0.1:6081/', method: 'POST', headers: {} });
    expect(
      loadConfig({
        HEARTH_PURGE_URL: 'https://api.fastly.com/service/SU1Z0isxPaozGVKXdv0eY/purge',
        HEARTH_PURGE_HEADERS: 'Fastly-Key: abc123; Fastly-Soft-Purge: 1',
      }).purge?.headers,
    ).toEqual({ 'Fastly-Key': 'abc123', 'Fastly-Soft-Purge': '1' });
    expect(
      loadConfig({
        ...url,
        HEARTH_PURGE_METHOD: 'PURGE',
        HEARTH_PURGE_TOKEN: 'tok-123',
        HEARTH_PURGE_HEADERS: 'X-A: b\nX-C: d',
      }).purge,
    ).toEqual({
      url: 'http://127.0.0.1:6081/',
      method: 'PURGE',
      headers: { 'X-A': 'b', 'X-C': 'd', Authorization: 'Bearer tok-123' },
    });
    expect(loadConfig({ ...url, HEARTH_PURGE_METHOD: 'BAN' }).purge?.method).toBe('BAN');
  });

  it('stops start-up on a bad value, naming the variable', () => {
    const cases: [Record<string, string>, string][] = [
      [{ HEARTH_PURGE_URL: 'ftp://cdn.example.org/' }, 'HEARTH_PURGE_URL: must be an http(s) URL'],
      [{ HEARTH_PURGE_URL: 'not a url' }, 'HEARTH_PURGE_URL: must be an http(s) URL'],
      [{ ...url, HEARTH_PURGE_METHOD: 'GET' }, 'HEARTH_PURGE_METHOD: must be POST, PURGE or BAN'],
      [{ ...url, HEARTH_PURGE_METHOD: 'purge' }, 'HEARTH_PURGE_METHOD: must be POST, PURGE or BAN'],
      [{ ...url, HEARTH_PURGE_HEADERS: 'Fastly-Key abc' }, 'HEARTH_PURGE_HEADERS: must be "Name: value" headers'],
      [{ ...url, HEARTH_PURGE_HEADERS: 'Bad Name: x' }, 'HEARTH_PURGE_HEADERS: must be'],
      [{ ...url, HEARTH_PURGE_HEADERS: 'X-Empty:' }, 'HEARTH_PURGE_HEADERS: must be'],
      [{ ...url, HEARTH_PURGE_HEADERS: 'Surrogate-Key: site' }, 'HEARTH_PURGE_HEADERS: must be'],
      [{ ...url, HEARTH_PURGE_HEADERS: 'X-A: b\u0007' }, 'HEARTH_PURGE_HEADERS: must be'],
      [{ ...url, HEARTH_PURGE_TOKEN: 'two words' }, 'HEARTH_PURGE_TOKEN: must be a token'],
      [{ HEARTH_PURGE_TOKEN: 'secret-1' }, 'HEARTH_PURGE_TOKEN: has no effect without HEARTH_PURGE_URL'],
      [{ HEARTH_PURGE_METHOD: 'PURGE' }, 'HEARTH_PURGE_METHOD: has no effect without HEARTH_PURGE_URL'],
    ];
    for (const [env, message] of cases) expect(configError(env).message, JSON.stringify(env)).toContain(message);
  });

  it('never shows a secret value in the error', () => {
    const headers = configError({ ...url, HEARTH_PURGE_HEADERS: 'Fastly-Key secret-value-1 no colon' });
    expect(headers.message).not.toContain('secret-value-1');
    const token = configError({ ...url, HEARTH_PURGE_TOKEN: 'secret value 2' });
    expect(token.message).not.toContain('secret value 2');
    // Other variables still show what they got.
    expect(configError({ ...url, HEARTH_PURGE_METHOD: 'GET' }).message).toContain('(got "GET")');
  });
});

describe('media in an S3-compatible bucket', () => {
  it('reads the bucket, the prefix and the AWS SDK’s own variables', () => {
    const config = loadConfig({
      HEARTH_MEDIA_URL: 's3://hearth-media/blogs/ours/',
      HEARTH_MEDIA_PUBLIC_URL: 'https://media.example.org/blogs/ours/',
      HEARTH_S3_FORCE_PATH_STYLE: 'true',
      AWS_ENDPOINT_URL: 'https://s3.example.org',
      AWS_ENDPOINT_URL_S3: 'https://objects.example.org',
      AWS_REGION: 'auto',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    });
    expect(config.media).toEqual({
      kind: 's3',
      bucket: 'hearth-media',
      prefix: 'blogs/ours',
      endpoint: 'https://objects.example.org',
      region: 'auto',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: undefined },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      // With an endpoint of its own, a store gets the checksums every S3 store understands.
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    expect(config.mediaPublicUrl).toBe('https://media.example.org/blogs/ours');
  });

  it('leaves what is not set to the SDK (credentials chain, region from its files) and file: to the data folder', () => {
    const config = loadConfig({ HEARTH_MEDIA_URL: 's3://bucket' });
    expect(config.media).toMatchObject({ bucket: 'bucket', prefix: '', endpoint: undefined, region: undefined });
    expect(config.media.kind === 's3' && config.media.credentials).toBeUndefined();
    expect(loadConfig({ HEARTH_MEDIA_URL: 'file:' }).media).toEqual({ kind: 'disk' });
  });

  it.each([
    [{ HEARTH_MEDIA_URL: 'https://bucket.s3.amazonaws.com/x' }, 'HEARTH_MEDIA_URL', 'must be s3://bucket'],
    [{ HEARTH_MEDIA_URL: 's3://' }, 'HEARTH_MEDIA_URL', 'must be s3://bucket'],
    [{ HEARTH_MEDIA_URL: 's3://bucket/a/../b' }, 'HEARTH_MEDIA_URL', 'the prefix may not'],
    [{ HEARTH_MEDIA_URL: 's3://b_u$ket' }, 'HEARTH_MEDIA_URL', 'the bucket name'],
    [{ HEARTH_MEDIA_PUBLIC_URL: 'https://cdn.example.org' }, 'HEARTH_MEDIA_PUBLIC_URL', 'needs HEARTH_MEDIA_URL'],
    [
      { HEARTH_MEDIA_URL: 's3://bucket', HEARTH_MEDIA_PUBLIC_URL: 'cdn.example.org' },
      'HEARTH_MEDIA_PUBLIC_URL',
      'http(s) URL',
    ],
    [{ HEARTH_S3_FORCE_PATH_STYLE: 'sure' }, 'HEARTH_S3_FORCE_PATH_STYLE', ''],
    [{ HEARTH_MEDIA_URL: 's3://bucket', AWS_ENDPOINT_URL_S3: 'minio:9000' }, 'AWS_ENDPOINT_URL_S3', 'http(s) URL'],
    [{ HEARTH_MEDIA_URL: 's3://bucket', AWS_ENDPOINT_URL: 'ftp://x' }, 'AWS_ENDPOINT_URL', 'http(s) URL'],
    [{ HEARTH_MEDIA_URL: 's3://bucket', AWS_ACCESS_KEY_ID: 'AKID' }, 'AWS_SECRET_ACCESS_KEY', 'is needed'],
    [{ HEARTH_MEDIA_URL: 's3://bucket', AWS_SECRET_ACCESS_KEY: 's' }, 'AWS_ACCESS_KEY_ID', 'is needed'],
    [
      { HEARTH_MEDIA_URL: 's3://bucket', AWS_REQUEST_CHECKSUM_CALCULATION: 'never' },
      'AWS_REQUEST_CHECKSUM_CALCULATION',
      'when_supported or when_required',
    ],
  ])('%j is refused, naming %s', (env, field, reason) => {
    const error = configError(env as Record<string, string>);
    expect(error.code).toBe('HEARTH_ERR_CONFIG');
    expect(error.message).toContain(`Configuration: ${field}: `);
    expect(error.message).toContain(reason);
  });
});
