import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  type CommentSettingsForm,
  dateFormats,
  type MenuItem,
  type SettingsForm,
  type SiteSettings,
} from '../../domain/settings/index.js';
import { ValidationError } from '../../errors.js';
import type { Services } from '../../services.js';
import { formView, type Pages } from './pages.js';
import { actorOf, uploadedFile } from './uploads.js';

/** The services this plugin uses. */
export type SettingsRoutesServices = Pick<Services, 'settings' | 'media'> & {
  admin: Pick<Services['admin'], 'settings'>;
};

const manageSettings = { capability: 'manage_settings' } as const;
/** Empty menu rows offered for adding links without script. */
const BLANK_ROWS = 3;
const MENU_FIELD = /^menu_(label|url|position|remove)_([0-9]{1,2})$/;

const settingsBody = {
  type: 'object',
  properties: {
    _csrf: { type: 'string', maxLength: 200 },
    title: { type: 'string', maxLength: 500 },
    tagline: { type: 'string', maxLength: 1000 },
    timezone: { type: 'string', maxLength: 100 },
    dateFormat: { type: 'string', maxLength: 20 },
    postsPerPage: { type: 'string', maxLength: 10 },
    feedContent: { type: 'string', maxLength: 10 },
    subscriptions: { type: 'string', maxLength: 10 },
    description: { type: 'string', maxLength: 5000 },
    aboutPage: { type: 'string', maxLength: 1000 },
    footerText: { type: 'string', maxLength: 1000 },
    footerLinks: { type: 'string', maxLength: 20_000 },
    socialLinks: { type: 'string', maxLength: 20_000 },
  },
  patternProperties: { [MENU_FIELD.source]: { type: 'string', maxLength: 1000 } },
  additionalProperties: false,
} as const;

type Body = Record<string, string | undefined>;

/** Links as the settings form shows them: `Label | address`, one a line. */
const linkText = (links: MenuItem[]) => links.map((l) => `${l.label} | ${l.url}`).join('\n');
const TEXT_FIELDS = ['description', 'aboutPage', 'footerText', 'footerLinks', 'socialLinks'] as const;

/**
 * The menu rows of a sent form, in the order their positions give (ties keep the form's
 * order), without rows marked for removal or left empty.
 */
export function menuFromForm(body: Body): MenuItem[] {
  const rows = new Map<number, { label: string; url: string; position: number; remove: boolean }>();
  for (const [key, value = ''] of Object.entries(body)) {
    const match = MENU_FIELD.exec(key);
    if (!match) continue;
    const index = Number(match[2]);
    const row = rows.get(index) ?? { label: '', url: '', position: index + 1, remove: false };
    if (match[1] === 'label') row.label = value;
    else if (match[1] === 'url') row.url = value;
    else if (match[1] === 'remove') row.remove = value !== '';
    else if (/^\s*-?\d{1,3}\s*$/.test(value)) row.position = Number(value);
    rows.set(index, row);
  }
  return [...rows.entries()]
    .filter(([, r]) => !r.remove && (r.label.trim() !== '' || r.url.trim() !== ''))
    .sort(([ia, a], [ib, b]) => a.position - b.position || ia - ib)
    .map(([, r]) => ({ label: r.label, url: r.url }));
}

/** Site settings: title, tagline, logo, time zone, date format, posts per page, the menu. */
export async function settingsRoutes(
  app: FastifyInstance,
  deps: { services: SettingsRoutesServices; pages: Pages },
): Promise<void> {
  const { services, pages } = deps;
  const timeZones = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])];

  const pageData = async (notice = '') => {
    const settings = await services.settings.get();
    const logo = settings.logoId === null ? undefined : await services.media.get(settings.logoId);
    return {
      title: 'Site settings',
      notice,
      timeZones,
      dateFormats: Object.entries(dateFormats).map(([value, example]) => ({ value, example })),
      logoUrl: logo?.url ?? null,
      settings,
    };
  };

  const formOf = (s: SiteSettings) => ({
    description: s.description,
    aboutPage: s.aboutPage,
    footerText: s.footerText,
    footerLinks: linkText(s.footerLinks),
    socialLinks: linkText(s.socialLinks),
    title: s.title,
    tagline: s.tagline,
    timezone: s.timezone,
    dateFormat: s.dateFormat,
    postsPerPage: String(s.postsPerPage),
    feedContent: s.feedContent,
    subscriptions: s.subscriptionsEnabled ? 'on' : 'off',
  });
  const rowsOf = (menu: MenuItem[]) => [
    ...menu.map((m, i) => ({ ...m, n: i + 1, index: i })),
    ...Array.from({ length: BLANK_ROWS }, (_, j) => ({
      label: '',
      url: '',
      n: menu.length + j + 1,
      index: menu.length + j,
    })),
  ];

  app.get<{ Querystring: { saved?: string } }>(
    '/settings',
    {
      config: { access: manageSettings },
      schema: { querystring: { type: 'object', properties: { saved: { type: 'string', maxLength: 10 } } } },
    },
    async (request, reply) => {
      const data = await pageData(request.query.saved ? 'The settings are saved.' : '');
      return pages.page(request, reply, 'settings', {
        ...data,
        form: formView(formOf(data.settings)),
        menuRows: rowsOf(data.settings.menu),
      });
    },
  );

  app.post<{ Body: Body }>(
    '/settings',
    { config: { access: manageSettings }, schema: { body: settingsBody } },
    async (request, reply) => {
      const body = request.body ?? {};
      const menu = menuFromForm(body);
      const form: SettingsForm = {
        title: body.title ?? '',
        tagline: body.tagline ?? '',
        timezone: body.timezone ?? '',
        dateFormat: body.dateFormat ?? '',
        postsPerPage: body.postsPerPage ?? '',
        ...(body.feedContent === undefined ? {} : { feedContent: body.feedContent }),
        ...(body.subscriptions === undefined ? {} : { subscriptions: body.subscriptions }),
        ...Object.fromEntries(TEXT_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]])),
        menu,
      };
      try {
        await services.admin.settings.save(form, actorOf(request));
      } catch (error) {
        const values = Object.fromEntries(Object.entries(form).filter(([k]) => k !== 'menu')) as Record<string, string>;
        return pages.formError(
          request,
          reply,
          'settings',
          { ...(await pageData()), menuRows: rowsOf(menu), values },
          error,
        );
      }
      return reply.redirect('/admin/settings?saved=1', 303);
    },
  );

  app.post<{ Body: Body }>(
    '/settings/logo',
    {
      config: { access: manageSettings },
      schema: {
        body: {
          type: 'object',
          properties: { _csrf: { type: 'string', maxLength: 200 }, remove: { type: 'string', maxLength: 10 } },
        },
      },
    },
    async (request: FastifyRequest<{ Body: Body }>, reply) => {
      const remove = Boolean(request.body?.remove);
      const file = uploadedFile(request.body, 'logo', 'logo');
      try {
        if (!remove && !file) throw new ValidationError({ file: 'Please choose a photo to upload as the logo.' });
        await services.admin.settings.setLogo(remove ? null : file, actorOf(request));
      } catch (error) {
        const data = await pageData();
        return pages.formError(
          request,
          reply,
          'settings',
          { ...data, menuRows: rowsOf(data.settings.menu), values: formOf(data.settings), logoForm: true },
          error,
        );
      }
      return reply.redirect('/admin/settings?saved=1', 303);
    },
  );

  // Comments: the moderation policy, threads, closing, and the spam blocklists.
  const commentFields = [
    'commentModeration',
    'commentsMaxDepth',
    'commentsCloseAfterDays',
    'commentMaxLinks',
    'commentBlockedWords',
    'commentBlockedEmails',
    'commentBlockedIps',
    'commentBlockedDomains',
  ] as const;
  const commentForm = (s: SiteSettings): Record<string, string> => ({
    commentModeration: s.commentModeration,
    commentsMaxDepth: String(s.commentsMaxDepth),
    commentsCloseAfterDays: String(s.commentsCloseAfterDays),
    commentMaxLinks: String(s.commentMaxLinks),
    commentBlockedWords: s.commentBlockedWords.join('\n'),
    commentBlockedEmails: s.commentBlockedEmails.join('\n'),
    commentBlockedIps: s.commentBlockedIps.join('\n'),
    commentBlockedDomains: s.commentBlockedDomains.join('\n'),
  });
  const commentPage = (notice = '') => ({ title: 'Comment settings', notice });

  app.get<{ Querystring: { saved?: string } }>(
    '/settings/comments',
    {
      config: { access: manageSettings },
      schema: { querystring: { type: 'object', properties: { saved: { type: 'string', maxLength: 10 } } } },
    },
    async (request, reply) =>
      pages.page(request, reply, 'comment-settings', {
        ...commentPage(request.query.saved ? 'The comment settings are saved.' : ''),
        form: formView(commentForm(await services.settings.get())),
      }),
  );

  app.post<{ Body: Body }>(
    '/settings/comments',
    {
      config: { access: manageSettings },
      schema: {
        body: {
          type: 'object',
          properties: {
            _csrf: { type: 'string', maxLength: 200 },
            ...Object.fromEntries(commentFields.map((f) => [f, { type: 'string', maxLength: 100_000 }])),
          },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const form: CommentSettingsForm = Object.fromEntries(commentFields.map((f) => [f, body[f] ?? '']));
      try {
        await services.admin.settings.saveComments(form, actorOf(request));
      } catch (error) {
        return pages.formError(
          request,
          reply,
          'comment-settings',
          { ...commentPage(), values: form as Record<string, string> },
          error,
        );
      }
      return reply.redirect('/admin/settings/comments?saved=1', 303);
    },
  );
}
