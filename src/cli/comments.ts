import { type Config, databaseOptions } from '../config.js';
import { prepareDataDir } from '../main.js';
import { createServices } from '../services.js';
import { isEmailAddress } from '../shared/text.js';
import { openDatabase } from '../storage/index.js';
import { UsageError } from './usage-error.js';

/**
 * `hearth comments export|erase --email X`: a commenter's data by email address, for a
 * request under data-protection law. Export prints JSON to stdout; erase deletes every
 * comment sent with the address and says how many.
 */
export async function commandComments(
  config: Config,
  action: string | undefined,
  email: string | undefined,
): Promise<number> {
  if (action !== 'export' && action !== 'erase')
    throw new UsageError('unknown comments command; try: hearth comments export --email X');
  if (!email || !isEmailAddress(email.trim())) throw new UsageError('--email needs an email address');
  if (!config.databaseUrl) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  try {
    await database.migrate();
    const { comments, audit } = createServices(database, config);
    const subject = `email:${email.trim().toLowerCase()}`;
    if (action === 'export') {
      const data = await comments.exportByEmail(email);
      await audit.record({
        action: 'commenter_exported',
        subject,
        details: { comments: data.comments.length, via: 'cli' },
      });
      console.log(JSON.stringify(data, null, 2));
    } else {
      const { erased } = await comments.eraseByEmail(email);
      await audit.record({ action: 'commenter_erased', subject, details: { comments: erased, via: 'cli' } });
      console.log(`Erased ${erased} ${erased === 1 ? 'comment' : 'comments'} sent with ${email.trim().toLowerCase()}.`);
    }
    return 0;
  } finally {
    await database.close();
  }
}
