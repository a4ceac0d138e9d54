import { createHash, randomBytes } from 'node:crypto';
import { HearthError, ValidationError } from '../../errors.js';
import type { Db } from '../../storage/index.js';
import type { SettingsService } from '../settings/index.js';
import { type Author, type UserService, validateNewUser } from '../users/index.js';

/**
 * Each live token is a settings row named by its hash: every instance that starts while
 * the site has no owner issues its own link, and each stays good until an owner exists.
 */
export const SETUP_KEY_PREFIX = 'internal.setup_token_sha256';
const keyOf = (token: string) => `${SETUP_KEY_PREFIX}.${sha256(token).toString('hex')}`;
/** A setup link older than this no longer works (a restart prints a new one). */
const TOKEN_LIFETIME_MS = 24 * 3600_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * First-run owner setup: while the site has no owner, start-up issues a random one-time
 * token (only its hash is stored); the setup page that holds it creates the owner and the
 * token dies with that. There is never a default password.
 */
export class SetupService {
  #db: Db;
  #users: UserService;
  #settings: SettingsService;

  constructor(deps: { db: Db; users: UserService; settings: SettingsService }) {
    this.#db = deps.db;
    this.#users = deps.users;
    this.#settings = deps.settings;
  }

  /**
   * A fresh setup token if the site has no owner yet. Tokens issued before (by another
   * instance, or before a restart) keep working until the owner is made.
   */
  async issueToken(): Promise<string | undefined> {
    if (await this.#users.hasOwner()) {
      // An owner was made another way (`hearth user create`): tokens left over are dead.
      await this.#forgetTokens(this.#db);
      return undefined;
    }
    // Links printed more than a day ago are forgotten.
    const live = await this.#db
      .selectFrom('settings')
      .select(['key', 'value'])
      .where('key', 'like', `${SETUP_KEY_PREFIX}.%`)
      .execute();
    for (const row of live) {
      if (!isLive(row.value)) await this.#db.deleteFrom('settings').where('key', '=', row.key).execute();
    }
    const token = randomBytes(24).toString('base64url');
    await this.#settings.setInternal(keyOf(token), new Date().toISOString());
    return token;
  }

  /** Whether `token` is a live setup token: never once the site has an owner. */
  async isValid(token: string): Promise<boolean> {
    if (token.length > 200 || (await this.#users.hasOwner())) return false;
    const issued = await this.#settings.getInternal(keyOf(token));
    return issued !== undefined && isLive(JSON.stringify(issued));
  }

  /**
   * Creates the owner. The token is consumed by one conditional DELETE ... RETURNING in the
   * owner's transaction: of simultaneous requests, one deletes the row and the others (which
   * wait on its row lock on PostgreSQL, or on the write lock on SQLite) find it gone, and get
   * HEARTH_ERR_SETUP_DONE. Refused, too, once any owner exists (made by `hearth user create`).
   */
  async complete(token: string, input: { name: string; email: string; password: string }): Promise<Author> {
    if (!(await this.isValid(token))) {
      // Once an owner exists it always will: that, rather than a mistyped link, is the news.
      throw new HearthError((await this.#users.hasOwner()) ? 'HEARTH_ERR_SETUP_DONE' : 'HEARTH_ERR_SETUP_TOKEN');
    }
    const errors = validateNewUser(input, true);
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    return this.#db.transaction().execute(async (tx) => {
      const consumed = await tx
        .deleteFrom('settings')
        .where('key', '=', keyOf(token))
        .returning('key')
        .executeTakeFirst();
      if (!consumed) throw new HearthError('HEARTH_ERR_SETUP_DONE');
      if (await this.#users.hasOwner(tx)) throw new HearthError('HEARTH_ERR_SETUP_DONE');
      const owner = await this.#users.create({ ...input, role: 'owner' }, tx);
      await this.#forgetTokens(tx);
      return owner;
    });
  }

  async #forgetTokens(db: Db): Promise<void> {
    await db.deleteFrom('settings').where('key', 'like', `${SETUP_KEY_PREFIX}%`).execute();
  }
}

/** Whether a stored issue time (JSON) is less than a day old. */
function isLive(stored: string): boolean {
  let issued = Number.NaN;
  try {
    issued = Date.parse(JSON.parse(stored) as string);
  } catch {}
  return Number.isFinite(issued) && Date.now() - issued < TOKEN_LIFETIME_MS;
}
