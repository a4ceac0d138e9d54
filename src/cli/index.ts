import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config.js';
import { isHearthError } from '../errors.js';
import { commandExport as commandExportArchive, commandImportHearth } from './archive.js';
import { commandBook } from './book.js';
import { commandComments } from './comments.js';
import { commandExport as commandExportWxr } from './export.js';
import { commandImport } from './import.js';
import { commandMedia } from './media.js';
import { commandMigrate } from './migrate.js';
import { commandMigrateData } from './migrate-data.js';
import { commandRelated } from './related.js';
import { commandSearch } from './search.js';
import { commandServe } from './serve.js';
import { UsageError } from './usage-error.js';
import { commandUserCreate } from './user.js';

const HELP = `Hearth: a home for independent writers.

Usage:
  hearth serve [--no-demo] [--port N] [--host H]   start the blog (default http://127.0.0.1:3000)
  hearth migrate                                    bring the database schema up to date
  hearth migrate-data --from URL --to URL [--force] copy a whole site between databases, e.g.
                                                    --from sqlite:./data/hearth.db --to postgres://…
  hearth related SLUG [--pin S1,S2] [--exclude S3] [--clear]
                                                    show a post's related posts; pin or exclude
                                                    posts by slug (pins come first, in order)
  hearth related --rebuild                          compute every post's related posts again
  hearth search --rebuild                           build the full-text search index again
                                                    (migrate-data does it after a copy)
  hearth user create --name N --email E [--role R] [--force] [--password-stdin]
                                                    create a user (role: owner, administrator,
                                                    editor, author, contributor; default owner;
                                                    a second owner needs --force)
  hearth import wordpress FILE.xml [--media DIR | --media-archive FILE.zip] [--fetch-media]
                [--dry-run] [--report FILE.json]    bring a WordPress export in (photos from a copy
                                                    of wp-content/uploads, or downloaded from the
                                                    old site); run again to add only what is new
  hearth import ghost FILE.json|FILE.zip [--url OLD-ADDRESS] [--media DIR | --media-archive FILE.zip]
                                                    bring a Ghost 1-6 export in (photos from its
                                                    content/images)
  hearth export FILE.zip [--with-passwords] [--force]
                                                    write the whole site (rows, photos) to one zip;
                                                    passwords and two-factor secrets only if asked
  hearth import hearth FILE.zip [--force]           restore such a zip into an empty blog
                                                    (--force empties a blog that holds data)
  hearth import markdown DIR [--name N] [--dry-run] [--report FILE.json]
                                                    bring a Jekyll, Hugo or Eleventy folder in
                                                    (its photos with it); run again to add only
                                                    what is new (--name: the site's name, else
                                                    the folder's path)
  hearth book list                                  list the books: slug, title, chapters, parts
                                                    and the categories or tags that feed them
  hearth book build SLUG [--format epub|pdf] [--page-size a5|us-trade|a4|letter]
                         [--out FILE] [--leave-out-missing] [--rebuild]
                                                    write the book as an EPUB (default SLUG.epub)
                                                    or a PDF for print through Chromium (SLUG.pdf;
                                                    the book's page size unless --page-size);
                                                    --leave-out-missing builds without chapters
                                                    whose posts are deleted or unpublished;
                                                    an unchanged book's last file is used unless
                                                    --rebuild
  hearth media migrate --to s3://BUCKET/PREFIX [--dry-run]
                                                    copy every photo file to an S3-compatible
                                                    bucket (AWS_* variables as for serving); run
                                                    again to copy only what is missing
  hearth comments export --email E                  print everything kept about a commenter (JSON)
  hearth comments erase --email E                   delete every comment sent with that address
  hearth export wordpress FILE.xml [--force]        write the whole site as a WordPress export
                                                    (WXR 1.2) for WordPress's importer
  hearth export markdown DIR [--force]              write every post and page as Markdown files
                                                    that Hugo and Eleventy build (DIR empty
                                                    unless --force)

Configuration comes from HEARTH_* environment variables: see the README.`;

/**
 * The usage of one command (`hearth import --help`: every `hearth import …` entry), or of all
 * when the command is unknown or not given.
 */
export function helpFor(command: string | undefined): string {
  const [title, blank, usage, ...lines] = HELP.split('\n');
  const entries: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('  hearth ')) entries.push([line]);
    else if (line.startsWith('   ') && entries.length > 0) entries.at(-1)?.push(line);
  }
  const chosen = entries.filter((e) => e[0]?.startsWith(`  hearth ${command} `) || e[0] === `  hearth ${command}`);
  if (!command || chosen.length === 0) return HELP;
  return [title, blank, usage, ...chosen.flat(), '', lines.at(-1)].join('\n');
}

/** Runs one CLI command; returns the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `hearth --help`, `hearth help`, `hearth user --help`, `hearth import wordpress -h`: the usage, on stdout.
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(helpFor(rest[0]));
    return 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(helpFor(command));
    return 0;
  }
  try {
    switch (command) {
      case 'serve':
      case undefined: {
        const { values } = parseArgs({
          args: rest,
          options: { 'no-demo': { type: 'boolean' }, port: { type: 'string' }, host: { type: 'string' } },
        });
        const overrides: Partial<Config> = {};
        if (values['no-demo']) overrides.demo = false;
        const env = { ...process.env };
        if (values.port !== undefined) env.HEARTH_PORT = values.port;
        if (values.host !== undefined) env.HEARTH_HOST = values.host;
        return await commandServe(loadConfig(env, overrides));
      }
      case 'migrate':
        parseArgs({ args: rest, options: {} });
        return await commandMigrate(loadConfig(process.env));
      case 'migrate-data': {
        const { values } = parseArgs({
          args: rest,
          options: { from: { type: 'string' }, to: { type: 'string' }, force: { type: 'boolean' } },
        });
        return await commandMigrateData(loadConfig(process.env), values);
      }
      case 'related': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            pin: { type: 'string' },
            exclude: { type: 'string' },
            clear: { type: 'boolean' },
            rebuild: { type: 'boolean' },
          },
        });
        if (positionals.length > 1) throw new UsageError('name one post');
        return await commandRelated(loadConfig(process.env, { demo: false }), positionals[0], values);
      }
      case 'search': {
        const { values } = parseArgs({ args: rest, options: { rebuild: { type: 'boolean' } } });
        return await commandSearch(loadConfig(process.env, { demo: false }), values);
      }
      case 'user': {
        const [sub, ...args] = rest;
        if (sub !== 'create') throw new UsageError('unknown user command; try: hearth user create --help');
        const { values } = parseArgs({
          args,
          options: {
            name: { type: 'string' },
            email: { type: 'string' },
            role: { type: 'string', default: 'owner' },
            force: { type: 'boolean' },
            'password-stdin': { type: 'boolean' },
          },
        });
        return await commandUserCreate(loadConfig(process.env, { demo: false }), values);
      }
      case 'import': {
        if (rest[0] === 'hearth') {
          const { values, positionals } = parseArgs({
            args: rest.slice(1),
            allowPositionals: true,
            options: { force: { type: 'boolean' } },
          });
          if (positionals.length > 1) throw new UsageError('name one archive');
          return await commandImportHearth(loadConfig(process.env, { demo: false }), positionals[0], values);
        }
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            media: { type: 'string' },
            'media-archive': { type: 'string' },
            'fetch-media': { type: 'boolean' },
            url: { type: 'string' },
            'dry-run': { type: 'boolean' },
            report: { type: 'string' },
            progress: { type: 'string' },
            name: { type: 'string' },
          },
        });
        if (positionals.length > 2) throw new UsageError('name one export file');
        return await commandImport(loadConfig(process.env, { demo: false }), positionals[0], positionals[1], values);
      }
      case 'book': {
        const [sub, ...args] = rest;
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: sub === 'build',
          options: {
            format: { type: 'string' },
            out: { type: 'string' },
            'page-size': { type: 'string' },
            'leave-out-missing': { type: 'boolean' },
            rebuild: { type: 'boolean' },
          },
        });
        return await commandBook(loadConfig(process.env, { demo: false }), sub, positionals, values);
      }
      case 'media': {
        const [sub, ...args] = rest;
        const { values } = parseArgs({ args, options: { to: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
        return await commandMedia(loadConfig(process.env, { demo: false }), sub, values);
      }
      case 'comments': {
        const [sub, ...args] = rest;
        const { values } = parseArgs({ args, options: { email: { type: 'string' } } });
        return await commandComments(loadConfig(process.env, { demo: false }), sub, values.email);
      }
      case 'export': {
        // `hearth export FILE.zip` is the full archive; `hearth export FORMAT TARGET` a format.
        const named = rest.filter((a) => !a.startsWith('-'));
        if (named[0] === 'wordpress' || named[0] === 'markdown' || named.length !== 1) {
          const { values, positionals } = parseArgs({
            args: rest,
            allowPositionals: true,
            options: { force: { type: 'boolean' } },
          });
          if (positionals.length > 2) throw new UsageError('name one file or folder');
          return await commandExportWxr(
            loadConfig(process.env, { demo: false }),
            positionals[0],
            positionals[1],
            values,
          );
        }
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { 'with-passwords': { type: 'boolean' }, force: { type: 'boolean' } },
        });
        if (positionals.length > 1) throw new UsageError('name one archive');
        return await commandExportArchive(loadConfig(process.env, { demo: false }), positionals[0], values);
      }
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`hearth: ${(error as Error).message}\n\n${HELP}`);
      return 2;
    }
    console.error(`hearth: ${describe(error)}`);
    return 1;
  }
}

/** One line for a person: our own message, or the root cause of anything else. */
export function describe(error: unknown): string {
  if (isHearthError(error)) return error.message;
  const e = error as Error & { cause?: unknown };
  if (e?.cause && isHearthError(e.cause)) return `${e.message}: ${e.cause.message}`;
  return e?.message ?? String(error);
}
