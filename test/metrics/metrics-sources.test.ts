import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RequestRecord } from '../../engine/common/request-record.js';
import { GranaryMetrics } from '../../engine/metrics/granary-metrics.js';
import type { AuditDelivery } from '../../engine/metrics/audit-metrics.js';
import { parsePrometheusText, valueOf } from '../helpers/prom-text.js';
import { chunksOf, openLayer, readAll, seededBytes, tempDrives } from '../helpers/drives.js';

const storage = { storageInfo: async () => ({ deploymentId: 'x', sets: [{ k: 1, m: 1, state: 'degraded' as const, drives: [{ path: '/a', state: 'online' as const, totalBytes: 100, freeBytes: 40 }, { path: null, state: 'offline' as const }] }] }), healQueueLength: 3, bitrotErrors: 2 };

function record(fields: Partial<RequestRecord>): RequestRecord {
  return { time: new Date(), api: 's3', operation: 'GetObject', requestId: 'r', status: 200, durationMs: 5, bytesIn: 10, bytesOut: 20, remoteAddress: '127.0.0.1', ...fields };
}

describe('metrics: sources', () => {
  it('mirrors storage, heal queue, bitrot and audit delivery at scrape time', async () => {
    const targets: AuditDelivery[] = [{ name: 'hook', type: 'webhook', total: 10, failed: 4, pending: 2, dropped: 1 }];
    const m = new GranaryMetrics({ storage, auditTargets: () => targets });
    let f = parsePrometheusText((await m.exposition()).text);
    assert.equal(valueOf(f, 'granary_drives_online', 'granary_drives_online'), 1);
    assert.equal(valueOf(f, 'granary_drives_offline', 'granary_drives_offline'), 1);
    assert.equal(valueOf(f, 'granary_drive_online', 'granary_drive_online', { drive: 'slot 2' }), 0);
    assert.equal(valueOf(f, 'granary_drive_free_bytes', 'granary_drive_free_bytes', { set: '1', drive: '/a' }), 40);
    assert.equal(valueOf(f, 'granary_heal_queue_length', 'granary_heal_queue_length'), 3);
    assert.equal(valueOf(f, 'granary_bitrot_errors_total', 'granary_bitrot_errors_total'), 2);
    assert.equal(valueOf(f, 'granary_audit_failed_total', 'granary_audit_failed_total', { target: 'hook', type: 'webhook' }), 4);
    assert.equal(valueOf(f, 'granary_audit_pending', 'granary_audit_pending', { target: 'hook' }), 2);
    // Counts move on; a removed target's series go away.
    targets[0] = { ...targets[0], total: 12, failed: 5 };
    f = parsePrometheusText((await m.exposition()).text);
    assert.equal(valueOf(f, 'granary_audit_entries_total', 'granary_audit_entries_total', { target: 'hook' }), 12);
    targets.length = 0;
    f = parsePrometheusText((await m.exposition()).text);
    assert.equal(valueOf(f, 'granary_audit_entries_total', 'granary_audit_entries_total', { target: 'hook' }), undefined);
  });

  it('caps the distinct operation labels of an API, so raw paths cannot grow the exposition', async () => {
    const m = new GranaryMetrics({ storage });
    for (let i = 0; i < 500; i++) m.observe(record({ api: 'admin', operation: `GET junk/${i}`, status: 501 }));
    m.observe(record({ operation: 'PutObject' }));
    const f = parsePrometheusText((await m.exposition()).text);
    const admin = f.get('granary_requests_total')!.samples.filter((s) => s.labels.api === 'admin');
    assert.equal(admin.length, 201);
    assert.equal(valueOf(f, 'granary_requests_total', 'granary_requests_total', { api: 'admin', operation: 'Other' }), 300);
    assert.equal(valueOf(f, 'granary_requests_total', 'granary_requests_total', { api: 's3', operation: 'PutObject', status: '200' }), 1);
  });

  it('counts a corrupt frame found by a read once (the heal that follows does not count it again)', async () => {
    const t = tempDrives(4);
    const layer = await openLayer(t.drives, 2);
    try {
      await layer.makeBucket('bkt');
      const data = seededBytes(700_000, 5);
      await layer.putObject('bkt', 'obj', chunksOf(data));
      const { record: rec } = await layer.sets[0].resolveOffThread('bkt', 'obj');
      // Damage the shard of a data slot (slot holding shard 0), so the read must meet it.
      const slot = rec.erasure.distribution.indexOf(0);
      const file = join(t.drives[slot], 'data', rec.dataDir!.slice(0, 2), rec.dataDir!, 'part.1');
      const bytes = readFileSync(file);
      bytes[100] ^= 0xff;
      writeFileSync(file, bytes);
      assert.equal(layer.bitrotErrors, 0);
      assert.deepEqual(await readAll((await layer.getObject('bkt', 'obj')).body), data);
      await layer.healIdle();
      assert.equal(layer.bitrotErrors, 1);
      assert.equal(layer.healQueueLength, 0);
      assert.deepEqual(await readAll((await layer.getObject('bkt', 'obj')).body), data);
      assert.equal(layer.bitrotErrors, 1);
    } finally {
      await layer.close();
      t.cleanup();
    }
  });
});

describe('metrics: the strict text parser refuses what Prometheus would', () => {
  for (const [what, text] of [
    ['no final newline', 'a 1'],
    ['bad value', 'a one\n'],
    ['bad label escape', 'a{x="\\q"} 1\n'],
    ['split family', 'a 1\nb 1\na{x="1"} 2\n'],
    ['repeated series', 'a{x="1"} 1\na{x="1"} 2\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['histogram not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
  ] as const) {
    it(what, () => assert.throws(() => parsePrometheusText(text)));
  }
  it('accepts a valid one', () => {
    const f = parsePrometheusText('# HELP h Hist\\nogram.\n# TYPE h histogram\nh_bucket{le="1",a="q\\"x"} 1\nh_bucket{le="+Inf",a="q\\"x"} 2\nh_sum{a="q\\"x"} 3.5e0\nh_count{a="q\\"x"} 2\n');
    assert.equal(f.get('h')!.help, 'Hist\nogram.');
    assert.equal(valueOf(f, 'h', 'h_count', { a: 'q"x' }), 2);
  });
});
