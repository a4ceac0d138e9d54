import { createInterface } from 'node:readline/promises';
import { type Config, databaseOptions } from '../config.js';
import { roles } from '../domain/users/index.js';
import { ValidationError } from '../errors.js';
import { prepareDataDir } from '../main.js';
import { createServices } from '../services.js';
import type { Role } from '../storage/index.js';
import { openDatabase } from '../storage/index.js';
import { UsageError } from './usage-error.js';

/**
 * `hearth user create`: for a box with no browser. Reads the password from stdin. The
 * role is owner by default, for the first account; a second owner takes `--force`.
 */
export async function commandUserCreate(
  config: Config,
  values: { name?: string; email?: string; role?: string; force?: boolean; 'password-stdin'?: boolean },
): Promise<number> {
  if (!values.name) throw new UsageError('--name is required');
  if (!values.email) throw new UsageError('--email is required');
  const role = (values.role ?? 'owner') as Role;
  if (!roles.includes(role)) throw new UsageError(`--role must be one of ${roles.join(', ')}`);
  const password = await readPassword(values['password-stdin'] ?? false);
  if (!config.databaseUrl) prepareDataDir(config.dataDir);
  const database = await openDatabase(databaseOptions(config));
  try {
    await database.migrate();
    const services = createServices(database, config);
    if (role === 'owner' && !values.force && (await services.users.hasOwner())) {
      throw new UsageError(
        'This site already has an owner. Give another role (--role administrator, editor, author or contributor), or add --force to make a second owner.',
      );
    }
    const user = await services.users.create({ name: values.name, email: values.email, role, password });
    console.log(`Created ${user.role} ${user.name} <${values.email.trim().toLowerCase()}>.`);
    return 0;
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new UsageError(
        Object.entries(error.fields)
          .map(([f, m]) => `${f}: ${m}`)
          .join('; '),
      );
    }
    throw error;
  } finally {
    await database.close();
  }
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    let data = '';
    for await (const chunk of process.stdin) data += chunk;
    return data.replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const out = process.stdout;
  const write = out.write.bind(out);
  const answer = rl.question('Password (12 characters or more): ');
  // Hide what is typed: the prompt is written, then echo is muted until Enter.
  (out as unknown as { write: (s: string) => boolean }).write = (s: string) =>
    s.includes('Password') ? write(s) : true;
  const password = await answer;
  out.write = write;
  out.write('\n');
  rl.close();
  return password;
}
