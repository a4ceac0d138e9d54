import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/main.js';

/**
 * Global setup: installs the demo site once into a template folder, which each test app
 * copies (SQLite) instead of drawing and encoding every demo image again.
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-template-'));
  const app = await createApp(loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'silent' }));
  await app.close();
  project.provide('templateDir', dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDir: string;
  }
}
