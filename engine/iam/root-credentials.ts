import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurablySync } from '../common/durable-file.js';
import { GranaryError } from '../common/errors.js';
import { checkSecretKey } from './name-rules.js';
import { passwordProblem } from './weak-passwords.js';

export interface RootCredentials {
  accessKey: string;
  secretKey: string;
  /** Where they came from, for the start-up message. */
  source: 'environment' | 'generated' | 'file';
  file?: string;
}

export class CredentialsError extends Error {
  override name = 'CredentialsError';
}

const FILE = 'root-credentials.json';

export function rootCredentialsFile(configDir: string): string {
  return join(configDir, FILE);
}

/** Whether a first start would generate root credentials (nothing in the environment, no file yet). */
export function wouldGenerateRoot(configDir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GRANARY_ROOT_USER === undefined && env.GRANARY_ROOT_PASSWORD === undefined && !existsSync(rootCredentialsFile(configDir));
}

/** Root secret rotation for file-kept credentials: a new secret, written atomically, still 0600. */
export function rotateRootSecret(configDir: string, accessKey: string): RootCredentials {
  return writeRootFile(configDir, { accessKey, secretKey: randomBytes(30).toString('base64url') });
}

/**
 * A secret root chose (the console's password change), for file-kept
 * credentials only: held to the rules of every password, then written as
 * rotation writes it. Root from the environment changes it there instead.
 */
export function setRootSecret(configDir: string, accessKey: string, secretKey: string): RootCredentials {
  checkSecretKey(secretKey);
  const problem = passwordProblem(secretKey, accessKey);
  if (problem) throw new GranaryError('PasswordPolicyViolation', `The secret key is refused: ${problem}.`);
  return writeRootFile(configDir, { accessKey, secretKey });
}

function writeRootFile(configDir: string, creds: { accessKey: string; secretKey: string }): RootCredentials {
  const file = rootCredentialsFile(configDir);
  writeFileDurablySync(file, JSON.stringify(creds, null, 2) + '\n');
  return { ...creds, source: 'file', file };
}
/** The root account chosen in the setup wizard (already checked for strength), written 0600 as a generated one would be; never over an existing file. */
export function saveRootCredentials(configDir: string, accessKey: string, secretKey: string): RootCredentials {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const file = join(configDir, FILE);
  writeFileDurablySync(file, JSON.stringify({ accessKey, secretKey }, null, 2) + '\n', { exclusive: true });
  return { accessKey, secretKey, source: 'file', file };
}

const ACCESS_KEY_RE = /^[A-Za-z0-9._@+=-]{3,128}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomString(n: number, alphabet: string): string {
  const bytes = randomBytes(n * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely.
  for (let i = 0; out.length < n; i++) {
    const b = i < bytes.length ? bytes[i] : randomBytes(1)[0];
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
  }
  return out;
}

/**
 * No default credentials, ever: root comes from GRANARY_ROOT_USER and
 * GRANARY_ROOT_PASSWORD (checked for strength), or from a 0600 file in the
 * config directory written when they were generated on the first start.
 */
export function loadRootCredentials(configDir: string, env: NodeJS.ProcessEnv = process.env): RootCredentials {
  const user = env.GRANARY_ROOT_USER;
  const password = env.GRANARY_ROOT_PASSWORD;
  if (user !== undefined || password !== undefined) {
    if (!user || !password) throw new CredentialsError('set both GRANARY_ROOT_USER and GRANARY_ROOT_PASSWORD, or neither (then strong ones are generated)');
    if (!ACCESS_KEY_RE.test(user)) throw new CredentialsError('GRANARY_ROOT_USER must be 3 to 128 letters, digits or . _ @ + = -');
    const problem = passwordProblem(password, user);
    if (problem) throw new CredentialsError(`GRANARY_ROOT_PASSWORD is refused: ${problem}`);
    return { accessKey: user, secretKey: password, source: 'environment' };
  }
  const file = join(configDir, FILE);
  if (existsSync(file)) {
    let parsed: { accessKey?: unknown; secretKey?: unknown };
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CredentialsError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof parsed.accessKey !== 'string' || typeof parsed.secretKey !== 'string') throw new CredentialsError(`${file} lacks accessKey or secretKey`);
    return { accessKey: parsed.accessKey, secretKey: parsed.secretKey, source: 'file', file };
  }
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const creds = { accessKey: randomString(20, ALPHABET), secretKey: randomBytes(30).toString('base64url') };
  writeFileDurablySync(file, JSON.stringify(creds, null, 2) + '\n', { exclusive: true });
  return { ...creds, source: 'generated', file };
}
