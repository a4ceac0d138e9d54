import type { PostStatus, PostType } from '../../storage/index.js';
import type { ImageInfo } from '../media/index.js';
import type { Category, Tag } from '../taxonomy/index.js';
import type { Author, AuthorWithAvatar } from '../users/index.js';

/** A post as a list shows it: enough for a card. */
export interface PostSummary {
  id: number;
  type: PostType;
  slug: string;
  title: string;
  excerpt: string;
  status: PostStatus;
  /** UTC ISO 8601. */
  publishedAt: string | null;
  updatedAt: string;
  author: Author;
  category: Category | undefined;
  featureImage: (ImageInfo & { alt: string }) | undefined;
}

/** A whole post or page, ready to show. */
export interface Post extends PostSummary {
  author: AuthorWithAvatar;
  html: string;
  tags: Tag[];
  editorNote: { html: string; author: AuthorWithAvatar | undefined } | undefined;
  seoTitle: string | null;
  seoDescription: string | null;
  commentsEnabled: boolean;
}

export interface NewPostInput {
  type?: PostType;
  title: string;
  slug?: string;
  excerpt?: string;
  body: string;
  status: PostStatus;
  publishedAt?: string | null;
  authorId: number;
  categoryId?: number | null;
  tags?: string[];
  featureImageId?: number | null;
  featureImageAlt?: string | null;
  editorNote?: { body: string; authorId: number } | null;
  commentsEnabled?: boolean;
  /** Shown to search engines and in shares instead of the title and excerpt. */
  seoTitle?: string | null;
  seoDescription?: string | null;
  /** A page's parent page and place among its siblings (imported page trees). */
  parentId?: number | null;
  menuOrder?: number;
  featured?: boolean;
  /** When it was first written and last changed (an import keeps the old platform's); default now. */
  createdAt?: string;
  updatedAt?: string;
}

/** A change to a post: the fields given change, the others stay. */
export interface PostPatch extends Partial<Omit<NewPostInput, 'type'>> {
  /** The `updatedAt` of the copy being changed; a later save by someone else is then refused. */
  expectedUpdatedAt?: string;
}

/** A post or page as an export carries it: its own columns, ids for what it refers to. */
export interface ExportedPost {
  id: number;
  type: PostType;
  slug: string;
  title: string;
  excerpt: string;
  /** The stored rendered HTML of the body. */
  html: string;
  status: PostStatus;
  /** UTC ISO 8601. */
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
  authorId: number;
  categoryId: number | null;
  featureImageId: number | null;
  featured: boolean;
  parentId: number | null;
  menuOrder: number;
  commentsEnabled: boolean;
  /** In the trash: a WordPress export marks it `trash` (which an import leaves out). */
  trashed: boolean;
}

export interface ListQuery {
  page: number;
  perPage: number;
  categoryId?: number;
  tagId?: number;
  authorId?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pages: number;
}
