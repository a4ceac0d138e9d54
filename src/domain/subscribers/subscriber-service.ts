import { createHash, createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { HearthError, ValidationError } from '../../errors.js';
import type { Db } from '../../storage/index.js';
import type { SubscriberStatus } from '../../storage/schema.js';
import type { Mailer } from '../mail/index.js';
import type { SettingsService } from '../settings/index.js';
import { checkName, isOneLine, normaliseEmail, sourcePath } from './address.js';
import { recordBounce, recordComplaint } from './bounces.js';
import { exportCsv, type ImportMode, type ImportReport, importCsv } from './csv.js';

export interface SubscriberServiceDeps {
  db: Db;
  mailer: Mailer;
  settings: SettingsService;
  /** The site secret: the key of the visitor hashes that throttle sign-ups. */
  secret: () => Promise<string>;
  /** The site's public URL, no trailing slash. */
  publicUrl: string;
  /** Told of a confirmation message that could not be sent (the visitor may ask again at once). */
  onError?: (error: unknown) => void;
  now?: () => Date;
}

/** The subscribe form as sent. `trap` is the hidden field only robots fill in. */
export interface SubscribeInput {
  email: string;
  name?: string;
  from?: string;
  trap?: string;
}

export type Frequency = 'every' | 'digest';

/** A reader's own view of their subscription (the preferences page). */
export interface Subscription {
  email: string;
  name: string;
  status: SubscriberStatus;
  frequency: Frequency;
  /** The categories chosen; empty: every category. */
  categoryIds: number[];
  /** The page of the site they subscribed from ('' when not known). */
  sourcePath: string;
}

/** What a confirmation link leads to. */
export interface Confirmation {
  /** Confirmed by an earlier click of the same link (the link still works for its seven days). */
  already: boolean;
  /** The token of the reader's own page. */
  token: string;
  /** The page of the site they subscribed from ('' when not known). */
  sourcePath: string;
}

/** A subscriber as the admin shows them. */
export interface Subscriber {
  id: number;
  email: string;
  name: string;
  status: SubscriberStatus;
  frequency: Frequency;
  source: 'form' | 'admin' | 'import';
  sourcePath: string;
  consentAt: string | null;
  consentNote: string;
  bounces: number;
  lastBounceAt: string | null;
  createdAt: string;
  updatedAt: string;
  unsubscribedAt: string | null;
}

export const SUBSCRIBER_STATUSES: SubscriberStatus[] = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'];
export const SUBSCRIBER_SOURCES = ['form', 'admin', 'import'] as const;

/** Sign-ups one visitor may make in an hour. */
export const SIGNUPS_PER_HOUR = 5;
/** At most one confirmation message per address in this time. */
const CONFIRM_EVERY_MS = 60 * 60 * 1000;
/** How long a confirmation link works. */
const CONFIRM_VALID_MS = 7 * 24 * 60 * 60 * 1000;
/** The hidden field of the subscribe form that only robots fill in. */
export const SUBSCRIBE_HONEYPOT = 'website';
export const PER_PAGE = 50;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');
/** Tokens Hearth makes: 43 characters of base64url. Anything else names nothing. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

type Row = {
  id: number;
  email: string;
  name: string;
  status: SubscriberStatus;
  frequency: Frequency;
  source: 'form' | 'admin' | 'import';
  source_path: string;
  consent_at: string | null;
  consent_note: string;
  bounces: number;
  last_bounce_at: string | null;
  created_at: string;
  updated_at: string;
  unsubscribed_at: string | null;
};

const COLUMNS = [
  'id',
  'email',
  'name',
  'status',
  'frequency',
  'source',
  'source_path',
  'consent_at',
  'consent_note',
  'bounces',
  'last_bounce_at',
  'created_at',
  'updated_at',
  'unsubscribed_at',
] as const;

export function subscriberOf(r: Row): Subscriber {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    status: r.status,
    frequency: r.frequency,
    source: r.source,
    sourcePath: r.source_path,
    consentAt: r.consent_at,
    consentNote: r.consent_note,
    bounces: Number(r.bounces),
    lastBounceAt: r.last_bounce_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    unsubscribedAt: r.unsubscribed_at,
  };
}

/** Checks the address and the name of a form; a ValidationError names each wrong field. */
export function checkAddress(input: { email: string; name?: string }): { email: string; name: string } {
  const errors: Record<string, string> = {};
  const email = normaliseEmail(input.email);
  const name = checkName(input.name ?? '');
  if ('error' in email) errors.email = email.error;
  if ('error' in name) errors.name = name.error;
  if ('error' in email || 'error' in name) throw new ValidationError(errors);
  return { email: email.email, name: name.name };
}

/**
 * Readers' addresses (issue 20): sign-up with double opt-in, confirmation, preferences,
 * unsubscribing, bounces and complaints, a subscriber's data, and the admin's list.
 * See docs/subscribers.md.
 */
export class SubscriberService {
  #db: Db;
  #deps: SubscriberServiceDeps;
  #now: () => Date;
  #sending = new Set<Promise<void>>();

  constructor(deps: SubscriberServiceDeps) {
    this.#db = deps.db;
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * A sign-up from the form. Whatever happens to the address (new, waiting, already
   * subscribed, bounced), the visitor sees the same answer, so the form tells nobody who
   * is subscribed: a new or still unconfirmed address gets a confirmation message, an
   * active one a message "you are already subscribed" with the link to its page, each at
   * most one an hour. A robot's sign-up (the hidden field filled in) is dropped.
   *
   * @throws ValidationError naming `email` or `name`; HearthError
   *   `HEARTH_ERR_SUBSCRIBE_RATE_LIMIT` (429) past SIGNUPS_PER_HOUR from one visitor;
   *   `HEARTH_ERR_SUBSCRIPTIONS_OFF` (404) when the site takes no sign-ups
   */
  async subscribe(input: SubscribeInput, context: { ip: string }): Promise<void> {
    if (!(await this.#deps.settings.get()).subscriptionsEnabled) throw new HearthError('HEARTH_ERR_SUBSCRIPTIONS_OFF');
    if ((input.trap ?? '').trim() !== '') return;
    const { email, name } = checkAddress(input);
    await this.#countSignUp(context.ip);
    const now = this.#now();
    const at = now.toISOString();
    const token = newToken();
    const inserted = await this.#db
      .insertInto('subscribers')
      .values({
        email,
        name,
        status: 'pending',
        source: 'form',
        source_path: sourcePath(input.from),
        token: newToken(),
        confirm_hash: sha256(token),
        confirm_sent_at: at,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return this.#background(this.#sendConfirmation(inserted.id, email, name, token));
    // Known already: a new message only to an address still waiting (or that left and asks
    // again), and only when none went there in the last hour. The condition is in the
    // update, so of many requests at once one sends.
    const cutoff = new Date(now.getTime() - CONFIRM_EVERY_MS).toISOString();
    const updated = await this.#db
      .updateTable('subscribers')
      .set({
        status: 'pending',
        confirm_hash: sha256(token),
        confirm_sent_at: at,
        updated_at: at,
        ...(name === '' ? {} : { name }),
        ...(input.from ? { source_path: sourcePath(input.from) } : {}),
      })
      .where('email', '=', email)
      .where('status', 'in', ['pending', 'unsubscribed'])
      .where((eb) => eb.or([eb('confirm_sent_at', 'is', null), eb('confirm_sent_at', '<', cutoff)]))
      .returning(['id', 'name'])
      .executeTakeFirst();
    if (updated) return this.#background(this.#sendConfirmation(updated.id, email, updated.name, token));
    // Subscribed already (and probably forgot): the link to their page, at most once an hour.
    const active = await this.#db
      .updateTable('subscribers')
      .set({ confirm_sent_at: at })
      .where('email', '=', email)
      .where('status', '=', 'active')
      .where((eb) => eb.or([eb('confirm_sent_at', 'is', null), eb('confirm_sent_at', '<', cutoff)]))
      .returning(['name', 'token'])
      .executeTakeFirst();
    if (active) this.#background(this.#sendAlreadySubscribed(email, active.name, active.token));
  }

  /**
   * Sends after the answer: every sign-up is answered in the same time whether a message goes
   * (new, waiting, subscribed) or not, so timing tells nobody who is on the list, and a slow
   * mail server never holds the form. A message that fails is logged (the reader may ask again).
   */
  #background(sending: Promise<void>): void {
    this.#sending.add(sending);
    void sending.finally(() => this.#sending.delete(sending));
  }

  /** Resolves once the messages being sent are sent (or failed): before closing, and in tests. */
  async idle(): Promise<void> {
    while (this.#sending.size > 0) await Promise.allSettled([...this.#sending]);
  }

  async #sendAlreadySubscribed(email: string, name: string, token: string): Promise<void> {
    const title = (await this.#deps.settings.get()).title;
    try {
      await this.#deps.mailer.send({
        to: email,
        subject: `You are already subscribed to ${title}`,
        text: [
          name === '' ? 'Hello,' : `Hello ${name},`,
          '',
          `Someone, probably you, asked to receive new posts from ${title} by email at this address.`,
          'It is subscribed already: nothing more to do.',
          '',
          'To choose what you receive, or to unsubscribe, open your subscription page:',
          `${this.#deps.publicUrl}/subscription/${token}`,
          '',
          `— ${title}`,
          '',
        ].join('\n'),
      });
    } catch (error) {
      (this.#deps.onError ?? ((e) => console.error('subscription email failed', e)))(error);
    }
  }

  /** Counts a sign-up of the visitor in one statement, so parallel requests get no more. */
  async #countSignUp(ip: string): Promise<void> {
    const key = createHmac('sha256', await this.#deps.secret())
      .update(`subscribe:${ip}`)
      .digest('hex');
    const now = this.#now();
    const hour = now.toISOString().slice(0, 13);
    const row = await this.#db
      .insertInto('subscribe_throttle')
      .values({ key, hour, count: 1 })
      .onConflict((oc) =>
        oc.columns(['key', 'hour']).doUpdateSet((eb) => ({ count: eb('subscribe_throttle.count', '+', 1) })),
      )
      .returning('count')
      .executeTakeFirstOrThrow();
    // Hours gone by are of no more use.
    const old = new Date(now.getTime() - 2 * 60 * 60 * 1000).toISOString().slice(0, 13);
    await this.#db.deleteFrom('subscribe_throttle').where('hour', '<', old).execute();
    if (Number(row.count) > SIGNUPS_PER_HOUR) throw new HearthError('HEARTH_ERR_SUBSCRIBE_RATE_LIMIT');
  }

  async #sendConfirmation(id: number, email: string, name: string, token: string): Promise<void> {
    const title = (await this.#deps.settings.get()).title;
    const link = `${this.#deps.publicUrl}/subscribe/confirm/${token}`;
    try {
      await this.#deps.mailer.send({
        to: email,
        subject: `Confirm your subscription to ${title}`,
        text: [
          name === '' ? 'Hello,' : `Hello ${name},`,
          '',
          `Someone, probably you, asked to receive new posts from ${title} by email at this address.`,
          '',
          'To confirm, open this link and press the button on the page:',
          link,
          '',
          'The link works for seven days. If it was not you, ignore this message:',
          'nothing is sent to an address that was not confirmed.',
          '',
          `— ${title}`,
          '',
        ].join('\n'),
      });
    } catch (error) {
      // Not sent: the visitor may ask again at once.
      await this.#db
        .updateTable('subscribers')
        .set({ confirm_sent_at: null })
        .where('id', '=', id)
        .where('confirm_hash', '=', sha256(token))
        .execute();
      (this.#deps.onError ?? ((e) => console.error('confirmation email failed', e)))(error);
    }
  }

  /**
   * Whether a confirmation link still works (the page before its button): `already` when
   * it was used, within its seven days, and the address is active.
   *
   * @throws HearthError `HEARTH_ERR_SUBSCRIPTION_LINK` (404) for an old or forged link
   */
  async checkConfirmation(token: string): Promise<Confirmation> {
    if (!TOKEN.test(token)) throw new HearthError('HEARTH_ERR_SUBSCRIPTION_LINK');
    const row = await this.#db
      .selectFrom('subscribers')
      .select(['status', 'token', 'source_path'])
      .where('confirm_hash', '=', sha256(token))
      .where('status', 'in', ['pending', 'unsubscribed', 'active'])
      .where('confirm_sent_at', '>=', new Date(this.#now().getTime() - CONFIRM_VALID_MS).toISOString())
      .executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_SUBSCRIPTION_LINK');
    return { already: row.status === 'active', token: row.token, sourcePath: row.source_path };
  }

  /**
   * Confirms an address (a conditional update, so of many clicks one confirms). The link
   * keeps working for its seven days, to say the address is confirmed already.
   *
   * @throws HearthError `HEARTH_ERR_SUBSCRIPTION_LINK` (404) for an old or forged link
   */
  async confirm(token: string): Promise<Confirmation> {
    if (!TOKEN.test(token)) throw new HearthError('HEARTH_ERR_SUBSCRIPTION_LINK');
    const now = this.#now();
    const at = now.toISOString();
    const row = await this.#db
      .updateTable('subscribers')
      .set((eb) => ({
        status: 'active',
        consent_at: at,
        consent_note: sql<string>`case when ${eb.ref('source_path')} = '' then 'double opt-in' else 'double opt-in from ' || ${eb.ref('source_path')} end`,
        unsubscribed_at: null,
        updated_at: at,
      }))
      .where('confirm_hash', '=', sha256(token))
      .where('status', 'in', ['pending', 'unsubscribed'])
      .where('confirm_sent_at', '>=', new Date(now.getTime() - CONFIRM_VALID_MS).toISOString())
      .returning(['token', 'source_path'])
      .executeTakeFirst();
    if (row) return { already: false, token: row.token, sourcePath: row.source_path };
    const known = await this.checkConfirmation(token);
    if (!known.already) throw new HearthError('HEARTH_ERR_SUBSCRIPTION_LINK');
    return known;
  }

  /**
   * A reader's subscription by the token of their links.
   *
   * @throws HearthError `HEARTH_ERR_SUBSCRIPTION_LINK` (404) for a token that names nobody
   */
  async byToken(token: string): Promise<Subscription> {
    const row = TOKEN.test(token)
      ? await this.#db
          .selectFrom('subscribers')
          .select(['id', 'email', 'name', 'status', 'frequency', 'source_path'])
          .where('token', '=', token)
          .executeTakeFirst()
      : undefined;
    if (!row) throw new HearthError('HEARTH_ERR_SUBSCRIPTION_LINK');
    const categories = await this.#db
      .selectFrom('subscriber_categories')
      .select('category_id')
      .where('subscriber_id', '=', row.id)
      .orderBy('category_id')
      .execute();
    return {
      email: row.email,
      name: row.name,
      status: row.status,
      frequency: row.frequency,
      categoryIds: categories.map((c) => c.category_id),
      sourcePath: row.source_path,
    };
  }

  /** The categories a reader may choose from. */
  async categories(): Promise<{ id: number; name: string }[]> {
    return this.#db.selectFrom('categories').select(['id', 'name']).orderBy('name').orderBy('id').execute();
  }

  /**
   * Saves a reader's choices: every post or the weekly digest, and the categories (none:
   * all of them), in one transaction.
   *
   * @throws ValidationError naming `frequency` or `categories`; `HEARTH_ERR_SUBSCRIPTION_LINK` (404)
   */
  async setPreferences(token: string, input: { frequency: string; categoryIds: number[] }): Promise<void> {
    if (input.frequency !== 'every' && input.frequency !== 'digest')
      throw new ValidationError({ frequency: 'Please choose every post or the weekly digest.' });
    const known = new Set((await this.categories()).map((c) => c.id));
    const ids = [...new Set(input.categoryIds)];
    if (ids.some((id) => !known.has(id)))
      throw new ValidationError({ categories: 'One of the categories chosen does not exist (any more).' });
    const frequency = input.frequency;
    await this.#db.transaction().execute(async (tx) => {
      const row = TOKEN.test(token)
        ? await tx
            .updateTable('subscribers')
            .set({ frequency, updated_at: this.#now().toISOString() })
            .where('token', '=', token)
            .returning('id')
            .executeTakeFirst()
        : undefined;
      if (!row) throw new HearthError('HEARTH_ERR_SUBSCRIPTION_LINK');
      await tx.deleteFrom('subscriber_categories').where('subscriber_id', '=', row.id).execute();
      if (ids.length > 0)
        await tx
          .insertInto('subscriber_categories')
          .values(ids.map((category_id) => ({ subscriber_id: row.id, category_id })))
          .execute();
    });
  }

  /**
   * Unsubscribes by the token of the reader's links (the page's button, or a mail
   * client's one-click POST). Saying it twice is no error; a bounced or complained
   * address keeps its status (it gets no mail either way).
   *
   * @throws HearthError `HEARTH_ERR_SUBSCRIPTION_LINK` (404) for a token that names nobody
   */
  async unsubscribe(token: string): Promise<void> {
    const at = this.#now().toISOString();
    const row = TOKEN.test(token)
      ? await this.#db.selectFrom('subscribers').select('id').where('token', '=', token).executeTakeFirst()
      : undefined;
    if (!row) throw new HearthError('HEARTH_ERR_SUBSCRIPTION_LINK');
    await this.#db
      .updateTable('subscribers')
      .set({ status: 'unsubscribed', unsubscribed_at: at, confirm_hash: null, updated_at: at })
      .where('id', '=', row.id)
      .where('status', 'in', ['pending', 'active'])
      .execute();
  }

  /** A hard bounce: see `recordBounce`. */
  recordBounce(email: string): Promise<boolean> {
    return recordBounce(this.#db, email, this.#now());
  }

  /** A spam complaint: see `recordComplaint`. */
  recordComplaint(email: string): Promise<boolean> {
    return recordComplaint(this.#db, email, this.#now());
  }

  /** A batch of the mail provider's events, in one transaction. Returns how many named a subscriber. */
  async recordMailEvents(events: { type: 'bounce' | 'complaint'; email: string }[]): Promise<number> {
    return this.#db.transaction().execute(async (tx) => {
      let known = 0;
      for (const e of events) {
        const found =
          e.type === 'bounce'
            ? await recordBounce(tx, e.email, this.#now())
            : await recordComplaint(tx, e.email, this.#now());
        if (found) known++;
      }
      return known;
    });
  }

  // The admin's side.

  async get(id: number): Promise<Subscriber> {
    const row = await this.#db.selectFrom('subscribers').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_SUBSCRIBER_MISSING', { id });
    return subscriberOf(row as Row);
  }

  /**
   * A page of the list, newest first: a search in addresses and names, and filters by
   * status and source. Bounded pages, so a list of many thousands reads as fast as a short one.
   */
  async list(query: {
    q?: string;
    status?: SubscriberStatus | undefined;
    source?: Subscriber['source'] | undefined;
    page?: number;
  }): Promise<{ items: Subscriber[]; total: number; page: number; pages: number }> {
    const page = Math.max(1, query.page ?? 1);
    const q = (query.q ?? '').trim().toLowerCase();
    let base = this.#db.selectFrom('subscribers');
    if (q !== '') {
      const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // ESCAPE: the search's own % and _ are text (SQLite has no default escape character).
      base = base.where(sql<boolean>`(lower(email) like ${like} escape '\\' or lower(name) like ${like} escape '\\')`);
    }
    if (query.status) base = base.where('status', '=', query.status);
    if (query.source) base = base.where('source', '=', query.source);
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base
        .select(COLUMNS)
        .orderBy('id', 'desc')
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
        .execute(),
    ]);
    const total = Number(count.n);
    return {
      items: rows.map((r) => subscriberOf(r as Row)),
      total,
      page,
      pages: Math.max(1, Math.ceil(total / PER_PAGE)),
    };
  }

  /** How many addresses have each status. */
  async counts(): Promise<Record<SubscriberStatus, number>> {
    const rows = await this.#db
      .selectFrom('subscribers')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const counts = Object.fromEntries(SUBSCRIBER_STATUSES.map((s) => [s, 0])) as Record<SubscriberStatus, number>;
    for (const r of rows) counts[r.status] = Number(r.n);
    return counts;
  }

  /**
   * Adds an address by hand, active at once: the writer says how consent was given
   * ("asked me at the fair").
   *
   * @throws ValidationError naming `email`, `name` or `consentNote`; HearthError
   *   `HEARTH_ERR_SUBSCRIBER_EXISTS` (409) for an address on the list already,
   *   `HEARTH_ERR_SUBSCRIBER_LEFT` (409) for one that unsubscribed (only the reader may come back)
   */
  async add(input: { email: string; name?: string; consentNote: string }): Promise<Subscriber> {
    const note = input.consentNote.trim();
    let address: { email: string; name: string } | undefined;
    const errors: Record<string, string> = {};
    try {
      address = checkAddress(input);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      Object.assign(errors, error.fields);
    }
    if (note === '') errors.consentNote = 'Please say how this person gave their consent, e.g. "asked me at the fair".';
    else if (note.length > 500 || !isOneLine(note))
      errors.consentNote = 'The consent note must be one line of at most 500 characters.';
    if (!address || Object.keys(errors).length > 0) throw new ValidationError(errors);
    const at = this.#now().toISOString();
    const row = await this.#db
      .insertInto('subscribers')
      .values({
        email: address.email,
        name: address.name,
        status: 'active',
        source: 'admin',
        token: newToken(),
        consent_at: at,
        consent_note: note,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) {
      const known = await this.#db
        .selectFrom('subscribers')
        .select('status')
        .where('email', '=', address.email)
        .executeTakeFirst();
      throw new HearthError(
        known?.status === 'unsubscribed' ? 'HEARTH_ERR_SUBSCRIBER_LEFT' : 'HEARTH_ERR_SUBSCRIBER_EXISTS',
        {
          email: address.email,
          field: 'email',
        },
      );
    }
    return this.get(row.id);
  }

  /**
   * Everything kept about one subscriber (a data-protection request): their row without
   * the link secrets, their categories, and the newsletters sent to them.
   */
  async exportData(id: number): Promise<SubscriberExport> {
    const subscriber = await this.get(id);
    const [categories, newsletters] = await Promise.all([
      this.#db
        .selectFrom('subscriber_categories')
        .innerJoin('categories', 'categories.id', 'subscriber_categories.category_id')
        .select(['categories.id', 'categories.name'])
        .where('subscriber_categories.subscriber_id', '=', id)
        .orderBy('categories.id')
        .execute(),
      this.#db
        .selectFrom('newsletter_recipients')
        .innerJoin('newsletters', 'newsletters.id', 'newsletter_recipients.newsletter_id')
        .select([
          'newsletters.id',
          'newsletters.kind',
          'newsletters.subject',
          'newsletter_recipients.email',
          'newsletter_recipients.state',
          'newsletter_recipients.sent_at',
        ])
        .where('newsletter_recipients.subscriber_id', '=', id)
        .orderBy('newsletters.id')
        .execute(),
    ]);
    return {
      exportedAt: this.#now().toISOString(),
      subscriber,
      categories,
      newsletters: newsletters.map((n) => ({
        id: n.id,
        kind: n.kind,
        subject: n.subject,
        email: n.email,
        state: n.state,
        sentAt: n.sent_at,
      })),
    };
  }

  /** Every subscriber as CSV (see `exportCsv`). */
  exportCsv(): Promise<string> {
    return exportCsv(this.#db);
  }

  /** Imports a CSV of addresses in one transaction (see `importCsv`). */
  importCsv(input: { csv: string; mode: ImportMode; consentNote: string }): Promise<ImportReport> {
    return importCsv(this.#db, { ...input, now: this.#now() });
  }

  /** Deletes a subscriber and, with the row, their categories and records of sends. Returns the address. */
  async erase(id: number): Promise<string> {
    const row = await this.#db.deleteFrom('subscribers').where('id', '=', id).returning('email').executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_SUBSCRIBER_MISSING', { id });
    return row.email;
  }
}

export interface SubscriberExport {
  exportedAt: string;
  subscriber: Subscriber;
  categories: { id: number; name: string }[];
  newsletters: {
    id: number;
    kind: string;
    subject: string;
    email: string;
    state: string;
    sentAt: string | null;
  }[];
}
