/** What a WordPress export of this site reads, through the doors of the modules that own it. */

import type { CommentService } from '../../comments/index.js';
import type { MediaService } from '../../media/index.js';
import type { PostService } from '../../posts/index.js';
import type { SettingsService } from '../../settings/index.js';
import type { TaxonomyService } from '../../taxonomy/index.js';
import type { UserService } from '../../users/index.js';
import type { WxrExportMedia, WxrExportPost, WxrExportSource } from './wxr-writer.js';

export interface WordpressExportDeps {
  settings: Pick<SettingsService, 'get'>;
  users: Pick<UserService, 'forExport'>;
  taxonomy: Pick<TaxonomyService, 'categories' | 'tags' | 'tagsOfPosts'>;
  media: Pick<MediaService, 'list'>;
  posts: Pick<PostService, 'exportStats' | 'exportPage'>;
  comments: Pick<CommentService, 'allOfPosts'>;
  /** The site's public address (`HEARTH_PUBLIC_URL`). */
  publicUrl: string;
  /** Posts read at a time (default 200). */
  pageSize?: number;
}

/** Reads the small lists now; photos and posts are read a page at a time as the writer asks. */
export async function wordpressExportSource(deps: WordpressExportDeps): Promise<WxrExportSource> {
  const settings = await deps.settings.get();
  const url = deps.publicUrl.replace(/\/+$/, '');
  const pageSize = deps.pageSize ?? 200;
  return {
    site: {
      title: settings.title,
      description: settings.tagline || settings.description,
      url,
      language: settings.locale,
      timeZone: settings.timezone,
    },
    authors: await deps.users.forExport(),
    categories: await deps.taxonomy.categories(),
    tags: await deps.taxonomy.tags(),
    posts: await deps.posts.exportStats(),
    async *media(): AsyncIterable<WxrExportMedia> {
      for (let page = 1; ; page++) {
        const { items, pages } = await deps.media.list({ page, perPage: 100 });
        for (const m of items) {
          yield {
            id: m.id,
            path: m.path,
            url: `${url}${m.url}`,
            title: m.originalName.replace(/\.[^.]*$/, '') || m.path.replace(/^.*\//, ''),
            alt: m.alt,
            caption: m.caption,
            mimeType: m.mimeType,
            createdAt: m.createdAt,
            uploadedBy: m.uploadedBy,
          };
        }
        if (page >= pages) return;
      }
    },
    async *postPages(): AsyncIterable<WxrExportPost[]> {
      let after = 0;
      for (;;) {
        const posts = await deps.posts.exportPage(after, pageSize);
        if (posts.length === 0) return;
        const ids = posts.map((p) => p.id);
        const tags = await deps.taxonomy.tagsOfPosts(ids);
        const comments = new Map<number, WxrExportPost['comments']>();
        for (const c of await deps.comments.allOfPosts(ids))
          comments.set(c.postId, [...(comments.get(c.postId) ?? []), c]);
        yield posts.map((p) => ({ ...p, tags: tags.get(p.id) ?? [], comments: comments.get(p.id) ?? [] }));
        after = posts.at(-1)?.id ?? after;
      }
    },
  };
}
