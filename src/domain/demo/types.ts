/**
 * The shape of Hearth's demo content: the blog a new install shows before its writer
 * has written anything. All text and images are Hearth's own.
 */

export type DemoRole = 'administrator' | 'editor' | 'author' | 'contributor';

export interface DemoAuthor {
  /** Key other demo items use to point at this author. */
  key: string;
  name: string;
  slug: string;
  email: string;
  /** One or two sentences, plain text. */
  bio: string;
  website?: string;
  role: DemoRole;
  /** Key of a DemoImage used as the avatar (square). */
  avatar?: string;
}

export interface DemoCategory {
  slug: string;
  name: string;
  description: string;
}

export interface DemoImage {
  key: string;
  /** File name stem for the stored file, kebab-case, no extension. */
  name: string;
  width: number;
  height: number;
  /** Alternative text: what the picture shows, for someone who cannot see it. */
  alt: string;
  caption?: string;
  credit?: string;
  /** A complete SVG document of width x height, drawn by Hearth (rasterised with sharp). */
  svg: () => string;
}

export interface DemoPost {
  slug: string;
  title: string;
  /** One or two sentences, plain text. */
  excerpt: string;
  /** Category slug. */
  category: string;
  /** Tag names; tags are created as needed. */
  tags: string[];
  /** Author key. */
  author: string;
  /** UTC, ISO 8601. */
  publishedAt: string;
  /** Image key. */
  featureImage?: string;
  editorNote?: { author: string; body: string };
  /**
   * Markdown. Images are written `![alt](demo:image-key "Caption")` and are replaced
   * by the stored file's URL at install. Links to other demo posts are written
   * `[text](post:slug)`. Blocks: `::: ps` ... `:::`, `::: howto Title` ... `:::`.
   */
  body: string;
}

export interface DemoPage {
  slug: string;
  title: string;
  author: string;
  body: string;
}

export interface DemoComment {
  post: string;
  name: string;
  email?: string;
  website?: string;
  body: string;
  /** UTC, ISO 8601. */
  createdAt: string;
}

export interface DemoContent {
  site: { title: string; tagline: string; description: string };
  authors: DemoAuthor[];
  categories: DemoCategory[];
  images: DemoImage[];
  posts: DemoPost[];
  pages: DemoPage[];
  comments: DemoComment[];
  /** A book made from the posts, in parts (issue 17). */
  book?: DemoBook;
}

/** The demo's book: chapters are posts by slug, or text written for the book. */
export interface DemoBook {
  title: string;
  subtitle: string;
  description: string;
  publisher: string;
  rights: string;
  subjects: string[];
  /** An image key: the photo the drawn cover shows. */
  cover: string;
  frontMatter: string;
  authors: { author: string; fileAs: string; role: 'aut' | 'edt' | 'ctb' }[];
  contents: (
    | { post: string }
    | { title: string; body: string }
    | { part: string; chapters: ({ post: string } | { title: string; body: string })[] }
  )[];
}
