import assert from 'node:assert/strict';
import { readdirSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { signedFetch } from '../helpers/signed-fetch.js';
import { prng, seededBytes } from '../helpers/drives.js';
import { startServer, type RunningServer } from '../helpers/server.js';

interface Attempt { kind: 'put' | 'del'; seed: number; size: number; begun: number; ackedAt: number | null }

const SIZES = [0, 10, 4000, 200_000, 1_100_000, 2_600_000];

function s3(s: RunningServer, method: string, key: string, body?: Buffer): Promise<Response> {
  return signedFetch(s, method, `/crash${key ? `/${key}` : ''}`, method === 'PUT' ? body ?? Buffer.alloc(0) : undefined);
}

describe('crash safety', () => {
  it('kill -9 of the server during concurrent writes, 20 rounds: acknowledged data survives, nothing is half-visible', { timeout: 400_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'granary-crash-'));
    const rand = prng(2024);
    const history = new Map<string, Attempt[]>();
    let event = 0;
    let acked = 0;
    try {
      for (let round = 1; round <= 20; round++) {
        const s = await startServer({ root });
        if (round === 1) assert.equal((await s3(s, 'PUT', '')).status, 200);
        // Six writers PUT and DELETE over HTTP until the server is killed under them.
        let killed = false;
        const writer = async (w: number) => {
          for (let n = 0; !killed; n++) {
            const key = `k${Math.floor(rand() * 40)}`;
            const del = rand() < 0.15;
            const size = del ? 0 : SIZES[Math.floor(rand() * SIZES.length)];
            const seed = round * 100_000 + w * 10_000 + n;
            const list = history.get(key) ?? [];
            const a: Attempt = { kind: del ? 'del' : 'put', seed, size, begun: ++event, ackedAt: null };
            list.push(a);
            history.set(key, list);
            try {
              const r = await s3(s, del ? 'DELETE' : 'PUT', key, del ? undefined : seededBytes(size, seed));
              await r.arrayBuffer();
              if (r.status === 200 || r.status === 204) {
                a.ackedAt = ++event;
                acked++;
              }
            } catch {
              return; // the connection died with the server
            }
          }
        };
        const writers = Array.from({ length: 6 }, (_, w) => writer(w));
        await new Promise((r) => setTimeout(r, 200 + Math.floor(rand() * 900)));
        await s.kill();
        killed = true;
        await Promise.all(writers);

        const again = await startServer({ root });
        try {
          for (const d of again.drives) assert.deepEqual(readdirSync(join(d, '.granary', 'tmp')), [], 'staging is empty after restart');
          for (const [key, attempts] of history) {
            // Visible may be any write not certainly overwritten: none acknowledged began after it was acknowledged.
            const overwritten = (a: Attempt) => a.ackedAt !== null && attempts.some((c) => c.ackedAt !== null && c.begun > a.ackedAt!);
            const allowed = attempts.filter((a) => !overwritten(a));
            const mayBeAbsent = allowed.some((a) => a.kind === 'del') || !allowed.some((a) => a.kind === 'put' && a.ackedAt !== null);
            const r = await s3(again, 'GET', key);
            const body = Buffer.from(await r.arrayBuffer());
            let stored: Attempt | undefined;
            if (r.status === 404) {
              assert.ok(mayBeAbsent, `round ${round}: acknowledged ${key} is missing`);
            } else {
              assert.equal(r.status, 200, `round ${round}: GET ${key}: ${body.toString()}`);
              stored = allowed.find((a) => a.kind === 'put' && a.size === body.length && seededBytes(a.size, a.seed).equals(body));
              assert.ok(stored, `round ${round}: ${key} holds ${body.length} bytes matching no allowed write`);
            }
            // From here on, what is stored is the history of this key.
            history.set(key, [stored ? { ...stored, begun: 0, ackedAt: 0 } : { kind: 'del', seed: -1, size: 0, begun: 0, ackedAt: 0 }]);
          }
        } finally {
          await again.kill();
        }
      }
      assert.ok(acked > 100, `the writers made progress (${acked} acknowledged writes)`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
