/** The site's settings: read (kept in memory), checked, and edited in the admin. */

export { type CommentSettingsForm, checkCommentSettings, checkSettings, type SettingsForm } from './check-settings.js';
export { type DateFormat, dateFormats } from './date-formats.js';
export { SettingsEditor } from './settings-editor.js';
export {
  type CommentModeration,
  defaultSettings,
  type MenuItem,
  SettingsService,
  type SiteSettings,
} from './settings-service.js';
