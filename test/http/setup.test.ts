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
    expect(again.statusCode).toBe(404);
    expect(await app.services.setup.issueToken()).toBeUndefined();
  });
});
