/**
 * What a WordPress export (WXR 1.0, 1.1, 1.2) holds, as `readWxr` hands it out: one entry at a time.
 * Field names follow WordPress's own (`wp:post_name` is `postName`). Ids are numbers, or null where
 * the export leaves them empty or writes something that is not a whole number; dates are the
 * export's own strings ("2024-03-01 09:30:00"), left to the importer to parse and to report.
 */

/** The channel: the exported site itself. */
export interface WxrSite {
  title: string;
  link: string;
  description: string;
  language: string;
  /** `wp:wxr_version`, e.g. "1.2". */
  wxrVersion: string;
  /** The namespace URI the export used for `wp:`, e.g. "http://wordpress.org/export/1.2/". */
  namespace: string;
  baseSiteUrl: string;
  baseBlogUrl: string;
}

export interface WxrAuthor {
  id: number | null;
  login: string;
  email: string;
  displayName: string;
  firstName: string;
  lastName: string;
}

export interface WxrCategory {
  termId: number | null;
  nicename: string;
  /** The parent's nicename; "" for a top-level category. */
  parent: string;
  name: string;
  description: string;
}

export interface WxrTag {
  termId: number | null;
  slug: string;
  name: string;
  description: string;
}

/** A `wp:term` of any taxonomy (nav_menu, post_format, custom taxonomies). */
export interface WxrTerm {
  termId: number | null;
  taxonomy: string;
  slug: string;
  /** The parent's slug; "" for a top-level term. */
  parent: string;
  name: string;
  description: string;
}

/** A category or tag of an item: `<category domain="post_tag" nicename="cats">Cats</category>`. */
export interface WxrItemTerm {
  /** "category", "post_tag", "post_format", "nav_menu" or a custom taxonomy. */
  domain: string;
  nicename: string;
  name: string;
}

export interface WxrMeta {
  key: string;
  value: string;
}

export type WxrPostStatus =
  | 'publish'
  | 'draft'
  | 'future'
  | 'private'
  | 'pending'
  | 'trash'
  | 'inherit'
  | 'auto-draft'
  | (string & {});

export type WxrCommentApproval = '1' | '0' | 'spam' | 'trash' | (string & {});

export interface WxrComment {
  id: number | null;
  author: string;
  authorEmail: string;
  authorUrl: string;
  authorIp: string;
  date: string;
  dateGmt: string;
  content: string;
  approved: WxrCommentApproval;
  /** "comment" (also written as ""), "pingback", "trackback", or a plugin's own type. */
  type: string;
  /** The parent comment's id; 0 for a top-level comment. */
  parent: number | null;
  userId: number | null;
  meta: WxrMeta[];
}

export interface WxrItem {
  postId: number | null;
  /** "post", "page", "attachment", "nav_menu_item", or a custom post type. */
  postType: string;
  title: string;
  link: string;
  guid: string;
  pubDate: string;
  /** `dc:creator`: the author's login. */
  creator: string;
  description: string;
  /** `content:encoded`: the body, HTML or block markup, exactly as exported. */
  content: string;
  /** `excerpt:encoded`. */
  excerpt: string;
  postDate: string;
  postDateGmt: string;
  postModified: string;
  postModifiedGmt: string;
  commentStatus: string;
  pingStatus: string;
  status: WxrPostStatus;
  postName: string;
  /** The parent post's id; 0 for none. */
  postParent: number | null;
  menuOrder: number | null;
  postPassword: string;
  isSticky: boolean;
  /** Attachments only: the file's URL on the old site. */
  attachmentUrl: string;
  terms: WxrItemTerm[];
  meta: WxrMeta[];
  comments: WxrComment[];
}

/**
 * One thing read from the export, in document order. The site comes first, handed out when the first
 * author, term or item begins (WordPress writes the channel's own fields before them; any written later
 * are not read).
 */
export type WxrEntry =
  | { kind: 'site'; site: WxrSite }
  | { kind: 'author'; author: WxrAuthor }
  | { kind: 'category'; category: WxrCategory }
  | { kind: 'tag'; tag: WxrTag }
  | { kind: 'term'; term: WxrTerm }
  | { kind: 'item'; item: WxrItem };
