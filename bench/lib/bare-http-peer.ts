/**
 * The loopback ceiling for the S3 bench's large objects: fastify in a process
 * of its own (as Granary runs) that drains every PUT body and answers every
 * GET with 16 MiB from memory, streamed in 1 MiB chunks. No auth, no hashing,
 * no storage: what the same client on the same two cores gets from HTTP alone.
 * Run as a script it prints `PORT n`; `startBarePeer` starts it as a child.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const MiB = 1024 * 1024;

export interface BarePeer { endpoint: string; stop(): Promise<void> }

export async function startBarePeer(): Promise<BarePeer> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH } });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d; const m = /PORT (\d+)/.exec(out); if (m) resolve(m[1]); });
    child.once('exit', (code) => reject(new Error(`bare HTTP peer exited with ${code}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function serve(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const body = randomBytes(16 * MiB);
  const app = Fastify({ bodyLimit: 64 * MiB });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => {
    payload.on('data', () => {});
    payload.on('end', () => done(null));
    payload.on('error', done);
  });
  app.put('/*', async (_req, reply) => reply.header('etag', '"0"').send());
  app.get('/*', async (_req, reply) => {
    async function* chunks() { for (let i = 0; i < body.length; i += MiB) yield body.subarray(i, i + MiB); }
    return reply.header('content-length', String(body.length)).header('content-type', 'application/octet-stream').send(Readable.from(chunks()));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve();
