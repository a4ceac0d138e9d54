import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/main.js';
import { createTestApp } from '../helpers/app.js';
import { postgresUrl } from '../helpers/postgres.js';

/**
 * Several instances starting at once on one PostgreSQL database (issue 19). Not on SQLite:
 * there, connections in one process wait for each other's locks synchronously, so three
 * apps in one test process would only time out.
 */
let first: App & { dataDir: string };

beforeAll(async () => {
  first = await createTestApp();
}, 60_000);
afterAll(async () => {
  await first?.close();
});

describe.skipIf(!postgresUrl)('instances starting together', () => {
  it('compute the related posts once between them when the database has none', async () => {
    // As after `hearth migrate-data` from a copy without them: every instance finds them missing.
    await first.database.db.deleteFrom('related_posts').execute();
    await first.database.db.deleteFrom('related_index').execute();
    await first.database.db.deleteFrom('related_docs').execute();
    await first.database.db.deleteFrom('related_terms').execute();
    expect(await first.services.related.needsRebuild()).toBe(true);
    const started = await Promise.allSettled([1, 2, 3].map(() => createApp(first.config, { pause: async () => {} })));
    try {
      expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      expect(await first.services.related.needsRebuild()).toBe(false);
      for (const s of started) {
        if (s.status !== 'fulfilled') continue;
        expect((await s.value.server.inject('/readyz')).statusCode).toBe(200);
      }
    } finally {
      for (const s of started) if (s.status === 'fulfilled') await s.value.close();
    }
  }, 90_000);
});
