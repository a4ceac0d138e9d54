/** The ways the site can write a date, with an example of each for the settings form. */
export const dateFormats = {
  long: 'August 15, 2011',
  'day-month': '15 August 2011',
  short: 'Aug 15, 2011',
  iso: '2011-08-15',
} as const;

export type DateFormat = keyof typeof dateFormats;

export const isDateFormat = (value: string): value is DateFormat => Object.hasOwn(dateFormats, value);
