import type { DateFormat } from '../domain/settings/index.js';

type Style = 'date' | 'clock' | 'date-time';

/** The locale and options that write each of the site's date formats. */
const dateOptions: Record<DateFormat, [string, Intl.DateTimeFormatOptions]> = {
  long: ['en-US', { year: 'numeric', month: 'long', day: 'numeric' }],
  'day-month': ['en-GB', { year: 'numeric', month: 'long', day: 'numeric' }],
  short: ['en-US', { year: 'numeric', month: 'short', day: 'numeric' }],
  iso: ['en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }],
};

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function dateFormatter(timeZone: string, format: DateFormat): Intl.DateTimeFormat {
  const key = `${timeZone}|${format}`;
  let f = dateFormatters.get(key);
  if (!f) {
    const [locale, options] = dateOptions[format];
    f = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    dateFormatters.set(key, f);
  }
  return f;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, timeZone: string, style: Style): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone,
      ...(style === 'clock'
        ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : { year: 'numeric', month: 'long', day: 'numeric' }),
      ...(style === 'date-time' ? { hour: 'numeric', minute: '2-digit', hour12: true } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/**
 * Formatted dates, by everything that decides the text. A page shows the same few dates
 * on every view (its own, its comments', its cards'), and ICU takes microseconds for
 * each. Bounded: emptied when full.
 */
const formatted = new Map<string, string>();
const MAX_FORMATTED = 5000;

function remembered(key: string, format: () => string): string {
  let text = formatted.get(key);
  if (text === undefined) {
    text = format();
    if (formatted.size >= MAX_FORMATTED) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** "August 15, 2011" (or the site's other date format) in the site's time zone. */
export function formatDate(iso: string, timeZone: string, locale = 'en-US', format: DateFormat = 'long'): string {
  return remembered(`d|${iso}|${timeZone}|${locale}|${format}`, () =>
    format !== 'long'
      ? dateFormatter(timeZone, format).format(new Date(iso))
      : formatter(locale, timeZone, 'date').format(new Date(iso)),
  );
}

/** "August 15, 2011 at 10:41 PM" in the site's time zone. */
export function formatDateTime(iso: string, timeZone: string, locale = 'en-US', format: DateFormat = 'long'): string {
  return remembered(`t|${iso}|${timeZone}|${locale}|${format}`, () => dateTimeText(iso, timeZone, locale, format));
}

function dateTimeText(iso: string, timeZone: string, locale: string, format: DateFormat): string {
  const date = new Date(iso);
  if (format !== 'long') {
    const [hh = '0', mm = '00'] = formatter('en-US', timeZone, 'clock').format(date).split(':');
    return `${dateFormatter(timeZone, format).format(date)} ${hh}:${mm}`;
  }
  if (locale === 'en-US') {
    // Two plain formats cost half of one formatToParts, and a page formats a time for
    // every comment. The 24-hour "HH:MM" reads the same in every ICU version.
    const [hh = '0', mm = '00'] = formatter(locale, timeZone, 'clock').format(date).split(':');
    const hour = Number(hh);
    return `${formatter(locale, timeZone, 'date').format(date)} at ${hour % 12 || 12}:${mm} ${hour < 12 ? 'AM' : 'PM'}`;
  }
  const parts = formatter(locale, timeZone, 'date-time').formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('month')} ${get('day')}, ${get('year')} at ${get('hour')}:${get('minute')} ${get('dayPeriod').toUpperCase()}`;
}
