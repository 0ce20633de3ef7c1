import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isGranaryError } from '../../engine/common/errors.js';
import { openLayer, prng, readAll, seededBytes, tempDrives } from '../helpers/drives.js';

interface Attempt { kind: 'put' | 'del'; seed: number; size: number; begun: number; ackedAt: number | null }

/** Runs the writer until `ms` after it is ready, then SIGKILLs it; returns its output lines. */
function runAndKill(round: number, drives: string[], ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../helpers/crash-writer.ts'), String(round), ...drives], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      const before = out.includes('READY');
      out += d.toString();
      if (!before && out.includes('READY')) setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (${_code}): ${out.slice(-500)}`));
      else resolve(out.split('\n'));
    });
  });
}

describe('crash safety', () => {
  it('kill -9 during concurrent writes, 20 rounds: acknowledged data survives, nothing is half-visible', { timeout: 300_000 }, async () => {
    const t = tempDrives(4);
    const rand = prng(2024);
    const history = new Map<string, Attempt[]>();
    let acked = 0;
    let event = 0;
    try {
      for (let round = 1; round <= 20; round++) {
        const lines = await runAndKill(round, t.drives, 150 + Math.floor(rand() * 900));
        for (const line of lines) {
          const [tag, ...rest] = line.split(' ');
          event++;
          if (tag === 'BEGIN') {
            const [kind, key, seed, size] = rest;
            const list = history.get(key) ?? [];
            list.push({ kind: kind as Attempt['kind'], seed: Number(seed), size: Number(size), begun: event, ackedAt: null });
            history.set(key, list);
          } else if (tag === 'ACK') {
            const [key, seed] = rest;
            history.get(key)!.find((x) => x.seed === Number(seed))!.ackedAt = event;
            acked++;
          }
        }

        const layer = await openLayer(t.drives);
        try {
          for (const d of t.drives) assert.deepEqual(readdirSync(join(d, '.granary', 'tmp')), [], 'staging is empty after restart');
          for (const [key, attempts] of history) {
            // What may be visible: any write not certainly overwritten, i.e. no acknowledged write began after it was acknowledged.
            const overwritten = (a: Attempt) => a.ackedAt !== null && attempts.some((c) => c.ackedAt !== null && c.begun > a.ackedAt!);
            const allowed = attempts.filter((a) => !overwritten(a));
            const mayBeAbsent = allowed.some((a) => a.kind === 'del') || !allowed.some((a) => a.kind === 'put' && a.ackedAt !== null);
            let got: Buffer | null = null;
            try {
              got = await readAll((await layer.getObject('crash', key)).body);
            } catch (err) {
              if (!isGranaryError(err, 'NoSuchKey')) throw err;
            }
            if (got === null) {
              assert.ok(mayBeAbsent, `round ${round}: acknowledged ${key} is missing`);
            } else {
              const match = allowed.some((a) => a.kind === 'put' && a.size === got!.length && seededBytes(a.size, a.seed).equals(got!));
              assert.ok(match, `round ${round}: ${key} holds ${got.length} bytes matching no allowed write`);
            }
          }
          // Resolve history: from now on only what is stored counts as the last state.
          for (const [key, attempts] of history) {
            let stored: Attempt | null = null;
            try {
              const info = await layer.headObject('crash', key);
              const body = await readAll((await layer.getObject('crash', key)).body);
              stored = attempts.find((a) => a.kind === 'put' && a.size === info.size && seededBytes(a.size, a.seed).equals(body)) ?? null;
            } catch {
              stored = null;
            }
            history.set(key, [stored ? { ...stored, begun: 0, ackedAt: 0 } : { kind: 'del', seed: -1, size: 0, begun: 0, ackedAt: 0 }]);
          }
        } finally {
          await layer.close();
        }
      }
      assert.ok(acked > 200, `the writers made progress (${acked} acknowledged writes)`);
    } finally {
      t.cleanup();
    }
  });
});
