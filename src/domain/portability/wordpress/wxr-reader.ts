/**
 * A streaming reader of WordPress exports (WXR 1.0, 1.1 and 1.2, in the http:// and https://
 * namespace spellings). It reads the file chunk by chunk and hands out one entry at a time, so a
 * 500 MB export is never held in memory whole: the next chunk is read only when the consumer asks for
 * the next entry.
 *
 * @example
 *   for await (const entry of readWxr(fs.createReadStream('export.xml'))) {
 *     if (entry.kind === 'item') console.log(entry.item.postType, entry.item.title);
 *   }
 */

import { SaxesParser, type SaxesTagNS } from 'saxes';
import { HearthError } from '../../../errors.js';
import type {
  WxrAuthor,
  WxrCategory,
  WxrComment,
  WxrEntry,
  WxrItem,
  WxrItemTerm,
  WxrMeta,
  WxrSite,
  WxrTag,
  WxrTerm,
} from './wxr-types.js';

// Matched by URI, never by prefix: an export may bind `wp:` to any prefix, and 1.0 to 1.2 differ only in
// the version digits and (in copies that went through some tools) the scheme.
const WP_NS = /^https?:\/\/wordpress\.org\/export\/\d+\.\d+\/?$/;
const EXCERPT_NS = /^https?:\/\/wordpress\.org\/export\/\d+\.\d+\/excerpt\/?$/;
const CONTENT_NS = /^https?:\/\/purl\.org\/rss\/1\.0\/modules\/content\/?$/;
const DC_NS = /^https?:\/\/purl\.org\/dc\/elements\/1\.1\/?$/;

const ENTITY_KINDS: Record<string, RecordKind> = {
  'wp:author': 'author',
  'wp:category': 'category',
  'wp:tag': 'tag',
  'wp:term': 'term',
  item: 'item',
};

type RecordKind = 'author' | 'category' | 'tag' | 'term' | 'item' | 'meta' | 'comment';

/** An element being read: `text` is null where its text is of no use (containers, unknown elements). */
interface Frame {
  key: string;
  text: string | null;
}

/** An author, category, tag, term, item, meta or comment being read: its fields by element key. */
interface Draft {
  kind: RecordKind;
  depth: number;
  fields: Map<string, string>;
  terms: WxrItemTerm[];
  meta: WxrMeta[];
  comments: WxrComment[];
}

/**
 * Reads a WordPress export from a stream of bytes (or strings) and yields its site, authors,
 * categories, tags, terms and items in document order. Throws `HEARTH_ERR_IMPORT_XML`, with the line
 * and column, for a file that is not XML, is cut short, declares a DOCTYPE (entities are never expanded
 * nor loaded), or is not a WordPress export.
 */
export async function* readWxr(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<WxrEntry, void, undefined> {
  const reader = new WxrDocument();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of source) {
    reader.write(typeof chunk === 'string' ? chunk : reader.decode(decoder, chunk));
    yield* reader.take();
  }
  reader.write(reader.decode(decoder));
  reader.close();
  yield* reader.take();
}

/** The parser and the entries read but not yet handed out (at most one chunk's worth). */
class WxrDocument {
  readonly #parser = new SaxesParser({ xmlns: true, position: true });
  readonly #stack: Frame[] = [];
  readonly #drafts: Draft[] = [];
  #queue: WxrEntry[] = [];
  #site: Map<string, string> | null = new Map();
  #namespace = '';
  #sawChannel = false;

  constructor() {
    const parser = this.#parser;
    parser.on('error', (error) => {
      throw this.#error(error.message.replace(/^\d+:\d+: /, ''), error);
    });
    parser.on('doctype', (doctype) => {
      throw this.#error(
        /<!ENTITY/.test(doctype)
          ? 'the document declares entities in a DOCTYPE; they are refused and never expanded or loaded'
          : 'the document has a DOCTYPE, which a WordPress export never has; it is refused and never loaded',
      );
    });
    parser.on('xmldecl', (decl) => {
      if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) {
        throw this.#error(`the document is in ${decl.encoding}; a WordPress export is UTF-8`);
      }
    });
    parser.on('opentag', (tag) => this.#open(tag));
    parser.on('closetag', (tag) => this.#close(tag));
    parser.on('text', (text) => this.#text(text));
    parser.on('cdata', (text) => this.#text(text));
  }

  decode(decoder: TextDecoder, bytes?: Uint8Array): string {
    try {
      return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
    } catch (error) {
      throw this.#error('the file is not valid UTF-8 text', error);
    }
  }

  write(text: string): void {
    if (text !== '') this.#parser.write(text);
  }

  close(): void {
    this.#parser.close();
    if (!this.#sawChannel) throw this.#error('the document has no <rss><channel>: it is not a WordPress export');
  }

  /** Hands out what was read so far and forgets it. */
  take(): WxrEntry[] {
    const entries = this.#queue;
    this.#queue = [];
    return entries;
  }

  #error(reason: string, cause?: unknown): HearthError {
    const { line, column } = this.#parser;
    return new HearthError('HEARTH_ERR_IMPORT_XML', { line, column, reason }, { cause });
  }

  #open(tag: SaxesTagNS): void {
    const key = keyOf(tag.uri, tag.local);
    const depth = this.#stack.length + 1;
    for (const uri of Object.values(tag.ns)) if (this.#namespace === '' && WP_NS.test(uri)) this.#namespace = uri;
    if (depth === 1 && key !== 'rss') {
      throw this.#error(`the root element is <${tag.name}>, not <rss>: this is not a WordPress export`);
    }
    if (depth === 2 && key === 'channel') this.#sawChannel = true;
    const inChannel = this.#stack[1]?.key === 'channel';
    const draft = this.#drafts.at(-1);
    const entityKind = ENTITY_KINDS[key];
    if (depth === 3 && inChannel && entityKind !== undefined) {
      this.#flushSite();
      this.#drafts.push(newDraft(entityKind, depth));
    } else if (draft?.kind === 'item' && depth === 4 && (key === 'wp:postmeta' || key === 'wp:comment')) {
      this.#drafts.push(newDraft(key === 'wp:comment' ? 'comment' : 'meta', depth));
    } else if (draft?.kind === 'comment' && depth === draft.depth + 1 && key === 'wp:commentmeta') {
      this.#drafts.push(newDraft('meta', depth));
    }
    const owner = this.#drafts.at(-1);
    const isField = owner !== undefined ? owner.depth === depth - 1 : depth === 3 && inChannel && this.#site !== null;
    this.#stack.push({ key, text: isField ? '' : null });
    if (key === 'category' && owner?.kind === 'item' && owner.depth === depth - 1) {
      owner.terms.push({
        domain: tag.attributes.domain?.value ?? '',
        nicename: tag.attributes.nicename?.value ?? '',
        name: '',
      });
    }
  }

  #text(text: string): void {
    const frame = this.#stack.at(-1);
    if (frame !== undefined && frame.text !== null) frame.text += text;
  }

  #close(_tag: SaxesTagNS): void {
    const frame = this.#stack.pop();
    if (frame === undefined) return;
    const depth = this.#stack.length + 1;
    if (frame.text !== null) {
      const owner = this.#drafts.at(-1);
      if (owner !== undefined) {
        const term = owner.terms.at(-1);
        if (frame.key === 'category' && owner.kind === 'item' && term !== undefined) term.name = frame.text;
        else owner.fields.set(frame.key, frame.text);
      } else {
        this.#site?.set(frame.key, frame.text);
      }
      return;
    }
    const draft = this.#drafts.at(-1);
    if (draft !== undefined && draft.depth === depth) {
      this.#drafts.pop();
      this.#finish(draft);
    } else if (depth === 2 && frame.key === 'channel') {
      this.#flushSite();
    }
  }

  #flushSite(): void {
    const site = this.#site;
    if (site === null) return;
    this.#site = null;
    if (this.#namespace === '') {
      throw this.#error(
        'no WordPress export namespace (http://wordpress.org/export/1.x/) is declared: this is an RSS feed, not a WordPress export',
      );
    }
    this.#queue.push({ kind: 'site', site: toSite(site, this.#namespace) });
  }

  #finish(draft: Draft): void {
    const parent = this.#drafts.at(-1);
    const f = draft.fields;
    switch (draft.kind) {
      case 'meta':
        parent?.meta.push({ key: str(f, 'wp:meta_key').trim(), value: str(f, 'wp:meta_value') });
        return;
      case 'comment':
        parent?.comments.push(toComment(draft));
        return;
      case 'author':
        this.#queue.push({ kind: 'author', author: toAuthor(f) });
        return;
      case 'category':
        this.#queue.push({ kind: 'category', category: toCategory(f) });
        return;
      case 'tag':
        this.#queue.push({ kind: 'tag', tag: toTag(f) });
        return;
      case 'term':
        this.#queue.push({ kind: 'term', term: toTerm(f) });
        return;
      case 'item':
        this.#queue.push({ kind: 'item', item: toItem(draft) });
        return;
    }
  }
}

function keyOf(uri: string, local: string): string {
  if (uri === '') return local;
  if (WP_NS.test(uri)) return `wp:${local}`;
  if (EXCERPT_NS.test(uri)) return `excerpt:${local}`;
  if (CONTENT_NS.test(uri)) return `content:${local}`;
  if (DC_NS.test(uri)) return `dc:${local}`;
  // An element of a namespace we do not know (a plugin's, say) matches no field and is skipped.
  return `{${uri}}${local}`;
}

function newDraft(kind: RecordKind, depth: number): Draft {
  return { kind, depth, fields: new Map(), terms: [], meta: [], comments: [] };
}

function str(fields: Map<string, string>, key: string): string {
  return fields.get(key) ?? '';
}

function int(fields: Map<string, string>, key: string): number | null {
  const text = str(fields, key).trim();
  return /^\d{1,15}$/.test(text) ? Number(text) : null;
}

function toSite(f: Map<string, string>, namespace: string): WxrSite {
  return {
    title: str(f, 'title'),
    link: str(f, 'link').trim(),
    description: str(f, 'description'),
    language: str(f, 'language').trim(),
    wxrVersion: str(f, 'wp:wxr_version').trim(),
    namespace,
    baseSiteUrl: str(f, 'wp:base_site_url').trim(),
    baseBlogUrl: str(f, 'wp:base_blog_url').trim(),
  };
}

function toAuthor(f: Map<string, string>): WxrAuthor {
  return {
    id: int(f, 'wp:author_id'),
    login: str(f, 'wp:author_login'),
    email: str(f, 'wp:author_email').trim(),
    displayName: str(f, 'wp:author_display_name'),
    firstName: str(f, 'wp:author_first_name'),
    lastName: str(f, 'wp:author_last_name'),
  };
}

function toCategory(f: Map<string, string>): WxrCategory {
  return {
    termId: int(f, 'wp:term_id'),
    nicename: str(f, 'wp:category_nicename').trim(),
    parent: str(f, 'wp:category_parent').trim(),
    name: str(f, 'wp:cat_name'),
    description: str(f, 'wp:category_description'),
  };
}

function toTag(f: Map<string, string>): WxrTag {
  return {
    termId: int(f, 'wp:term_id'),
    slug: str(f, 'wp:tag_slug').trim(),
    name: str(f, 'wp:tag_name'),
    description: str(f, 'wp:tag_description'),
  };
}

function toTerm(f: Map<string, string>): WxrTerm {
  return {
    termId: int(f, 'wp:term_id'),
    taxonomy: str(f, 'wp:term_taxonomy').trim(),
    slug: str(f, 'wp:term_slug').trim(),
    parent: str(f, 'wp:term_parent').trim(),
    name: str(f, 'wp:term_name'),
    description: str(f, 'wp:term_description'),
  };
}

function toComment(draft: Draft): WxrComment {
  const f = draft.fields;
  return {
    id: int(f, 'wp:comment_id'),
    author: str(f, 'wp:comment_author'),
    authorEmail: str(f, 'wp:comment_author_email').trim(),
    authorUrl: str(f, 'wp:comment_author_url').trim(),
    authorIp: str(f, 'wp:comment_author_IP').trim(),
    date: str(f, 'wp:comment_date').trim(),
    dateGmt: str(f, 'wp:comment_date_gmt').trim(),
    content: str(f, 'wp:comment_content'),
    approved: str(f, 'wp:comment_approved').trim(),
    type: str(f, 'wp:comment_type').trim(),
    parent: int(f, 'wp:comment_parent'),
    userId: int(f, 'wp:comment_user_id'),
    meta: draft.meta,
  };
}

function toItem(draft: Draft): WxrItem {
  const f = draft.fields;
  return {
    postId: int(f, 'wp:post_id'),
    postType: str(f, 'wp:post_type').trim(),
    title: str(f, 'title'),
    link: str(f, 'link').trim(),
    guid: str(f, 'guid').trim(),
    pubDate: str(f, 'pubDate').trim(),
    creator: str(f, 'dc:creator'),
    description: str(f, 'description'),
    content: str(f, 'content:encoded'),
    excerpt: str(f, 'excerpt:encoded'),
    postDate: str(f, 'wp:post_date').trim(),
    postDateGmt: str(f, 'wp:post_date_gmt').trim(),
    postModified: str(f, 'wp:post_modified').trim(),
    postModifiedGmt: str(f, 'wp:post_modified_gmt').trim(),
    commentStatus: str(f, 'wp:comment_status').trim(),
    pingStatus: str(f, 'wp:ping_status').trim(),
    status: str(f, 'wp:status').trim(),
    postName: str(f, 'wp:post_name').trim(),
    postParent: int(f, 'wp:post_parent'),
    menuOrder: int(f, 'wp:menu_order'),
    postPassword: str(f, 'wp:post_password'),
    isSticky: str(f, 'wp:is_sticky').trim() === '1',
    attachmentUrl: str(f, 'wp:attachment_url').trim(),
    terms: draft.terms,
    meta: draft.meta,
    comments: draft.comments,
  };
}
