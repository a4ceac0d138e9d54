import { urls } from '../../shared/urls.js';
import type { Db } from '../../storage/index.js';
import { atomDocument, type FeedChannel, type FeedEntry } from '../feeds/index.js';
import type { SettingsService } from '../settings/index.js';
import { renderCommentText } from './comment-text.js';

/** How many comments a comments feed carries: the newest. */
export const COMMENT_FEED_LENGTH = 30;

/** Where the comments feeds live: the site's, and each post's. */
export const commentFeedPath = (slug?: string) => (slug ? `${urls.post(slug)}comments/atom.xml` : '/comments/atom.xml');

/** A comments feed ready to send, with the time of its newest comment. */
export interface CommentFeed {
  body: string;
  updated: Date | undefined;
  /** The post it follows, for cache tags; undefined for the site's feed. */
  postId: number | undefined;
}

/**
 * Atom feeds of approved comments, the site's and one per post, written by the same
 * Atom writer as the post feeds. Entries never carry an email address.
 */
export class CommentFeedService {
  #db: Db;
  #settings: SettingsService;
  #publicUrl: string;
  #now: () => Date;

  constructor(deps: { db: Db; settings: SettingsService; publicUrl: string; now?: () => Date }) {
    this.#db = deps.db;
    this.#settings = deps.settings;
    this.#publicUrl = deps.publicUrl;
    this.#now = deps.now ?? (() => new Date());
  }

  /** The site's comments feed, or a post's (by slug); undefined when no such post is public. */
  async build(slug?: string): Promise<CommentFeed | undefined> {
    const settings = await this.#settings.get();
    const now = this.#now();
    let post: { id: number; title: string; slug: string } | undefined;
    if (slug !== undefined) {
      post = await this.#db
        .selectFrom('posts')
        .select(['id', 'title', 'slug'])
        .where('slug', '=', slug)
        .where('status', '=', 'published')
        .where('published_at', '<=', now.toISOString())
        .executeTakeFirst();
      if (!post) return undefined;
    }
    let query = this.#db
      .selectFrom('comments')
      .innerJoin('posts', 'posts.id', 'comments.post_id')
      .select([
        'comments.id',
        'comments.author_name',
        'comments.author_website',
        'comments.body',
        'comments.body_html',
        'comments.created_at',
        'posts.title as post_title',
        'posts.slug as post_slug',
      ])
      .where('comments.status', '=', 'approved')
      .where('posts.status', '=', 'published')
      .where('posts.published_at', '<=', now.toISOString());
    if (post) query = query.where('comments.post_id', '=', post.id);
    const rows = await query
      .orderBy('comments.created_at', 'desc')
      .orderBy('comments.id', 'desc')
      .limit(COMMENT_FEED_LENGTH)
      .execute();
    const host = new URL(this.#publicUrl).hostname;
    const entries: FeedEntry[] = rows.map((r) => {
      const url = `${this.#publicUrl}${urls.post(r.post_slug)}#comment-${r.id}`;
      const created = new Date(r.created_at);
      const html = r.body_html ?? renderCommentText(r.body).html;
      return {
        id: `tag:${host},${r.created_at.slice(0, 10)}:comment-${r.id}`,
        url,
        title: `${r.author_name} on “${r.post_title}”`,
        summary: '',
        html,
        published: created,
        updated: created,
        author: { name: r.author_name, url: r.author_website ?? undefined, avatarUrl: undefined },
        categories: [],
        image: undefined,
      };
    });
    const updated = entries[0]?.updated;
    const selfUrl = `${this.#publicUrl}${commentFeedPath(post?.slug)}`;
    const channel: FeedChannel = {
      title: post ? `Comments on “${post.title}” · ${settings.title}` : `Comments · ${settings.title}`,
      description: '',
      language: settings.locale,
      pageUrl: `${this.#publicUrl}${post ? `${urls.post(post.slug)}#comments` : urls.home()}`,
      feedUrls: { atom: selfUrl, rss: selfUrl, json: selfUrl },
      updated,
      content: 'full',
      iconUrl: `${this.#publicUrl}/favicon.ico`,
    };
    return { body: atomDocument(channel, entries, now), updated, postId: post?.id };
  }
}
