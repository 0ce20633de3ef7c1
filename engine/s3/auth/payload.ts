import { createHash } from 'node:crypto';
import { GranaryError } from '../../common/errors.js';
import { amzDate, hmac, sameSignature, sha256Hex } from './canonical.js';

const EMPTY_SHA256 = sha256Hex('');

/** Passes the body through and refuses it at the end when its SHA-256 is not the signed one. */
export async function* verifySha256(body: AsyncIterable<Uint8Array>, expectedHex: string): AsyncGenerator<Uint8Array> {
  const h = createHash('sha256');
  for await (const chunk of body) {
    h.update(chunk);
    yield chunk;
  }
  if (h.digest('hex') !== expectedHex) throw new GranaryError('XAmzContentSHA256Mismatch');
}

export interface ChunkedOptions {
  signed: boolean;
  trailer: boolean;
  /** The signature of the request itself: the first chunk's "previous signature". */
  seedSignature: string;
  signingKey: Buffer;
  date: Date;
  scope: string;
  decodedLength?: number;
  trailerChecksums?: (name: string, value: string) => void;
}

const MAX_LINE = 4096;
const MAX_CHUNK = 16 * 1024 * 1024;
const MAX_TRAILER = 16 * 1024;

/**
 * Decodes an aws-chunked body as it streams: `hex-size[;chunk-signature=sig]\r\n
 * data\r\n` … `0[;chunk-signature=sig]\r\n`, then trailer lines (and their
 * signature) and a blank line. Every chunk signature chains from the previous
 * one, so a chunk can be neither altered, dropped nor reordered. Data is
 * yielded as soon as its chunk is verified, never buffered beyond one chunk.
 */
export async function* decodeAwsChunked(body: AsyncIterable<Uint8Array>, o: ChunkedOptions): AsyncGenerator<Uint8Array> {
  const it = body[Symbol.asyncIterator]();
  let buf: Buffer = Buffer.alloc(0);
  let ended = false;
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const r = await it.next();
    if (r.done) {
      ended = true;
      return false;
    }
    buf = buf.length === 0 ? Buffer.from(r.value) : Buffer.concat([buf, r.value]);
    return true;
  };
  const truncated = () => new GranaryError('IncompleteBody', 'The aws-chunked body ended before its final chunk.');
  const readLine = async (limit: number): Promise<string> => {
    for (;;) {
      const i = buf.indexOf('\r\n');
      if (i >= 0) {
        if (i > limit) break;
        const line = buf.subarray(0, i).toString('latin1');
        buf = buf.subarray(i + 2);
        return line;
      }
      if (buf.length > limit) break;
      if (!(await more())) throw truncated();
    }
    throw new GranaryError('InvalidRequest', 'An aws-chunked header line is too long.');
  };

  let previous = o.seedSignature;
  const stamp = amzDate(o.date);
  const chunkSignature = (dataHash: string) =>
    hmac(o.signingKey, ['AWS4-HMAC-SHA256-PAYLOAD', stamp, o.scope, previous, EMPTY_SHA256, dataHash].join('\n')).toString('hex');
  let total = 0;

  for (;;) {
    const line = await readLine(MAX_LINE);
    const m = o.signed ? /^([0-9a-fA-F]{1,8});chunk-signature=([0-9a-f]{64})$/.exec(line) : /^([0-9a-fA-F]{1,8})(;.*)?$/.exec(line);
    if (!m) throw new GranaryError('InvalidRequest', `Malformed aws-chunked chunk header ${JSON.stringify(line.slice(0, 100))}.`);
    const size = parseInt(m[1], 16);
    if (size > MAX_CHUNK) throw new GranaryError('InvalidRequest', `An aws-chunked chunk may be at most ${MAX_CHUNK} bytes.`);
    while (buf.length < size + (size > 0 ? 2 : 0)) if (!(await more())) throw truncated();
    const data = buf.subarray(0, size);
    if (o.signed) {
      const expected = chunkSignature(size === 0 ? EMPTY_SHA256 : createHash('sha256').update(data).digest('hex'));
      if (!sameSignature(expected, m[2])) throw new GranaryError('SignatureDoesNotMatch', 'The signature of an aws-chunked chunk does not match.');
      previous = m[2];
    }
    if (size === 0) break;
    if (buf[size] !== 0x0d || buf[size + 1] !== 0x0a) throw new GranaryError('InvalidRequest', 'An aws-chunked chunk is not followed by CRLF.');
    total += size;
    if (o.decodedLength !== undefined && total > o.decodedLength) throw new GranaryError('IncompleteBody', 'The aws-chunked body is longer than x-amz-decoded-content-length.');
    buf = buf.subarray(size + 2);
    yield data;
  }

  if (o.trailer) {
    const lines: string[] = [];
    let bytes = 0;
    let trailerSig: string | undefined;
    for (;;) {
      const line = await readLine(MAX_LINE);
      if (line === '') break;
      bytes += line.length;
      if (bytes > MAX_TRAILER) throw new GranaryError('InvalidRequest', 'The aws-chunked trailer is too large.');
      const colon = line.indexOf(':');
      if (colon <= 0) throw new GranaryError('InvalidRequest', `Malformed aws-chunked trailer line ${JSON.stringify(line.slice(0, 100))}.`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'x-amz-trailer-signature') trailerSig = value;
      else lines.push(`${name}:${value}`);
    }
    if (o.signed) {
      if (!trailerSig) throw new GranaryError('SignatureDoesNotMatch', 'The aws-chunked trailer is not signed.');
      const text = lines.map((l) => `${l}\n`).join('');
      const expected = hmac(o.signingKey, ['AWS4-HMAC-SHA256-TRAILER', stamp, o.scope, previous, sha256Hex(text)].join('\n')).toString('hex');
      if (!sameSignature(expected, trailerSig)) throw new GranaryError('SignatureDoesNotMatch', 'The signature of the aws-chunked trailer does not match.');
    }
    for (const l of lines) {
      const colon = l.indexOf(':');
      o.trailerChecksums?.(l.slice(0, colon), l.slice(colon + 1));
    }
  } else {
    const end = await readLine(MAX_LINE);
    if (end !== '') throw new GranaryError('InvalidRequest', 'The aws-chunked body has data after its final chunk.');
  }
  if (o.decodedLength !== undefined && total !== o.decodedLength) {
    throw new GranaryError('IncompleteBody', `The aws-chunked body decoded to ${total} bytes; x-amz-decoded-content-length says ${o.decodedLength}.`);
  }
}
