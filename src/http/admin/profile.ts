import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../errors.js';
import type { Services } from '../../services.js';
import { formView, type Pages } from './pages.js';
import { formBody } from './schemas.js';
import { actorOf, uploadedFile } from './uploads.js';

/** The services this plugin uses. */
export type ProfileRoutesServices = { admin: Pick<Services['admin'], 'profile'> };

const signedIn = { capability: 'access_admin' } as const;
type Body = Record<string, string | undefined>;

const notices: Record<string, string> = {
  profile: 'Your profile is saved.',
  avatar: 'Your photo is saved.',
  email: 'Your email address is changed.',
  password: 'Your password is changed.',
};

/** The signed-in writer's own profile: name, bio, website, photo, email and password. */
export async function profileRoutes(
  app: FastifyInstance,
  deps: { services: ProfileRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const profiles = services.admin.profile;

  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    failed?: { form: string; values: Record<string, string>; error: unknown },
    notice = '',
  ) => {
    const profile = await profiles.get(actorOf(request).id);
    const values = { name: profile.name, bio: profile.bio, website: profile.website, email: profile.email };
    const data = { title: 'Your profile', profile, notice, failedForm: failed?.form ?? '' };
    if (!failed) return pages.page(request, reply, 'profile', { ...data, form: formView(values) });
    return pages.formError(
      request,
      reply,
      'profile',
      { ...data, values: { ...values, ...failed.values } },
      failed.error,
    );
  };

  app.get<{ Querystring: { saved?: string } }>(
    '/profile',
    {
      config: { access: signedIn },
      schema: { querystring: { type: 'object', properties: { saved: { type: 'string', maxLength: 20 } } } },
    },
    async (request, reply) => show(request, reply, undefined, notices[request.query.saved ?? ''] ?? ''),
  );

  app.post<{ Body: Body }>(
    '/profile',
    { config: { access: signedIn }, schema: { body: formBody({ name: 300, bio: 10_000, website: 1000 }) } },
    async (request, reply) => {
      const { name = '', bio = '', website = '' } = request.body ?? {};
      try {
        await profiles.update(actorOf(request), { name, bio, website });
      } catch (error) {
        return show(request, reply, { form: 'profile', values: { name, bio, website }, error });
      }
      return reply.redirect('/admin/profile?saved=profile', 303);
    },
  );

  app.post<{ Body: Body }>(
    '/profile/avatar',
    { config: { access: signedIn }, schema: { body: formBody({ remove: 10 }) } },
    async (request, reply) => {
      const remove = Boolean(request.body?.remove);
      const file = uploadedFile(request.body, 'avatar', 'avatar');
      const me = actorOf(request);
      try {
        if (!remove && !file) {
          throw new ValidationError({ file: 'Please choose a photo to upload.' });
        }
        const name = (await profiles.get(me.id)).name;
        await profiles.setAvatar(me, remove ? null : file, `Photo of ${name}`);
      } catch (error) {
        return show(request, reply, { form: 'avatar', values: {}, error });
      }
      return reply.redirect('/admin/profile?saved=avatar', 303);
    },
  );

  app.post<{ Body: Body }>(
    '/profile/email',
    { config: { access: signedIn }, schema: { body: formBody({ email: 300, emailPassword: 1100 }) } },
    async (request, reply) => {
      const { email = '', emailPassword = '' } = request.body ?? {};
      try {
        await profiles.changeEmail(actorOf(request), { email, currentPassword: emailPassword });
      } catch (error) {
        return show(request, reply, { form: 'email', values: { email }, error });
      }
      return reply.redirect('/admin/profile?saved=email', 303);
    },
  );

  app.post<{ Body: Body }>(
    '/profile/password',
    {
      config: { access: signedIn },
      schema: { body: formBody({ currentPassword: 1100, newPassword: 1100, confirmPassword: 1100 }) },
    },
    async (request, reply) => {
      const { currentPassword = '', newPassword = '', confirmPassword = '' } = request.body ?? {};
      try {
        await profiles.changePassword(actorOf(request), { currentPassword, newPassword, confirmPassword });
      } catch (error) {
        return show(request, reply, { form: 'password', values: {}, error });
      }
      return reply.redirect('/admin/profile?saved=password', 303);
    },
  );
}
