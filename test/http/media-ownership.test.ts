import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { phoneJpeg } from '../helpers/photos.js';

const PASSWORD = 'correct horse battery';
let app: App;
let ann: AdminClient;
let bea: AdminClient;
let eda: AdminClient;
let photo: Buffer;
let uploads = 0;

async function signedIn(email: string, ip: number): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `192.0.2.${ip}` });
  expect((await client.signIn(email, PASSWORD)).statusCode).toBe(303);
  await client.get('/admin/media');
  return client;
}

beforeAll(async () => {
  app = await createTestApp({ demo: false });
  const people = [
    ['Ann Author', 'ann@example.org', 'author'],
    ['Bea Author', 'bea@example.org', 'author'],
    ['Eda Editor', 'eda@example.org', 'editor'],
  ] as const;
  for (const [name, email, role] of people) await app.services.users.create({ name, email, password: PASSWORD, role });
  ann = await signedIn('ann@example.org', 31);
  bea = await signedIn('bea@example.org', 32);
  eda = await signedIn('eda@example.org', 33);
  photo = await phoneJpeg(400, 300);
});
afterAll(async () => {
  await app?.close();
});

async function upload(client: AdminClient): Promise<number> {
  const boundary = '----hearthowner';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nA bowl of soup\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="soup.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  // Each upload other bytes (a wider photo): the same file again is the photo already there.
  uploads += 1;
  const bytes = await phoneJpeg(400 + uploads, 300);
  const res = await client.request({
    method: 'POST',
    url: '/admin/media/upload',
    payload: Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'x-csrf-token': client.csrf,
      accept: 'application/json',
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: number }).id;
}

const edit = (client: AdminClient, id: number, alt: string) =>
  client.post(`/admin/media/${id}`, { alt, caption: 'changed', credit: '' });
const remove = (client: AdminClient, id: number) => client.post(`/admin/media/${id}/delete`, { force: 'yes' });

describe('who may change a library photo', () => {
  it('records the uploader; another author may use it but not change or delete it', async () => {
    const id = await upload(ann);
    const annId = (
      await app.database.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'ann@example.org')
        .executeTakeFirstOrThrow()
    ).id;
    expect((await app.services.media.get(id))?.uploadedBy).toBe(annId);
    const refusedEdit = await edit(bea, id, 'Something else entirely');
    expect(refusedEdit.statusCode).toBe(403);
    expect(refusedEdit.body).toContain(`Photo ${id} is not one you uploaded`);
    const refusedDelete = await remove(bea, id);
    expect(refusedDelete.statusCode).toBe(403);
    const kept = await app.services.media.get(id);
    expect(kept?.alt).toBe('A bowl of soup');
    // The library is still there for her to read and pick from, without forms she may not use.
    const library = (await bea.get('/admin/media')).body;
    expect(library).toContain(`href="/admin/media/${id}"`);
    const page = (await bea.get(`/admin/media/${id}`)).body;
    expect(page).toContain(kept?.url);
    expect(page).not.toContain(`action="/admin/media/${id}"`);
    expect(page).not.toContain(`action="/admin/media/${id}/delete"`);
    expect(page).toContain('Uploaded by someone else');
    const own = (await ann.get(`/admin/media/${id}`)).body;
    expect(own).toContain(`action="/admin/media/${id}"`);
    expect(own).toContain(`action="/admin/media/${id}/delete"`);
  });

  it('lets the uploader change and delete their own photo', async () => {
    const id = await upload(bea);
    expect((await edit(bea, id, 'A bowl of bean soup')).statusCode).toBe(303);
    expect((await app.services.media.get(id))?.alt).toBe('A bowl of bean soup');
    expect((await remove(bea, id)).statusCode).toBe(303);
    expect(await app.services.media.get(id)).toBeUndefined();
  });

  it('lets editors change and delete anyone’s photo, and photos with no uploader on record', async () => {
    const id = await upload(ann);
    expect((await edit(eda, id, 'Soup, edited by the editor')).statusCode).toBe(303);
    expect((await app.services.media.get(id))?.alt).toBe('Soup, edited by the editor');
    expect((await remove(eda, id)).statusCode).toBe(303);

    const legacy = await app.services.media.ingest({ data: photo, name: 'old.jpg', alt: 'From before' });
    expect(legacy.uploadedBy).toBeNull();
    expect((await edit(ann, legacy.id, 'Mine now?')).statusCode).toBe(403);
    expect((await edit(eda, legacy.id, 'From before, described')).statusCode).toBe(303);
  });
});
