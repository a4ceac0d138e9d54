import type { PostStatus, PostType, Role } from '../../storage/index.js';

/** Who is writing: the signed-in person, as the editorial rules need them. */
export interface Writer {
  id: number;
  email: string;
  role: Role;
}

/** What the writer asks for: `unpublished` takes a published post back to a draft, keeping its slug. */
export type StatusIntent = 'draft' | 'scheduled' | 'published' | 'unpublished';

/** A post as the editor shows it: the Markdown, not the HTML. */
export interface EditablePost {
  id: number;
  type: PostType;
  title: string;
  slug: string;
  body: string;
  excerpt: string;
  status: PostStatus;
  /** UTC ISO 8601. */
  publishedAt: string | null;
  updatedAt: string;
  authorId: number;
  categoryId: number | null;
  tags: string[];
  featureImageId: number | null;
  featureImageAlt: string;
  editorNote: string;
  editorNoteAuthorId: number | null;
  seoTitle: string;
  seoDescription: string;
  commentsEnabled: boolean;
  /** When it was submitted for review (locked for its writer); null when not waiting. */
  reviewSubmittedAt: string | null;
  /** When it was moved to the trash; null outside it (a trashed post is not saved). */
  trashedAt?: string | null;
}

/** What the editor's form sends, already split into fields (times in UTC). */
export interface EditorInput {
  type?: PostType;
  title: string;
  slug?: string;
  body: string;
  excerpt?: string;
  status: StatusIntent;
  publishedAt?: string | null;
  categoryId?: number | null;
  tags?: string[];
  featureImageId?: number | null;
  featureImageAlt?: string;
  editorNote?: string;
  editorNoteAuthorId?: number | null;
  seoTitle?: string;
  seoDescription?: string;
  commentsEnabled?: boolean;
  /** The `updatedAt` the writer's copy was loaded at; a later save by someone else is refused. */
  expectedUpdatedAt?: string;
}

export interface SaveOptions {
  /** The writer saw the warning about images without alt text and publishes anyway. */
  confirmMissingAlt?: boolean;
  ip?: string;
}

/** A row of the admin's post list. */
export interface PostListItem {
  id: number;
  type: PostType;
  title: string;
  slug: string;
  status: PostStatus;
  publishedAt: string | null;
  updatedAt: string;
  authorId: number;
  authorName: string;
  /** A draft submitted for review and waiting for an editor. */
  inReview: boolean;
}

export interface PostListQuery {
  type: PostType;
  status?: PostStatus;
  authorId?: number;
  categoryId?: number;
  tagId?: number;
  /** Words of the title. */
  search?: string;
  page: number;
  perPage?: number;
}

export interface Revision {
  id: number;
  kind: 'save' | 'autosave';
  title: string;
  body: string;
  excerpt: string;
  createdAt: string;
  userName: string | null;
}

/** One run of lines in a diff: kept, added (in the current text) or removed (only in the revision). */
export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}
