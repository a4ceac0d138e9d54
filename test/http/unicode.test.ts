import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';

const PASSWORD = 'correct horse battery';

/** Signs in a new person of the given role on `app`, through the login form. */
async function writer(app: App, name: string, email: string, ip: string): Promise<AdminClient> {
  await app.services.users.create({ name, email, password: PASSWORD, role: 'owner' });
  const client = new AdminClient(app.server, { ip });
  expect((await client.signIn(email, PASSWORD)).statusCode).toBe(303);
  return client;
}

/** Publishes a post through the editor's form; returns its id. */
async function publish(client: AdminClient, fields: Record<string, string>): Promise<number> {
  await client.get('/admin/posts/new');
  const res = await client.post('/admin/posts/new', { body: 'Some text.', status: 'published', ...fields });
  expect(res.statusCode, res.body).toBe(303);
  return Number(/\/admin\/posts\/(\d+)/.exec(res.headers.location as string)?.[1]);
}

describe('typographic punctuation on a blog without the demo', () => {
  const title = 'It’s the “best” soup – really…';
  let app: App;
  beforeAll(async () => {
    app = await createTestApp({ demo: false });
    await publish(await writer(app, 'Ana', 'ana@example.org', '192.0.2.1'), { title });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps /feed.json parseable and /atom.xml and /feed.xml well-formed', async () => {
    const json = await app.server.inject('/feed.json');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toContain('charset=utf-8');
    const feed = JSON.parse(json.body) as { items: { title: string }[] };
    expect(feed.items[0]?.title).toBe(title);
    for (const url of ['/atom.xml', '/feed.xml']) {
      const res = await app.server.inject(url);
      expect(res.statusCode).toBe(200);
      expect(XMLValidator.validate(res.body), url).toBe(true);
      expect(res.rawPayload.includes(Buffer.from(title, 'utf8')), url).toBe(true);
    }
  });
});
