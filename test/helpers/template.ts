import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/main.js';
import { createDatabase, databaseUrl, dropDatabase, postgresUrl } from './postgres.js';

/**
 * Global setup: installs the demo site once into a template (a folder, and on PostgreSQL
 * a template database), which each test app copies instead of drawing and encoding
 * every demo image again.
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-template-'));
  const database = postgresUrl ? await createDatabase('hearth_template') : '';
  // The test apps' address: the demo book's files, built here, are then up to date in them.
  const env: Record<string, string> = {
    HEARTH_DATA_DIR: dir,
    HEARTH_LOG_LEVEL: 'silent',
    HEARTH_PUBLIC_URL: 'http://blog.test',
  };
  if (database) env.HEARTH_DATABASE_URL = databaseUrl(database);
  const told: string[] = [];
  const app = await createApp(loadConfig(env), { progress: (message) => told.push(message) });
  // The demo's book is built (EPUB and PDF) before the template is copied.
  await app.services.bookBuilds.idle();
  await app.close();
  // The demo's photos take seconds to draw: whoever waits for the first start is told why.
  if (!told.some((m) => m.startsWith('Installing the demo blog')))
    throw new Error(`the demo was installed without a word to the person waiting: ${JSON.stringify(told)}`);
  project.provide('templateDir', dir);
  project.provide('templateDatabase', database);
  return async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (database) await dropDatabase(database);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDir: string;
    templateDatabase: string;
  }
}
