/**
 * What every importer (WordPress, Ghost, a Markdown folder, a Hearth archive's posts) hands the
 * import writer: one entry at a time, in an order where what a thing refers to comes first
 * (authors, categories, tags and media before the posts that use them). Ids are the old
 * platform's own, as strings; the writer keeps them in `import_sources`, so a second import of
 * the same export finds them and adds nothing, and a newer export adds only what is new.
 */

export type ImportPlatform = 'wordpress' | 'ghost' | 'markdown';

/** The site the export came from. Must come first. */
export interface ImportSite {
  platform: ImportPlatform;
  /** Names the site for `import_sources`, e.g. `https://old.example` or a Ghost site's URL. */
  key: string;
  /** The old site's address, so that its absolute URLs can be made into paths for redirects. */
  url: string | null;
  title: string;
}

export interface ImportAuthor {
  id: string;
  /** Wanted slug (made free if taken by someone else). */
  slug: string;
  name: string;
  /** Matched with an existing user's email first; empty when the export has none. */
  email: string;
  bio: string;
  website: string | null;
  /** Old addresses of the author's archive, redirected to the new one. */
  oldUrls: string[];
}

export interface ImportCategory {
  id: string;
  slug: string;
  name: string;
  description: string;
  /** The parent category's id in the same export. */
  parentId: string | null;
  oldUrls: string[];
}

export interface ImportTag {
  id: string;
  slug: string;
  name: string;
  oldUrls: string[];
}

/** A photo: where its bytes are, the URLs it had, and its texts. */
export interface ImportMedia {
  id: string;
  /** Its path in the export's media (a WordPress uploads folder, a Ghost `content/images`). */
  file: string;
  /** Its URL on the old site (for a remote download, when asked for). */
  url: string;
  /** Every URL of the old site that showed this file (sized copies are matched by the writer). */
  urls: string[];
  alt: string;
  caption: string;
  credit: string;
  title: string;
  /** Old addresses of the photo's own page (WordPress attachment pages), redirected to the photo. */
  oldUrls: string[];
}

export type ImportCommentStatus = 'approved' | 'pending' | 'spam' | 'trash';

export interface ImportComment {
  id: string;
  parentId: string | null;
  authorName: string;
  authorEmail: string | null;
  authorWebsite: string | null;
  /** The comment as Hearth's comment Markdown. */
  body: string;
  status: ImportCommentStatus;
  /** ISO 8601 UTC. */
  createdAt: string;
}

export type ImportPostStatus = 'draft' | 'scheduled' | 'published';

export interface ImportPost {
  id: string;
  type: 'post' | 'page';
  slug: string;
  title: string;
  /** Hearth Markdown; image URLs already mapped through `ImportContext.mediaUrl`. */
  body: string;
  excerpt: string;
  status: ImportPostStatus;
  /** ISO 8601 UTC; needed unless a draft. */
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
  authorId: string | null;
  /** The first is the post's category; the others become tags of the same name (Hearth has one). */
  categoryIds: string[];
  tagIds: string[];
  featureImageId: string | null;
  featured: boolean;
  parentId: string | null;
  menuOrder: number;
  commentsEnabled: boolean;
  seoTitle: string | null;
  seoDescription: string | null;
  /** Old addresses (permalink, guid, short links), redirected to the new one. */
  oldUrls: string[];
  comments: ImportComment[];
  /** Why this post is imported unpublished (private, password, members-only), for the report. */
  heldBack: string | null;
  /** Shortcodes and blocks kept as text, for the report. */
  unknownShortcodes: string[];
}

/** Something in the export that is not imported, and why. */
export interface ImportSkip {
  what: string;
  /** Names the item: a title, a slug or an id. */
  name: string;
  reason: string;
}

export type ImportEntry =
  | { kind: 'site'; site: ImportSite }
  | { kind: 'author'; author: ImportAuthor }
  | { kind: 'category'; category: ImportCategory }
  | { kind: 'tag'; tag: ImportTag }
  | { kind: 'media'; media: ImportMedia }
  | { kind: 'post'; post: ImportPost }
  | { kind: 'skip'; skip: ImportSkip }
  | { kind: 'progress'; done: number; total: number | null }
  /**
   * "Store the photos handed out so far": photos are encoded while the importer reads on, so an
   * importer hands this out before it asks `ImportContext` about photos it has just handed out.
   * (Any entry that is not a photo does the same.)
   */
  | { kind: 'settle' };

/** What the writer tells an importer while it reads: where the photos it has taken in now live. */
export interface ImportContext {
  /** The Hearth URL of an old media URL (a sized copy finds its original), if that photo was imported. */
  mediaUrl(url: string): string | undefined;
  /** A photo by its id in the export, once imported. */
  media(id: string): { url: string; alt: string; caption: string } | undefined;
}

/** An importer: reads an export and hands out its entries. */
export type Importer = (context: ImportContext) => AsyncIterable<ImportEntry>;

/** Where the bytes of an export's photos are: a folder, a zip, or (when asked) the old site. */
export interface MediaFiles {
  /** The file's bytes, or undefined when it is not there; `url` is its address on the old site. */
  read(file: string, url: string): Promise<Buffer | undefined>;
  /** For the report: "the folder uploads/", "old.example over HTTPS". */
  describe: string;
  /** Why the last read of this URL found nothing, when the source knows (a download's error). */
  lastError?(url: string): string | undefined;
}
