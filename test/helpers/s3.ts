import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll } from 'vitest';

/**
 * A real S3-compatible server (s3rver, a devDependency) on 127.0.0.1 on a free port, its
 * data in a temporary folder. `env` is what an operator would set: the AWS SDK's own
 * variables plus Hearth's path-style switch. (s3rver needs the SDK's checksums only when
 * required, which Hearth asks for by default with an endpoint of its own.)
 */
export async function startS3Server(buckets: string[] = ['media']): Promise<{
  endpoint: string;
  env: Record<string, string>;
  /** The bucket's files as s3rver keeps them on disk (for checks that bypass the SDK). */
  directory: string;
  close(): Promise<void>;
}> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    directory,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      // s3rver's fixed credentials: requests signed with others are refused.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      HEARTH_S3_FORCE_PATH_STYLE: 'true',
    },
    async close() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** One S3 server for a test file: started before its tests, stopped after them. */
export function useS3Server(buckets?: string[]) {
  const holder: { server?: Awaited<ReturnType<typeof startS3Server>> } = {};
  beforeAll(async () => {
    holder.server = await startS3Server(buckets);
  });
  afterAll(async () => {
    await holder.server?.close();
  });
  return {
    get server() {
      if (!holder.server) throw new Error('the S3 server is not started yet');
      return holder.server;
    },
  };
}
