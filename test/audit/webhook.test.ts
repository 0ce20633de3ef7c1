import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';
import { auditStats, putTarget, waitFor } from './audit-helpers.js';

type Entry = { kind: string; entryId: string; requestId?: string };

/** The webhook receiver: answers 500 while `down`, else records every entry it is sent. */
class Receiver {
  down = true;
  readonly received: Entry[] = [];
  readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (this.down) {
        res.statusCode = 500;
        return res.end();
      }
      this.received.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Entry[]));
      res.end();
    });
  });
  url = '';
  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/audit`;
  }
}

const receiver = new Receiver();
let stopLast: (() => Promise<void>) | undefined;
after(async () => {
  await stopLast?.();
  receiver.server.closeAllConnections();
  await new Promise((r) => receiver.server.close(r));
});

function spooled(root: string): string {
  const dir = join(root, 'config', 'audit-queue', 'hook');
  if (!existsSync(dir)) return '';
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
}

test('a webhook that is down for a while, and an engine killed meanwhile, still gets every entry once', { timeout: 60_000 }, async () => {
  await receiver.listen();
  const first = await startServer();
  const account = (s: { endpoint: string }): Account => ({ endpoint: s.endpoint, accessKey: first.accessKey, secretKey: first.secretKey });
  await putTarget(account(first), 'hook', { type: 'webhook', url: receiver.url, batchSize: 5, retryMaxMs: 300 });

  const ids: string[] = [];
  const request = async (a: Account, method: string, path: string, body?: string) => {
    const res = await signedFetch(a, method, path, body);
    await res.arrayBuffer();
    ids.push(res.headers.get('x-amz-request-id')!);
  };
  await request(account(first), 'PUT', '/hooked');
  for (let i = 0; i < 8; i++) await request(account(first), 'PUT', `/hooked/o${i}`, `body ${i}`);

  // Down: the entries wait (pending grows, failures are counted) …
  const stats = await waitFor('pending entries and failed attempts', async () => {
    const s = (await auditStats(account(first)))[0];
    return s.pending >= ids.length && s.failed > 0 ? s : undefined;
  });
  assert.equal(stats.name, 'hook');
  assert.equal(stats.dropped, 0);
  // … on disk: every answered request's entry is in the spool before the kill.
  await waitFor('entries spilled to disk', () => (ids.every((id) => spooled(first.root).includes(id)) ? true : undefined));
  await first.kill();

  const second = await startServer({ root: first.root });
  stopLast = second.stop;
  for (let i = 0; i < 3; i++) await request(account(second), 'GET', `/hooked/o${i}`);
  receiver.down = false;

  await waitFor('every request entry delivered', () => {
    const got = new Set(receiver.received.filter((e) => e.kind === 'request').map((e) => e.requestId));
    return ids.every((id) => got.has(id)) ? true : undefined;
  }, 20_000);
  await waitFor('pending drained', async () => ((await auditStats(account(second)))[0].pending === 0 ? true : undefined));

  // Exactly once: nothing was acknowledged and then re-sent (no crash while a batch was in flight).
  const seen = new Map<string, number>();
  for (const e of receiver.received) seen.set(e.entryId, (seen.get(e.entryId) ?? 0) + 1);
  assert.deepEqual([...seen.values()].filter((n) => n > 1), []);
  for (const id of ids) assert.equal(receiver.received.filter((e) => e.kind === 'request' && e.requestId === id).length, 1, `request ${id} once`);
  // The status calls above make entries of their own: the spool empties once those are sent too.
  await waitFor('the spool to empty', () => (spooled(second.root) === '' ? true : undefined));
});
