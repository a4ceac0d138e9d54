import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HearthError, ValidationError } from '../../errors.js';
import type { Db } from '../../storage/index.js';
import type { SettingsService } from '../settings/index.js';
import { type Author, type UserService, validateNewUser } from '../users/index.js';

const SETUP_KEY = 'internal.setup_token_sha256';

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

  /** A fresh setup token if the site has no owner yet (any earlier token stops working). */
  async issueToken(): Promise<string | undefined> {
    if (await this.#users.hasOwner()) {
      // An owner was made another way (`hearth user create`): a token left over is dead.
      await this.#settings.setInternal(SETUP_KEY, undefined);
      return undefined;
    }
    const token = randomBytes(24).toString('base64url');
    await this.#settings.setInternal(SETUP_KEY, sha256(token).toString('hex'));
    return token;
  }

  /** Whether `token` is the live setup token: never once the site has an owner. */
  async isValid(token: string): Promise<boolean> {
    if (await this.#users.hasOwner()) return false;
    return this.#matches(await this.#settings.getInternal(SETUP_KEY), token);
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
    const stored = JSON.stringify(sha256(token).toString('hex'));
    return this.#db.transaction().execute(async (tx) => {
      const consumed = await tx
        .deleteFrom('settings')
        .where('key', '=', SETUP_KEY)
        .where('value', '=', stored)
        .returning('key')
        .executeTakeFirst();
      if (!consumed) throw new HearthError('HEARTH_ERR_SETUP_DONE');
      if (await this.#users.hasOwner(tx)) throw new HearthError('HEARTH_ERR_SETUP_DONE');
      return this.#users.create({ ...input, role: 'owner' }, tx);
    });
  }

  #matches(stored: string | undefined, token: string): boolean {
    if (!stored || token.length > 200) return false;
    return timingSafeEqual(Buffer.from(stored, 'hex'), sha256(token));
  }
}
