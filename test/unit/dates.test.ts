import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime } from '../../src/render/dates.js';

describe('formatDateTime', () => {
  it('writes "Month day, year at h:mm AM/PM" in UTC', () => {
    expect(formatDateTime('2011-08-15T22:41:00.000Z', 'UTC')).toBe('August 15, 2011 at 10:41 PM');
    expect(formatDateTime('2026-01-05T09:07:00.000Z', 'UTC')).toBe('January 5, 2026 at 9:07 AM');
  });

  it('shifts to America/New_York, four hours back in summer (EDT)', () => {
    expect(formatDateTime('2011-08-16T02:41:00.000Z', 'America/New_York')).toBe('August 15, 2011 at 10:41 PM');
  });

  it('shifts to America/New_York, five hours back in winter (EST)', () => {
    expect(formatDateTime('2011-01-16T03:41:00.000Z', 'America/New_York')).toBe('January 15, 2011 at 10:41 PM');
  });

  it('follows the spring-forward change in New York (2:00 EST becomes 3:00 EDT on March 8, 2026)', () => {
    expect(formatDateTime('2026-03-08T06:59:00.000Z', 'America/New_York')).toBe('March 8, 2026 at 1:59 AM');
    expect(formatDateTime('2026-03-08T07:00:00.000Z', 'America/New_York')).toBe('March 8, 2026 at 3:00 AM');
  });

  it('shifts to Asia/Kolkata, five and a half hours ahead, across midnight', () => {
    expect(formatDateTime('2011-08-15T17:11:00.000Z', 'Asia/Kolkata')).toBe('August 15, 2011 at 10:41 PM');
    expect(formatDateTime('2011-08-15T20:00:00.000Z', 'Asia/Kolkata')).toBe('August 16, 2011 at 1:30 AM');
  });

  it('writes midnight as 12:xx AM and noon as 12:xx PM', () => {
    expect(formatDateTime('2011-08-15T00:00:00.000Z', 'UTC')).toBe('August 15, 2011 at 12:00 AM');
    expect(formatDateTime('2011-08-15T00:05:00.000Z', 'UTC')).toBe('August 15, 2011 at 12:05 AM');
    expect(formatDateTime('2011-08-15T12:00:00.000Z', 'UTC')).toBe('August 15, 2011 at 12:00 PM');
    expect(formatDateTime('2011-08-15T12:59:00.000Z', 'UTC')).toBe('August 15, 2011 at 12:59 PM');
    // Midnight in New York is 04:00 UTC in summer.
    expect(formatDateTime('2011-08-16T04:00:00.000Z', 'America/New_York')).toBe('August 16, 2011 at 12:00 AM');
  });
});

describe('formatDate', () => {
  it('gives the calendar day in the time zone, not in UTC', () => {
    expect(formatDate('2011-08-16T02:41:00.000Z', 'UTC')).toBe('August 16, 2011');
    expect(formatDate('2011-08-16T02:41:00.000Z', 'America/New_York')).toBe('August 15, 2011');
    expect(formatDate('2011-08-15T20:00:00.000Z', 'Asia/Kolkata')).toBe('August 16, 2011');
  });
});
