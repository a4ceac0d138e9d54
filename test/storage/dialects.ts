import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Database, openDatabase } from '../../src/storage/index.js';
import { createDatabase, databaseUrl, dropDatabase, postgresUrl } from '../helpers/postgres.js';

export interface TestDatabase {
  database: Database;
  url: string | undefined;
  dataDir: string;
  dispose(): Promise<void>;
}

/**
 * The dialects the contract suite runs on: SQLite always; PostgreSQL when the suite runs
 * under scripts/with-postgres.sh (npm run test:postgres), which sets its URL.
 */
export const dialects: { name: string; open(): Promise<TestDatabase> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-storage-'));
      const database = await openDatabase({ url: undefined, dataDir });
      return {
        database,
        url: `sqlite:${path.join(dataDir, 'hearth.db')}`,
        dataDir,
        async dispose() {
          await database.close();
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  ...(postgresUrl
    ? [
        {
          name: 'postgres',
          async open() {
            const name = await createDatabase('hearth_contract');
            const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-storage-'));
            const url = databaseUrl(name);
            const database = await openDatabase({ url, dataDir });
            return {
              database,
              url,
              dataDir,
              async dispose() {
                await database.close();
                fs.rmSync(dataDir, { recursive: true, force: true });
                await dropDatabase(name);
              },
            };
          },
        },
      ]
    : []),
];
