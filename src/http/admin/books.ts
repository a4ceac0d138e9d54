import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AUTHOR_ROLES,
  type AuthorRole,
  type Book,
  type BookActor,
  type BookChoices,
  type BookDraft,
  type PageSize,
  type TocEntry,
  type TocEntryInput,
} from '../../domain/books/index.js';
import { HearthError } from '../../errors.js';
import type { Services } from '../../services.js';
import { urls } from '../../shared/urls.js';
import { buildPanel } from './book-builds.js';
import { formView, type Pages } from './pages.js';

/** The services this plugin uses. */
export type BookRoutesServices = Pick<Services, 'books' | 'bookBuilds'>;

const makeBooks = { capability: 'make_books' } as const;
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
  required: ['id'],
} as const;
/** Every field of the book form is text (with the CSRF token); rows are `entry.N.field` and `author.N.field`. */
const bookBody = {
  type: 'object',
  patternProperties: { '^[A-Za-z_.0-9]{1,40}$': { type: 'string', maxLength: 600_000 } },
} as const;
const doneQuery = { type: 'object', properties: { done: { type: 'string', maxLength: 20 } } } as const;

const ROLE_NAMES: Record<AuthorRole, string> = {
  aut: 'Author',
  edt: 'Editor',
  ill: 'Illustrator',
  pht: 'Photographer',
  trl: 'Translator',
  ctb: 'Contributor',
  aui: 'Author of introduction',
};
const FIELDS = [
  'title',
  'subtitle',
  'slug',
  'language',
  'description',
  'publisher',
  'rights',
  'isbn',
  'subjects',
  'coverMediaId',
  'coverMode',
  'pageSize',
  'frontMatter',
  'public',
  'offerDownloads',
] as const;

type Body = Record<string, unknown>;
type EntryRow = { kind: 'part' | 'post' | 'text'; post: string; title: string; body: string };
type AuthorRow = { user: string; name: string; fileAs: string; role: string };
/** The book form as typed: what the page shows again, whether it is saved or not. */
interface BookForm {
  values: Record<string, string>;
  authors: AuthorRow[];
  entries: EntryRow[];
  sources: string[];
}

const text = (value: unknown): string =>
  typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';

/** The rows `prefix.1.x`, `prefix.2.x`, ... of a form, in order. */
function rows(body: Body, prefix: string): Map<string, string>[] {
  const found = new Map<number, Map<string, string>>();
  for (const [name, value] of Object.entries(body)) {
    const m = new RegExp(`^${prefix}\\.([1-9][0-9]{0,3})\\.([A-Za-z]+)$`).exec(name);
    if (!m) continue;
    const n = Number(m[1]);
    if (!found.has(n)) found.set(n, new Map());
    found.get(n)?.set(m[2] as string, text(value));
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
}

function formOfBody(body: Body): BookForm {
  const values: Record<string, string> = {};
  for (const f of FIELDS) values[f] = text(body[f]);
  values.public = values.public === '' ? '' : 'on';
  values.offerDownloads = values.offerDownloads === '' ? '' : 'on';
  const entries = rows(body, 'entry').map((r) => {
    const kind = r.get('kind');
    return {
      kind: kind === 'part' || kind === 'post' ? kind : 'text',
      post: r.get('post') ?? '',
      title: r.get('title') ?? '',
      body: r.get('body') ?? '',
    } satisfies EntryRow;
  });
  const authors = rows(body, 'author').map((r) => ({
    user: r.get('user') ?? '',
    name: r.get('name') ?? '',
    fileAs: r.get('fileAs') ?? '',
    role: r.get('role') ?? 'aut',
  }));
  const sources = Object.keys(body)
    .filter((k) => /^source\.(category|tag)\.[1-9][0-9]{0,9}$/.test(k))
    .map((k) => k.slice('source.'.length).replace('.', ':'));
  return { values, authors, entries, sources };
}

function formOfBook(book: Book, contents: TocEntry[], sources: { kind: string; termId: number }[]): BookForm {
  return {
    values: {
      title: book.title,
      subtitle: book.subtitle,
      slug: book.slug,
      language: book.language,
      description: book.description,
      publisher: book.publisher,
      rights: book.rights,
      isbn: book.identifier.startsWith('urn:isbn:') ? book.identifier.slice('urn:isbn:'.length) : '',
      subjects: book.subjects.join('\n'),
      coverMediaId: book.coverMediaId === null ? '' : String(book.coverMediaId),
      coverMode: book.coverMode,
      pageSize: book.pageSize,
      frontMatter: book.frontMatter,
      public: book.public ? 'on' : '',
      offerDownloads: book.offerDownloads ? 'on' : '',
    },
    authors: book.authors.map((a) => ({
      user: a.userId === null ? '' : String(a.userId),
      name: a.name,
      fileAs: a.fileAs,
      role: a.role,
    })),
    entries: contents.map((e) =>
      e.kind === 'part'
        ? { kind: 'part', post: '', title: e.title, body: '' }
        : e.postId !== null
          ? { kind: 'post', post: String(e.postId), title: e.title, body: '' }
          : { kind: 'text', post: '', title: e.title, body: e.body },
    ),
    sources: sources.map((s) => `${s.kind}:${s.termId}`),
  };
}

const emptyForm = (): BookForm => ({
  values: { language: 'en', coverMode: 'drawn', pageSize: 'a5', public: '', offerDownloads: '' },
  authors: [],
  entries: [],
  sources: [],
});

/** What the service saves: a part groups the chapters after it, up to the next part. */
function draftOf(form: BookForm): BookDraft {
  const v = form.values;
  const contents: TocEntryInput[] = [];
  let part: { part: string; chapters: Exclude<TocEntryInput, { part: string }>[] } | undefined;
  for (const e of form.entries) {
    if (e.kind === 'part') {
      part = { part: e.title, chapters: [] };
      contents.push(part);
      continue;
    }
    const chapter =
      e.kind === 'post'
        ? { post: /^[0-9]{1,10}$/.test(e.post) ? Number(e.post) : e.post }
        : { title: e.title, body: e.body };
    if (part) part.chapters.push(chapter);
    else contents.push(chapter);
  }
  return {
    fields: {
      title: v.title ?? '',
      subtitle: v.subtitle ?? '',
      ...(v.slug?.trim() ? { slug: v.slug } : {}),
      language: v.language ?? '',
      description: v.description ?? '',
      publisher: v.publisher ?? '',
      rights: v.rights ?? '',
      isbn: v.isbn ?? '',
      subjects: (v.subjects ?? '')
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      coverMediaId: /^[1-9][0-9]{0,9}$/.test(v.coverMediaId ?? '') ? Number(v.coverMediaId) : null,
      coverMode: v.coverMode === 'upload' ? 'upload' : 'drawn',
      // Checked by the service, which names the field when it is not a size it knows.
      ...(v.pageSize ? { pageSize: v.pageSize as PageSize } : {}),
      frontMatter: v.frontMatter ?? '',
      public: v.public !== undefined && v.public !== '',
      offerDownloads: v.offerDownloads !== undefined && v.offerDownloads !== '',
    },
    authors: form.authors.map((a) => ({
      ...(/^[1-9][0-9]{0,9}$/.test(a.user) ? { userId: Number(a.user) } : {}),
      name: a.name,
      fileAs: a.fileAs,
      role: a.role as AuthorRole,
    })),
    contents,
    sources: form.sources.map((s) => {
      const [kind, id] = s.split(':');
      return { kind: kind as 'category' | 'tag', term: Number(id) };
    }),
  };
}

/** Moves row `n` (1-based) of a list one place up or down, or removes it; false when it cannot. */
function rearrange<T>(list: T[], how: string, n: number): boolean {
  const i = n - 1;
  if (i < 0 || i >= list.length) return false;
  if (how === 'remove') list.splice(i, 1);
  else if (how === 'up' && i > 0) [list[i - 1], list[i]] = [list[i] as T, list[i - 1] as T];
  else if (how === 'down' && i < list.length - 1) [list[i], list[i + 1]] = [list[i + 1] as T, list[i] as T];
  else return false;
  return true;
}

/**
 * Applies a button of the form other than Save: a row moved, removed or added. Nothing is
 * saved; the page shows the form again, as typed, with a notice of what changed.
 */
function applyAction(form: BookForm, action: string, body: Body): string | undefined {
  const m = /^(entry|author)-(up|down|remove)\.([1-9][0-9]{0,3})$/.exec(action);
  if (m) {
    const [, list, how, n] = m as unknown as [string, 'entry' | 'author', string, string];
    const rows = list === 'entry' ? form.entries : form.authors;
    const label = list === 'entry' ? 'part or chapter' : 'author';
    if (!rearrange<unknown>(rows, how, Number(n))) return `That ${label} cannot move further.`;
    const place = how === 'up' ? Number(n) - 1 : how === 'down' ? Number(n) + 1 : 0;
    return how === 'remove'
      ? `The ${label} is taken out. Save the book to keep the change.`
      : `The ${label} is now number ${place}. Save the book to keep the change.`;
  }
  switch (action) {
    case 'add-part':
      form.entries.push({ kind: 'part', post: '', title: '', body: '' });
      return 'A part is added at the end: give it a title, then save the book.';
    case 'add-text':
      form.entries.push({ kind: 'text', post: '', title: '', body: '' });
      return 'A chapter is added at the end: write its title and text, then save the book.';
    case 'add-post': {
      const post = text(body.newPost);
      if (!/^[1-9][0-9]{0,9}$/.test(post)) return 'Choose a post or page to add as a chapter.';
      form.entries.push({ kind: 'post', post, title: '', body: '' });
      return 'The post is added at the end as a chapter. Save the book to keep the change.';
    }
    case 'add-author':
      form.authors.push({ user: '', name: '', fileAs: '', role: 'aut' });
      return 'An author is added: fill in the name or choose a user, then save the book.';
    default:
      return undefined;
  }
}

/** The form as the view shows it: rows numbered, each post chapter with its post's title and state. */
function formData(form: BookForm, choices: BookChoices, errors: Record<string, string> = {}) {
  const posts = new Map(choices.posts.map((p) => [String(p.id), p]));
  let inPart = false;
  const entries = form.entries.map((e, i) => {
    if (e.kind === 'part') inPart = true;
    const post = e.kind === 'post' ? posts.get(e.post) : undefined;
    return {
      ...e,
      n: i + 1,
      first: i === 0,
      last: i === form.entries.length - 1,
      inPart: e.kind !== 'part' && inPart,
      title: post ? post.title : e.title,
      postTitle: post ? post.title : e.title || `Post ${e.post}`,
      postState: post ? (post.status === 'published' ? '' : post.status) : 'deleted',
      error: errors[`entries.${i + 1}.title`] ?? errors[`entries.${i + 1}.body`],
      titleError: errors[`entries.${i + 1}.title`],
      bodyError: errors[`entries.${i + 1}.body`],
    };
  });
  const authors = form.authors.map((a, i) => ({
    ...a,
    n: i + 1,
    first: i === 0,
    last: i === form.authors.length - 1,
    nameError: errors[`authors.${i + 1}.name`],
    userError: errors[`authors.${i + 1}.user`],
    fileAsError: errors[`authors.${i + 1}.fileAs`],
    roleError: errors[`authors.${i + 1}.role`],
  }));
  const chosen = new Set(form.sources);
  return {
    entries,
    authors,
    roles: AUTHOR_ROLES.map((code) => ({ code, name: ROLE_NAMES[code] })),
    choices: {
      ...choices,
      users: choices.users.map((u) => ({ ...u, id: String(u.id) })),
      photos: choices.photos.map((p) => ({ ...p, id: String(p.id) })),
      categories: choices.categories.map((c) => ({ ...c, checked: chosen.has(`category:${c.id}`) })),
      tags: choices.tags.map((t) => ({ ...t, checked: chosen.has(`tag:${t.id}`) })),
      posts: choices.posts.filter((p) => !form.entries.some((e) => e.kind === 'post' && e.post === String(p.id))),
    },
  };
}

/**
 * Books (issue 17) for those who make them (`make_books`): the list, a form for a book's
 * fields, authors, parts and chapters (moved by buttons without script, dragged with
 * books.js) and sources, saved at once; a preview of the book as it will read; delete.
 */
export async function bookRoutes(
  app: FastifyInstance,
  deps: { services: BookRoutesServices; pages: Pages },
): Promise<void> {
  const { pages } = deps;
  const books = deps.services.books;
  const actor = (request: FastifyRequest): BookActor => {
    const user = request.session?.user;
    if (!user) throw new Error('books: no signed-in user on an admin route');
    return { id: user.id, role: user.role };
  };
  // An author opens only their own books (as their own posts); editors and above, anyone's.
  const mustGet = async (request: FastifyRequest, id: string) => books.authorize(actor(request), Number(id));

  const showForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    book: Book | undefined,
    form: BookForm,
    extra: { notice?: string; status?: number } = {},
  ) => {
    const choices = await books.choices();
    const data = {
      title: book ? `Edit “${book.title}”` : 'New book',
      book: book ? { ...book, publicUrl: urls.book(book.slug) } : null,
      action: book ? `/admin/books/${book.id}` : '/admin/books/new',
      notice: extra.notice ?? '',
      builds: book ? await buildPanel(deps.services, book.id) : null,
    };
    return pages.page(
      request,
      reply,
      'book',
      { ...data, form: formView(form.values), ...formData(form, choices) },
      extra.status ?? 200,
    );
  };

  /** Shows the form with every problem the service named, next to its field, with a 4xx status. */
  const showErrors = async (
    request: FastifyRequest,
    reply: FastifyReply,
    book: Book | undefined,
    form: BookForm,
    error: unknown,
  ) => {
    const choices = await books.choices();
    return pages.formError(
      request,
      reply,
      'book',
      {
        title: book ? `Edit “${book.title}”` : 'New book',
        book: book ? { ...book, publicUrl: urls.book(book.slug) } : null,
        action: book ? `/admin/books/${book.id}` : '/admin/books/new',
        values: form.values,
        builds: book ? await buildPanel(deps.services, book.id) : null,
        ...formData(form, choices, errorFields(error)),
      },
      error,
    );
  };

  const submit = async (request: FastifyRequest<{ Body: Body }>, reply: FastifyReply, book: Book | undefined) => {
    const body = request.body ?? {};
    const form = formOfBody(body);
    const action = text(body.action) || 'save';
    if (action !== 'save') {
      const notice = applyAction(form, action, body);
      return showForm(request, reply, book, form, { notice: notice ?? 'Nothing changed.' });
    }
    let saved: Book;
    try {
      saved = await books.save(actor(request), book ? book.id : null, draftOf(form));
    } catch (error) {
      return showErrors(request, reply, book, form, error);
    }
    return reply.redirect(`/admin/books/${saved.id}?done=${book ? 'saved' : 'created'}`, 303);
  };

  app.get('/books', { config: { access: makeBooks }, schema: { querystring: doneQuery } }, async (request, reply) => {
    const done = (request.query as { done?: string }).done;
    const list = await books.list();
    return pages.page(request, reply, 'books', {
      title: 'Books',
      notice: done === 'deleted' ? 'The book is deleted.' : '',
      books: list.map((b) => ({ ...b, updated: b.updatedAt.slice(0, 10) })),
    });
  });

  app.get('/books/new', { config: { access: makeBooks }, schema: {} }, async (request, reply) =>
    showForm(request, reply, undefined, emptyForm()),
  );

  app.post<{ Body: Body }>(
    '/books/new',
    { config: { access: makeBooks }, schema: { body: bookBody }, bodyLimit: 16 * 1024 * 1024 },
    async (request, reply) => submit(request, reply, undefined),
  );

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>(
    '/books/:id',
    { config: { access: makeBooks }, schema: { params: idParams, querystring: doneQuery } },
    async (request, reply) => {
      const book = await mustGet(request, request.params.id);
      const form = formOfBook(book, await books.contents(book.id), await books.sources(book.id));
      const done = request.query.done;
      const notice = done === 'created' ? 'The book is made.' : done === 'saved' ? 'The book is saved.' : '';
      return showForm(request, reply, book, form, { notice });
    },
  );

  app.post<{ Params: { id: string }; Body: Body }>(
    '/books/:id',
    { config: { access: makeBooks }, schema: { params: idParams, body: bookBody }, bodyLimit: 16 * 1024 * 1024 },
    async (request, reply) => submit(request, reply, await mustGet(request, request.params.id)),
  );

  app.get<{ Params: { id: string } }>(
    '/books/:id/delete',
    { config: { access: makeBooks }, schema: { params: idParams } },
    async (request, reply) => {
      const book = await mustGet(request, request.params.id);
      return pages.page(request, reply, 'book-delete', { title: `Delete “${book.title}”?`, book });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/books/:id/delete',
    { config: { access: makeBooks }, schema: { params: idParams, body: bookBody } },
    async (request, reply) => {
      const book = await mustGet(request, request.params.id);
      await books.delete(actor(request), book.id);
      return reply.redirect('/admin/books?done=deleted', 303);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/books/:id/preview',
    { config: { access: makeBooks }, schema: { params: idParams } },
    async (request, reply) => {
      await mustGet(request, request.params.id);
      const { book, parts, chapters, missing } = await books.resolve(Number(request.params.id));
      // Reading order: parts sit before their first chapter (or where they stand when empty).
      const sections: { kind: 'part' | 'chapter'; n: number; title: string; html?: string; slug?: string | null }[] =
        [];
      const placed = new Set<number>();
      const partAt = (position: number | null) => {
        for (const p of parts)
          if (!placed.has(p.position) && (position === null || p.position < position)) {
            placed.add(p.position);
            sections.push({ kind: 'part', n: p.position, title: p.title });
          }
      };
      for (const [i, c] of chapters.entries()) {
        partAt(c.position ?? Number.MAX_SAFE_INTEGER);
        sections.push({ kind: 'chapter', n: i + 1, title: c.title, html: c.html, slug: c.slug });
      }
      partAt(null);
      return pages.page(request, reply, 'book-preview', {
        title: `Preview: ${book.title}`,
        book,
        sections,
        missing: missing.map((m) => ({
          ...m,
          why:
            m.reason === 'deleted'
              ? 'its post was deleted'
              : m.reason === 'unpublished'
                ? 'its post is not published (a draft or scheduled)'
                : 'the category or tag that fed it is gone',
        })),
      });
    },
  );
}

/** The field messages of a validation error, for the rows of the form. */
function errorFields(error: unknown): Record<string, string> {
  if (error && typeof error === 'object' && 'fields' in error)
    return (error as { fields: Record<string, string> }).fields;
  return {};
}
