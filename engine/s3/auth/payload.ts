/**
 * Request bodies checked against their signature while they stream; nothing
 * is ever buffered beyond one header line.
 *
 * Contract with the consumer (as for every checked body in the engine): bytes
 * are yielded before the check that covers them has finished — a SHA-256 is
 * known only at the end, and a chunk's signature only once its last byte has
 * arrived. The generator throws (a GranaryError) as soon as a check fails, and
 * at the latest when the body ends, so the consumer must not commit or expose
 * anything until the generator has completed without throwing.
 */
import { createHash, type Hash } from 'node:crypto';
import { GranaryError } from '../../common/errors.js';
import { EMPTY_SHA256, amzDate, hmacHex, sameSignature } from './canonical.js';

/** Passes the body through; at the end throws XAmzContentSHA256Mismatch when its SHA-256 is not `expectedHex`. */
export async function* verifySha256(body: AsyncIterable<Uint8Array>, expectedHex: string): AsyncGenerator<Uint8Array> {
  const h = createHash('sha256');
  for await (const chunk of body) {
    h.update(chunk);
    yield chunk;
  }
  const actual = h.digest('hex');
  if (actual !== expectedHex.toLowerCase()) {
    throw new GranaryError('XAmzContentSHA256Mismatch', `The provided 'x-amz-content-sha256' header does not match what was computed (${actual}).`);
  }
}

export interface ChunkedOptions {
  /** Chunks carry `;chunk-signature=` (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]). */
  signed: boolean;
  /** Trailing headers follow the final chunk (…-TRAILER modes). */
  trailer: boolean;
  /** The request's own signature: the first chunk's "previous signature". */
  seedSignature: string;
  signingKey: Buffer;
  /** The request time (x-amz-date). */
  date: Date;
  /** The credential scope `day/region/service/aws4_request`. */
  scope: string;
  /** x-amz-decoded-content-length, when sent. */
  decodedLength?: number;
  /** Called once per trailing header (lower-case name, trimmed value), after the trailer's signature has been verified. */
  trailerChecksums?: (name: string, value: string) => void;
}

/** Longest chunk header or trailer line (without CRLF). */
export const MAX_CHUNK_LINE = 4096;
/** Largest chunk we accept. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** Largest trailer section (all lines). */
export const MAX_TRAILER_BYTES = 16 * 1024;

const SIGNED_LINE = /^([0-9a-fA-F]{1,16});chunk-signature=([0-9a-f]{64})$/;
const UNSIGNED_LINE = /^([0-9a-fA-F]{1,16})(?:;.*)?$/;
const TRAILER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const CHUNK_LINE = 0;
const DATA = 1;
const DATA_CR = 2;
const DATA_LF = 3;
const TRAILER_LINE = 4;
const FINAL_LINE = 5;
const DONE = 6;

function framing(m: string): GranaryError {
  return new GranaryError('InvalidRequest', `Malformed aws-chunked body: ${m}.`);
}

/**
 * Decodes an aws-chunked body as it streams:
 *
 *     hex-size[;chunk-signature=sig]\r\n <data> \r\n   … (one or more)
 *     0[;chunk-signature=sig]\r\n
 *     [name:value\r\n …] [x-amz-trailer-signature:sig\r\n]   (trailer modes)
 *     \r\n
 *
 * Signed chunks chain: each signature covers the previous one, so a chunk can
 * be neither altered, dropped nor reordered, and the signed zero-size chunk
 * proves the end. The signed trailer covers its lines and the last chunk
 * signature. Refusals: a bad chunk or trailer signature → SignatureDoesNotMatch;
 * a body that ends early → IncompleteBody; a decoded length other than
 * `decodedLength` → IncompleteBody; bad framing, an over-long line, a chunk
 * over 16 MiB, or bytes after the end → InvalidRequest.
 *
 * Yields subarrays of the pieces it is given (no copies of chunk data).
 */
export async function* decodeAwsChunked(body: AsyncIterable<Uint8Array>, o: ChunkedOptions): AsyncGenerator<Uint8Array> {
  const decoder = new AwsChunkedDecoder(o);
  for await (const piece of body) {
    for (const data of decoder.feed(piece)) yield data;
  }
  decoder.end();
}

/** The incremental parser behind decodeAwsChunked: feed it pieces of the body, then call end(). */
export class AwsChunkedDecoder {
  private readonly o: ChunkedOptions;
  private readonly stamp: string;
  private previous: string;
  private state = CHUNK_LINE;
  /** The partial line carried over from one piece to the next (at most MAX_CHUNK_LINE + 1 bytes). */
  private carry: Buffer[] = [];
  private carryLength = 0;
  private remaining = 0;
  private chunkSignature = '';
  private hasher: Hash | null = null;
  private total = 0;
  private readonly trailers: [string, string][] = [];
  private trailerBytes = 0;
  private trailerSignature: string | undefined;

  constructor(o: ChunkedOptions) {
    this.o = o;
    this.stamp = amzDate(o.date);
    this.previous = o.seedSignature;
  }

  /** Decoded bytes (subarrays of `piece`) found in this piece; throws a GranaryError on the first fault. */
  feed(piece: Uint8Array): Buffer[] {
    const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    const out: Buffer[] = [];
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case DATA: {
          const n = Math.min(this.remaining, buf.length - i);
          const data = buf.subarray(i, i + n);
          i += n;
          this.remaining -= n;
          this.total += n;
          if (this.o.decodedLength !== undefined && this.total > this.o.decodedLength) {
            throw new GranaryError('IncompleteBody', `The aws-chunked body is longer than x-amz-decoded-content-length (${this.o.decodedLength}).`);
          }
          this.hasher?.update(data);
          if (this.remaining === 0) {
            // The last bytes of a chunk are handed out only once its signature holds.
            if (this.hasher) this.checkChunk(this.hasher.digest('hex'));
            this.hasher = null;
            this.state = DATA_CR;
          }
          out.push(data);
          break;
        }
        case DATA_CR:
        case DATA_LF: {
          if (buf[i] !== (this.state === DATA_CR ? 0x0d : 0x0a)) throw framing('a chunk\'s data is not followed by CRLF (its size does not match its data)');
          i++;
          this.state = this.state === DATA_CR ? DATA_LF : CHUNK_LINE;
          break;
        }
        case DONE:
          throw framing('there are bytes after the end of the body');
        default: {
          // A line: CHUNK_LINE, TRAILER_LINE or FINAL_LINE.
          const lf = buf.indexOf(0x0a, i);
          const end = lf < 0 ? buf.length : lf;
          if (this.carryLength + (end - i) > MAX_CHUNK_LINE + 1) throw framing(`a chunk header or trailer line is longer than ${MAX_CHUNK_LINE} bytes`);
          if (lf < 0) {
            this.carry.push(buf.subarray(i));
            this.carryLength += buf.length - i;
            i = buf.length;
            break;
          }
          let raw = buf.subarray(i, lf);
          if (this.carryLength) {
            this.carry.push(raw);
            raw = Buffer.concat(this.carry);
            this.carry = [];
            this.carryLength = 0;
          }
          i = lf + 1;
          if (raw.length === 0 || raw[raw.length - 1] !== 0x0d) throw framing('a line does not end with CRLF');
          this.onLine(raw.toString('latin1', 0, raw.length - 1));
        }
      }
    }
    return out;
  }

  /** The body has ended: throws IncompleteBody unless it was complete. */
  end(): void {
    if (this.state === DONE) return;
    throw new GranaryError('IncompleteBody', this.state === TRAILER_LINE || this.state === FINAL_LINE ? 'The aws-chunked body ended before its final CRLF.' : 'The aws-chunked body ended before its final chunk.');
  }

  /** Bytes of decoded payload so far. */
  get decodedBytes(): number {
    return this.total;
  }

  private checkChunk(dataHash: string): void {
    if (!this.o.signed) return;
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${this.stamp}\n${this.o.scope}\n${this.previous}\n${EMPTY_SHA256}\n${dataHash}`;
    if (!sameSignature(hmacHex(this.o.signingKey, sts), this.chunkSignature)) {
      throw new GranaryError('SignatureDoesNotMatch', 'The signature of an aws-chunked chunk does not match.');
    }
    this.previous = this.chunkSignature;
  }

  private onLine(line: string): void {
    if (this.state === CHUNK_LINE) this.onChunkLine(line);
    else if (this.state === TRAILER_LINE) this.onTrailerLine(line);
    else if (line !== '') throw framing(`expected the empty line that ends the body, got ${JSON.stringify(line.slice(0, 120))}`);
    else this.state = DONE;
  }

  private onChunkLine(line: string): void {
    const m = (this.o.signed ? SIGNED_LINE : UNSIGNED_LINE).exec(line);
    if (!m) {
      throw framing(this.o.signed ? `expected "hex-size;chunk-signature=<64 hex>", got ${JSON.stringify(line.slice(0, 120))}` : `expected a hex chunk size, got ${JSON.stringify(line.slice(0, 120))}`);
    }
    const size = parseInt(m[1], 16);
    if (size > MAX_CHUNK_SIZE) throw framing(`a chunk of ${size} bytes is larger than the limit of ${MAX_CHUNK_SIZE}`);
    this.chunkSignature = this.o.signed ? m[2] : '';
    if (size > 0) {
      this.remaining = size;
      this.hasher = this.o.signed ? createHash('sha256') : null;
      this.state = DATA;
      return;
    }
    this.checkChunk(EMPTY_SHA256);
    if (this.o.decodedLength !== undefined && this.total !== this.o.decodedLength) {
      throw new GranaryError('IncompleteBody', `The aws-chunked body decoded to ${this.total} bytes; x-amz-decoded-content-length says ${this.o.decodedLength}.`);
    }
    this.state = this.o.trailer ? TRAILER_LINE : FINAL_LINE;
  }

  private onTrailerLine(line: string): void {
    if (line === '') {
      this.finishTrailer();
      this.state = DONE;
      return;
    }
    this.trailerBytes += line.length + 2;
    if (this.trailerBytes > MAX_TRAILER_BYTES) throw framing(`the trailer is larger than ${MAX_TRAILER_BYTES} bytes`);
    if (this.trailerSignature !== undefined) throw framing('x-amz-trailer-signature must be the last trailing header');
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).toLowerCase();
    if (!TRAILER_NAME.test(name)) throw framing(`the trailer line ${JSON.stringify(line.slice(0, 120))} is not name:value`);
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      // Meaningless in an unsigned trailer: ignored there.
      if (this.o.signed) this.trailerSignature = value;
      return;
    }
    if (this.trailers.some(([n]) => n === name)) throw framing(`the trailing header ${name} is given twice`);
    this.trailers.push([name, value]);
  }

  private finishTrailer(): void {
    if (this.o.signed) {
      if (this.trailerSignature === undefined) throw new GranaryError('SignatureDoesNotMatch', 'The aws-chunked trailer has no x-amz-trailer-signature.');
      const digest = createHash('sha256').update(trailerText(this.trailers), 'latin1').digest('hex');
      const expected = hmacHex(this.o.signingKey, `AWS4-HMAC-SHA256-TRAILER\n${this.stamp}\n${this.o.scope}\n${this.previous}\n${digest}`);
      if (!sameSignature(expected, this.trailerSignature)) throw new GranaryError('SignatureDoesNotMatch', 'The signature of the aws-chunked trailer does not match.');
    }
    for (const [n, v] of this.trailers) this.o.trailerChecksums?.(n, v);
  }
}

/** The text a trailer signature covers: `name:value\n` per trailing header, sorted by name. */
export function trailerText(trailers: [string, string][]): string {
  return [...trailers]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([n, v]) => `${n}:${v}\n`)
    .join('');
}
