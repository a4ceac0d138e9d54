import { XMLBuilder } from 'fast-xml-parser';

// Characters XML 1.0 cannot hold at all, even escaped: C0 controls but tab, LF and CR,
// lone surrogates, U+FFFE and U+FFFF.
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Drops the characters XML 1.0 forbids: a parser refuses a document with any of them. */
export function xmlText(text: string): string {
  return text.replace(NOT_XML, '');
}

/**
 * An element as the XML builder takes it: child elements by name (an array repeats the
 * element), attributes as `@_name`, text as `#text` or a plain string value.
 */
export type XmlElement = { [name: string]: XmlValue };
export type XmlValue = string | number | XmlElement | XmlElement[] | string[];

// fast-xml-parser's builder escapes every `&`, `<`, `>`, `'` and `"` in text and
// attributes (some builders leave `&amp;` or `&foo;` as they find them, which changes
// text or breaks the document); the processors first drop what XML cannot carry.
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  format: true,
  suppressEmptyNode: true,
  processEntities: true,
  tagValueProcessor: (_name: string, value: unknown) => xmlText(String(value)),
  attributeValueProcessor: (_name: string, value: unknown) => xmlText(String(value)),
});

/**
 * A UTF-8 XML document with one root element.
 *
 * @example
 *   xmlDocument('urlset', { '@_xmlns': SITEMAP_NS, url: [{ loc: 'https://ex.com/' }] })
 */
export function xmlDocument(root: string, element: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: element }) as string}`;
}
