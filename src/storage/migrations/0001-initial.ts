import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/types.js';
import { sqlIn } from './helpers.js';

/** The first schema: settings, people, taxonomy, media, posts and pages, comments, redirects. */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const ts = d.timestampType;

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('media')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('path', 'text', (c) => c.notNull().unique())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('alt', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('caption', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('credit', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('variants', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('bio', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('website', 'text')
    .addColumn('avatar_media_id', 'integer', (c) => c.references('media.id').onDelete('set null'))
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sqlIn('role', ['owner', 'administrator', 'editor', 'author', 'contributor'])),
    )
    .addColumn('password_hash', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('categories')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('parent_id', 'integer', (c) => c.references('categories.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('tags')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('posts')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('type', 'text', (c) => c.notNull().check(sqlIn('type', ['post', 'page'])))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('excerpt', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['draft', 'scheduled', 'published'])))
    .addColumn('published_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('feature_image_id', 'integer', (c) => c.references('media.id').onDelete('set null'))
    .addColumn('feature_image_alt', 'text')
    .addColumn('category_id', 'integer', (c) => c.references('categories.id').onDelete('set null'))
    .addColumn('author_id', 'integer', (c) => c.notNull().references('users.id').onDelete('restrict'))
    .addColumn('editor_note', 'text')
    .addColumn('editor_note_html', 'text')
    .addColumn('editor_note_author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('seo_title', 'text')
    .addColumn('seo_description', 'text')
    .addColumn('comments_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('posts_listing').on('posts').columns(['type', 'status', 'published_at']).execute();
  await db.schema
    .createIndex('posts_category')
    .on('posts')
    .columns(['category_id', 'status', 'published_at'])
    .execute();
  await db.schema.createIndex('posts_author').on('posts').columns(['author_id', 'status', 'published_at']).execute();

  await db.schema
    .createTable('post_tags')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('tag_id', 'integer', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('post_tags_pk', ['post_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('post_tags_tag').on('post_tags').columns(['tag_id', 'post_id']).execute();

  await db.schema
    .createTable('comments')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('parent_id', 'integer', (c) => c.references('comments.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('author_email', 'text')
    .addColumn('author_website', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['pending', 'approved', 'spam', 'trash'])))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('ip_hash', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('comments_post').on('comments').columns(['post_id', 'status', 'created_at']).execute();

  await db.schema
    .createTable('redirects')
    .addColumn('id', 'integer', d.primaryKeyId)
    .addColumn('from_path', 'text', (c) => c.notNull().unique())
    .addColumn('to_path', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull().defaultTo(301))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
}
