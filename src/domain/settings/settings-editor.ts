import type { Db } from '../../storage/index.js';
import type { Actor, AuditLog } from '../audit/index.js';
import type { ChangeFeed } from '../changes.js';
import type { MediaService, Upload } from '../media/index.js';
import { type CommentSettingsForm, checkCommentSettings, checkSettings, type SettingsForm } from './check-settings.js';
import type { SettingsService, SiteSettings } from './settings-service.js';

export interface SettingsEditorDeps {
  db: Db;
  settings: SettingsService;
  media: MediaService;
  audit: AuditLog;
  changes: ChangeFeed;
}

/**
 * Site settings as the admin changes them: checked field by field, written with their
 * audit entry in one transaction, then announced so that every cached page is dropped.
 */
export class SettingsEditor {
  #deps: SettingsEditorDeps;

  constructor(deps: SettingsEditorDeps) {
    this.#deps = deps;
  }

  /** Checks and saves the settings form; throws a ValidationError and saves nothing when a field is wrong. */
  async save(form: SettingsForm, by: Actor): Promise<void> {
    await this.#writeChanged(checkSettings(form), by);
  }

  /** Checks and saves the comment settings (moderation policy, threads, closing, spam lists). */
  async saveComments(form: CommentSettingsForm, by: Actor): Promise<void> {
    await this.#writeChanged(checkCommentSettings(form), by);
  }

  /** Writes checked values, naming in the audit log the settings that changed. */
  async #writeChanged(values: Partial<SiteSettings>, by: Actor): Promise<void> {
    const before = await this.#deps.settings.get();
    const changed = (Object.keys(values) as (keyof SiteSettings)[]).filter(
      (key) => JSON.stringify(before[key]) !== JSON.stringify(values[key]),
    );
    await this.#write(values, by, changed);
  }

  /** Makes an uploaded photo the site's logo (stored in the media library), or removes the logo. */
  async setLogo(upload: Upload | null, by: Actor): Promise<void> {
    const logo = upload ? await this.#deps.media.ingest({ ...upload, alt: '', uploadedBy: by.id }) : null;
    await this.#write({ logoId: logo?.id ?? null }, by, ['logoId']);
  }

  async #write(values: Partial<SiteSettings>, by: Actor, changed: string[]): Promise<void> {
    await this.#deps.db.transaction().execute(async (tx) => {
      await this.#deps.settings.update(values, tx);
      await this.#deps.audit.record(
        {
          action: 'settings_changed',
          actor: by,
          subject: 'site',
          ip: by.ip ?? null,
          details: { changed: changed.join(', ') },
        },
        tx,
      );
    });
    this.#deps.changes.publish({ kind: 'site' });
  }
}
