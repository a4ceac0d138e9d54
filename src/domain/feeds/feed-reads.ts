import type { Db } from '../../storage/index.js';
import { isPublished } from '../posts/index.js';

/** What narrows a feed: a category, a tag or an author, by id. */
export type FeedFilter = { kind: 'category' | 'tag' | 'author'; id: number } | undefined;

/**
 * The newest published posts (not pages) with everything a feed entry shows: HTML,
 * excerpt, author and photo, category, feature image. Newest first, at most `limit`.
 */
export async function readFeedPosts(db: Db, filter: FeedFilter, now: string, limit: number) {
  let query = db
    .selectFrom('posts')
    .innerJoin('users as author', 'author.id', 'posts.author_id')
    .leftJoin('media as avatar', 'avatar.id', 'author.avatar_media_id')
    .leftJoin('categories as category', 'category.id', 'posts.category_id')
    .leftJoin('media as feature', 'feature.id', 'posts.feature_image_id')
    .select([
      'posts.id',
      'posts.slug',
      'posts.title',
      'posts.excerpt',
      'posts.html',
      'posts.published_at',
      'posts.updated_at',
      'posts.created_at',
      'posts.feature_image_alt',
      'author.slug as author_slug',
      'author.display_name as author_name',
      'avatar.path as avatar_path',
      'category.slug as category_slug',
      'category.name as category_name',
      'feature.path as feature_path',
      'feature.mime_type as feature_mime_type',
      'feature.bytes as feature_bytes',
      'feature.width as feature_width',
      'feature.height as feature_height',
      'feature.alt as feature_alt',
    ])
    .where(isPublished(now))
    .where('posts.type', '=', 'post');
  if (filter?.kind === 'category') query = query.where('posts.category_id', '=', filter.id);
  if (filter?.kind === 'author') query = query.where('posts.author_id', '=', filter.id);
  if (filter?.kind === 'tag') {
    const tagId = filter.id;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('post_tags')
          .select('post_tags.post_id')
          .whereRef('post_tags.post_id', '=', 'posts.id')
          .where('post_tags.tag_id', '=', tagId),
      ),
    );
  }
  return query.orderBy('posts.published_at', 'desc').orderBy('posts.id', 'desc').limit(limit).execute();
}

export type FeedPostRow = Awaited<ReturnType<typeof readFeedPosts>>[number];
