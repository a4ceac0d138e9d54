import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import { AdminClient, fieldError } from '../helpers/admin-client.js';
import { createTestApp } from '../helpers/app.js';
import { phoneJpeg } from '../helpers/photos.js';
import { startSmtpServer } from '../helpers/smtp.js';

/*
 * The guest writer's review (issue 18), through the admin's forms as a browser without
 * script sends them, with real email: a contributor uploads a photo into her draft and
 * submits it; the owner and the editor hear of it; the editor leaves a note, adds an
 * editor's note, sends it back, and publishes it; the writer hears of each.
 */

const PASSWORD = 'correct horse battery';
const TITLE = 'Bread on a wood stove';
let app: App;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const ids: Record<string, number> = {};
let lastIp = 0;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp({ demo: false, smtpUrl: smtp.url, mailFrom: 'Hearth test <blog@example.org>' });
  const people = [
    ['Olive Owner', 'olive@example.org', 'owner'],
    ['Ed Editor', 'ed@example.org', 'editor'],
    ['Ann Author', 'ann@example.org', 'author'],
    ['Cy Contributor', 'cy@example.org', 'contributor'],
  ] as const;
  for (const [name, email, role] of people) {
    ids[role] = (await app.services.users.create({ name, email, password: PASSWORD, role })).id;
  }
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

async function signedIn(email: string): Promise<AdminClient> {
  const client = new AdminClient(app.server, { ip: `192.0.2.${++lastIp}` });
  expect((await client.signIn(email, PASSWORD)).statusCode).toBe(303);
  return client;
}

/** The mail sent since the last call, once every message started has gone. */
async function mail() {
  await app.services.reviews.settled();
  const got = smtp.received.splice(0);
  return got.map((m) => ({ to: (m.to as { text: string }).text, subject: m.subject ?? '', text: m.text ?? '' }));
}

/** Uploads a photo as the editor's upload form does without script (the token in the query). */
async function uploadForm(client: AdminClient, alt: string, bytes?: Buffer): Promise<number> {
  const boundary = '----hearthreview';
  const photo = bytes ?? (await phoneJpeg(320, 240));
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\n${alt}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="loaf.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  const res = await client.request({
    method: 'POST',
    url: `/admin/media/upload?_csrf=${encodeURIComponent(client.csrf)}`,
    payload: Buffer.concat([Buffer.from(head), photo, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  expect(res.statusCode, res.body).toBe(303);
  return Number(/uploaded=(\d+)/.exec(res.headers.location as string)?.[1]);
}

const post = async (id: number) =>
  app.database.db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('the guest writer’s review', () => {
  let cy: AdminClient;
  let ed: AdminClient;
  let ann: AdminClient;
  let olive: AdminClient;
  let postId: number;
  let photoUrl: string;
  let body: string;

  beforeAll(async () => {
    cy = await signedIn('cy@example.org');
    ed = await signedIn('ed@example.org');
    ann = await signedIn('ann@example.org');
    olive = await signedIn('olive@example.org');
  });

  it('lets a contributor upload a photo into her draft, seeing and changing only her own photos', async () => {
    await ann.get('/admin/media');
    const annPhoto = await uploadForm(ann, 'A loaf on a board');
    const library = await cy.get('/admin/media');
    expect(library.statusCode).toBe(200);
    expect(library.body).toContain('href="/admin/media"');
    const photoId = await uploadForm(cy, 'Dough rising by the stove');
    const photo = await app.services.media.get(photoId);
    expect(photo?.uploadedBy).toBe(ids.contributor);
    photoUrl = photo?.url ?? '';
    const own = (await cy.get('/admin/media')).body;
    expect(own).toContain(photoUrl);
    expect(own).not.toContain((await app.services.media.get(annPhoto))?.url);
    // Ann's photo is not hers to change.
    expect((await cy.post(`/admin/media/${annPhoto}`, { alt: 'Mine now', caption: '', credit: '' })).statusCode).toBe(
      403,
    );
    expect((await app.services.media.get(annPhoto))?.alt).toBe('A loaf on a board');
    // Nor hers to see: its page is as if it did not exist, and it cannot be her feature image.
    expect((await cy.get(`/admin/media/${annPhoto}`)).statusCode).toBe(404);
    const borrowed = await cy.post('/admin/posts/new', {
      title: 'Borrowed',
      body: 'Text.',
      status: 'draft',
      featureImageId: String(annPhoto),
    });
    expect(borrowed.statusCode).toBe(403);
    expect(borrowed.body).toContain(`Photo ${annPhoto} is not one you uploaded`);
    // The same bytes as Ann's photo make a photo of Cy's own, not a link to Ann's.
    const bytes = await phoneJpeg(300, 200);
    const annCopy = await uploadForm(ann, 'A jar', bytes);
    const cyCopy = await uploadForm(cy, 'My jar', bytes);
    expect(cyCopy).not.toBe(annCopy);
    expect((await app.services.media.get(cyCopy))?.uploadedBy).toBe(ids.contributor);

    const editor = await cy.get('/admin/posts/new');
    expect(editor.body).toContain(`value="${photoId}"`);
    body = `The stove was still warm.\n\n![Dough rising by the stove](${photoUrl})\n`;
    const res = await cy.post('/admin/posts/new', {
      title: TITLE,
      body,
      status: 'draft',
      featureImageId: String(photoId),
    });
    expect(res.statusCode, res.body).toBe(303);
    postId = Number(/\/admin\/posts\/(\d+)/.exec(res.headers.location as string)?.[1]);
    const saved = await post(postId);
    expect(saved.html).toContain('<picture');
    expect(saved.feature_image_id).toBe(photoId);
  });

  it('refuses a contributor who publishes or writes an editor’s note, and an author who signs one as someone else', async () => {
    await cy.get(`/admin/posts/${postId}`);
    const published = await cy.post(`/admin/posts/${postId}`, { title: TITLE, body, status: 'published' });
    expect(published.statusCode).toBe(403);
    expect((await post(postId)).status).toBe('draft');

    const noted = await cy.post(`/admin/posts/${postId}`, { title: TITLE, body, status: 'draft', editorNote: 'Fine!' });
    expect(noted.statusCode).toBe(403);
    expect(fieldError(noted.body, 'post-editorNote')).toContain('Editor’s note: only an editor writes or changes it.');
    const block = await cy.post(`/admin/posts/${postId}`, {
      title: TITLE,
      body: `${body}\n::: note\nApproved by the editor.\n:::\n`,
      status: 'draft',
    });
    expect(block.statusCode).toBe(403);
    expect(fieldError(block.body, 'post-body')).toContain('new or changed editor’s note');
    expect((await post(postId)).editor_note).toBeNull();

    await ann.get('/admin/posts/new');
    const signed = await ann.post('/admin/posts/new', {
      title: 'Ann’s own',
      body: 'Text.',
      status: 'draft',
      editorNote: 'Checked.',
      editorNoteAuthor: String(ids.owner),
    });
    expect(signed.statusCode).toBe(403);
    expect(fieldError(signed.body, 'post-editorNoteAuthor')).toContain(
      'Note by: you cannot sign an editor’s note as someone else.',
    );
    const count = await app.database.db
      .selectFrom('posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('title', '=', 'Ann’s own')
      .executeTakeFirst();
    expect(Number(count?.n)).toBe(0);
  });

  it('refuses submitting someone else’s draft, and a submitted post for its writer until withdrawn', async () => {
    expect(smtp.received).toHaveLength(0);
    await ann.get('/admin/posts');
    const foreign = await ann.post(`/admin/posts/${postId}/submit`);
    expect(foreign.statusCode).toBe(403);
    expect((await post(postId)).review_submitted_at).toBeNull();
    expect(await mail()).toEqual([]);

    const page = await cy.get(`/admin/posts/${postId}`);
    expect(page.body).toContain('Submit for review');
    const res = await cy.post(`/admin/posts/${postId}/submit`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/posts/${postId}?review=submitted#review`);
    const sent = await mail();
    expect(sent.map((m) => m.to).sort()).toEqual(['ed@example.org', 'olive@example.org']);
    for (const m of sent) {
      expect(m.subject).toBe(`“${TITLE}” is waiting for review`);
      expect(m.text).toContain('Cy Contributor submitted');
      expect(m.text).toContain(`http://blog.test/admin/posts/${postId}`);
    }
    // A second click sends nothing more.
    expect((await cy.post(`/admin/posts/${postId}/submit`)).statusCode).toBe(303);
    expect(await mail()).toEqual([]);

    const locked = await cy.get(`/admin/posts/${postId}?review=submitted`);
    expect(locked.body).toContain('Submitted for review: the editors are told by email.');
    expect(locked.body).toContain('Withdraw from review');
    expect(locked.body).not.toContain('<button type="submit" class="button">Save</button>');
    const save = await cy.post(`/admin/posts/${postId}`, { title: TITLE, body: `${body}More.`, status: 'draft' });
    expect(save.statusCode).toBe(409);
    expect(save.body).toContain('is waiting for review');
    expect((await post(postId)).body).toBe(body);

    // Withdrawn, it is hers again; submitted again, the reviewers hear again.
    expect((await cy.post(`/admin/posts/${postId}/withdraw`)).statusCode).toBe(303);
    expect((await post(postId)).review_submitted_at).toBeNull();
    expect((await cy.post(`/admin/posts/${postId}/submit`)).statusCode).toBe(303);
    expect((await mail()).map((m) => m.to).sort()).toEqual(['ed@example.org', 'olive@example.org']);
  });

  it('shows reviewers the review list with a count in the menu, and not to writers', async () => {
    const list = await ed.get('/admin/review');
    expect(list.statusCode).toBe(200);
    expect(list.body).toMatch(/>Review <span class="side__count">\(1/);
    expect(list.body).toContain(`<a href="/admin/posts/${postId}#review">${TITLE}</a>`);
    expect(list.body).toContain('Cy Contributor');
    expect((await olive.get('/admin/review')).body).toContain(TITLE);
    expect((await cy.get('/admin/review')).statusCode).toBe(403);
    expect((await cy.get('/admin/posts')).body).not.toContain('href="/admin/review"');
    // The posts list marks the waiting draft, for its writer and for the reviewers.
    const marked = new RegExp(`>${TITLE}</a></th>\\s*<td data-label="Status">[^\\n]*in review`);
    expect((await ed.get('/admin/posts')).body).toMatch(marked);
    expect((await cy.get('/admin/posts')).body).toMatch(marked);
  });

  it('lets a reviewer leave a note (the writer is emailed), add an editor’s note and send it back', async () => {
    await ed.get(`/admin/posts/${postId}`);
    const empty = await ed.post(`/admin/posts/${postId}/notes`, { note: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(fieldError(empty.body, 'review-note')).toBe('Write the note first.');
    const noted = await ed.post(`/admin/posts/${postId}/notes`, { note: 'Lovely. Say how hot the stove was?' });
    expect(noted.statusCode).toBe(303);
    const [toWriter, ...rest] = await mail();
    expect(rest).toEqual([]);
    expect(toWriter?.to).toBe('cy@example.org');
    expect(toWriter?.subject).toBe(`A note on “${TITLE}”`);
    expect(toWriter?.text).toContain('Say how hot the stove was?');
    // The thread is the writer's and the reviewers': not another author's, and not public.
    expect((await cy.get(`/admin/posts/${postId}`)).body).toContain('Say how hot the stove was?');
    expect((await ann.get(`/admin/posts/${postId}`)).statusCode).toBe(403);
    expect((await ann.post(`/admin/posts/${postId}/notes`, { note: 'Me too' })).statusCode).toBe(403);

    // The reviewer edits the waiting post: an editor's note, signed, and a note in the text.
    body = `The stove was still warm.\n\n::: note\nThe stove was at about 220 °C.\n:::\n\n![Dough rising by the stove](${photoUrl})\n`;
    const edited = await ed.post(`/admin/posts/${postId}`, {
      title: TITLE,
      body,
      status: 'draft',
      editorNote: 'Cy wrote this as our guest.',
      editorNoteAuthor: '',
    });
    expect(edited.statusCode, edited.body).toBe(303);
    expect((await post(postId)).editor_note_author_id).toBe(ids.editor);

    const back = await ed.post(`/admin/posts/${postId}/notes`, { note: 'Add a line on the flour.', sendBack: 'yes' });
    expect(back.statusCode).toBe(303);
    const [changes] = await mail();
    expect(changes?.to).toBe('cy@example.org');
    expect(changes?.subject).toBe(`“${TITLE}” needs changes`);
    expect(changes?.text).toContain('Add a line on the flour.');
    expect((await post(postId)).review_submitted_at).toBeNull();
    expect((await ed.get('/admin/review')).body).toContain('Nothing is waiting for review.');
  });

  it('keeps an editor’s note through the writer’s edits only while she leaves it unchanged', async () => {
    await cy.get(`/admin/posts/${postId}`);
    const changed = await cy.post(`/admin/posts/${postId}`, {
      title: TITLE,
      body: body.replace('220 °C', '250 °C'),
      status: 'draft',
    });
    expect(changed.statusCode).toBe(403);
    expect(fieldError(changed.body, 'post-body')).toContain('new or changed editor’s note');
    const removed = await cy.post(`/admin/posts/${postId}`, {
      title: TITLE,
      body: body.replace('::: note\nThe stove was at about 220 °C.\n:::\n', ''),
      status: 'draft',
    });
    expect(removed.statusCode).toBe(403);
    expect(fieldError(removed.body, 'post-body')).toContain('it lost an editor’s note');
    const note = await cy.post(`/admin/posts/${postId}`, {
      title: TITLE,
      body,
      status: 'draft',
      editorNote: 'I wrote this as your guest.',
    });
    expect(note.statusCode).toBe(403);
    expect(fieldError(note.body, 'post-editorNote')).toBeTruthy();

    body = body.replace('still warm.', 'still warm, and the flour was rye.');
    const kept = await cy.post(`/admin/posts/${postId}`, { title: TITLE, body, status: 'draft' });
    expect(kept.statusCode, kept.body).toBe(303);
    const row = await post(postId);
    expect(row.body).toContain('the flour was rye');
    expect(row.editor_note).toBe('Cy wrote this as our guest.');
    expect(row.editor_note_author_id).toBe(ids.editor);
    expect(row.html).toContain('<aside class="editor-note"');
  });

  it('publishes it from review: the writer is emailed, the note shows, the review list empties', async () => {
    await cy.get(`/admin/posts/${postId}`);
    expect((await cy.post(`/admin/posts/${postId}/submit`)).statusCode).toBe(303);
    expect(await mail()).toHaveLength(2);
    await ed.get(`/admin/posts/${postId}`);
    const published = await ed.post(`/admin/posts/${postId}`, {
      title: TITLE,
      body,
      status: 'published',
      editorNote: 'Cy wrote this as our guest.',
      editorNoteAuthor: String(ids.editor),
    });
    expect(published.statusCode, published.body).toBe(303);
    const [toWriter, ...rest] = await mail();
    expect(rest).toEqual([]);
    expect(toWriter?.to).toBe('cy@example.org');
    expect(toWriter?.subject).toBe(`“${TITLE}” is published`);
    expect(toWriter?.text).toContain('http://blog.test/bread-on-a-wood-stove/');
    const row = await post(postId);
    expect(row.status).toBe('published');
    expect(row.review_submitted_at).toBeNull();
    const page = await app.server.inject('/bread-on-a-wood-stove/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Cy wrote this as our guest.');
    expect(page.body).toContain('The stove was at about 220 °C.');
    // Review notes are never public.
    expect(page.body).not.toContain('Say how hot the stove was?');
    expect((await ed.get('/admin/review')).body).not.toMatch(/side__count/);
    const thread = (await cy.get(`/admin/posts/${postId}`)).body;
    expect(thread).toContain('published it');

    const actions = (await app.services.audit.recent(50))
      .filter((e) => e.subject === `post:${postId}`)
      .map((e) => e.action);
    for (const action of [
      'post_submitted',
      'post_review_withdrawn',
      'review_note_added',
      'post_sent_back',
      'post_published',
    ]) {
      expect(actions).toContain(action);
    }
  });

  it('takes a trashed post off the review list, and refuses to submit or change a trashed post', async () => {
    const res = await cy.post('/admin/posts/new', { title: 'Nettle soup', body: 'Wear gloves.', status: 'draft' });
    const id = Number(/\/admin\/posts\/(\d+)/.exec(res.headers.location as string)?.[1]);
    expect((await cy.post(`/admin/posts/${id}/submit`)).statusCode).toBe(303);
    await mail();
    expect((await ed.get('/admin/review')).body).toContain('Nettle soup');
    expect((await ed.post(`/admin/posts/${id}/trash`)).statusCode).toBe(303);
    const list = (await ed.get('/admin/review')).body;
    expect(list).not.toContain('Nettle soup');
    expect(list).not.toMatch(/side__count/);
    expect((await post(id)).review_submitted_at).toBeNull();
    expect((await cy.post(`/admin/posts/${id}/submit`)).statusCode).toBe(409);
    expect((await cy.post(`/admin/posts/${id}/related`, { pin: '', exclude: '' })).statusCode).toBe(409);
    expect(await mail()).toEqual([]);
  });
});
