import type { FastifyInstance } from 'fastify';
import { HearthError, ValidationError } from '../../errors.js';
import type { PageCache } from '../../render/page-cache.js';
import { PRIVATE_CACHE_CONTROL, sendPage } from '../plugins/send-page.js';
import { pageContext, type SiteDeps } from '../site/context.js';
import { sendErrorPage } from '../site/errors.js';

type Deps = SiteDeps & { cache: PageCache };

const tokenSchema = {
  params: {
    type: 'object',
    properties: { token: { type: 'string', minLength: 10, maxLength: 200 } },
    required: ['token'],
  },
} as const;

/**
 * First-run owner setup: `/setup/<token>` shows a form that creates the owner account.
 * The token was printed at start-up; once used, the link stops working.
 */
export async function setupRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { services, theme, cache } = deps;
  const access = { access: 'setup-token' as const };

  const render = (
    request: Parameters<typeof sendPage>[1],
    reply: Parameters<typeof sendPage>[2],
    status: number,
    form: { values: { name: string; email: string }; errors: Record<string, string>; done: boolean },
  ) =>
    sendPage(cache, request, reply, {
      key: null,
      cacheControl: PRIVATE_CACHE_CONTROL,
      render: async () => {
        const { site } = await pageContext(deps, request.url);
        const html = await theme.render('setup', {
          site,
          page: {
            title: form.done ? 'Your blog is ready' : 'Create the owner account',
            description: '',
            noindex: true,
          },
          form: {
            ...form,
            errorList: Object.entries(form.errors).map(([field, message]) => ({ field, message })),
            minPassword: 12,
          },
        });
        return { status, html, tags: [] };
      },
    });

  app.get<{ Params: { token: string } }>(
    '/setup/:token',
    { config: access, schema: tokenSchema },
    async (request, reply) => {
      if (!(await services.setup.isValid(request.params.token))) {
        return sendErrorPage(deps, request, reply, 404, new HearthError('HEARTH_ERR_SETUP_TOKEN').message);
      }
      return render(request, reply, 200, { values: { name: '', email: '' }, errors: {}, done: false });
    },
  );

  app.post<{ Params: { token: string }; Body: { name?: string; email?: string; password?: string } }>(
    '/setup/:token',
    {
      config: access,
      schema: {
        ...tokenSchema,
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', maxLength: 1000 },
            email: { type: 'string', maxLength: 1000 },
            password: { type: 'string', maxLength: 4096 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const values = { name: body.name ?? '', email: body.email ?? '' };
      try {
        await services.setup.complete(request.params.token, { ...values, password: body.password ?? '' });
      } catch (error) {
        if (error instanceof ValidationError)
          return render(request, reply, 400, { values, errors: error.fields, done: false });
        if (error instanceof HearthError && error.code === 'HEARTH_ERR_SETUP_TOKEN')
          return sendErrorPage(deps, request, reply, 404, error.message);
        if (error instanceof HearthError && error.code === 'HEARTH_ERR_SETUP_DONE')
          return sendErrorPage(deps, request, reply, 409, error.message);
        if (error instanceof HearthError && error.code === 'HEARTH_ERR_EMAIL_TAKEN')
          return render(request, reply, 409, { values, errors: { email: error.message }, done: false });
        throw error;
      }
      request.log.info('owner account created');
      return render(request, reply, 201, { values, errors: {}, done: true });
    },
  );
}
