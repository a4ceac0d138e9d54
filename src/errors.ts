/**
 * The error registry: every error Hearth shows a person has a code, a message template
 * and an HTTP status here. `docs/errors.md` documents each code; a test keeps them in step.
 *
 * @example
 *   throw new HearthError('HEARTH_ERR_SLUG_TAKEN', { slug });
 */

export const errorRegistry = {
  HEARTH_ERR_NOT_FOUND: { status: 404, message: 'Nothing is published at this address.' },
  HEARTH_ERR_VALIDATION: { status: 400, message: '{field}: {reason}' },
  HEARTH_ERR_SETUP_TOKEN: {
    status: 404,
    message: 'This setup link is not valid any more. Restart Hearth to print a new one.',
  },
  HEARTH_ERR_SETUP_DONE: { status: 409, message: 'This site already has an owner.' },
  HEARTH_ERR_EMAIL_TAKEN: { status: 409, message: 'A user with the email {email} already exists.' },
  HEARTH_ERR_SLUG_TAKEN: { status: 409, message: 'The slug "{slug}" is already in use.' },
  HEARTH_ERR_POST_MISSING: { status: 404, message: 'There is no post with the id {id}.' },
  HEARTH_ERR_POST_CONFLICT: {
    status: 409,
    message: 'Someone else saved this post at {updatedAt}, after you opened it. Reload it to see their changes.',
  },
  HEARTH_ERR_CONFIG: { status: 500, message: 'Configuration: {field}: {reason}' },
  HEARTH_ERR_DATA_DIR: {
    status: 500,
    message: 'Cannot write to the data directory {dir}: {reason}. Fix its permissions or set HEARTH_DATA_DIR.',
  },
  HEARTH_ERR_DB_LOCKED: {
    status: 503,
    message: 'The database {file} is locked by another process. Stop the other Hearth process and try again.',
  },
  HEARTH_ERR_SCHEMA_NEWER: {
    status: 503,
    message:
      'The database was migrated by a newer Hearth: it records migrations this version does not know ({migrations}). Upgrade this instance to the same Hearth version as the others.',
  },
  HEARTH_ERR_DB_CONNECT: { status: 503, message: 'Cannot open the database: {reason}' },
  HEARTH_ERR_PORT_IN_USE: {
    status: 500,
    message: 'Port {port} on {host} is already in use. Stop the other process or set HEARTH_PORT.',
  },
  HEARTH_ERR_SIGN_IN_FAILED: { status: 401, message: 'The email address or the password is not right.' },
  HEARTH_ERR_SIGN_IN_REQUIRED: { status: 401, message: 'Please sign in to continue.' },
  HEARTH_ERR_TOO_MANY_ATTEMPTS: {
    status: 429,
    message: 'Too many failed sign-in attempts. Wait {wait} before trying again.',
  },
  HEARTH_ERR_TWO_FACTOR_CODE: {
    status: 401,
    message:
      'The two-factor code is not right or was used already. Enter the 6-digit code your app shows now, or an unused recovery code.',
  },
  HEARTH_ERR_FORBIDDEN: {
    status: 403,
    message: 'Your role ({role}) does not allow this: it needs the capability {capability}.',
  },
  HEARTH_ERR_CSRF: {
    status: 403,
    message: 'This form is out of date or did not come from this site. Reload the page and send it again.',
  },
  HEARTH_ERR_LINK_INVALID: {
    status: 404,
    message: 'This link is not valid. Check that it was copied whole, or ask for a new one.',
  },
  HEARTH_ERR_LINK_EXPIRED: { status: 410, message: 'This link expired at {expired} (UTC). Ask for a new one.' },
  HEARTH_ERR_LINK_USED: { status: 410, message: 'This link was used already and works only once. Ask for a new one.' },
  HEARTH_ERR_LINK_REVOKED: {
    status: 410,
    message:
      'This invitation was withdrawn, so it no longer creates an account. Ask whoever invited you for a new one.',
  },
  HEARTH_ERR_INVITE_NOT_FOUND: {
    status: 404,
    message: 'There is no pending invitation {id}: it was accepted, withdrawn or has expired.',
  },
  HEARTH_ERR_SESSION_NOT_FOUND: {
    status: 404,
    message: 'This session has ended already (signed out or timed out).',
  },
  HEARTH_ERR_ROLE_NOT_ALLOWED: { status: 403, message: '{reason}' },
  HEARTH_ERR_USER_NOT_FOUND: { status: 404, message: 'There is no user {id}.' },
  HEARTH_ERR_MAIL_SEND: { status: 502, message: 'The email to {to} could not be sent: {reason}' },
  HEARTH_ERR_MEDIA_TOO_LARGE: {
    status: 413,
    message: 'The file "{name}" is {size}; a photo can be at most {limit}. Make it smaller and upload it again.',
  },
  HEARTH_ERR_MEDIA_TOO_MANY_PIXELS: {
    status: 413,
    message:
      'The image "{name}" is {width} × {height} pixels ({megapixels} megapixels); the limit is {limit} megapixels. Make it smaller and upload it again.',
  },
  HEARTH_ERR_MEDIA_SVG: {
    status: 415,
    message:
      'The file "{name}" is an SVG drawing. SVG files are refused because they can carry script; export it as a PNG and upload that.',
  },
  HEARTH_ERR_BOOK_EPUB_INVALID: { status: 422, message: 'The e-book cannot be made: {item}: {reason}.' },
  HEARTH_ERR_BOOK_EPUB_IMAGE_TYPE: {
    status: 415,
    message: 'The image "{item}" is {mediaType}; an EPUB holds only JPEG, PNG, GIF or SVG images. Convert it first.',
  },
  HEARTH_ERR_MEDIA_TYPE: {
    status: 415,
    message: 'The file "{name}" is {kind}, not a photo. Upload a JPEG, PNG, WebP, AVIF or GIF image.',
  },
  HEARTH_ERR_MEDIA_CORRUPT: {
    status: 422,
    message:
      'The file "{name}" looks like a {format} image but cannot be read ({reason}). It may be damaged or only partly uploaded; nothing was stored.',
  },
  HEARTH_ERR_MEDIA_NOT_FOUND: { status: 404, message: 'No image in the media library has the id {id}.' },
  HEARTH_ERR_MEDIA_STORE: {
    status: 503,
    message:
      'The media store {location} cannot be used: {reason}. Check HEARTH_MEDIA_URL and the AWS_* settings (see docs/deploy.md).',
  },
  HEARTH_ERR_MEDIA_IN_USE: {
    status: 409,
    message: 'The image "{path}" is used by {usedBy}. Take it out of them first, or delete it anyway.',
  },
  HEARTH_ERR_COMMENT_POST_NOT_FOUND: {
    status: 404,
    message: 'There is no published post {id} to comment on.',
  },
  HEARTH_ERR_COMMENTS_CLOSED: { status: 403, message: 'Comments are closed on this post.' },
  HEARTH_ERR_COMMENT_RATE_LIMIT: {
    status: 429,
    message: 'Too many comments from you in a short time. Please wait {minutes} minutes and try again.',
  },
  HEARTH_ERR_COMMENT_NOT_FOUND: { status: 404, message: 'There is no comment {id}.' },
  HEARTH_ERR_NOT_YOUR_POST: {
    status: 403,
    message: 'Post {id} is by another writer. Your role ({role}) may open and change only your own posts.',
  },
  HEARTH_ERR_PUBLISH_FORBIDDEN: {
    status: 403,
    message:
      'Your role ({role}) may write drafts but not publish, schedule or unpublish them. Save it as a draft and ask an editor.',
  },
  HEARTH_ERR_POST_IN_REVIEW: {
    status: 409,
    message:
      'Post {id} is waiting for review, so it cannot be changed now. Withdraw it from review to change it, or leave a note for the reviewers.',
  },
  HEARTH_ERR_REVIEW_STATE: { status: 409, message: 'Post {id} cannot do that now: it is {state}.' },
  HEARTH_ERR_EDITOR_NOTE_FORBIDDEN: {
    status: 403,
    message: '{reason} Your role ({role}) may not write, change or sign an editor’s note; ask an editor.',
  },
  HEARTH_ERR_TRASH_FORBIDDEN: {
    status: 403,
    message:
      'Your role ({role}) may move only your own drafts to the trash, restore them or delete them; post {id} is not one. Ask an editor.',
  },
  HEARTH_ERR_POST_TRASHED: { status: 409, message: 'Post {id} is in the trash. Restore it before you change it.' },
  HEARTH_ERR_NOT_IN_TRASH: { status: 409, message: 'Post {id} is not in the trash.' },
  HEARTH_ERR_SLUG_IN_TRASH: {
    status: 409,
    message:
      'The slug "{slug}" belongs to "{title}", which is in the trash. Restore it, or delete it forever to use the slug again.',
  },
  HEARTH_ERR_USER_REMOVE_REFUSED: { status: 403, message: '{reason}' },
  HEARTH_ERR_DEMO_GONE: { status: 409, message: 'There is no demo content left to remove.' },
  HEARTH_ERR_MISSING_ALT: {
    status: 409,
    message:
      '{count} image(s) in this post have no alt text: {images}. Describe them for readers who cannot see them, or confirm that you publish without.',
  },
  HEARTH_ERR_REVISION_NOT_FOUND: { status: 404, message: 'Post {postId} has no revision {id}.' },
  HEARTH_ERR_UPLOAD_MISSING: { status: 400, message: 'Choose a photo to upload.' },
  HEARTH_ERR_FORM_MALFORMED: {
    status: 400,
    message: 'The form could not be read ({reason}). Reload the page and send it again.',
  },
  HEARTH_ERR_MEDIA_NOT_YOURS: {
    status: 403,
    message:
      'Photo {id} is not one you uploaded: your role ({role}) may change or delete only your own photos. Ask an editor.',
  },
  HEARTH_ERR_CONFIRM_LOCKED: {
    status: 429,
    message: 'Too many wrong codes or passwords. Wait {wait} before trying again.',
  },
  HEARTH_ERR_TWO_FACTOR_LOCKED: {
    status: 429,
    message: 'Too many wrong two-factor codes. Sign in again with your email address and password.',
  },
  HEARTH_ERR_TERM_NOT_FOUND: { status: 404, message: 'There is no {kind} with the id {id}.' },
  HEARTH_ERR_TERM_SLUG_TAKEN: {
    status: 409,
    message: 'Another {kind} already has the slug "{slug}". Choose another slug, or merge the two.',
  },
  HEARTH_ERR_TERM_MERGE_SELF: { status: 400, message: 'A {kind} cannot be merged into itself. Choose another {kind}.' },
  HEARTH_ERR_PASSWORD_WRONG: { status: 400, message: 'Your current password is not right.' },
  HEARTH_ERR_COMMENT_FORBIDDEN: {
    status: 403,
    message: 'You may moderate comments on your own posts only; comment {id} is on someone else’s.',
  },
  HEARTH_ERR_UNSUBSCRIBE_LINK: {
    status: 404,
    message: 'This unsubscribe link does not work: it was used already, or it is not complete.',
  },
  HEARTH_ERR_IMPORT_STOPPED: {
    status: 409,
    message: 'The import was stopped before it finished; nothing was written.',
  },
  HEARTH_ERR_IMPORT_RUNNING: {
    status: 409,
    message: 'An import is running: wait for it to finish, then start the next.',
  },
  HEARTH_ERR_IMPORT_NO_FILE: { status: 400, message: 'Please choose the export file to import.' },
  HEARTH_ERR_IMPORT_TOO_LARGE: {
    status: 413,
    message: 'The export is larger than {max}: import it with hearth import on the server.',
  },
  HEARTH_ERR_IMPORT_XML: {
    status: 400,
    message: 'The WordPress export cannot be read: line {line}, column {column}: {reason}',
  },
  HEARTH_ERR_IMPORT_GHOST: { status: 400, message: 'The Ghost export cannot be read: {reason}' },
  HEARTH_ERR_IMPORT_GHOST_VERSION: {
    status: 400,
    message:
      'The export is from Ghost {version}, which Hearth cannot import: it reads exports of Ghost 1.x to 6.x. {advice}',
  },
  HEARTH_ERR_ARCHIVE_UNSAFE: {
    status: 400,
    message: 'The archive was refused: entry "{entry}" {reason}.',
  },
  HEARTH_ERR_ARCHIVE_INVALID: { status: 400, message: 'The archive cannot be read: {entry}: {reason}' },
  HEARTH_ERR_ARCHIVE_NOT_EMPTY: {
    status: 409,
    message: 'The blog already holds data ({contents}). A full restore needs an empty blog; use --force to replace it.',
  },
  HEARTH_ERR_BOOK_MISSING: { status: 404, message: 'There is no book "{book}".' },
  HEARTH_ERR_BOOK_SLUG_TAKEN: {
    status: 409,
    message: 'Another book already has the slug "{slug}". Choose another slug.',
  },
  HEARTH_ERR_BOOK_NOT_YOURS: {
    status: 403,
    message: 'The book "{book}" is someone else’s: your role ({role}) may change only your own books.',
  },
  HEARTH_ERR_BOOK_DUPLICATE_POST: {
    status: 400,
    message: 'The post "{post}" is in the book twice (entries {first} and {second}): a post can be one chapter only.',
  },
  HEARTH_ERR_BOOK_POST_MISSING: {
    status: 400,
    message: 'Entry {entry}: there is no post or page "{post}".',
  },
  HEARTH_ERR_BOOK_TERM_MISSING: { status: 400, message: 'There is no {kind} "{term}" to take chapters from.' },
  HEARTH_ERR_BOOK_CHAPTERS_MISSING: {
    status: 409,
    message:
      'The book "{book}" cannot be built: these chapters are deleted or not published: {chapters}. Publish them, take them out of the book, or leave them out (--leave-out-missing).',
  },
  HEARTH_ERR_BOOK_PDF_CHROMIUM: {
    status: 503,
    message:
      "The PDF cannot be made: Chromium at {path} {reason}. Install Debian's chromium package (apt install chromium) or set HEARTH_CHROMIUM_PATH to a Chromium binary; the EPUB builds without it.",
  },
  HEARTH_ERR_BOOK_EMPTY: { status: 422, message: 'The book "{book}" has no chapters to build. Add posts to it first.' },
  HEARTH_ERR_BOOK_NO_AUTHOR: {
    status: 422,
    message: 'The book "{book}" has no author: an e-book names who wrote it. Add one under Authors, then build it.',
  },
  HEARTH_ERR_BOOK_FORMAT: { status: 400, message: 'A book is built as {formats}, not "{format}".' },
  HEARTH_ERR_BOOK_FORMAT_UNAVAILABLE: { status: 422, message: 'This Hearth cannot build {format} books.' },
  HEARTH_ERR_BOOK_BUILD_FAILED: { status: 422, message: 'The book cannot be built: {reason}' },
  HEARTH_ERR_SUBSCRIPTIONS_OFF: { status: 404, message: 'This site does not take email subscriptions.' },
  HEARTH_ERR_SUBSCRIBE_RATE_LIMIT: {
    status: 429,
    message: 'Too many sign-ups from your connection in the last hour. Please try again in an hour.',
  },
  HEARTH_ERR_SUBSCRIPTION_LINK: {
    status: 404,
    message:
      'This subscription link does not work: it was used already, it is older than seven days, or it is not complete.',
  },
  HEARTH_ERR_SUBSCRIBER_MISSING: { status: 404, message: 'There is no subscriber with the id {id}.' },
  HEARTH_ERR_SUBSCRIBER_EXISTS: { status: 409, message: 'The address {email} is on the list already.' },
  HEARTH_ERR_SUBSCRIBER_LEFT: {
    status: 409,
    message:
      'The address {email} unsubscribed: only its reader can subscribe again, with the subscribe form on the site.',
  },
  HEARTH_ERR_SUBSCRIBERS_CSV: { status: 400, message: 'The CSV file cannot be read: {reason}.' },
  HEARTH_ERR_MAIL_WEBHOOK_OFF: {
    status: 404,
    message: 'The mail events hook is off: set HEARTH_MAIL_WEBHOOK_SECRET to use it.',
  },
  HEARTH_ERR_MAIL_WEBHOOK_AUTH: {
    status: 401,
    message: 'The mail events hook needs the secret of HEARTH_MAIL_WEBHOOK_SECRET as a bearer token.',
  },
  HEARTH_ERR_MAIL_WEBHOOK_BODY: {
    status: 400,
    message:
      'The mail events must be JSON such as {"events": [{"type": "bounce", "email": "ida@example.org"}]}: {reason}',
  },
  HEARTH_ERR_INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  HEARTH_ERR_NEWSLETTER_MISSING: { status: 404, message: 'There is no newsletter {id}.' },
  HEARTH_ERR_NEWSLETTER_PAGE: {
    status: 422,
    message: '"{title}" is a page: only posts are sent as newsletters.',
  },
  HEARTH_ERR_NEWSLETTER_STARTED: {
    status: 409,
    message: 'The newsletter of "{title}" has started sending: it can be paused or cancelled, not changed.',
  },
  HEARTH_ERR_NEWSLETTER_STATE: { status: 409, message: 'Newsletter {id} is {state}: that cannot be done now.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorRegistry;

/** An error a person can read: a registered code, its filled-in message, an HTTP status. */
export class HearthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly params: Record<string, string | number>;

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    const entry = errorRegistry[code];
    super(
      entry.message.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? `{${key}}`)),
      options,
    );
    this.name = 'HearthError';
    this.code = code;
    this.status = entry.status;
    this.params = params;
    this.field = typeof params.field === 'string' ? params.field : undefined;
  }
}

/** A field-by-field validation failure, e.g. of the comment form. */
export class ValidationError extends HearthError {
  readonly fields: Record<string, string>;

  constructor(fields: Record<string, string>) {
    const [field, reason] = Object.entries(fields)[0] ?? ['input', 'is not valid'];
    super('HEARTH_ERR_VALIDATION', { field, reason });
    this.fields = fields;
  }
}

export function isHearthError(error: unknown): error is HearthError {
  return error instanceof HearthError;
}
