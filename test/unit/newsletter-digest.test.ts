import { describe, expect, it } from 'vitest';
import { lastDigestMoment } from '../../src/domain/newsletters/index.js';

describe('lastDigestMoment', () => {
  it('is the latest weekday and hour at or before now, in the time zone', () => {
    // Monday 2031-03-10, 08:30 UTC: Monday 08:00 UTC has passed.
    expect(lastDigestMoment(new Date('2031-03-10T08:30:00Z'), 1, 8, 'UTC')).toEqual({
      at: '2031-03-10T08:00:00.000Z',
      day: '2031-03-10',
    });
    // 07:59: not yet, so the week before.
    expect(lastDigestMoment(new Date('2031-03-10T07:59:00Z'), 1, 8, 'UTC')).toEqual({
      at: '2031-03-03T08:00:00.000Z',
      day: '2031-03-03',
    });
  });

  it('reads the hour on the blog’s clock, summer time included', () => {
    // Berlin is UTC+1 in winter, UTC+2 in summer.
    expect(lastDigestMoment(new Date('2031-01-06T12:00:00Z'), 1, 8, 'Europe/Berlin')?.at).toBe(
      '2031-01-06T07:00:00.000Z',
    );
    expect(lastDigestMoment(new Date('2031-07-07T12:00:00Z'), 1, 8, 'Europe/Berlin')?.at).toBe(
      '2031-07-07T06:00:00.000Z',
    );
    // Sunday 23:30 in Auckland is already Monday there.
    expect(lastDigestMoment(new Date('2031-03-09T20:30:00Z'), 1, 8, 'Pacific/Auckland')?.day).toBe('2031-03-10');
  });

  it('gives nothing for a zone the runtime does not know', () => {
    expect(lastDigestMoment(new Date('2031-03-10T08:30:00Z'), 1, 8, 'Mars/Olympus')).toBeUndefined();
  });
});
