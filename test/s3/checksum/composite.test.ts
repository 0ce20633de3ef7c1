import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GranaryError } from '../../../engine/common/errors.js';
import { checksumOf, type ChecksumAlgorithm } from '../../../engine/s3/checksum/algorithms.js';
import {
  assertChecksumType,
  checksumTypesOf,
  combineCrc,
  compositeChecksum,
  defaultChecksumType,
  fullObjectChecksum,
  multipartChecksum,
  splitPartCount,
} from '../../../engine/s3/checksum/composite.js';
import { randomData, REF_SPECS, refCombine, rng } from './reference.js';

const CRCS = ['CRC32', 'CRC32C', 'CRC64NVME'] as const;
const b64 = (alg: ChecksumAlgorithm, data: Uint8Array) => checksumOf(alg, data).toString('base64');

function refused(fn: () => unknown, code: string, message?: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof GranaryError && e.code === code && (!message || message.test(e.message)), code);
}

/** Cuts `data` into parts at random points (some parts empty). */
function cut(data: Buffer, count: number, r: () => number): Buffer[] {
  const points = Array.from({ length: count - 1 }, () => Math.floor(r() * (data.length + 1))).sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let at = 0;
  for (const p of [...points, data.length]) {
    parts.push(data.subarray(at, p));
    at = p;
  }
  return parts;
}

describe('CRC combine (FULL_OBJECT)', () => {
  it('crc(A ‖ B) from crc(A), crc(B), |B| equals hashing the concatenation', () => {
    const r = rng(3);
    for (const alg of CRCS) {
      for (let trial = 0; trial < 300; trial++) {
        const la = trial < 20 ? trial : Math.floor(r() ** 2 * 5000);
        const lb = trial < 20 ? 19 - trial : Math.floor(r() ** 2 * 5000);
        const a = randomData(la);
        const b = randomData(lb);
        const got = combineCrc(alg, checksumOf(alg, a), checksumOf(alg, b), lb);
        assert.deepEqual(got, checksumOf(alg, Buffer.concat([a, b])), `${alg} |A|=${la} |B|=${lb}`);
      }
    }
  });

  it('every split of inputs of 0..40 bytes, and empty sides', () => {
    const data = randomData(40);
    for (const alg of CRCS) {
      for (let n = 0; n <= 40; n++) {
        const whole = checksumOf(alg, data.subarray(0, n));
        for (let k = 0; k <= n; k++) {
          const got = combineCrc(alg, checksumOf(alg, data.subarray(0, k)), checksumOf(alg, data.subarray(k, n)), n - k);
          assert.deepEqual(got, whole, `${alg} n=${n} k=${k}`);
        }
      }
    }
  });

  it('1 MiB parts', () => {
    const a = randomData((1 << 20) + 5);
    const b = randomData((1 << 20) - 3);
    for (const alg of CRCS) assert.deepEqual(combineCrc(alg, checksumOf(alg, a), checksumOf(alg, b), b.length), checksumOf(alg, Buffer.concat([a, b])), alg);
  });

  it('lengths beyond 2^32 (5 GiB parts, up to 2^50) agree with a BigInt reference', () => {
    const r = rng(11);
    const lengths = [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 5 * 2 ** 30, 5 * 2 ** 30 + 7, 2 ** 40 + 12345, 2 ** 50 - 1];
    for (const alg of CRCS) {
      for (const n of lengths) {
        const a = randomData(8 + Math.floor(r() * 20));
        const b = randomData(8 + Math.floor(r() * 20));
        const ca = checksumOf(alg, a);
        const cb = checksumOf(alg, b);
        assert.deepEqual(combineCrc(alg, ca, cb, n), refCombine(REF_SPECS[alg], ca, cb, BigInt(n)), `${alg} |B|=${n}`);
      }
    }
  });

  it('is associative over large lengths: (A‖B)‖C = A‖(B‖C)', () => {
    for (const alg of CRCS) {
      const [a, b, c] = [randomData(10), randomData(10), randomData(10)].map((d) => checksumOf(alg, d));
      const nb = 3 * 2 ** 33 + 17;
      const nc = 2 ** 35 - 1;
      const left = combineCrc(alg, combineCrc(alg, a, b, nb), c, nc);
      const right = combineCrc(alg, a, combineCrc(alg, b, c, nc), nb + nc);
      assert.deepEqual(left, right, alg);
    }
  });

  it('refuses wrong digest lengths and non-integer lengths', () => {
    const four = Buffer.alloc(4);
    assert.throws(() => combineCrc('CRC64NVME', four, four, 1), RangeError);
    assert.throws(() => combineCrc('CRC32', four, four, -1), RangeError);
    assert.throws(() => combineCrc('CRC32', four, four, 1.5), RangeError);
  });

  it('fullObjectChecksum over random part cuts equals the checksum of the whole object', () => {
    const r = rng(5);
    for (const alg of CRCS) {
      for (let trial = 0; trial < 30; trial++) {
        const data = randomData(Math.floor(r() * 100_000));
        const parts = cut(data, 1 + Math.floor(r() * 12), r);
        const value = fullObjectChecksum(alg, parts.map((p) => ({ value: b64(alg, p), size: p.length })));
        assert.equal(value, b64(alg, data), `${alg} trial ${trial}`);
      }
      assert.equal(fullObjectChecksum(alg, []), b64(alg, new Uint8Array(0)), `${alg} no parts`);
    }
  });

  it('10,000 parts combine quickly', () => {
    const parts = Array.from({ length: 10_000 }, () => ({ value: 'AAAAAAAAAAA=', size: 5 * 2 ** 30 }));
    const t0 = performance.now();
    fullObjectChecksum('CRC64NVME', parts);
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `took ${ms} ms`);
  });
});

describe('composite checksums (COMPOSITE)', () => {
  it('is the base64 checksum of the concatenated raw part digests, then "-N"', () => {
    for (const alg of ['CRC32', 'CRC32C', 'SHA1', 'SHA256'] as const) {
      const parts = [randomData(1000), randomData(5), randomData(0), randomData(70_000)];
      const raw = parts.map((p) => checksumOf(alg, p));
      const want = `${checksumOf(alg, Buffer.concat(raw)).toString('base64')}-4`;
      assert.equal(compositeChecksum(alg, raw.map((d) => d.toString('base64'))), want, alg);
      assert.equal(multipartChecksum(alg, 'COMPOSITE', parts.map((p) => ({ value: b64(alg, p), size: p.length }))), want, alg);
    }
  });

  it('a worked example: CRC32 of the parts "Hello " and "world"', () => {
    // The composite is the CRC32 of the parts' 8 raw digest bytes; the full-object value is CRC32("Hello world").
    const p1 = checksumOf('CRC32', Buffer.from('Hello '));
    const p2 = checksumOf('CRC32', Buffer.from('world'));
    const composite = compositeChecksum('CRC32', [p1.toString('base64'), p2.toString('base64')]);
    assert.match(composite, /^[A-Za-z0-9+/]{6}==-2$/);
    assert.equal(composite, `${checksumOf('CRC32', Buffer.concat([p1, p2])).toString('base64')}-2`);
    // and differs from the full-object value of the same parts
    assert.notEqual(composite.slice(0, -2), multipartChecksum('CRC32', 'FULL_OBJECT', [{ value: p1.toString('base64'), size: 6 }, { value: p2.toString('base64'), size: 5 }]));
    assert.equal(multipartChecksum('CRC32', 'FULL_OBJECT', [{ value: p1.toString('base64'), size: 6 }, { value: p2.toString('base64'), size: 5 }]), 'i9aeUg==');
  });

  it('refuses CRC64NVME, no parts, and malformed part values', () => {
    refused(() => compositeChecksum('CRC64NVME', ['AAAAAAAAAAA=']), 'InvalidRequest', /COMPOSITE checksum type cannot be used with the crc64nvme/);
    refused(() => compositeChecksum('CRC32', []), 'InvalidRequest');
    refused(() => compositeChecksum('CRC32', ['AAAAAAAAAAA=']), 'InvalidArgument');
    refused(() => fullObjectChecksum('CRC32C', [{ value: 'AAAA', size: 1 }]), 'InvalidArgument');
  });
});

describe('checksum types', () => {
  it('which algorithm supports which type, and S3\'s defaults', () => {
    assert.deepEqual(checksumTypesOf('CRC64NVME'), ['FULL_OBJECT']);
    assert.deepEqual(checksumTypesOf('SHA256'), ['COMPOSITE']);
    assert.deepEqual([...checksumTypesOf('CRC32')].sort(), ['COMPOSITE', 'FULL_OBJECT']);
    assert.equal(defaultChecksumType('CRC64NVME'), 'FULL_OBJECT');
    assert.equal(defaultChecksumType('CRC32C'), 'COMPOSITE');
    assert.equal(defaultChecksumType('SHA1'), 'COMPOSITE');
    refused(() => assertChecksumType('SHA1', 'FULL_OBJECT'), 'InvalidRequest', /^The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm\.$/);
    refused(() => multipartChecksum('SHA256', 'FULL_OBJECT', []), 'InvalidRequest');
    assertChecksumType('CRC32', 'FULL_OBJECT');
  });

  it('splitPartCount', () => {
    assert.deepEqual(splitPartCount('i9aeUg==-3'), { value: 'i9aeUg==', parts: 3 });
    assert.deepEqual(splitPartCount('i9aeUg=='), { value: 'i9aeUg==' });
    assert.deepEqual(splitPartCount('i9aeUg==-10000'), { value: 'i9aeUg==', parts: 10000 });
  });
});
