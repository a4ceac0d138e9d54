import type { EditablePost, EditorInput, StatusIntent } from '../../domain/editorial/index.js';
import { ValidationError } from '../../errors.js';
import { utcToZoned, zonedToUtc } from '../../shared/zoned-time.js';

/** The editor's form fields, as a browser sends them (every field text). */
export type PostForm = Record<(typeof POST_FIELDS)[number], string>;

export const POST_FIELDS = [
  'title',
  'slug',
  'body',
  'excerpt',
  'category',
  'tags',
  'featureImageId',
  'featureImageAlt',
  'editorNote',
  'editorNoteAuthor',
  'seoTitle',
  'seoDescription',
  'status',
  'publishedAt',
  'comments',
  'updatedAt',
  'confirmMissingAlt',
] as const;

/** Longest value of each field; the body leaves room within the 256 KiB request limit. */
export const POST_FIELD_LIMITS: Record<string, number> = {
  title: 1000,
  slug: 400,
  body: 200_000,
  excerpt: 5000,
  category: 12,
  tags: 2000,
  featureImageId: 12,
  featureImageAlt: 2000,
  editorNote: 20_000,
  editorNoteAuthor: 12,
  seoTitle: 1000,
  seoDescription: 2000,
  status: 20,
  publishedAt: 40,
  comments: 10,
  updatedAt: 40,
  confirmMissingAlt: 10,
  // The newsletter's choice (posts only), read by `readNewsletterChoice`.
  newsletter: 10,
  newsletterAt: 40,
  newsletterContent: 10,
};

const STATUSES: StatusIntent[] = ['draft', 'scheduled', 'published', 'unpublished'];

/** The form as the editor shows a saved post (times in the site's zone). */
export function formOf(post: EditablePost, timeZone: string): PostForm {
  return {
    title: post.title,
    slug: post.slug,
    body: post.body,
    excerpt: post.excerpt,
    category: post.categoryId === null ? '' : String(post.categoryId),
    tags: post.tags.join(', '),
    featureImageId: post.featureImageId === null ? '' : String(post.featureImageId),
    featureImageAlt: post.featureImageAlt,
    editorNote: post.editorNote,
    editorNoteAuthor: post.editorNoteAuthorId === null ? '' : String(post.editorNoteAuthorId),
    seoTitle: post.seoTitle,
    seoDescription: post.seoDescription,
    status: post.status,
    publishedAt: post.publishedAt ? utcToZoned(post.publishedAt, timeZone) : '',
    comments: post.commentsEnabled ? 'on' : '',
    updatedAt: post.updatedAt,
    confirmMissingAlt: '',
  };
}

/** A new post's empty form. */
export function emptyForm(): PostForm {
  const form = Object.fromEntries(POST_FIELDS.map((f) => [f, ''])) as PostForm;
  return { ...form, status: 'draft', comments: 'on' };
}

/** What the browser sent, every field present. */
export function readForm(body: Partial<Record<string, string>> | undefined): PostForm {
  return Object.fromEntries(POST_FIELDS.map((f) => [f, body?.[f] ?? ''])) as PostForm;
}

/** The form's text as the editorial service takes it; bad ids, statuses and times name their field. */
export function toEditorInput(form: PostForm, timeZone: string): EditorInput {
  const errors: Record<string, string> = {};
  const id = (field: keyof PostForm, message: string): number | null => {
    const value = form[field].trim();
    if (value === '') return null;
    if (!/^[1-9][0-9]{0,9}$/.test(value)) {
      errors[field] = message;
      return null;
    }
    return Number(value);
  };
  const status = form.status as StatusIntent;
  if (!STATUSES.includes(status)) errors.status = 'Choose draft, scheduled, published or unpublished.';
  let publishedAt: string | null = null;
  if (form.publishedAt.trim() !== '') {
    publishedAt = zonedToUtc(form.publishedAt, timeZone) ?? null;
    if (!publishedAt) errors.publishedAt = 'This is not a valid date and time (e.g. 2026-10-20T08:30).';
  }
  const input: EditorInput = {
    title: form.title,
    slug: form.slug.trim(),
    body: form.body.replace(/\r\n/g, '\n'),
    excerpt: form.excerpt,
    status,
    publishedAt,
    categoryId: id('category', 'Choose a category from the list.'),
    tags: form.tags
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== ''),
    featureImageId: id('featureImageId', 'A feature image is a photo id from the media library.'),
    featureImageAlt: form.featureImageAlt,
    editorNote: form.editorNote.replace(/\r\n/g, '\n'),
    editorNoteAuthorId: id('editorNoteAuthor', 'Choose the author of the note from the list.'),
    seoTitle: form.seoTitle,
    seoDescription: form.seoDescription,
    commentsEnabled: form.comments === 'on',
    ...(form.updatedAt ? { expectedUpdatedAt: form.updatedAt } : {}),
  };
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return input;
}

/** The writer's newsletter choice on saving a post: not given (the form had no fieldset), or one of three. */
export type NewsletterChoice =
  | { send: 'none' }
  | { send: 'publish' | 'at'; at: string | undefined; content: 'full' | 'excerpt' };

/** The newsletter fields of the editor's form, checked; undefined when the form had none. */
export function readNewsletterChoice(
  body: Partial<Record<string, string>> | undefined,
  timeZone: string,
): NewsletterChoice | undefined {
  const send = body?.newsletter;
  if (send === undefined) return undefined;
  if (send !== 'none' && send !== 'publish' && send !== 'at') {
    throw new ValidationError({ newsletter: 'Choose not to send, send when published, or send at a time.' });
  }
  if (send === 'none') return { send };
  const content = body?.newsletterContent === 'excerpt' ? 'excerpt' : 'full';
  if (send === 'publish') return { send, at: undefined, content };
  const at = zonedToUtc(body?.newsletterAt ?? '', timeZone);
  if (!at) throw new ValidationError({ newsletterAt: 'This is not a valid date and time (e.g. 2026-10-20T08:30).' });
  return { send, at, content };
}
