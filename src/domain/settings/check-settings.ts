import { ValidationError } from '../../errors.js';
import { hasControlCharacters } from '../../shared/text.js';
import { isDateFormat } from './date-formats.js';
import type { MenuItem, SiteSettings } from './index.js';

/** The settings form as sent: text fields, and the menu rows in the order chosen. */
export interface SettingsForm {
  title?: string;
  tagline?: string;
  timezone?: string;
  dateFormat?: string;
  postsPerPage?: string;
  /** Rows left wholly empty are dropped before this. */
  menu?: { label: string; url: string }[];
}

export const MAX_MENU_ITEMS = 20;

let timeZones: Set<string> | undefined;
/** IANA time zone names this Node.js knows; UTC is listed by some versions only. */
export function isTimeZone(name: string): boolean {
  timeZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return timeZones.has(name);
}

/** A site path (`/about/`) or an absolute http(s) address: nothing a browser would run. */
export function isMenuUrl(url: string): boolean {
  if (/^\/(?![/\\])[^\s]*$/.test(url)) return true;
  if (!/^https?:\/\//i.test(url)) return false;
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

const oneLine = (text: string) => !hasControlCharacters(text) && !/[\r\n]/.test(text);

/**
 * Checks the settings form; returns the values to store, or throws a ValidationError
 * naming each wrong field (menu rows as `menu-<n>-label` / `menu-<n>-url`, counted from 1).
 */
export function checkSettings(
  form: SettingsForm,
): Pick<SiteSettings, 'title' | 'tagline' | 'timezone' | 'dateFormat' | 'postsPerPage' | 'menu'> {
  const errors: Record<string, string> = {};
  const title = form.title?.trim() ?? '';
  if (title === '') errors.title = 'Please enter a title for the site.';
  else if (title.length > 100 || !oneLine(title))
    errors.title = 'The title must be one line of at most 100 characters.';
  const tagline = form.tagline?.trim() ?? '';
  if (tagline.length > 200 || !oneLine(tagline))
    errors.tagline = 'The tagline must be one line of at most 200 characters.';
  const timezone = form.timezone?.trim() ?? '';
  if (!isTimeZone(timezone))
    errors.timezone = `"${timezone.slice(0, 60)}" is not a time zone. Use a name such as Europe/Berlin or America/New_York.`;
  const dateFormat = form.dateFormat ?? '';
  if (!isDateFormat(dateFormat)) errors.dateFormat = 'Please choose one of the date formats.';
  const raw = form.postsPerPage?.trim() ?? '';
  const postsPerPage = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(postsPerPage >= 1 && postsPerPage <= 50))
    errors.postsPerPage = 'Posts per page must be a whole number from 1 to 50.';
  const menu: MenuItem[] = [];
  const rows = form.menu ?? [];
  if (rows.length > MAX_MENU_ITEMS) errors.menu = `The menu can have at most ${MAX_MENU_ITEMS} links.`;
  rows.slice(0, MAX_MENU_ITEMS).forEach((row, i) => {
    const label = row.label.trim();
    const url = row.url.trim();
    const n = i + 1;
    if (label === '') errors[`menu-${n}-label`] = `Menu link ${n}: please enter a label.`;
    else if (label.length > 60 || !oneLine(label))
      errors[`menu-${n}-label`] = `Menu link ${n}: the label must be one line of at most 60 characters.`;
    if (url === '') errors[`menu-${n}-url`] = `Menu link ${n}: please enter an address.`;
    else if (url.length > 500 || !isMenuUrl(url))
      errors[`menu-${n}-url`] =
        `Menu link ${n}: the address must start with http://, https:// or / (a page of this site).`;
    menu.push({ label, url });
  });
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { title, tagline, timezone, dateFormat: dateFormat as SiteSettings['dateFormat'], postsPerPage, menu };
}
