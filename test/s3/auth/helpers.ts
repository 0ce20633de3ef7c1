import assert from 'node:assert/strict';
import { GranaryError } from '../../../engine/common/errors.js';
import type { Credentials } from '../../../engine/s3/auth/sigv4.js';
import { mulberry32 } from '../../helpers/prng.js';

/** The example credentials of the AWS S3 SigV4 documentation. */
export const DOC_AK = 'AKIAIOSFODNN7EXAMPLE';
export const DOC_SK = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const DOC_NOW = new Date(Date.UTC(2013, 4, 24, 0, 0, 30));
export const docLookup = (k: string): Credentials | undefined => (k === DOC_AK ? { accessKey: DOC_AK, secretKey: DOC_SK } : undefined);

export const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function codeOf(e: unknown): string {
  if (e instanceof GranaryError) return e.code;
  throw e;
}

/** fn throws a GranaryError with this code. */
export function refused(fn: () => unknown, code: string, what?: string): void {
  assert.throws(fn, (e: unknown) => {
    if (!(e instanceof GranaryError)) throw e;
    assert.equal(e.code, code, `${what ?? ''}: ${e.message}`);
    return true;
  }, what ?? code);
}

export async function rejectsWith(p: Promise<unknown>, code: string, what?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    if (!(e instanceof GranaryError)) throw e;
    assert.equal(e.code, code, `${what ?? ''}: ${e.message}`);
    return true;
  }, what ?? code);
}

export async function drain(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** The buffer as a stream of pieces cut at the given offsets. */
export async function* pieces(b: Buffer, cuts: number[] = []): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...cuts].sort((x, y) => x - y)) {
    if (c <= at || c >= b.length) continue;
    yield b.subarray(at, c);
    at = c;
  }
  yield b.subarray(at);
}

/** The fuzz tests' seeded PRNG. */
export const prng = mulberry32;
