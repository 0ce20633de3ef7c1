import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';

/**
 * Sealing small secrets (secret keys, TOTP seeds, snapshots) with
 * XChaCha20-Poly1305: its 192-bit nonce may be random for every message, so
 * no counter has to survive restarts. `context` is bound as associated data,
 * so a sealed value moved to another row or purpose no longer opens.
 */
const NONCE_BYTES = 24;
export const KEY_BYTES = 32;

export class SealError extends Error {
  override name = 'SealError';
}

export function seal(key: Uint8Array, plaintext: Uint8Array, context: string): Buffer {
  if (key.length !== KEY_BYTES) throw new SealError(`a sealing key is ${KEY_BYTES} bytes`);
  const nonce = randomBytes(NONCE_BYTES);
  const box = xchacha20poly1305(key, nonce, Buffer.from(context, 'utf8')).encrypt(plaintext);
  return Buffer.concat([nonce, box]);
}

export function unseal(key: Uint8Array, sealed: Uint8Array, context: string): Buffer {
  if (sealed.length < NONCE_BYTES + 16) throw new SealError(`sealed data for ${context} is truncated`);
  try {
    return Buffer.from(xchacha20poly1305(key, sealed.subarray(0, NONCE_BYTES), Buffer.from(context, 'utf8')).decrypt(sealed.subarray(NONCE_BYTES)));
  } catch {
    throw new SealError(`sealed data for ${context} fails its authentication: wrong key or tampered`);
  }
}

/** Text form for JSON and SQLite columns. */
export function sealText(key: Uint8Array, plaintext: string, context: string): string {
  return seal(key, Buffer.from(plaintext, 'utf8'), context).toString('base64');
}

export function unsealText(key: Uint8Array, sealed: string, context: string): string {
  return unseal(key, Buffer.from(sealed, 'base64'), context).toString('utf8');
}
