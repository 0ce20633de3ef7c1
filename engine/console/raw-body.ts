import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** A refused upload reads at most this much more of its body, so the browser hears the refusal instead of a reset. */
const DRAIN_LIMIT = 16 * 1024 * 1024;

/**
 * In the plugin scope `app` (an encapsulated fastify context): every body is
 * left unread for the handler, which streams it to the object layer. The
 * console's JSON parser and its small body limit stay in force everywhere
 * else.
 */
export function leaveBodiesUnread(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
}

/** Runs an upload; on failure, reads a bounded rest of the body before the error is answered. */
export async function withUpload<T>(raw: IncomingMessage, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    await drain(raw);
    throw err;
  }
}

async function drain(raw: IncomingMessage): Promise<void> {
  if (raw.readableEnded || raw.destroyed) return;
  let seen = 0;
  await new Promise<void>((resolve) => {
    const done = () => {
      raw.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_LIMIT) {
        raw.pause();
        done();
      }
    };
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('error', done);
    raw.once('close', done);
    raw.resume();
  });
}
