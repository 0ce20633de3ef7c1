import type { IncomingMessage } from 'node:http';
import { GranaryError } from '../common/errors.js';

/**
 * Reads a body that is small by contract (a query-API form, an admin JSON
 * document) into memory, refusing past `limit` whether or not the client
 * declared its length, so an endless body cannot exhaust memory.
 */
export async function readSmallBody(raw: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const tooLarge = () => new GranaryError('EntityTooLarge', `${what} may be at most ${limit} bytes.`);
  if (Number(raw.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of raw as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) throw tooLarge();
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
