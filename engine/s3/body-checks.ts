import { createHash } from 'node:crypto';
import { GranaryError } from '../common/errors.js';
import { CHECKSUM_ALGORITHMS, createChecksum, DIGEST_LENGTH, isChecksumAlgorithm, type ChecksumAlgorithm } from './checksum/algorithms.js';
import type { S3Context } from './context.js';

export function parseAlgorithm(value: string | undefined): ChecksumAlgorithm | undefined {
  if (value === undefined) return undefined;
  const alg = value.trim().toUpperCase();
  if (!isChecksumAlgorithm(alg)) throw new GranaryError('InvalidRequest', `Checksum algorithm ${JSON.stringify(value)} is not one of ${CHECKSUM_ALGORITHMS.join(', ')}.`);
  return alg;
}

function checkValue(alg: ChecksumAlgorithm, value: string): string {
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== DIGEST_LENGTH[alg] || raw.toString('base64') !== value) {
    throw new GranaryError('InvalidRequest', `Value for x-amz-checksum-${alg.toLowerCase()} header is invalid.`);
  }
  return value;
}

/**
 * The object payload with Content-MD5 and x-amz-checksum-* verified as it
 * streams: a mismatch throws at the end of the stream, before the object
 * layer commits, so a damaged upload is never stored. The checksum is also
 * computed when the client only names its algorithm, so GET can return it.
 */
export function verifiedBody(ctx: S3Context): { stream: AsyncIterable<Uint8Array>; checksums: () => Record<string, string> | undefined } {
  const md5Header = ctx.header('content-md5');
  let md5: Buffer | undefined;
  if (md5Header !== undefined) {
    md5 = Buffer.from(md5Header, 'base64');
    if (md5.length !== 16 || md5.toString('base64') !== md5Header.trim()) throw new GranaryError('InvalidDigest');
  }
  const given = CHECKSUM_ALGORITHMS.filter((a) => ctx.header(`x-amz-checksum-${a.toLowerCase()}`) !== undefined);
  if (given.length > 1) throw new GranaryError('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const trailer = ctx.header('x-amz-trailer')?.trim().toLowerCase();
  const trailerAlg = trailer?.startsWith('x-amz-checksum-') ? parseAlgorithm(trailer.slice('x-amz-checksum-'.length)) : undefined;
  if (trailer !== undefined && !trailerAlg) throw new GranaryError('InvalidRequest', `The trailer ${JSON.stringify(trailer)} is not a checksum S3 knows.`);
  const alg = given[0] ?? trailerAlg ?? parseAlgorithm(ctx.header('x-amz-sdk-checksum-algorithm') ?? ctx.header('x-amz-checksum-algorithm'));
  const expectedHeader = given[0] ? checkValue(given[0], ctx.header(`x-amz-checksum-${given[0].toLowerCase()}`)!.trim()) : undefined;

  let computed: string | undefined;
  async function* stream(): AsyncGenerator<Uint8Array> {
    const m = md5 ? createHash('md5') : null;
    const c = alg ? createChecksum(alg) : null;
    for await (const chunk of ctx.body) {
      m?.update(chunk);
      c?.update(chunk);
      yield chunk;
    }
    if (m && !m.digest().equals(md5!)) throw new GranaryError('BadDigest');
    if (c && alg) {
      computed = c.digest().toString('base64');
      const expected = expectedHeader ?? (trailerAlg ? ctx.trailers.get(`x-amz-checksum-${trailerAlg.toLowerCase()}`) : undefined);
      if (trailerAlg && expected === undefined) throw new GranaryError('InvalidRequest', `The ${trailer} trailer announced by x-amz-trailer is missing.`);
      if (expected !== undefined && checkValue(alg, expected.trim()) !== computed) {
        throw new GranaryError('BadDigest', `The ${alg} you specified did not match the calculated checksum.`);
      }
    }
  }
  return { stream: stream(), checksums: () => (alg && computed ? { [alg]: computed } : undefined) };
}
