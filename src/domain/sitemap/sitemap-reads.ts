import { sql } from 'kysely';
import type { Db } from '../../storage/index.js';
import { isPublished } from '../posts/index.js';

/** A URL's path part and when what it shows last changed (UTC ISO 8601 times). */
export interface DatedRow {
  slug: string;
  published: string | null;
  updated: string | null;
}

/**
 * How many published posts there are, and for each run of `size` posts in sitemap order
 * (oldest first) when the newest change in it happened: one pass over the posts, numbered
 * by a window function, so the index costs one query at any size.
 */
export async function readPostChunks(db: Db, now: string, size: number) {
  const numbered = db
    .selectFrom('posts')
    .where(isPublished(now))
    .where('posts.type', '=', 'post')
    .select((eb) => [
      'posts.published_at',
      'posts.updated_at',
      eb.fn
        .agg<number>('row_number')
        .over((ob) => ob.orderBy('posts.published_at').orderBy('posts.id'))
        .as('position'),
    ]);
  // Whole numbers on both sides, written into the SQL (a bound number is a REAL to
  // SQLite): integer division on SQLite and PostgreSQL alike. Kysely does not
  // parenthesise nested operators, hence `parens`.
  const rows = await db
    .selectFrom(numbered.as('numbered'))
    .select((eb) => [
      eb(eb.parens('numbered.position', '-', sql.lit(1)), '/', sql.lit(size)).as('chunk'),
      eb.fn.max('numbered.published_at').as('published'),
      eb.fn.max('numbered.updated_at').as('updated'),
      eb.fn.countAll().as('count'),
    ])
    .groupBy((eb) => eb(eb.parens('numbered.position', '-', sql.lit(1)), '/', sql.lit(size)))
    .orderBy('chunk')
    .execute();
  // PostgreSQL returns bigint as text.
  return rows.map((r) => ({
    chunk: Number(r.chunk),
    count: Number(r.count),
    published: r.published as string | null,
    updated: r.updated as string | null,
  }));
}

/** How many published posts there are, and the newest change among them. */
export async function readPostTotals(db: Db, now: string) {
  const row = await db
    .selectFrom('posts')
    .where(isPublished(now))
    .where('posts.type', '=', 'post')
    .select((eb) => [
      eb.fn.countAll().as('count'),
      eb.fn.max('posts.published_at').as('published'),
      eb.fn.max('posts.updated_at').as('updated'),
    ])
    .executeTakeFirst();
  return {
    count: Number(row?.count ?? 0),
    published: (row?.published ?? null) as string | null,
    updated: (row?.updated ?? null) as string | null,
  };
}

/** One run of published posts in sitemap order: oldest first, ties by id. */
export async function readPostSlugs(db: Db, now: string, offset: number, limit: number): Promise<DatedRow[]> {
  return db
    .selectFrom('posts')
    .where(isPublished(now))
    .where('posts.type', '=', 'post')
    .select(['posts.slug', 'posts.published_at as published', 'posts.updated_at as updated'])
    .orderBy('posts.published_at')
    .orderBy('posts.id')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Published pages (About, ...), oldest first. */
export async function readPages(db: Db, now: string, limit: number): Promise<DatedRow[]> {
  return db
    .selectFrom('posts')
    .where(isPublished(now))
    .where('posts.type', '=', 'page')
    .select(['posts.slug', 'posts.published_at as published', 'posts.updated_at as updated'])
    .orderBy('posts.published_at')
    .orderBy('posts.id')
    .limit(limit)
    .execute();
}

/**
 * Categories, authors and tags that have published posts, each with the newest change
 * among them; tags most recently written about first, at most `limit` in all.
 */
export async function readTaxonomies(db: Db, now: string, limit: number) {
  const posts = db.selectFrom('posts').where(isPublished(now)).where('posts.type', '=', 'post');
  const categories = await posts
    .innerJoin('categories', 'categories.id', 'posts.category_id')
    .groupBy(['categories.id', 'categories.slug'])
    .select((eb) => [
      'categories.slug',
      eb.fn.max('posts.published_at').as('published'),
      eb.fn.max('posts.updated_at').as('updated'),
    ])
    .orderBy('categories.slug')
    .limit(limit)
    .execute();
  const authors = await posts
    .innerJoin('users', 'users.id', 'posts.author_id')
    .groupBy(['users.id', 'users.slug'])
    .select((eb) => [
      'users.slug',
      eb.fn.max('posts.published_at').as('published'),
      eb.fn.max('posts.updated_at').as('updated'),
    ])
    .orderBy('users.slug')
    .limit(Math.max(0, limit - categories.length))
    .execute();
  const tags = await posts
    .innerJoin('post_tags', 'post_tags.post_id', 'posts.id')
    .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
    .groupBy(['tags.id', 'tags.slug'])
    .select((eb) => [
      'tags.slug',
      eb.fn.max('posts.published_at').as('published'),
      eb.fn.max('posts.updated_at').as('updated'),
    ])
    .orderBy((eb) => eb.fn.max('posts.published_at'), 'desc')
    .orderBy('tags.slug')
    .limit(Math.max(0, limit - categories.length - authors.length))
    .execute();
  return { categories, authors, tags };
}
