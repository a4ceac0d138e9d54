import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, type SignedInUser } from '../../domain/accounts/index.js';
import type { EditablePost, Writer } from '../../domain/editorial/index.js';
import { fileOfWidth, type MediaItem } from '../../domain/media/index.js';
import { HearthError, isHearthError, ValidationError } from '../../errors.js';
import type { Services } from '../../services.js';
import { normaliseSlug } from '../../shared/slug.js';
import { utcToZoned } from '../../shared/zoned-time.js';
import type { PostStatus, PostType } from '../../storage/index.js';
import { cspWithStyleNonce } from '../plugins/security-headers.js';
import { ownPhotosOnly } from './media.js';
import { newsletterView } from './newsletters.js';
import type { Pages } from './pages.js';
import {
  emptyForm,
  formOf,
  POST_FIELD_LIMITS,
  type PostForm,
  readForm,
  readNewsletterChoice,
  toEditorInput,
} from './post-form.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type PostRoutesServices = Pick<
  Services,
  'accounts' | 'editorial' | 'media' | 'newsletters' | 'posts' | 'related' | 'reviews' | 'settings' | 'taxonomy'
>;

export const editOwn = { capability: 'edit_own' } as const;
export const idParam = { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } as const;
export const postParams = { type: 'object', properties: { id: idParam }, required: ['id'] } as const;
const STATUSES: PostStatus[] = ['draft', 'scheduled', 'published'];
const REVIEW_STEPS: Record<string, string> = {
  note: '',
  submitted: 'submitted it for review',
  withdrawn: 'withdrew it from review',
  changes: 'sent it back for changes',
  published: 'published it',
};
const REVIEW_NOTICES: Record<string, string> = {
  submitted: 'Submitted for review: the editors are told by email.',
  withdrawn: 'Withdrawn from review: you may change it again.',
  noted: 'Your note is kept.',
  'sent-back': 'Sent back to the writer for changes; they are told by email.',
};

type ListQuery = Partial<Record<'type' | 'status' | 'author' | 'category' | 'tag' | 'q' | 'page', string>>;
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const listQuery = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['post', 'page'] },
    status: { type: 'string', enum: ['', ...STATUSES] },
    author: { type: 'string', pattern: '^([1-9][0-9]{0,9})?$' },
    category: { type: 'string', pattern: '^([1-9][0-9]{0,9})?$' },
    tag: text(200),
    q: text(200),
    page: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
  },
} as const;

export const writerOf = (request: FastifyRequest): Writer => {
  const user = request.session?.user as SignedInUser;
  return { id: user.id, email: user.email, role: user.role };
};

export const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');

/**
 * The post list, the editor (posts and pages), its preview and autosave endpoints for
 * the script, and private preview links (revisions: post-revisions.ts). Every route needs
 * `edit_own`; which posts a writer may open and whether they may publish is the
 * editorial service's to decide.
 */
export async function postRoutes(
  app: FastifyInstance,
  deps: { services: PostRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const { editorial } = services;

  const listPage = async (request: FastifyRequest<{ Querystring: ListQuery }>, reply: FastifyReply, type: PostType) => {
    const q = request.query;
    const writer = writerOf(request);
    const tag = q.tag ? await services.taxonomy.tagBySlug(q.tag) : undefined;
    const result = await editorial.list(writer, {
      type,
      page: Number(q.page ?? 1),
      ...(q.status ? { status: q.status as PostStatus } : {}),
      ...(q.author ? { authorId: Number(q.author) } : {}),
      ...(q.category ? { categoryId: Number(q.category) } : {}),
      ...(q.tag ? { tagId: tag?.id ?? 0 } : {}),
      ...(q.q ? { search: q.q } : {}),
    });
    const [categories, team] = await Promise.all([services.taxonomy.categories(), services.accounts.team.list()]);
    const base = type === 'page' ? '/admin/pages' : '/admin/posts';
    const keep = new URLSearchParams(
      Object.entries({ status: q.status, author: q.author, category: q.category, tag: q.tag, q: q.q }).filter(
        (e): e is [string, string] => Boolean(e[1]),
      ),
    );
    const pageUrl = (n: number) => {
      const params = new URLSearchParams(keep);
      params.set('page', String(n));
      return `${base}?${params}`;
    };
    return pages.page(request, reply, 'posts', {
      title: type === 'page' ? 'Pages' : 'Posts',
      type,
      base,
      filters: {
        status: q.status ?? '',
        author: q.author ?? '',
        category: q.category ?? '',
        tag: q.tag ?? '',
        q: q.q ?? '',
      },
      statuses: STATUSES,
      categories,
      authors: team.map((m) => ({ id: String(m.id), name: m.name })),
      seeAll: writer.role !== 'contributor' && writer.role !== 'author',
      posts: result.items.map((p) => ({ ...p, when: when(p.publishedAt), updated: when(p.updatedAt) })),
      total: result.total,
      previous: result.page > 1 ? pageUrl(result.page - 1) : '',
      next: result.page < result.pages ? pageUrl(result.page + 1) : '',
      pageNumber: result.page,
      pageCount: result.pages,
    });
  };

  app.get<{ Querystring: ListQuery }>(
    '/posts',
    { config: { access: editOwn }, schema: { querystring: listQuery } },
    async (request, reply) => listPage(request, reply, request.query.type === 'page' ? 'page' : 'post'),
  );
  app.get<{ Querystring: ListQuery }>(
    '/pages',
    { config: { access: editOwn }, schema: { querystring: listQuery } },
    async (request, reply) => listPage(request, reply, 'page'),
  );

  /** The editor page: the form, with what was wrong next to each field when there is something. */
  const editorPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      post: EditablePost | null;
      type: PostType;
      form: PostForm;
      errors?: Record<string, string>;
      status?: number;
      notice?: string;
      related?: { pin: string; exclude: string; errors: Record<string, string> };
    },
  ) => {
    const writer = writerOf(request);
    const { post } = options;
    const [categories, team, autosaved, settings, tags] = await Promise.all([
      services.taxonomy.categories(),
      services.accounts.team.list(),
      editorial.autosaved(writer, post),
      services.settings.get(),
      services.taxonomy.tags(),
    ]);
    // CodeMirror adds <style> elements: this page's CSP allows those carrying its nonce.
    const styleNonce = randomBytes(18).toString('base64');
    reply.header('content-security-policy', cspWithStyleNonce(styleNonce));
    const errors = options.errors ?? {};
    const previewUrl = post && post.status !== 'published' ? await previewPath(writer, post.id) : '';
    const missingAlt = errors.confirmMissingAlt !== undefined;
    const reviewState = post ? await reviewView(writer, post) : null;
    // Shown where there is a review to see or to start: not on an editor's own post that never had one.
    const review =
      reviewState &&
      (reviewState.canSubmit || reviewState.submittedAt || reviewState.notes.length > 0 || !reviewState.isWriter)
        ? reviewState
        : null;
    return pages.page(
      request,
      reply,
      'editor',
      {
        title: post ? `Edit “${post.title}”` : options.type === 'page' ? 'New page' : 'New post',
        type: options.type,
        post,
        action: post ? `/admin/posts/${post.id}` : `/admin/posts/new${options.type === 'page' ? '?type=page' : ''}`,
        form: {
          values: options.form,
          errors,
          errorList: Object.entries(errors).map(([field, message]) => ({ field, message })),
        },
        notice: options.notice ?? '',
        categories: categories.map((c) => ({ id: String(c.id), name: c.name })),
        tagNames: tags.map((t) => t.name),
        styleNonce,
        wide: true,
        // The feature image is chosen from the library, by its thumbnail: the post's first
        // photo first, then the newest photos (and the chosen one, however old).
        ...(await featurePicker(options.form, writer)),
        people: team.map((m) => ({ id: String(m.id), name: m.name })),
        autosaved: autosaved && { ...autosaved, at: when(autosaved.createdAt) },
        previewUrl,
        missingAlt,
        timeZone: settings.timezone,
        maxBytes: services.media.limits.maxBytes,
        related: post && post.type === 'post' ? await relatedView(post.id, options.related) : null,
        review,
        locked: reviewState?.locked ?? false,
        mayWriteNotes: can(writer.role, 'edit_any'),
        newsletter: await newsletterChoiceView(request, writer, options.type, post, settings.timezone),
      },
      options.status ?? 200,
    );
  };

  /**
   * The newsletter's fieldset (posts only, for those who may publish): the choice as sent
   * back after an error, else as scheduled; once a send started, its state instead.
   */
  const newsletterChoiceView = async (
    request: FastifyRequest,
    writer: Writer,
    type: PostType,
    post: EditablePost | null,
    timeZone: string,
  ) => {
    if (type !== 'post' || !can(writer.role, 'publish_own')) return null;
    const existing = post ? await services.newsletters.forPost(post.id) : undefined;
    if (existing && (existing.startedAt || (existing.state !== 'scheduled' && existing.state !== 'cancelled'))) {
      return { started: newsletterView(existing), canManage: can(writer.role, 'publish_any') };
    }
    const body = (request.body ?? {}) as Partial<Record<string, string>>;
    if (typeof body.newsletter === 'string') {
      return {
        send: body.newsletter,
        at: body.newsletterAt ?? '',
        content: body.newsletterContent === 'excerpt' ? 'excerpt' : 'full',
      };
    }
    const scheduled = existing?.state === 'scheduled' ? existing : undefined;
    // A time still ahead, and after the post's own: "at a time"; else it waits for publishing only.
    const now = new Date().toISOString();
    const at =
      scheduled && scheduled.sendAt > now && scheduled.sendAt > (post?.publishedAt ?? '')
        ? scheduled.sendAt
        : undefined;
    return {
      send: scheduled ? (at ? 'at' : 'publish') : 'none',
      at: at ? utcToZoned(at, timeZone) : '',
      content: scheduled?.content ?? 'full',
      cancelled: existing?.state === 'cancelled' ? existing.error : '',
    };
  };

  /** The feature image picker: thumbnails of the photos it offers, the post's first photo first. */
  const featurePicker = async (form: PostForm, writer: Writer) => {
    const chosenId = /^[1-9][0-9]{0,9}$/.test(form.featureImageId) ? Number(form.featureImageId) : undefined;
    const own = ownPhotosOnly(writer).uploadedBy;
    const [firstFound, newest, chosen] = await Promise.all([
      services.media.firstPhotoIn(form.body),
      services.media.list({ page: 1, perPage: 60, ...ownPhotosOnly(writer) }),
      chosenId === undefined ? undefined : services.media.get(chosenId),
    ]);
    // A contributor is offered only their own photos (and the one already chosen, shown as it is).
    const first = own === undefined || firstFound?.uploadedBy === own ? firstFound : undefined;
    const offered = [first, chosen, ...newest.items].filter((m): m is MediaItem => m !== undefined);
    const seen = new Set<number>();
    const photos = offered
      .filter((m) => !seen.has(m.id) && seen.add(m.id))
      .map((m) => ({
        id: String(m.id),
        name: m.originalName || m.path.split('/').pop(),
        alt: m.alt,
        thumb: fileOfWidth(m, 0),
        first: m.id === first?.id,
      }));
    return { photos, missingChosen: chosenId !== undefined && !seen.has(chosenId) ? String(chosenId) : '' };
  };

  /** The post's review as the editor page shows it (issue 18): the thread, and which buttons this person gets. */
  const reviewView = async (writer: Writer, post: EditablePost) => {
    const state = await services.reviews.state(writer, post.id);
    const submitted = state.submittedAt !== null;
    return {
      ...state,
      submittedWhen: when(state.submittedAt),
      locked: submitted && !state.isReviewer,
      // Writers who may not publish ask for review; editors publish their own.
      canSubmit: state.isWriter && !state.isReviewer && !submitted && post.status === 'draft',
      canWithdraw: state.isWriter && submitted,
      notes: state.notes.map((n) => ({ ...n, when: when(n.createdAt), label: REVIEW_STEPS[n.kind] })),
    };
  };

  const previewPath = async (writer: Writer, id: number) =>
    `/preview/${id}/${await editorial.previewToken(writer, id)}`;

  const save = async (
    request: FastifyRequest<{ Body: Partial<Record<string, string>> }>,
    reply: FastifyReply,
    id: number | undefined,
    type: PostType,
  ) => {
    const writer = writerOf(request);
    const form = readForm(request.body);
    const { timezone } = await services.settings.get();
    let post: EditablePost | null = id === undefined ? null : await editorial.forEditing(writer, id);
    try {
      const input = { ...toEditorInput(form, timezone), type };
      // Checked before the post is saved: a bad time saves nothing.
      const newsletter =
        type === 'post' && can(writer.role, 'publish_own') ? readNewsletterChoice(request.body, timezone) : undefined;
      const saved = await editorial.save(writer, id, input, {
        confirmMissingAlt: form.confirmMissingAlt === 'yes',
        ip: request.ip,
      });
      if (newsletter?.send === 'none')
        await services.newsletters.unschedule(saved.id, 'Not sent: the writer chose so.');
      else if (newsletter) {
        try {
          await services.newsletters.schedule({
            postId: saved.id,
            content: newsletter.content,
            ...(newsletter.at ? { sendAt: newsletter.at } : {}),
            createdBy: writer.id,
          });
        } catch (error) {
          // Sending started meanwhile: the editor shows its state.
          if (!isHearthError(error) || error.code !== 'HEARTH_ERR_NEWSLETTER_STARTED') throw error;
        }
      }
      return reply.redirect(`/admin/posts/${saved.id}?saved=1`, 303);
    } catch (error) {
      if (!isHearthError(error) || error.status >= 500) throw error;
      if (error.code === 'HEARTH_ERR_NOT_YOUR_POST' || error.code === 'HEARTH_ERR_POST_MISSING') throw error;
      const errors =
        'fields' in error ? (error.fields as Record<string, string>) : { [error.field ?? 'form']: error.message };
      // A conflict keeps the writer's text; the form then carries the newer time, so a second save overwrites knowingly.
      if (error.code === 'HEARTH_ERR_POST_CONFLICT' && id !== undefined) {
        post = await editorial.forEditing(writer, id);
        form.updatedAt = post.updatedAt;
      }
      return editorPage(request, reply, { post, type, form, errors, status: error.status });
    }
  };

  const bodySchema = formBody(POST_FIELD_LIMITS);

  app.get<{ Querystring: { type?: string } }>(
    '/posts/new',
    {
      config: { access: editOwn },
      schema: { querystring: { type: 'object', properties: { type: { type: 'string', enum: ['post', 'page'] } } } },
    },
    async (request, reply) =>
      editorPage(request, reply, {
        post: null,
        type: request.query.type === 'page' ? 'page' : 'post',
        form: emptyForm(),
      }),
  );

  app.post<{ Querystring: { type?: string }; Body: Partial<Record<string, string>> }>(
    '/posts/new',
    {
      config: { access: editOwn },
      schema: {
        querystring: { type: 'object', properties: { type: { type: 'string', enum: ['post', 'page'] } } },
        body: bodySchema,
      },
    },
    async (request, reply) => save(request, reply, undefined, request.query.type === 'page' ? 'page' : 'post'),
  );

  /** "You might also like" of a post: what readers see, and the writer's pins and exclusions by slug. */
  const relatedView = async (
    postId: number,
    sent?: { pin: string; exclude: string; errors: Record<string, string> },
  ) => {
    const [overrides, computed] = await Promise.all([
      services.related.overrides(postId),
      services.related.computed(postId),
    ]);
    const ids = [...overrides.pin, ...overrides.exclude, ...computed.map((c) => c.id)];
    const rows = ids.length
      ? await services.posts.slugsAndTitles(ids)
      : new Map<number, { slug: string; title: string }>();
    const slugs = (list: number[]) => list.map((id) => rows.get(id)?.slug ?? String(id)).join(', ');
    return {
      pin: sent?.pin ?? slugs(overrides.pin),
      exclude: sent?.exclude ?? slugs(overrides.exclude),
      errors: sent?.errors ?? {},
      computed: computed.slice(0, 5).map((c) => ({ ...rows.get(c.id), score: c.score.toFixed(2) })),
    };
  };

  app.post<{ Params: { id: string }; Body: { pin?: string; exclude?: string } }>(
    '/posts/:id/related',
    {
      config: { access: editOwn },
      schema: {
        params: postParams,
        body: {
          type: 'object',
          properties: { _csrf: text(200), pin: text(2000), exclude: text(2000) },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const id = Number(request.params.id);
      const writer = writerOf(request);
      const post = await editorial.forEditing(writer, id);
      // As for saving: not in the trash, and not while it waits for review (unless a reviewer).
      if (post.trashedAt) throw new HearthError('HEARTH_ERR_POST_TRASHED', { id });
      if (post.reviewSubmittedAt && !can(writer.role, 'edit_any'))
        throw new HearthError('HEARTH_ERR_POST_IN_REVIEW', { id });
      const sent = { pin: request.body?.pin ?? '', exclude: request.body?.exclude ?? '' };
      const errors: Record<string, string> = {};
      const idsOf = async (field: 'pin' | 'exclude') => {
        const slugs = sent[field]
          .split(',')
          .map((x) => normaliseSlug(x.trim().replace(/^\/+|\/+$/g, '')))
          .filter(Boolean);
        const found = await services.posts.idsBySlug(slugs);
        const missing = slugs.filter((slug) => !found.has(slug));
        if (missing.length > 0) errors[field] = `No post has the slug ${missing.map((m) => `"${m}"`).join(', ')}.`;
        return slugs.flatMap((slug) => found.get(slug) ?? []);
      };
      const pin = await idsOf('pin');
      const exclude = await idsOf('exclude');
      try {
        if (Object.keys(errors).length > 0) throw new ValidationError(errors);
        await services.related.setOverrides(id, { pin, exclude });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const { timezone } = await services.settings.get();
        return editorPage(request, reply, {
          post,
          type: post.type,
          form: formOf(post, timezone),
          status: 400,
          related: { ...sent, errors: error.fields },
        });
      }
      return reply.redirect(`/admin/posts/${id}?saved=1#related`, 303);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { saved?: string; restored?: string; review?: string } }>(
    '/posts/:id',
    {
      config: { access: editOwn },
      schema: {
        params: postParams,
        querystring: { type: 'object', properties: { saved: text(5), restored: text(5), review: text(20) } },
      },
    },
    async (request, reply) => {
      const post = await editorial.forEditing(writerOf(request), Number(request.params.id));
      const { timezone } = await services.settings.get();
      const notice = request.query.restored
        ? 'The revision is restored.'
        : request.query.saved
          ? 'Saved.'
          : (REVIEW_NOTICES[request.query.review ?? ''] ?? '');
      return editorPage(request, reply, { post, type: post.type, form: formOf(post, timezone), notice });
    },
  );

  app.post<{ Params: { id: string }; Body: Partial<Record<string, string>> }>(
    '/posts/:id',
    { config: { access: editOwn }, schema: { params: postParams, body: bodySchema } },
    async (request, reply) => {
      const id = Number(request.params.id);
      const post = await editorial.forEditing(writerOf(request), id);
      return save(request, reply, id, post.type);
    },
  );

  // For the editor's script: JSON in and out, the CSRF token in a header.
  app.post<{ Body: { body?: string } }>(
    '/posts/preview',
    { config: { access: editOwn }, schema: { body: { type: 'object', properties: { body: text(200_000) } } } },
    async (request) => ({ html: await services.posts.renderPreview(request.body?.body ?? '') }),
  );

  app.post<{ Body: { postId?: string; title?: string; body?: string; excerpt?: string } }>(
    '/posts/autosave',
    {
      config: { access: editOwn },
      schema: {
        body: {
          type: 'object',
          properties: {
            postId: { type: 'string', pattern: '^([1-9][0-9]{0,9})?$' },
            title: text(1000),
            body: text(200_000),
            excerpt: text(5000),
          },
        },
      },
    },
    async (request) => {
      const b = request.body ?? {};
      const savedAt = await editorial.autosave(writerOf(request), b.postId ? Number(b.postId) : null, {
        title: b.title ?? '',
        body: b.body ?? '',
        excerpt: b.excerpt ?? '',
      });
      return { savedAt };
    },
  );

  app.post<{ Body: { postId?: string; choice?: string } }>(
    '/posts/autosaved',
    {
      config: { access: editOwn },
      schema: {
        body: {
          type: 'object',
          properties: {
            _csrf: text(200),
            postId: { type: 'string', pattern: '^([1-9][0-9]{0,9})?$' },
            choice: { type: 'string', enum: ['restore', 'discard'] },
          },
          required: ['choice'],
        },
      },
    },
    async (request, reply) => {
      const writer = writerOf(request);
      const postId = request.body.postId ? Number(request.body.postId) : null;
      const post = postId === null ? null : await editorial.forEditing(writer, postId);
      if (request.body.choice === 'discard') {
        await editorial.discardAutosave(writer, postId);
        return reply.redirect(postId === null ? '/admin/posts/new' : `/admin/posts/${postId}`, 303);
      }
      const copy = await editorial.autosaved(writer, post);
      const { timezone } = await services.settings.get();
      const form = post ? formOf(post, timezone) : emptyForm();
      if (copy) Object.assign(form, { title: copy.title, body: copy.body, excerpt: copy.excerpt });
      return editorPage(request, reply, {
        post,
        type: post?.type ?? 'post',
        form,
        notice: 'Your unsaved copy is back in the form. Save it to keep it.',
      });
    },
  );
}
