import { randomInt } from 'node:crypto';
import type { Db } from '../../storage/index.js';
import { hashToken } from './tokens.js';

/** How many recovery codes turning two-factor on (or asking for new ones) gives. */
export const RECOVERY_CODE_COUNT = 10;

// No 0/o, 1/i/l: a code copied by hand from paper reads one way only.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 16;

/** A new code: 16 characters of 31 (about 79 random bits), shown in groups of four. */
export function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code.match(/.{4}/g)?.join('-') ?? code;
}

/**
 * A recovery code as typed (any case, with or without the dashes and spaces) in the form
 * it is hashed in; undefined for text that cannot be one (a 6-digit app code, say).
 */
export function normaliseRecoveryCode(text: string): string | undefined {
  const code = text.toLowerCase().replace(/[\s-]+/g, '');
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : undefined;
}

const hashOf = (code: string) => hashToken(`recovery:${code}`);

/**
 * Single-use recovery codes, for signing in when the authenticator app is lost. The
 * database keeps each code's SHA-256 only and marks it used; the codes themselves are
 * shown once, when they are made.
 */
export class RecoveryCodes {
  #db: Db;
  #now: () => Date;

  constructor(deps: { db: Db; now: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now;
  }

  /** Replaces a user's codes with new ones (in the caller's transaction); returns them. */
  async replace(userId: number, tx: Db): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.remove(userId, tx);
    const createdAt = this.#now().toISOString();
    await tx
      .insertInto('recovery_codes')
      .values(
        codes.map((code) => ({
          user_id: userId,
          code_hash: hashOf(normaliseRecoveryCode(code) as string),
          created_at: createdAt,
          used_at: null,
        })),
      )
      .execute();
    return codes;
  }

  async remove(userId: number, tx: Db = this.#db): Promise<void> {
    await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  }

  /** How many of a user's codes are still unused. */
  async left(userId: number, db: Db = this.#db): Promise<number> {
    const row = await db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Whether `code` (normalised) is one of the user's unused codes; uses nothing up. */
  async isUnused(userId: number, code: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('recovery_codes')
      .select('user_id')
      .where('user_id', '=', userId)
      .where('code_hash', '=', hashOf(code))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Uses up a code in one conditional statement: of two requests racing with the same
   * code, only one gets true.
   */
  async use(userId: number, code: string, tx: Db): Promise<boolean> {
    const result = await tx
      .updateTable('recovery_codes')
      .set({ used_at: this.#now().toISOString() })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hashOf(code))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
