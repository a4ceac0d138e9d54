import { HearthError, ValidationError } from '../../errors.js';
import { slugify } from '../../shared/slug.js';
import { hasControlCharacters, isEmailAddress } from '../../shared/text.js';
import type { Db, Role, UserRow } from '../../storage/index.js';
import { type PreparedQuery, prepareQuery, type ValueOf } from '../../storage/prepared-query.js';
import type { ImageInfo } from '../media/index.js';
import { hashPassword } from './password.js';

/** A person who writes on the site, as readers see them. */
export interface Author {
  id: number;
  slug: string;
  name: string;
  bio: string;
  website: string | null;
  avatarId: number | null;
  role: Role;
}

/** An author with their photo, as a post's byline and author box show them. */
export interface AuthorWithAvatar extends Author {
  avatar: ImageInfo | undefined;
}

/** The columns of a user row that make an `Author`. */
export type AuthorRow = Pick<UserRow, 'id' | 'slug' | 'display_name' | 'bio' | 'website' | 'avatar_media_id' | 'role'>;

export interface NewUserInput {
  name: string;
  email: string;
  /** Omit for a byline that cannot sign in (a guest writer). */
  password?: string;
  role: Role;
  bio?: string;
  website?: string;
  slug?: string;
  avatarId?: number | null;
}

export const MIN_PASSWORD_LENGTH = 12;
export const roles: Role[] = ['owner', 'administrator', 'editor', 'author', 'contributor'];

/** What is wrong with a new password, if anything. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;
  if (password.length > 1024) return 'The password can be at most 1024 characters long.';
  return undefined;
}

/** Checks the fields of a new user; returns the problems by field name. */
export function validateNewUser(input: Partial<NewUserInput>, requirePassword: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = input.name?.trim() ?? '';
  if (name === '') errors.name = 'Please enter a name.';
  else if (name.length > 100) errors.name = 'A name can be at most 100 characters.';
  else if (hasControlCharacters(name) || /[\r\n]/.test(name)) errors.name = 'A name must be one line of text.';
  const email = input.email?.trim() ?? '';
  if (email === '') errors.email = 'Please enter an email address.';
  else if (!isEmailAddress(email)) errors.email = 'This does not look like an email address.';
  if (requirePassword || input.password !== undefined) {
    const problem = passwordProblem(input.password ?? '');
    if (problem) errors.password = problem;
  }
  if (input.role !== undefined && !roles.includes(input.role))
    errors.role = `The role must be one of ${roles.join(', ')}.`;
  if (input.website && !/^https?:\/\/[^\s]+$/i.test(input.website))
    errors.website = 'The website must start with http:// or https://.';
  return errors;
}

/** Users: the owner, staff and guest writers. */
export class UserService {
  #db: Db;
  #bySlug: PreparedQuery<{ slug: string }, AuthorRow>;

  constructor(db: Db) {
    this.#db = db;
    this.#bySlug = prepareQuery(db, (value: ValueOf<{ slug: string }>) =>
      db
        .selectFrom('users')
        .select(['id', 'slug', 'display_name', 'bio', 'website', 'avatar_media_id', 'role'])
        .where('slug', '=', value('slug')),
    );
  }

  /** Creates a user; refuses a taken email. Runs inside `db` when a transaction is given. */
  async create(input: NewUserInput, db: Db = this.#db): Promise<Author> {
    const errors = validateNewUser(input, false);
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    const email = input.email.trim().toLowerCase();
    const taken = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (taken) throw new HearthError('HEARTH_ERR_EMAIL_TAKEN', { email, field: 'email' });
    const slug = await this.#freeSlug(input.slug ?? slugify(input.name, 'writer'), db);
    const now = new Date().toISOString();
    const row = await db
      .insertInto('users')
      .values({
        slug,
        display_name: input.name.trim(),
        email,
        bio: input.bio?.trim() ?? '',
        website: input.website?.trim() || null,
        avatar_media_id: input.avatarId ?? null,
        role: input.role,
        password_hash: input.password === undefined ? null : await hashPassword(input.password),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAuthor(row);
  }

  /** An author by their slug (an author archive, a feed): a query compiled once. */
  async bySlug(slug: string): Promise<Author | undefined> {
    const [row] = await this.#bySlug({ slug });
    return row ? toAuthor(row) : undefined;
  }

  /** Every user with the fields an export carries, oldest first (a site has few). */
  async forExport(): Promise<{ id: number; slug: string; name: string; email: string }[]> {
    const rows = await this.#db
      .selectFrom('users')
      .select(['id', 'slug', 'display_name', 'email'])
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.display_name, email: r.email }));
  }

  /** Whether an owner exists who can sign in. */
  async hasOwner(db: Db = this.#db): Promise<boolean> {
    const row = await db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'owner')
      .where('password_hash', 'is not', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async #freeSlug(base: string, db: Db): Promise<string> {
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      const row = await db.selectFrom('users').select('id').where('slug', '=', slug).executeTakeFirst();
      if (!row) return slug;
    }
  }
}

export function toAuthor(row: AuthorRow): Author {
  return {
    id: row.id,
    slug: row.slug,
    name: row.display_name,
    bio: row.bio,
    website: row.website,
    avatarId: row.avatar_media_id,
    role: row.role,
  };
}
