import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestRecord } from '../../engine/common/request-record.js';
import { trafficClass, TrafficWindow } from '../../engine/metrics/traffic-window.js';

function record(time: number, operation: string, status = 200, api: RequestRecord['api'] = 's3'): RequestRecord {
  return { time: new Date(time), api, operation, requestId: 'r', status, durationMs: 1, bytesIn: 10, bytesOut: 100, remoteAddress: '127.0.0.1' };
}

test('operations fall into coarse classes', () => {
  assert.deepEqual(
    ['GetObject', 'HeadObject', 'PutObject', 'UploadPart', 'CreateBucket', 'CopyObject', 'CompleteMultipartUpload', 'ListObjectsV2', 'ListBuckets', 'DeleteObject', 'DeleteObjects', 'AbortMultipartUpload', 'Unknown'].map(trafficClass),
    ['GET', 'GET', 'PUT', 'PUT', 'PUT', 'PUT', 'PUT', 'LIST', 'LIST', 'DELETE', 'DELETE', 'other', 'other'],
  );
});

test('the window keeps 60 minutes, counts only S3, and forgets what falls out', () => {
  const t0 = Date.parse('2026-01-01T10:00:30Z');
  let now = t0;
  const w = new TrafficWindow(() => now);
  w.observe(record(t0, 'GetObject'));
  w.observe(record(t0, 'PutObject', 503));
  w.observe(record(t0, 'ListUsers', 200, 'iam'));
  now = t0 + 5 * 60_000;
  w.observe(record(now, 'DeleteObject', 404));
  let s = w.summary();
  assert.equal(s.minutes.length, 60);
  assert.equal(s.minutes[59].start, '2026-01-01T10:05:00.000Z');
  assert.equal(s.minutes[54].start, '2026-01-01T10:00:00.000Z');
  assert.deepEqual(s.total, { requests: 3, errors: 2, bytesIn: 30, bytesOut: 300 });
  assert.deepEqual(s.minutes[54].byClass.PUT, { requests: 1, errors: 1, bytesIn: 10, bytesOut: 100 });
  assert.equal(s.totalByClass.DELETE.errors, 1);
  // A record from before the window (a slow request reported late) or from the future is not counted.
  w.observe(record(now - 60 * 60_000, 'GetObject'));
  w.observe(record(now + 60_000, 'GetObject'));
  assert.equal(w.summary().total.requests, 3);
  now = t0 + 60 * 60_000;
  s = w.summary();
  assert.deepEqual(s.total, { requests: 1, errors: 1, bytesIn: 10, bytesOut: 100 }, 'the 10:00 minute has fallen out');
  now = t0 + 66 * 60_000;
  assert.equal(w.summary().total.requests, 0);
});
