import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HearthError, ValidationError } from '../../errors.js';
import type { Services } from '../../services.js';
import { urls } from '../../shared/urls.js';
import { formView, type Pages } from './pages.js';
import { formBody } from './schemas.js';
import { actorOf } from './uploads.js';

/** The services this plugin uses. */
export type TaxonomyRoutesServices = { admin: Pick<Services['admin'], 'taxonomy'> };

const manageTaxonomy = { capability: 'manage_taxonomy' } as const;
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
  required: ['id'],
} as const;

type Body = Record<string, string | undefined>;
type IdRequest = FastifyRequest<{ Params: { id: string }; Body: Body }>;

const kinds = {
  category: { plural: 'categories', title: 'Categories', one: 'category', archive: urls.category },
  tag: { plural: 'tags', title: 'Tags', one: 'tag', archive: urls.tag },
} as const;

/**
 * Categories and tags: a list with counts and a form to add one; a page per term to
 * rename it (a new slug redirects its old archive), merge it into another, or delete it.
 */
export async function taxonomyRoutes(
  app: FastifyInstance,
  deps: { services: TaxonomyRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const admin = services.admin.taxonomy;

  for (const kind of ['category', 'tag'] as const) {
    const k = kinds[kind];
    const base = `/${k.plural}`;

    const listData = async (notice = '') => ({
      title: k.title,
      kind: k,
      isCategory: kind === 'category',
      notice,
      terms: (await admin.list(kind)).map((t) => ({ ...t, archive: k.archive(t.slug) })),
    });

    /** The page of one term; undefined when there is no such term (a 404). */
    const termData = async (id: number, notice = '') => {
      const all = await admin.list(kind);
      const term = all.find((t) => t.id === id);
      if (!term) return undefined;
      return {
        title: `${k.title}: ${term.name}`,
        kind: k,
        isCategory: kind === 'category',
        notice,
        term: { ...term, archive: k.archive(term.slug) },
        others: all.filter((t) => t.id !== id),
      };
    };

    const termPage = async (request: IdRequest, reply: FastifyReply, failed: { form: string; error: unknown }) => {
      const data = await termData(Number(request.params.id));
      if (!data) throw failed.error;
      return pages.formError(
        request,
        reply,
        'term',
        { ...data, failedForm: failed.form, values: request.body as Record<string, string> },
        failed.error,
      );
    };

    app.get<{ Querystring: { done?: string } }>(
      base,
      {
        config: { access: manageTaxonomy },
        schema: { querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 20 } } } },
      },
      async (request, reply) => {
        const notice = request.query.done ? `The ${k.one} is ${request.query.done}.` : '';
        return pages.page(request, reply, 'terms', { ...(await listData(notice)), form: formView() });
      },
    );

    app.post<{ Body: Body }>(
      base,
      { config: { access: manageTaxonomy }, schema: { body: formBody({ name: 200, slug: 200, description: 2000 }) } },
      async (request, reply) => {
        const { name = '', slug = '', description = '' } = request.body ?? {};
        try {
          await admin.create(kind, { name, slug, description }, actorOf(request));
        } catch (error) {
          return pages.formError(
            request,
            reply,
            'terms',
            { ...(await listData()), values: { name, slug, description } },
            error,
          );
        }
        return reply.redirect(`/admin${base}?done=added`, 303);
      },
    );

    app.get<{ Params: { id: string }; Querystring: { done?: string } }>(
      `${base}/:id`,
      {
        config: { access: manageTaxonomy },
        schema: {
          params: idParams,
          querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 20 } } },
        },
      },
      async (request, reply) => {
        const id = Number(request.params.id);
        const notice = request.query.done ? `The ${k.one} is ${request.query.done}.` : '';
        const data = await termData(id, notice);
        if (!data) throw new HearthError('HEARTH_ERR_TERM_NOT_FOUND', { kind, id });
        return pages.page(request, reply, 'term', {
          ...data,
          form: formView({ name: data.term.name, slug: data.term.slug, description: data.term.description }),
        });
      },
    );

    app.post<{ Params: { id: string }; Body: Body }>(
      `${base}/:id`,
      {
        config: { access: manageTaxonomy },
        schema: { params: idParams, body: formBody({ name: 200, slug: 200, description: 2000 }) },
      },
      async (request, reply) => {
        const { name = '', slug = '', description = '' } = request.body ?? {};
        try {
          await admin.rename(kind, Number(request.params.id), { name, slug, description }, actorOf(request));
        } catch (error) {
          return termPage(request, reply, { form: 'rename', error });
        }
        return reply.redirect(`/admin${base}/${request.params.id}?done=renamed`, 303);
      },
    );

    app.post<{ Params: { id: string }; Body: Body }>(
      `${base}/:id/merge`,
      { config: { access: manageTaxonomy }, schema: { params: idParams, body: formBody({ into: 12 }) } },
      async (request, reply) => {
        const into = request.body?.into ?? '';
        try {
          if (!/^[1-9][0-9]{0,9}$/.test(into))
            throw new ValidationError({ into: `Please choose the ${k.one} to merge into.` });
          await admin.merge(kind, Number(request.params.id), Number(into), actorOf(request));
        } catch (error) {
          return termPage(request, reply, { form: 'merge', error });
        }
        return reply.redirect(`/admin${base}/${into}?done=merged`, 303);
      },
    );

    app.post<{ Params: { id: string }; Body: Body }>(
      `${base}/:id/delete`,
      { config: { access: manageTaxonomy }, schema: { params: idParams, body: formBody({ moveTo: 12 }) } },
      async (request, reply) => {
        const moveTo = request.body?.moveTo ?? '';
        try {
          if (moveTo !== '' && !/^[1-9][0-9]{0,9}$/.test(moveTo))
            throw new ValidationError({ moveTo: 'Please choose a category, or to leave the posts uncategorised.' });
          await admin.delete(
            kind,
            Number(request.params.id),
            { moveTo: moveTo ? Number(moveTo) : null },
            actorOf(request),
          );
        } catch (error) {
          return termPage(request, reply, { form: 'delete', error });
        }
        return reply.redirect(`/admin${base}?done=deleted`, 303);
      },
    );
  }
}
