import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type EmailMessage,
  emailPostOf,
  emailSiteOf,
  PREFERENCES_PLACEHOLDER,
  renderPostEmail,
  UNSUBSCRIBE_PLACEHOLDER,
} from '../../domain/newsletters/index.js';
import { HearthError } from '../../errors.js';
import type { Services } from '../../services.js';
import type { Pages } from './pages.js';
import { editOwn, writerOf } from './posts.js';
import { formBody } from './schemas.js';

/** The services this plugin uses. */
export type NewsletterPreviewServices = Pick<Services, 'editorial' | 'posts' | 'settings' | 'mailer'>;

// Any text is taken as the id, so that an id that is not a number is a 404 page like a missing post.
const params = { type: 'object', properties: { id: { type: 'string', maxLength: 40 } }, required: ['id'] } as const;
const query = {
  type: 'object',
  properties: { content: { type: 'string', enum: ['full', 'excerpt'] }, sent: { type: 'string', maxLength: 1 } },
} as const;

type Content = 'full' | 'excerpt';
type Request = FastifyRequest<{ Params: { id: string }; Querystring: { content?: Content; sent?: string } }>;

/**
 * The email's own policy, for the frame the preview page shows it in: nothing runs, the
 * message's styles apply, images load from anywhere (as a mail client would), and only an
 * admin page of this site may frame it. The admin's pages keep their strict policy.
 */
const EMAIL_CSP =
  "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox";

/**
 * A post's newsletter as it will be sent: the preview page (the HTML part framed, the
 * text part below), the HTML part alone for the frame, and a test sent to the writer.
 * Whoever may edit the post may preview and test it (`editorial.forEditing` decides).
 */
export async function newsletterPreviewRoutes(
  app: FastifyInstance,
  deps: { services: NewsletterPreviewServices; pages: Pages; publicUrl: string },
): Promise<void> {
  const { services, pages, publicUrl } = deps;

  /** The message of post `id` for the signed-in writer, the reader's links shown as examples. */
  async function message(request: FastifyRequest<{ Params: { id: string } }>, content: Content) {
    const raw = request.params.id;
    if (!/^[1-9][0-9]{0,9}$/.test(raw)) throw new HearthError('HEARTH_ERR_POST_MISSING', { id: raw });
    const id = Number(raw);
    const editable = await services.editorial.forEditing(writerOf(request), id);
    const [post, settings] = await Promise.all([services.posts.anyById(id), services.settings.get()]);
    if (!post) throw new HearthError('HEARTH_ERR_POST_MISSING', { id });
    const site = emailSiteOf(settings, publicUrl);
    const rendered = renderPostEmail({
      site,
      post: emailPostOf(post, site),
      content,
      links: { preferences: PREFERENCES_PLACEHOLDER, unsubscribe: UNSUBSCRIBE_PLACEHOLDER },
    });
    return { post: editable, message: withExampleLinks(rendered, site.url) };
  }

  const GMAIL_CLIPS_AT = 102 * 1024;

  app.get<{ Params: { id: string }; Querystring: { content?: Content; sent?: string } }>(
    '/posts/:id/newsletter',
    { config: { access: editOwn }, schema: { params, querystring: query } },
    async (request: Request, reply: FastifyReply) => {
      const content = request.query.content ?? 'full';
      const { post, message: m } = await message(request, content);
      const base = `/admin/posts/${post.id}/newsletter`;
      return pages.page(request, reply, 'newsletter-preview', {
        title: `Newsletter of “${post.title}”`,
        post,
        content,
        subject: m.subject,
        text: m.text,
        // Gmail shows 102 KB of a message's HTML and clips the rest (the footer's links with it).
        kilobytes: Math.ceil(Buffer.byteLength(m.html, 'utf8') / 1024),
        clipped: Buffer.byteLength(m.html, 'utf8') > GMAIL_CLIPS_AT,
        frameUrl: `${base}/email${content === 'excerpt' ? '?content=excerpt' : ''}`,
        fullUrl: base,
        excerptUrl: `${base}?content=excerpt`,
        notice: request.query.sent ? `Test sent to ${writerOf(request).email}.` : '',
      });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { content?: Content } }>(
    '/posts/:id/newsletter/email',
    { config: { access: editOwn }, schema: { params, querystring: query } },
    async (request, reply) => {
      const { message: m } = await message(request, request.query.content ?? 'full');
      return reply
        .header('content-security-policy', EMAIL_CSP)
        .header('x-frame-options', 'SAMEORIGIN')
        .type('text/html; charset=utf-8')
        .send(m.html);
    },
  );

  app.post<{ Params: { id: string }; Body: { content?: string } }>(
    '/posts/:id/newsletter/test',
    { config: { access: editOwn }, schema: { params, body: formBody({ content: 10 }) } },
    async (request, reply) => {
      const content: Content = request.body?.content === 'excerpt' ? 'excerpt' : 'full';
      const { post, message: m } = await message(request, content);
      await services.mailer.send({
        to: writerOf(request).email,
        subject: `[Test] ${m.subject}`,
        html: m.html,
        text: m.text,
      });
      const back = content === 'excerpt' ? '?content=excerpt&sent=1' : '?sent=1';
      return reply.redirect(`/admin/posts/${post.id}/newsletter${back}`, 303);
    },
  );
}

/**
 * The message with the reader's links as a preview shows them: addresses of the right
 * shape that lead nowhere (a real send puts each reader's own links there).
 */
function withExampleLinks(message: EmailMessage, siteUrl: string): EmailMessage {
  const put = (s: string) =>
    s
      .replace(PREFERENCES_PLACEHOLDER, `${siteUrl}/subscription/test-preview`)
      .replace(UNSUBSCRIBE_PLACEHOLDER, `${siteUrl}/subscription/test-preview/unsubscribe`);
  return { subject: message.subject, html: put(message.html), text: put(message.text) };
}
