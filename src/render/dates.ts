const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${withTime}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone,
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      ...(withTime ? { hour: 'numeric', minute: '2-digit', hour12: true } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** "August 15, 2011" in the site's time zone. */
export function formatDate(iso: string, timeZone: string, locale = 'en-US'): string {
  return formatter(locale, timeZone, false).format(new Date(iso));
}

/** "August 15, 2011 at 10:41 PM" in the site's time zone. */
export function formatDateTime(iso: string, timeZone: string, locale = 'en-US'): string {
  const parts = formatter(locale, timeZone, true).formatToParts(new Date(iso));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('month')} ${get('day')}, ${get('year')} at ${get('hour')}:${get('minute')} ${get('dayPeriod').toUpperCase()}`;
}
