import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Runs the Nu HTML checker (vnu-jar, needs Java) once over saved HTML files and returns its
 * errors as `file:line: message`, an empty list when every file is valid.
 */
export function htmlErrors(files: string[]): string[] {
  const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
  let output: string;
  try {
    output = execFileSync('java', ['-jar', jar, '--format', 'json', '--stdout', ...files], { encoding: 'utf8' });
  } catch (error) {
    // The checker exits non-zero when it finds errors; its report is still on stdout.
    output = String((error as { stdout?: string }).stdout ?? '');
  }
  const { messages } = JSON.parse(output) as {
    messages: { type: string; message: string; url: string; lastLine?: number }[];
  };
  return messages.filter((m) => m.type === 'error').map((m) => `${path.basename(m.url)}:${m.lastLine}: ${m.message}`);
}
