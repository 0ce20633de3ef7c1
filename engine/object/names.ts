import { GranaryError } from '../common/errors.js';

export const MAX_KEY_BYTES = 1024;

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;

/** S3's bucket naming rules (general purpose buckets). */
export function checkBucketName(name: string): void {
  const bad = (why: string) => new GranaryError('InvalidBucketName', `The specified bucket is not valid: ${JSON.stringify(name)} ${why}.`);
  if (typeof name !== 'string' || name.length < 3 || name.length > 63) throw bad('must be 3 to 63 characters long');
  if (!BUCKET_RE.test(name)) throw bad('may contain only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit');
  if (name.includes('..')) throw bad('must not contain two adjacent dots');
  if (name.includes('.-') || name.includes('-.')) throw bad('must not have a dot next to a hyphen');
  if (IPV4_RE.test(name)) throw bad('must not be formatted as an IP address');
  if (name.startsWith('xn--') || name.startsWith('sthree-')) throw bad('must not start with a reserved prefix');
  if (name.endsWith('-s3alias') || name.endsWith('--ol-s3') || name.endsWith('--x-s3')) throw bad('must not end with a reserved suffix');
}

/**
 * Keys are data, never paths, so `../` is just a name. What is refused is
 * what S3 refuses or what no client could read back in a listing: empty keys,
 * over 1024 UTF-8 bytes, text that is not valid Unicode, and U+0000 (XML 1.0
 * cannot carry it).
 */
export function checkObjectKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new GranaryError('InvalidArgument', 'The object key must not be empty.');
  if (!key.isWellFormed()) throw new GranaryError('InvalidObjectName', 'The object key is not valid UTF-8.');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new GranaryError('KeyTooLongError', `The object key is longer than ${MAX_KEY_BYTES} bytes.`);
  if (key.includes('\u0000')) throw new GranaryError('InvalidObjectName', 'The object key must not contain the NUL character.');
}

/** A key from raw bytes (a URL path after percent-decoding): strict UTF-8 or InvalidObjectName. */
export function keyFromBytes(bytes: Uint8Array): string {
  let key: string;
  try {
    key = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new GranaryError('InvalidObjectName', 'The object key is not valid UTF-8.');
  }
  checkObjectKey(key);
  return key;
}
