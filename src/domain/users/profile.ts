import { HearthError, ValidationError } from '../../errors.js';
import { hasControlCharacters, isEmailAddress } from '../../shared/text.js';
import type { Db } from '../../storage/index.js';
import type { Actor, AuditLog } from '../audit/index.js';
import type { ChangeFeed } from '../changes.js';
import type { MediaService, Upload } from '../media/index.js';
import { hashPassword, verifyPassword } from './password.js';
import { passwordProblem } from './user-service.js';

/** A writer's own profile as the profile page shows it. */
export interface Profile {
  id: number;
  name: string;
  email: string;
  bio: string;
  website: string;
  avatarId: number | null;
  avatarUrl: string | null;
}

export interface ProfileDeps {
  db: Db;
  media: MediaService;
  audit: AuditLog;
  changes: ChangeFeed;
}

export const MAX_BIO_LENGTH = 2000;

/** A website for a byline: http or https only, so that no link on the site runs script. */
export function isWebsite(url: string): boolean {
  try {
    return /^https?:\/\//i.test(url) && ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * The signed-in writer's own profile: name, bio, website, avatar, email and password.
 * Email and password changes need the current password; every change is audited.
 */
export class ProfileService {
  #d: ProfileDeps;

  constructor(deps: ProfileDeps) {
    this.#d = deps;
  }

  async get(userId: number): Promise<Profile> {
    const row = await this.#d.db
      .selectFrom('users')
      .select(['id', 'display_name', 'email', 'bio', 'website', 'avatar_media_id'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_USER_NOT_FOUND', { id: userId });
    const avatar = row.avatar_media_id === null ? undefined : await this.#d.media.get(row.avatar_media_id);
    return {
      id: row.id,
      name: row.display_name,
      email: row.email,
      bio: row.bio,
      website: row.website ?? '',
      avatarId: row.avatar_media_id,
      avatarUrl: avatar?.url ?? null,
    };
  }

  /** Changes the name, bio and website readers see on bylines and the author page. */
  async update(by: Actor, input: { name?: string; bio?: string; website?: string }): Promise<void> {
    const errors: Record<string, string> = {};
    const name = input.name?.trim() ?? '';
    if (name === '') errors.name = 'Please enter your name.';
    else if (name.length > 100 || hasControlCharacters(name) || /[\r\n]/.test(name))
      errors.name = 'Your name must be one line of at most 100 characters.';
    const bio = input.bio?.trim().replace(/\r\n/g, '\n') ?? '';
    if (bio.length > MAX_BIO_LENGTH) errors.bio = `The bio can be at most ${MAX_BIO_LENGTH} characters.`;
    const website = input.website?.trim() ?? '';
    if (website !== '' && (website.length > 500 || !isWebsite(website)))
      errors.website = 'The website must be an address starting with http:// or https://.';
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    await this.#write(by, 'profile_changed', { display_name: name, bio, website: website || null });
  }

  /** Changes the email used to sign in; needs the current password. */
  async changeEmail(by: Actor, input: { email?: string; currentPassword?: string }): Promise<void> {
    const email = input.email?.trim().toLowerCase() ?? '';
    if (!isEmailAddress(email)) throw new ValidationError({ email: 'This does not look like an email address.' });
    await this.#checkPassword(by.id, input.currentPassword ?? '', 'emailPassword');
    const taken = await this.#d.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .where('id', '!=', by.id)
      .executeTakeFirst();
    if (taken) throw new HearthError('HEARTH_ERR_EMAIL_TAKEN', { email, field: 'email' });
    await this.#write(by, 'email_changed', { email }, { from: by.email, to: email });
  }

  /** Sets a new password; needs the current one. */
  async changePassword(
    by: Actor,
    input: { currentPassword?: string; newPassword?: string; confirmPassword?: string },
  ): Promise<void> {
    const next = input.newPassword ?? '';
    const problem = passwordProblem(next);
    if (problem) throw new ValidationError({ newPassword: problem });
    if (next !== input.confirmPassword)
      throw new ValidationError({ confirmPassword: 'The two new passwords are not the same.' });
    await this.#checkPassword(by.id, input.currentPassword ?? '', 'currentPassword');
    await this.#write(by, 'password_changed', { password_hash: await hashPassword(next) });
  }

  /** Makes an uploaded photo (stored in the media library) the writer's avatar, or removes it. */
  async setAvatar(by: Actor, upload: Upload | null, alt: string): Promise<void> {
    const photo = upload ? await this.#d.media.ingest({ ...upload, alt, uploadedBy: by.id }) : null;
    await this.#write(by, 'profile_changed', { avatar_media_id: photo?.id ?? null }, { avatar: photo?.id ?? null });
  }

  async #checkPassword(userId: number, password: string, field: string): Promise<void> {
    const row = await this.#d.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!row?.password_hash || !(await verifyPassword(password, row.password_hash)))
      throw new HearthError('HEARTH_ERR_PASSWORD_WRONG', { field });
  }

  async #write(
    by: Actor,
    action: 'profile_changed' | 'email_changed' | 'password_changed',
    set: {
      display_name?: string;
      bio?: string;
      website?: string | null;
      email?: string;
      password_hash?: string;
      avatar_media_id?: number | null;
    },
    details: Record<string, string | number | null> = {},
  ): Promise<void> {
    await this.#d.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('users')
        .set({ ...set, updated_at: new Date().toISOString() })
        .where('id', '=', by.id)
        .execute();
      await this.#d.audit.record({ action, actor: by, subject: `user:${by.id}`, ip: by.ip ?? null, details }, tx);
    });
    // Bylines, author boxes and the author's archive show the profile.
    this.#d.changes.publish({ kind: 'site' });
  }
}
