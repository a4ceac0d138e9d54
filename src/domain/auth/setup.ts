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
    if (await this.#users.hasOwner()) return undefined;
    const token = randomBytes(24).toString('base64url');
    await this.#settings.setInternal(SETUP_KEY, sha256(token).toString('hex'));
    return token;
  }

  async isValid(token: string): Promise<boolean> {
    const stored = await this.#settings.getInternal(SETUP_KEY);
    if (!stored || token.length > 200) return false;
    return timingSafeEqual(Buffer.from(stored, 'hex'), sha256(token));
  }

  /** Creates the owner in one transaction with the token's removal. */
  async complete(token: string, input: { name: string; email: string; password: string }): Promise<Author> {
    if (!(await this.isValid(token))) throw new HearthError('HEARTH_ERR_SETUP_TOKEN');
    const errors = validateNewUser(input, true);
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    return this.#db.transaction().execute(async (tx) => {
      const stored = await tx.selectFrom('settings').select('value').where('key', '=', SETUP_KEY).executeTakeFirst();
      if (!stored) throw new HearthError('HEARTH_ERR_SETUP_TOKEN');
      await tx.deleteFrom('settings').where('key', '=', SETUP_KEY).execute();
      return this.#users.create({ ...input, role: 'owner' }, tx);
    });
  }
}
