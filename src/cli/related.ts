import { type Config, databaseOptions } from '../config.js';
import { HearthError, ValidationError } from '../errors.js';
import { prepareDataDir } from '../main.js';
import { createServices } from '../services.js';
import { openDatabase } from '../storage/index.js';
import { UsageError } from './usage-error.js';

/**
 * `hearth related`: see a post's "You might also like", pin or exclude posts by slug,
 * or compute every list again. (The admin's editor offers the same later.)
 */
export async function commandRelated(
  config: Config,
  slug: string | undefined,
  values: { pin?: string; exclude?: string; clear?: boolean; rebuild?: boolean },
): Promise<number> {
  if (!values.rebuild && !slug) throw new UsageError('name a post by its slug, or use --rebuild');
  if (!config.databaseUrl) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  try {
    await database.migrate();
    const services = createServices(database, config);
    if (values.rebuild) {
      const started = Date.now();
      const { posts } = await services.related.rebuild();
      console.log(`Related posts computed for ${posts} posts in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      if (!slug) return 0;
    }
    const idOf = async (s: string) => {
      const row = await database.db
        .selectFrom('posts')
        .select('id')
        .where('slug', '=', s)
        .where('type', '=', 'post')
        .executeTakeFirst();
      if (!row) throw new UsageError(`no post has the slug "${s}"`);
      return row.id;
    };
    const postId = await idOf(slug ?? '');
    const list = (text: string | undefined) =>
      (text ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    if (values.clear || values.pin !== undefined || values.exclude !== undefined) {
      const current = values.clear ? { pin: [], exclude: [] } : await services.related.overrides(postId);
      const pin = values.pin !== undefined ? await Promise.all(list(values.pin).map(idOf)) : current.pin;
      const exclude =
        values.exclude !== undefined ? await Promise.all(list(values.exclude).map(idOf)) : current.exclude;
      await services.related.setOverrides(postId, { pin, exclude });
      console.log('Saved. A running Hearth shows it once its pages are next rendered (a restart or any post saved).');
    }
    const titles = async (ids: number[]) =>
      ids.length === 0
        ? []
        : await database.db.selectFrom('posts').select(['id', 'slug', 'title']).where('id', 'in', ids).execute();
    const overrides = await services.related.overrides(postId);
    const computed = await services.related.computed(postId);
    const named = new Map(
      (await titles([...overrides.pin, ...overrides.exclude, ...computed.map((c) => c.id)])).map((r) => [r.id, r]),
    );
    const line = (id: number, note: string) => `  ${named.get(id)?.slug ?? id}  ${named.get(id)?.title ?? ''}${note}`;
    if (overrides.pin.length > 0) console.log(`Pinned:\n${overrides.pin.map((id) => line(id, '')).join('\n')}`);
    if (overrides.exclude.length > 0)
      console.log(`Excluded:\n${overrides.exclude.map((id) => line(id, '')).join('\n')}`);
    console.log(
      `Computed, best first:\n${computed.map((c) => line(c.id, `  (${c.score.toFixed(3)})`)).join('\n') || '  (none)'}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(Object.values(error.fields).join('; '));
    if (error instanceof HearthError && error.code === 'HEARTH_ERR_POST_MISSING') throw new UsageError(error.message);
    throw error;
  } finally {
    await database.close();
  }
}
