import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, errorRegistry, HearthError, isHearthError, ValidationError } from '../../src/errors.js';

const codes = Object.keys(errorRegistry) as ErrorCode[];

/** Every TypeScript and Liquid file under src/, except the registry itself. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|liquid)$/.test(entry.name) && full !== registryFile ? [full] : [];
  });
}
const srcDir = path.resolve(import.meta.dirname, '../../src');
const registryFile = path.join(srcDir, 'errors.ts');

describe('errorRegistry', () => {
  it('has no code that nothing in src/ uses', () => {
    const source = sourceFiles(srcDir)
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
    const unused = codes.filter((code) => !new RegExp(`\\b${code}\\b`).test(source));
    expect(unused).toEqual([]);
  });

  it.each(codes)('%s has an HTTP error status and a message', (code) => {
    const { status, message } = errorRegistry[code];
    expect(code).toMatch(/^HEARTH_ERR_[A-Z_]+$/);
    expect(Number.isInteger(status)).toBe(true);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThanOrEqual(599);
    expect(message.trim().length).toBeGreaterThan(0);
  });
});

describe('HearthError', () => {
  it('fills {params} into the message and carries code, status and params', () => {
    const error = new HearthError('HEARTH_ERR_SLUG_TAKEN', { slug: 'first-bath' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HearthError');
    expect(error.message).toBe('The slug "first-bath" is already in use.');
    expect(error.code).toBe('HEARTH_ERR_SLUG_TAKEN');
    expect(error.status).toBe(409);
    expect(error.params).toEqual({ slug: 'first-bath' });
    expect(isHearthError(error)).toBe(true);
    expect(isHearthError(new Error('plain'))).toBe(false);
  });

  it('fills every placeholder, numbers included, and sets field from params', () => {
    const error = new HearthError('HEARTH_ERR_PORT_IN_USE', { port: 3000, host: '127.0.0.1' });
    expect(error.message).toBe('Port 3000 on 127.0.0.1 is already in use. Stop the other process or set HEARTH_PORT.');
    expect(error.field).toBeUndefined();
    const config = new HearthError('HEARTH_ERR_CONFIG', { field: 'HEARTH_PORT', reason: 'is not a number' });
    expect(config.message).toBe('Configuration: HEARTH_PORT: is not a number');
    expect(config.field).toBe('HEARTH_PORT');
  });

  it('leaves a placeholder without a param visible rather than printing "undefined"', () => {
    const error = new HearthError('HEARTH_ERR_SLUG_TAKEN');
    expect(error.message).toBe('The slug "{slug}" is already in use.');
  });

  it('does not treat $ patterns in a param as replacement syntax', () => {
    expect(new HearthError('HEARTH_ERR_SLUG_TAKEN', { slug: "$&-$'-$1" }).message).toBe(
      'The slug "$&-$\'-$1" is already in use.',
    );
  });

  it('keeps the cause', () => {
    const cause = new Error('EADDRINUSE');
    expect(new HearthError('HEARTH_ERR_INTERNAL', {}, { cause }).cause).toBe(cause);
  });
});

describe('ValidationError', () => {
  it('is a 400 that names the first field and keeps them all', () => {
    const error = new ValidationError({ name: 'Please enter your name.', body: 'Please write a comment.' });
    expect(error).toBeInstanceOf(HearthError);
    expect(error.code).toBe('HEARTH_ERR_VALIDATION');
    expect(error.status).toBe(400);
    expect(error.field).toBe('name');
    expect(error.message).toBe('name: Please enter your name.');
    expect(error.fields).toEqual({ name: 'Please enter your name.', body: 'Please write a comment.' });
  });
});

describe('docs/errors.md', () => {
  const file = path.resolve(import.meta.dirname, '../../docs/errors.md');
  const text = fs.readFileSync(file, 'utf8');
  /** Table rows: | `CODE` | status | message | */
  const rows = [...text.matchAll(/^\|\s*`?(HEARTH_ERR_\w+)`?\s*\|\s*(\d{3})\s*\|(.*)\|\s*$/gm)].map((m) => ({
    code: m[1] ?? '',
    status: Number(m[2]),
    message: (m[3] ?? '').trim(),
  }));

  it('has one table row for every code in the registry, with its status and its message', () => {
    for (const code of codes) {
      const matching = rows.filter((r) => r.code === code);
      expect(matching, code).toHaveLength(1);
      expect(matching[0]?.status, code).toBe(errorRegistry[code].status);
      // Markdown tables escape a pipe as \|.
      expect(matching[0]?.message.replaceAll('\\|', '|'), code).toBe(errorRegistry[code].message);
    }
  });

  it('mentions no code that is not in the registry', () => {
    const mentioned = new Set(text.match(/HEARTH_ERR_\w+/g) ?? []);
    const unknown = [...mentioned].filter((code) => !(code in errorRegistry));
    expect(unknown).toEqual([]);
    expect(rows.length).toBe(codes.length);
  });
});
