/**
 * The newsletter's look, written inline (email clients drop or mangle `<style>`; Gmail and
 * Outlook read `style` attributes). Every rule that sets a text colour sets its background
 * too, so a client that darkens backgrounds by itself never leaves dark text on dark. The
 * classes name the same roles for the dark palette in the head's `<style>`, for clients
 * that honour `prefers-color-scheme`.
 */

/** The message's width, and the width of what sits inside the card's padding. */
export const EMAIL_WIDTH = 600;
export const CARD_PADDING = 24;
export const CONTENT_WIDTH = EMAIL_WIDTH - 2 * CARD_PADDING;

export const FONT_STACK =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif";
export const MONO_STACK = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";

export const light = {
  page: '#f3f1ee',
  card: '#ffffff',
  text: '#1f1d1a',
  muted: '#5e5850',
  link: '#9a3412',
  button: '#9a3412',
  buttonText: '#ffffff',
  note: '#f6f0e4',
  code: '#f1f0ee',
  rule: '#e2ddd5',
};

export const dark = {
  page: '#121212',
  card: '#1e1e1e',
  text: '#ece8e1',
  muted: '#b3aca2',
  link: '#f2a57e',
  button: '#f2a57e',
  buttonText: '#1e1e1e',
  note: '#2b2620',
  code: '#2a2a2a',
  rule: '#3a3631',
};

/** A container's background: what text inside it is written on. */
export type Surface = 'page' | 'card' | 'note' | 'code';

/** Colour and background together, for an element on `surface`. */
export function ink(surface: Surface, colour: keyof typeof light = 'text'): string {
  return `color:${light[colour]};background-color:${light[surface]}`;
}

const ROLES: Record<Surface, Partial<Record<keyof typeof light, string>>> = {
  page: { text: 'em-head', muted: 'em-foot' },
  card: { text: 'em-card', muted: 'em-muted' },
  note: { text: 'em-note', muted: 'em-note-muted' },
  code: { text: 'em-code' },
};

/**
 * The class naming what `ink(surface, colour)` paints, which the dark palette recolours:
 * every element given a colour carries one, so none keeps a light colour in dark mode.
 */
export function role(surface: Surface, colour: keyof typeof light = 'text'): string {
  return colour === 'link' ? 'em-link' : (ROLES[surface][colour] ?? ROLES[surface].text ?? 'em-card');
}

/** `class` and `style` attributes for an element on `surface` in `colour`, with more style after. */
export function paint(surface: Surface, colour: keyof typeof light, style: string, more = ''): string {
  return `class="${role(surface, colour)}${more ? ` ${more}` : ''}" style="${ink(surface, colour)};${style}"`;
}

/** The head's stylesheet: resets, the narrow-screen rule, and the dark palette by role. */
export function headStyle(): string {
  const d = dark;
  const important = (rules: string) =>
    rules
      .split(';')
      .map((r) => `${r} !important`)
      .join(';');
  const roles: [string, string][] = [
    ['.em-page', important(`background-color:${d.page};color:${d.text}`)],
    ['.em-head', important(`background-color:${d.page};color:${d.text}`)],
    ['.em-foot', important(`background-color:${d.page};color:${d.muted}`)],
    ['.em-card', important(`background-color:${d.card};color:${d.text}`)],
    ['.em-muted', important(`background-color:${d.card};color:${d.muted}`)],
    ['.em-note', important(`background-color:${d.note};color:${d.text}`)],
    ['.em-note-muted', important(`background-color:${d.note};color:${d.muted}`)],
    ['.em-code', important(`background-color:${d.code};color:${d.text}`)],
    ['.em-link', important(`color:${d.link};background-color:transparent`)],
    ['.em-btn', important(`background-color:${d.button};color:${d.buttonText};border-color:${d.button}`)],
    ['.em-rule', important(`border-color:${d.rule}`)],
  ];
  const darkRules = roles.map(([selector, rules]) => `${selector}{${rules}}`).join('\n');
  // Outlook.com marks the elements it recolours with data-ogsc / data-ogsb.
  const outlookRules = roles.map(([selector, rules]) => `[data-ogsc] ${selector}{${rules}}`).join('\n');
  return [
    ':root{color-scheme:light dark}',
    'body{margin:0;padding:0;width:100%;-webkit-text-size-adjust:100%;-ms-text-size-adjust:100%}',
    'table{border-collapse:collapse}',
    'img{border:0;outline:none;text-decoration:none;-ms-interpolation-mode:bicubic}',
    `@media (max-width:${EMAIL_WIDTH + 20}px){.em-wrap{width:100% !important}.em-pad{padding-left:16px !important;padding-right:16px !important}}`,
    `@media (prefers-color-scheme: dark){\n${darkRules}\n}`,
    outlookRules,
  ].join('\n');
}
