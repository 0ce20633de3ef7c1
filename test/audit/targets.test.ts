import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { AuditEntry } from '../../engine/audit/audit-entry.js';
import { FileTarget } from '../../engine/audit/file-target.js';
import { WebhookTarget } from '../../engine/audit/webhook-target.js';

const dir = mkdtempSync(join(tmpdir(), 'granary-audit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const entry = (n: number): AuditEntry => ({ kind: 'security', entryId: `e${n}`, time: new Date(0).toISOString(), event: 'test', n, pad: 'x'.repeat(150) });

test('the file target rotates by size and keeps a bounded number of rotated files', async () => {
  const path = join(dir, 'rot', 'audit.log');
  const t = new FileTarget('f', { path, maxSizeBytes: 4096, maxFiles: 2 });
  for (let n = 0; n < 200; n++) {
    t.enqueue(entry(n));
    if (n % 17 === 0) await new Promise((r) => setImmediate(r));
  }
  await t.close();
  assert.deepEqual(readdirSync(join(dir, 'rot')).sort(), ['audit.log', 'audit.log.1', 'audit.log.2']);
  for (const f of ['audit.log', 'audit.log.1', 'audit.log.2']) assert.ok(statSync(join(dir, 'rot', f)).size <= 4096, `${f} within its size`);
  const read = (f: string) => readFileSync(join(dir, 'rot', f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { n: number }).n);
  // Oldest to newest: .2, .1, live; contiguous, ending with the last entry.
  const kept = [...read('audit.log.2'), ...read('audit.log.1'), ...read('audit.log')];
  assert.equal(kept.at(-1), 199);
  assert.deepEqual(kept, kept.map((_, i) => kept[0] + i));
  assert.deepEqual(t.stats(), { name: 'f', type: 'file', total: 200, failed: 0, pending: 0, dropped: 0 });
});

test('a webhook queue past its limit drops new entries, counts them, and keeps the rest on disk across a restart', async () => {
  const spoolDir = join(dir, 'queue');
  // Nothing listens on port 9 of loopback: every delivery fails.
  const opts = { url: 'http://127.0.0.1:9/', spoolDir, batchSize: 10, queueLimit: 5, retryMaxMs: 200 };
  const t = new WebhookTarget('w', opts);
  for (let n = 0; n < 8; n++) t.enqueue(entry(n));
  assert.deepEqual({ ...t.stats(), failed: 0 }, { name: 'w', type: 'webhook', total: 8, failed: 0, pending: 5, dropped: 3 });
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(t.stats().failed >= 5, 'failed attempts are counted');
  await t.close();
  const again = new WebhookTarget('w', opts);
  assert.equal(again.stats().pending, 5);
  again.enqueue(entry(9));
  assert.equal(again.stats().dropped, 1, 'the limit counts what is on disk');
  await again.close();
  const onDisk = readdirSync(spoolDir).map((f) => readFileSync(join(spoolDir, f), 'utf8')).join('');
  assert.deepEqual([...onDisk.matchAll(/"n":(\d+)/g)].map((m) => Number(m[1])), [0, 1, 2, 3, 4]);
});
