import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'correct horse battery';
let app: App;
let owner: AdminClient;

beforeAll(async () => {
  app = await createTestApp({ demo: false });
  await app.services.users.create({ name: 'Olga Owner', email: 'olga@example.org', password: PASSWORD, role: 'owner' });
  owner = new AdminClient(app.server, { ip: '192.0.2.44' });
  expect((await owner.signIn('olga@example.org', PASSWORD)).statusCode).toBe(303);
});
afterAll(async () => {
  await app?.close();
});

const boundary = '----hearthcutoff0123456789';
const malformed = {
  'no boundary': {
    headers: { 'content-type': 'multipart/form-data' },
    payload: 'name=Olga&bio=hello',
  },
  'a cut-off part': {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nOlga\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0 half a photo`,
  },
};

const routes = [
  '/admin/profile',
  '/admin/profile/avatar',
  '/admin/profile/email',
  '/admin/profile/password',
  '/admin/settings',
  '/admin/settings/logo',
  '/admin/settings/comments',
  '/admin/media/upload',
];

describe('a malformed multipart body', () => {
  for (const route of routes) {
    for (const [kind, body] of Object.entries(malformed)) {
      it(`is answered 400 with a clear message on ${route} (${kind})`, async () => {
        await owner.get('/admin/profile');
        const res = await owner.request({
          method: 'POST',
          url: `${route}?_csrf=${encodeURIComponent(owner.csrf)}`,
          ...body,
        });
        expect(res.statusCode).toBe(400);
        expect(res.body).toContain('The form could not be read');
      });
    }
  }
});
