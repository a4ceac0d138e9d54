import type { Config } from '../config.js';
import { HearthError } from '../errors.js';
import { createApp } from '../main.js';

/** Starts the blog and keeps it running until SIGINT or SIGTERM. */
export async function commandServe(config: Config): Promise<number> {
  const app = await createApp(config, { progress: (message) => console.log(message) });
  try {
    await app.server.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close().catch(() => {});
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new HearthError('HEARTH_ERR_PORT_IN_USE', { port: config.port, host: config.host }, { cause: error });
    throw error;
  }
  const address = app.server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`Hearth is serving ${config.publicUrl.replace(`:${config.port}`, `:${port}`)} (${app.database.dialect})`);
  if (app.setupUrl) {
    console.log(
      `\nThis blog has no owner yet. Create the owner account, once, at:\n  ${app.setupUrl.replace(`:${config.port}`, `:${port}`)}\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  return 0;
}
