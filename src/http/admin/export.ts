import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { SignedInUser } from '../../domain/accounts/index.js';
import type { Services } from '../../services.js';

/** The services this plugin uses. */
export type ExportRoutesServices = Pick<Services, 'archive' | 'audit'>;

/**
 * "Download a full export" (on the settings page), for the owner and administrators: the
 * archive of `hearth export` (without passwords), streamed as it is written.
 */
export async function exportRoutes(app: FastifyInstance, deps: { services: ExportRoutesServices }): Promise<void> {
  const { services } = deps;
  app.get(
    '/export.zip',
    { config: { access: { capability: 'manage_settings' } }, schema: { querystring: { type: 'object' } } },
    async (request, reply) => {
      const user = request.session?.user as SignedInUser;
      await services.audit.record({
        action: 'site_exported',
        actor: { id: user.id, email: user.email },
        subject: 'site',
        ip: request.ip,
        details: {},
      });
      const body = new PassThrough();
      services.archive.write(body).catch((err: unknown) => {
        request.log.error({ err }, 'the full export failed');
        body.destroy(err as Error);
      });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .header('content-disposition', `attachment; filename="hearth-export-${day}.zip"`)
        .header('cache-control', 'no-store')
        .type('application/zip')
        .send(body);
    },
  );
}
