/** JSON schemas of the admin's forms: every field is text, bounded in length. */

const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;

/** A form body with these fields (and the CSRF token). */
export function formBody(fields: Record<string, number>) {
  return {
    type: 'object',
    properties: {
      _csrf: text(200),
      ...Object.fromEntries(Object.entries(fields).map(([name, max]) => [name, text(max)])),
    },
  } as const;
}

export const nextQuery = { type: 'object', properties: { next: text(500) } } as const;

export const tokenParams = {
  type: 'object',
  properties: { token: { type: 'string', minLength: 10, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' } },
  required: ['token'],
} as const;
