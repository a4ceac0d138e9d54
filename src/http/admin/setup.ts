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
    form: {
      values: { name: string; email: string; keepDemo?: boolean };
      errors: Record<string, string>;
      done: boolean;
      demoRemoved?: string;
    },
  ) =>
    sendPage(cache, request, reply, {
      key: null,
      cacheControl: PRIVATE_CACHE_CONTROL,
      render: async () => {
        const { site } = await pageContext(deps, request.url, { subscribe: false });
        // Asked only while there is a demo to keep (issue 18).
        const demoState = await services.demo.state();
        const askDemo = demoState === 'installed' || demoState === 'installing';
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
            askDemo,
            keepDemo: form.values.keepDemo !== false,
            minPassword: 12,
            demoRemoved: form.demoRemoved ?? '',
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

  app.post<{
    Params: { token: string };
    Body: { name?: string; email?: string; password?: string; demoAsked?: string; keepDemo?: string };
  }>(
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
            demoAsked: { type: 'string', maxLength: 10 },
            keepDemo: { type: 'string', maxLength: 10 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      // An unticked box sends nothing: only a form that asked (demoAsked) can decline the demo.
      const keepDemo = body.demoAsked !== 'yes' || body.keepDemo === 'on';
      const values = { name: body.name ?? '', email: body.email ?? '', keepDemo };
      let owner: { id: number };
      try {
        owner = await services.setup.complete(request.params.token, {
          name: values.name,
          email: values.email,
          password: body.password ?? '',
        });
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
      let demoRemoved: string | undefined;
      if (!keepDemo) {
        // The demo may still be installing on another instance: then it goes once it is in.
        const done = await services.demo
          .removeOrMark({ id: owner.id, email: values.email.trim().toLowerCase() })
          .catch((error: unknown) => {
            request.log.error({ err: error }, 'removing the demo at setup failed');
            return 'failed' as const;
          });
        demoRemoved = done;
      }
      return render(request, reply, 201, { values, errors: {}, done: true, ...(demoRemoved ? { demoRemoved } : {}) });
    },
  );
}
