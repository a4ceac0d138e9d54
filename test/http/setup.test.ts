import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/domain/users/index.js';
import type { App } from '../../src/main.js';
import { createTestApp, form } from '../helpers/app.js';

let app: App;
let path: string;

beforeAll(async () => {
  app = await createTestApp();
  expect(app.setupUrl).toMatch(/^http:\/\/blog\.test\/setup\/[\w-]{20,}$/);
  path = new URL(app.setupUrl as string).pathname;
});
afterAll(async () => {
  await app?.close();
});

describe('first-run owner setup', () => {
  it('shows the form at the printed link only', async () => {
    expect((await app.server.inject(path)).statusCode).toBe(200);
    const wrong = await app.server.inject('/setup/not-the-right-token-at-all');
    expect(wrong.statusCode).toBe(404);
    expect(wrong.body).toContain('not valid');
  });

  it('refuses a short password and a bad email, naming the fields, creating nobody', async () => {
    const res = await app.server.inject({
      method: 'POST',
      url: path,
      ...form({ name: 'Owner', email: 'nope', password: 'short' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('at least 12 characters');
    expect(res.body).toContain('does not look like an email');
    expect(await app.services.users.hasOwner()).toBe(false);
  });

  it('creates the owner with a hashed password, and the link dies once used', async () => {
    const res = await app.server.inject({
      method: 'POST',
      url: path,
      ...form({ name: 'Hanna Owner', email: 'Hanna@Example.org', password: 'correct horse battery' }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).toContain('has been created');
    const user = await app.database.db
      .selectFrom('users')
      .selectAll()
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    expect(user.email).toBe('hanna@example.org');
    expect(user.password_hash).toMatch(/^scrypt\$/);
    expect(await verifyPassword('correct horse battery', user.password_hash as string)).toBe(true);
    expect(await verifyPassword('wrong horse battery', user.password_hash as string)).toBe(false);

    expect((await app.server.inject(path)).statusCode).toBe(404);
    const again = await app.server.inject({
      method: 'POST',
      url: path,
      ...form({ name: 'Eve', email: 'eve@example.org', password: 'another long password' }),
    });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already has an owner');
    expect(await app.services.setup.issueToken()).toBeUndefined();
  });
});

describe('the setup link under simultaneous requests', () => {
  it('creates exactly one owner out of 20 simultaneous posts; the others get 409', async () => {
    const fresh = await createTestApp({ demo: false });
    try {
      const url = new URL(fresh.setupUrl as string).pathname;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fresh.server.inject({
            method: 'POST',
            url,
            ...form({ name: 'Same Name', email: `owner${i}@example.org`, password: 'correct horse battery' }),
          }),
        ),
      );
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([201, ...Array(19).fill(409)]);
      for (const r of results.filter((r) => r.statusCode === 409)) expect(r.body).toContain('already has an owner');
      const owners = await fresh.database.db.selectFrom('users').select('id').where('role', '=', 'owner').execute();
      expect(owners).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });
});

describe('the setup link with several instances', () => {
  it('keeps the link each instance printed until one of them is used, then kills every one', async () => {
    const fresh = await createTestApp({ demo: false });
    try {
      const first = new URL(fresh.setupUrl as string).pathname;
      // A second instance (or a restart) issues its own link; the first still works.
      const second = `/setup/${await fresh.services.setup.issueToken()}`;
      expect(second).not.toBe(first);
      expect((await fresh.server.inject(first)).statusCode).toBe(200);
      expect((await fresh.server.inject(second)).statusCode).toBe(200);
      const made = await fresh.server.inject({
        method: 'POST',
        url: second,
        ...form({ name: 'Owner Two', email: 'two@example.org', password: 'correct horse battery' }),
      });
      expect(made.statusCode).toBe(201);
      expect((await fresh.server.inject(first)).statusCode).toBe(404);
      const late = await fresh.server.inject({
        method: 'POST',
        url: first,
        ...form({ name: 'Owner One', email: 'one@example.org', password: 'correct horse battery' }),
      });
      expect(late.statusCode).toBe(409);
      const left = await fresh.database.db
        .selectFrom('settings')
        .select('key')
        .where('key', 'like', 'internal.setup%')
        .execute();
      expect(left).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});

describe('an old setup link', () => {
  it('stops working after a day, and is forgotten when a new one is printed', async () => {
    const fresh = await createTestApp({ demo: false });
    try {
      const path = new URL(fresh.setupUrl as string).pathname;
      expect((await fresh.server.inject(path)).statusCode).toBe(200);
      // Printed two days ago.
      await fresh.database.db
        .updateTable('settings')
        .set({ value: JSON.stringify(new Date(Date.now() - 2 * 86_400_000).toISOString()) })
        .where('key', 'like', 'internal.setup_token_sha256.%')
        .execute();
      expect((await fresh.server.inject(path)).statusCode).toBe(404);
      const late = await fresh.server.inject({
        method: 'POST',
        url: path,
        ...form({ name: 'Late Owner', email: 'late@example.org', password: 'correct horse battery' }),
      });
      expect(late.statusCode).toBe(404);
      expect(await fresh.services.users.hasOwner()).toBe(false);
      const next = await fresh.services.setup.issueToken();
      const rows = await fresh.database.db
        .selectFrom('settings')
        .select('key')
        .where('key', 'like', 'internal.setup_token_sha256.%')
        .execute();
      expect(rows).toHaveLength(1);
      expect((await fresh.server.inject(`/setup/${next}`)).statusCode).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
