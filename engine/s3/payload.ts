import type { IncomingMessage } from 'node:http';
import { GranaryError } from '../common/errors.js';
import type { AuthResult } from './auth/sigv4.js';
import { decodeAwsChunked, verifySha256 } from './auth/payload.js';

export interface Payload {
  stream: AsyncIterable<Uint8Array>;
  /** Declared length of the payload (decoded length for aws-chunked), when the client declared one. */
  length: number | undefined;
  trailers: Map<string, string>;
}

const MAX_DECLARED = 5 * 1024 ** 4 + 1024 ** 3;

function lengthHeader(v: string | string[] | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const s = Array.isArray(v) ? v[0] : v;
  if (!/^\d{1,16}$/.test(s)) throw new GranaryError('InvalidArgument', `${name} must be a non-negative integer.`);
  const n = Number(s);
  if (n > MAX_DECLARED) throw new GranaryError('EntityTooLarge');
  return n;
}

/** The request body as the signature says it must be checked: SHA-256, aws-chunked with chunk signatures, or unsigned. */
export function payloadOf(raw: IncomingMessage, auth: Extract<AuthResult, { kind: 'signed' }>): Payload {
  const trailers = new Map<string, string>();
  const contentLength = lengthHeader(raw.headers['content-length'], 'Content-Length');
  const p = auth.payload;
  switch (p.mode) {
    case 'sha256':
      return { stream: verifySha256(raw, p.hash), length: contentLength, trailers };
    case 'unsigned':
      return { stream: raw, length: contentLength, trailers };
    case 'streaming': {
      const decoded = lengthHeader(raw.headers['x-amz-decoded-content-length'], 'x-amz-decoded-content-length');
      const stream = decodeAwsChunked(raw, {
        signed: p.signed,
        trailer: p.trailer,
        seedSignature: auth.signature,
        signingKey: auth.signingKey,
        date: auth.date,
        scope: auth.scope,
        ...(decoded !== undefined ? { decodedLength: decoded } : {}),
        trailerChecksums: (name, value) => trailers.set(name, value),
      });
      return { stream, length: decoded, trailers };
    }
  }
}
