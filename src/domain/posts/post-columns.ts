import type { SelectQueryBuilder } from 'kysely';
import type { Db, Schema } from '../../storage/index.js';
import { type ImageInfo, toImageInfo } from '../media/index.js';
import { type Category, toCategory } from '../taxonomy/index.js';
import { type Author, type AuthorWithAvatar, toAuthor } from '../users/index.js';
import type { PostSummary } from './types.js';

/*
 * What a page reads of a post, in one joined query rather than one query per table:
 * the post, its author, category and images. Several of the joined tables have `id` and
 * `slug`, so every column is qualified, and joined columns carry a prefix
 * (`author_name`, `feature_path`).
 */

/**
 * Posts and pages with their author, category and feature image. `from` starts the
 * query elsewhere when another table should drive it (a stored list of ids, read in its
 * index order, `cross join posts`): it must have `posts` in scope, and conditions on its
 * other tables go on it before it comes here.
 */
export function selectSummaries(db: Db, from: SelectQueryBuilder<Schema, 'posts', object> = db.selectFrom('posts')) {
  return from
    .innerJoin('users as author', 'author.id', 'posts.author_id')
    .leftJoin('categories as category', 'category.id', 'posts.category_id')
    .leftJoin('media as feature', 'feature.id', 'posts.feature_image_id')
    .select([
      'posts.id',
      'posts.type',
      'posts.slug',
      'posts.title',
      'posts.excerpt',
      'posts.status',
      'posts.published_at',
      'posts.updated_at',
      'posts.feature_image_alt',
      'author.id as author_id',
      'author.slug as author_slug',
      'author.display_name as author_name',
      'author.bio as author_bio',
      'author.website as author_website',
      'author.avatar_media_id as author_avatar_id',
      'author.role as author_role',
      'category.id as category_id',
      'category.slug as category_slug',
      'category.name as category_name',
      'category.description as category_description',
      'category.parent_id as category_parent_id',
      'feature.path as feature_path',
      'feature.mime_type as feature_mime_type',
      'feature.width as feature_width',
      'feature.height as feature_height',
      'feature.alt as feature_alt',
      'feature.caption as feature_caption',
      'feature.credit as feature_credit',
      'feature.variants as feature_variants',
    ]);
}

/** Posts and pages with everything their own page shows, but their tags. */
export function selectPosts(db: Db) {
  return selectSummaries(db)
    .leftJoin('media as avatar', 'avatar.id', 'author.avatar_media_id')
    .leftJoin('users as note_author', 'note_author.id', 'posts.editor_note_author_id')
    .leftJoin('media as note_avatar', 'note_avatar.id', 'note_author.avatar_media_id')
    .select([
      'posts.html',
      'posts.editor_note_html',
      'posts.seo_title',
      'posts.seo_description',
      'posts.comments_enabled',
      'avatar.path as avatar_path',
      'avatar.mime_type as avatar_mime_type',
      'avatar.width as avatar_width',
      'avatar.height as avatar_height',
      'avatar.alt as avatar_alt',
      'avatar.caption as avatar_caption',
      'avatar.credit as avatar_credit',
      'avatar.variants as avatar_variants',
      'note_author.id as note_author_id',
      'note_author.slug as note_author_slug',
      'note_author.display_name as note_author_name',
      'note_author.bio as note_author_bio',
      'note_author.website as note_author_website',
      'note_author.avatar_media_id as note_author_avatar_id',
      'note_author.role as note_author_role',
      'note_avatar.path as note_avatar_path',
      'note_avatar.mime_type as note_avatar_mime_type',
      'note_avatar.width as note_avatar_width',
      'note_avatar.height as note_avatar_height',
      'note_avatar.alt as note_avatar_alt',
      'note_avatar.caption as note_avatar_caption',
      'note_avatar.credit as note_avatar_credit',
      'note_avatar.variants as note_avatar_variants',
    ]);
}

export type SummaryRow = Awaited<ReturnType<ReturnType<typeof selectSummaries>['execute']>>[number];
export type PostRowWithJoins = Awaited<ReturnType<ReturnType<typeof selectPosts>['execute']>>[number];

/** The columns of one joined image; all null when the post has none. */
interface JoinedImage {
  path: string | null;
  mime_type: string | null;
  width: number | null;
  height: number | null;
  alt: string | null;
  caption: string | null;
  credit: string | null;
  variants: string | null;
}

function joinedImage(i: JoinedImage): ImageInfo | undefined {
  if (i.path === null) return undefined;
  return toImageInfo({
    path: i.path,
    mime_type: i.mime_type ?? '',
    width: i.width ?? 0,
    height: i.height ?? 0,
    alt: i.alt ?? '',
    caption: i.caption ?? '',
    credit: i.credit ?? '',
    variants: i.variants ?? '[]',
  });
}

function joinedCategory(r: SummaryRow): Category | undefined {
  if (r.category_id === null) return undefined;
  return toCategory({
    id: r.category_id,
    slug: r.category_slug ?? '',
    name: r.category_name ?? '',
    description: r.category_description ?? '',
    parent_id: r.category_parent_id,
  });
}

/** An image with the post's own alt text (not frozen: it lives for one page; see picture.ts). */
function withAlt(image: ImageInfo, alt: string): ImageInfo {
  return { ...image, alt };
}

/** A row of `selectSummaries` as a summary. */
export function toSummary(r: SummaryRow): PostSummary {
  const image = joinedImage({
    path: r.feature_path,
    mime_type: r.feature_mime_type,
    width: r.feature_width,
    height: r.feature_height,
    alt: r.feature_alt,
    caption: r.feature_caption,
    credit: r.feature_credit,
    variants: r.feature_variants,
  });
  return {
    id: r.id,
    type: r.type,
    slug: r.slug,
    title: r.title,
    excerpt: r.excerpt,
    status: r.status,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
    author: toAuthor({
      id: r.author_id,
      slug: r.author_slug,
      display_name: r.author_name,
      bio: r.author_bio,
      website: r.author_website,
      avatar_media_id: r.author_avatar_id,
      role: r.author_role,
    }),
    category: joinedCategory(r),
    featureImage:
      image && r.feature_image_alt !== null && r.feature_image_alt !== image.alt
        ? withAlt(image, r.feature_image_alt)
        : image,
  };
}

/** The author of a row of `selectPosts`, with their photo. */
export function authorWithAvatar(r: PostRowWithJoins, summary: PostSummary): AuthorWithAvatar {
  return withAvatar(
    summary.author,
    joinedImage({
      path: r.avatar_path,
      mime_type: r.avatar_mime_type,
      width: r.avatar_width,
      height: r.avatar_height,
      alt: r.avatar_alt,
      caption: r.avatar_caption,
      credit: r.avatar_credit,
      variants: r.avatar_variants,
    }),
  );
}

/** An author with their photo, written out (not `{ ...author, avatar }`: see `withAlt`). */
function withAvatar(author: Author, avatar: ImageInfo | undefined): AuthorWithAvatar {
  return {
    id: author.id,
    slug: author.slug,
    name: author.name,
    bio: author.bio,
    website: author.website,
    avatarId: author.avatarId,
    role: author.role,
    avatar,
  };
}

/** The author of the editor's note of a row of `selectPosts`, if it has one. */
export function noteAuthor(r: PostRowWithJoins): AuthorWithAvatar | undefined {
  if (r.note_author_id === null) return undefined;
  return withAvatar(
    toAuthor({
      id: r.note_author_id,
      slug: r.note_author_slug ?? '',
      display_name: r.note_author_name ?? '',
      bio: r.note_author_bio ?? '',
      website: r.note_author_website,
      avatar_media_id: r.note_author_avatar_id,
      role: r.note_author_role ?? 'contributor',
    }),
    joinedImage({
      path: r.note_avatar_path,
      mime_type: r.note_avatar_mime_type,
      width: r.note_avatar_width,
      height: r.note_avatar_height,
      alt: r.note_avatar_alt,
      caption: r.note_avatar_caption,
      credit: r.note_avatar_credit,
      variants: r.note_avatar_variants,
    }),
  );
}
