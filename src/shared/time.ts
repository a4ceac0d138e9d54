/**
 * A time as Hearth stores it: ISO 8601 in UTC with milliseconds
 * (`2026-10-20T08:30:00.000Z`), so that text comparison orders times correctly on
 * every dialect. Returns undefined for anything that is not a real time.
 */
export function toStoredTime(value: string | Date): string | undefined {
  const date = value instanceof Date ? value : new Date(value);
  const time = date.getTime();
  if (Number.isNaN(time) || time < 0 || time > 253402300799999) return undefined;
  return date.toISOString();
}
