import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AdminLocalError } from './admin-errors.js';
import type { AdminContext } from './admin-spec.js';

/** A file's text, or standard input for `-` (so `policy create p - < p.json` and here-documents work). */
export async function readTextArg(ctx: AdminContext, file: string): Promise<string> {
  if (file === '-') return ctx.readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new AdminLocalError(`cannot read ${file}: ${reason}`);
  }
}

/**
 * A secret given on the command line, or read from standard input for `-`:
 * arguments are visible to every local user in `ps`, standard input is not.
 * Only the first line counts, without its line ending (`echo secret |`).
 */
export async function readSecretArg(ctx: AdminContext, secret: string): Promise<string> {
  if (secret !== '-') return secret;
  const first = (await ctx.readStdin()).split(/\r?\n/)[0];
  if (!first) throw new AdminLocalError('standard input held no secret');
  return first;
}

/**
 * A strong secret for a new user: 240 random bits as 40 base64url
 * characters, beginning and ending with a letter or digit so that it can be
 * pasted after a flag or at the end of a line without being misread.
 */
export function generateSecret(): string {
  for (;;) {
    const s = randomBytes(30).toString('base64url');
    if (/^[A-Za-z0-9].*[A-Za-z0-9]$/.test(s)) return s;
  }
}
