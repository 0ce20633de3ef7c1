import { randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurablySync } from '../common/durable-file.js';
import { KEY_BYTES, seal, unseal } from './seal.js';

/**
 * The deployment master key seals every secret of the config directory. It
 * lives there in a 0600 file; a copy wrapped under a key derived from the
 * root password lives on the drives, so the drives plus the root password
 * recover a lost config directory (DESIGN.md, "Configuration, IAM and keys").
 */
const FILE = 'master.key';

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

export function masterKeyPath(configDir: string): string {
  return join(configDir, FILE);
}

export function loadMasterKey(configDir: string): Buffer | undefined {
  const file = masterKeyPath(configDir);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8').trim();
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== text) throw new MasterKeyError(`${file} does not hold a ${KEY_BYTES}-byte base64 key`);
  return key;
}

export function newMasterKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function saveMasterKey(configDir: string, key: Uint8Array): void {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  writeFileDurablySync(masterKeyPath(configDir), Buffer.from(key).toString('base64') + '\n');
}

/** scrypt at N=2^15, r=8: about 100 ms and 32 MiB per guess, paid once at start. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export interface WrappedKey {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  sealed: string;
}

export function wrapMasterKey(key: Uint8Array, password: string): WrappedKey {
  const salt = randomBytes(16);
  const kek = scryptSync(password, salt, KEY_BYTES, SCRYPT);
  return { kdf: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('base64'), sealed: seal(kek, key, 'granary master key').toString('base64') };
}

export function unwrapMasterKey(wrapped: WrappedKey, password: string): Buffer {
  if (wrapped.kdf !== 'scrypt' || ![wrapped.N, wrapped.r, wrapped.p].every(Number.isInteger) || wrapped.N > 1 << 20) {
    throw new MasterKeyError('the wrapped master key names an unknown or unsafe key derivation');
  }
  const kek = scryptSync(password, Buffer.from(wrapped.salt, 'base64'), KEY_BYTES, { N: wrapped.N, r: wrapped.r, p: wrapped.p, maxmem: 256 * 1024 * 1024 });
  try {
    return unseal(kek, Buffer.from(wrapped.sealed, 'base64'), 'granary master key');
  } catch {
    throw new MasterKeyError('the root password does not open the master key kept on the drives');
  }
}
