import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachmentDisposition } from '../../engine/console/content-disposition.js';
import { storageSummary } from '../../engine/console/storage-summary.js';

test('usable capacity counts online drives after parity; the worst set names the state', () => {
  const GiB = 1024 ** 3;
  const s = storageSummary(
    {
      deploymentId: 'dep',
      sets: [
        {
          k: 2,
          m: 2,
          state: 'degraded',
          drives: [
            { path: '/d1', state: 'online', totalBytes: 100 * GiB, freeBytes: 40 * GiB },
            { path: '/d2', state: 'online', totalBytes: 100 * GiB, freeBytes: 40 * GiB },
            { path: '/d3', state: 'online', totalBytes: 100 * GiB, freeBytes: 40 * GiB },
            { path: '/d4', state: 'offline' },
          ],
        },
        { k: 3, m: 1, state: 'healthy', drives: [1, 2, 3, 4].map((i) => ({ path: `/e${i}`, state: 'online' as const, totalBytes: 10 * GiB, freeBytes: 10 * GiB })) },
      ],
    },
    new Date('2026-01-02T03:04:05Z'),
  );
  assert.equal(s.state, 'degraded');
  assert.equal(s.drivesOnline, 7);
  assert.equal(s.drivesTotal, 8);
  assert.equal(s.rawBytes, 340 * GiB);
  assert.equal(s.rawFreeBytes, 160 * GiB);
  assert.equal(s.usableBytes, 150 * GiB + 30 * GiB);
  assert.equal(s.usableFreeBytes, 60 * GiB + 30 * GiB);
  assert.equal(s.measuredAt, '2026-01-02T03:04:05.000Z');
  assert.deepEqual(s.sets[0].drives[3], { path: '/d4', state: 'offline' });
  assert.equal(storageSummary({ deploymentId: 'x', sets: [{ k: 2, m: 2, state: 'offline', drives: [] }, { k: 2, m: 2, state: 'read-only', drives: [] }] }).state, 'offline');
});

test('downloads are attachments named by the key\'s last segment, safe in both filename forms', () => {
  assert.equal(attachmentDisposition('a/b/report.pdf'), `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
  assert.equal(attachmentDisposition('dir/'), `attachment; filename="dir"; filename*=UTF-8''dir`);
  const hostile = attachmentDisposition('x/"quoted";\\ wörld%\r\n.txt');
  assert.doesNotMatch(hostile, /[\r\n]/);
  assert.equal(hostile, `attachment; filename="_quoted___ w_rld___.txt"; filename*=UTF-8''%22quoted%22%3B%5C%20w%C3%B6rld%25%0D%0A.txt`);
  assert.equal(attachmentDisposition("it's (1)*.txt"), `attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`);
});

test('drive folders on one disk count its bytes once; two disks count each once and name the shared ones', () => {
  const GiB = 1024 ** 3;
  const s = storageSummary({
    deploymentId: 'dep',
    sets: [
      {
        k: 2,
        m: 2,
        state: 'degraded',
        drives: [
          { path: '/a/1', state: 'online', totalBytes: 100 * GiB, freeBytes: 60 * GiB, device: 7 },
          { path: '/a/2', state: 'online', totalBytes: 100 * GiB, freeBytes: 60 * GiB, device: 7 },
          { path: '/b/1', state: 'online', totalBytes: 40 * GiB, freeBytes: 20 * GiB, device: 9 },
          // An offline drive on disk 7 does not take a share of it.
          { path: '/a/3', state: 'offline' },
        ],
      },
    ],
  });
  assert.equal(s.disks, 2);
  assert.deepEqual(s.sharedDisks, [{ drives: ['/a/1', '/a/2'] }]);
  assert.equal(s.rawBytes, 140 * GiB);
  assert.equal(s.rawFreeBytes, 80 * GiB);
  assert.equal(s.usableBytes, 70 * GiB);
  assert.equal(s.usableFreeBytes, 40 * GiB);
  // Drives on disks of their own, or whose device is unknown, each count fully.
  const apart = storageSummary({ deploymentId: 'x', sets: [{ k: 1, m: 1, state: 'healthy', drives: [
    { path: '/x', state: 'online', totalBytes: 10, freeBytes: 4, device: 1 },
    { path: '/y', state: 'online', totalBytes: 10, freeBytes: 4 },
  ] }] });
  assert.equal(apart.disks, 2);
  assert.deepEqual(apart.sharedDisks, []);
  assert.equal(apart.rawBytes, 20);
});
