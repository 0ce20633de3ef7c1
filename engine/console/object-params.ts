import type { FastifyRequest } from 'fastify';
import { GranaryError } from '../common/errors.js';
import { checkBucketName, keyFromBytes } from '../object/names.js';
import type { ConsoleContext, ConsoleStorage } from './console-context.js';
import { ConsoleError } from './console-error.js';

/** The engine's storage, or StorageNotReady (a console started before its drives, as in setup). */
export function storageOf(ctx: ConsoleContext): ConsoleStorage {
  if (!ctx.deps.storage) throw new ConsoleError('StorageNotReady');
  return ctx.deps.storage;
}

/** The `:bucket` of the path, checked by S3's naming rules before anything looks it up. */
export function bucketParam(request: FastifyRequest): string {
  const bucket = (request.params as Record<string, string | undefined>).bucket ?? '';
  checkBucketName(bucket);
  return bucket;
}

/**
 * One query parameter as exact text, decoded from the raw URL: a key is any
 * UTF-8 text, and a lenient decoder would turn bytes that are not UTF-8 into
 * U+FFFD and so name another object. Given twice, or not valid UTF-8: refused.
 */
export function rawQueryParam(request: FastifyRequest, name: string): string | undefined {
  const url = request.raw.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  let found: string | undefined;
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if ((eq < 0 ? pair : pair.slice(0, eq)) !== name) continue;
    if (found !== undefined) throw new ConsoleError('InvalidRequest', `The ${name} parameter is given more than once.`);
    found = decodeStrict(eq < 0 ? '' : pair.slice(eq + 1), name);
  }
  return found;
}

/** The `key` query parameter: an object key as S3 accepts it. */
export function keyParam(request: FastifyRequest): string {
  const key = rawQueryParam(request, 'key');
  if (key === undefined || key === '') throw new ConsoleError('InvalidRequest', 'The key parameter (the object key) is missing.');
  return key;
}

function decodeStrict(text: string, name: string): string {
  const bytes: number[] = [];
  const s = text.replace(/\+/g, ' ');
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new ConsoleError('InvalidRequest', `The ${name} parameter is not valid percent-encoding.`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch < 0x80) {
      bytes.push(ch);
    } else {
      bytes.push(...Buffer.from(s[i], 'utf8'));
    }
  }
  if (name !== 'key') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    } catch {
      throw new ConsoleError('InvalidRequest', `The ${name} parameter is not valid UTF-8.`);
    }
  }
  return keyFromBytes(Uint8Array.from(bytes));
}

/** The declared length of a raw body; uploads must declare it (the object layer holds the body to exactly that many bytes). */
export function contentLength(request: FastifyRequest, max: number): number {
  const v = request.headers['content-length'];
  if (v === undefined || !/^\d+$/.test(v)) throw new GranaryError('MissingContentLength', 'You must provide the Content-Length HTTP header.');
  const n = Number(v);
  if (n > max) throw new GranaryError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${max} bytes.`);
  return n;
}
