import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import {
  _kernelsForTests as K,
  CHECKSUM_ALGORITHMS,
  checksumOf,
  crc32,
  crc32c,
  crc64nvme,
  createChecksum,
  DIGEST_LENGTH,
  type ChecksumAlgorithm,
} from '../../../engine/s3/checksum/algorithms.js';
import { atOffset, randomData, REF_SPECS, refCrc, rng } from './reference.js';

const ascii = (s: string) => Buffer.from(s, 'latin1');
const hex = (alg: ChecksumAlgorithm, data: Uint8Array) => checksumOf(alg, data).toString('hex');
const b64 = (alg: ChecksumAlgorithm, data: Uint8Array) => checksumOf(alg, data).toString('base64');
const CRCS = ['CRC32', 'CRC32C', 'CRC64NVME'] as const;

function bytes(n: number, f: (i: number) => number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = f(i);
  return b;
}

/** Every algorithm's digest of `data` the slow way. */
function reference(alg: ChecksumAlgorithm, data: Uint8Array): Buffer {
  if (alg === 'SHA1') return createHash('sha1').update(data).digest();
  if (alg === 'SHA256') return createHash('sha256').update(data).digest();
  return refCrc(REF_SPECS[alg], data);
}

describe('checksum algorithms: known answers', () => {
  it('the check value of "123456789" (reveng catalogue; aws-checksums tests)', () => {
    const check = ascii('123456789');
    assert.equal(hex('CRC32', check), 'cbf43926');
    assert.equal(hex('CRC32C', check), 'e3069283');
    assert.equal(hex('CRC64NVME', check), 'ae8b14860a799888');
    assert.equal(hex('SHA1', check), 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
    assert.equal(hex('SHA256', check), '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
  });

  it('the AWS SDK flexible-checksum vectors for "", "abc" and "Hello world" (base64)', () => {
    // aws/aws-sdk-js-v3 packages/middleware-flexible-checksums/src/middleware-flexible-checksums.integ.spec.ts
    const vectors: [string, ChecksumAlgorithm, string][] = [
      ['', 'CRC32', 'AAAAAA=='],
      ['abc', 'CRC32', 'NSRBwg=='],
      ['Hello world', 'CRC32', 'i9aeUg=='],
      ['', 'CRC32C', 'AAAAAA=='],
      ['abc', 'CRC32C', 'Nks/tw=='],
      ['Hello world', 'CRC32C', 'crUfeA=='],
      ['', 'CRC64NVME', 'AAAAAAAAAAA='],
      ['abc', 'CRC64NVME', 'BeXKuz/B+us='],
      ['Hello world', 'CRC64NVME', 'OOJZ0D8xKts='],
      ['', 'SHA1', '2jmj7l5rSw0yVb/vlWAYkK/YBwk='],
      ['abc', 'SHA1', 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0='],
      ['Hello world', 'SHA1', 'e1AsOh9IyGCa4hLN+2Od7jlnP14='],
      ['', 'SHA256', '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='],
      ['abc', 'SHA256', 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='],
      ['Hello world', 'SHA256', 'ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw='],
    ];
    for (const [input, alg, want] of vectors) assert.equal(b64(alg, ascii(input)), want, `${alg}(${JSON.stringify(input)})`);
  });

  it('32 zero bytes and the bytes 0..31 (awslabs/aws-checksums tests)', () => {
    const zeros = Buffer.alloc(32);
    const values = bytes(32, (i) => i);
    assert.equal(hex('CRC32', zeros), '190a55ad');
    assert.equal(hex('CRC32', values), '91267e8a');
    assert.equal(hex('CRC32C', zeros), '8a9136aa');
    assert.equal(hex('CRC32C', values), '46dd794e');
    assert.equal(hex('CRC64NVME', zeros), 'cf3473434d4ecf3b');
    assert.equal(hex('CRC64NVME', values), 'b9d9d4a8492cbd7f');
  });

  it('CRC32C: the iSCSI vectors of RFC 3720 B.4', () => {
    assert.equal(hex('CRC32C', Buffer.alloc(32)), '8a9136aa');
    assert.equal(hex('CRC32C', Buffer.alloc(32, 0xff)), '62a8ab43');
    assert.equal(hex('CRC32C', bytes(32, (i) => i)), '46dd794e');
    assert.equal(hex('CRC32C', bytes(32, (i) => 31 - i)), '113fdb5c');
  });

  it('CRC64NVME: the 4 KiB test cases of the NVM Command Set spec (5.2.1.3.5) and aws-c-s3\'s "aaaaaaaaaa"', () => {
    assert.equal(hex('CRC64NVME', Buffer.alloc(4096)), '6482d367eb22b64e');
    assert.equal(hex('CRC64NVME', Buffer.alloc(4096, 0xff)), 'c0ddba7302eca3ac');
    assert.equal(hex('CRC64NVME', bytes(4096, (i) => i & 0xff)), '3e729f5f6750449c');
    assert.equal(hex('CRC64NVME', bytes(4096, (i) => 0xff - (i & 0xff))), '9a2df64b8e9e517e');
    assert.equal(hex('CRC64NVME', ascii('aaaaaaaaaa')), '0c1a80036d65c555');
    const c = createChecksum('CRC64NVME');
    for (let i = 0; i < 5; i++) c.update(ascii('aa'));
    assert.equal(c.digest().toString('hex'), '0c1a80036d65c555');
  });

  it('digests have S3\'s lengths', () => {
    for (const alg of CHECKSUM_ALGORITHMS) assert.equal(checksumOf(alg, ascii('x')).length, DIGEST_LENGTH[alg], alg);
  });
});

describe('checksum algorithms: against bit-at-a-time references', () => {
  it('random data of every length 0..300 and some larger, at every alignment', () => {
    const r = rng(1);
    const lengths = [...Array.from({ length: 301 }, (_, i) => i), 1000, 1023, 4097, 65_539];
    for (const n of lengths) {
      const data = randomData(n);
      const off = Math.floor(r() * 8);
      const view = atOffset(data, off);
      for (const alg of CRCS) assert.equal(checksumOf(alg, view).toString('hex'), refCrc(REF_SPECS[alg], data).toString('hex'), `${alg} n=${n} offset=${off}`);
    }
  });

  it('word and byte kernels agree at every offset 0..7 and length 0..200 (the byte path is what big-endian hosts run)', () => {
    const data = randomData(256);
    for (let off = 0; off < 8; off++) {
      for (let n = 0; n <= 200; n++) {
        const v = atOffset(data.subarray(0, n), off);
        assert.equal(K.crc32cWords(-1, v), K.crc32cBytes(-1, v), `crc32c off=${off} n=${n}`);
        assert.equal(K.crc32Words(-1, v), K.crc32Bytes(-1, v), `crc32 off=${off} n=${n}`);
        const w = { hi: -1, lo: -1 };
        const b = { hi: -1, lo: -1 };
        K.crc64Words(w, v);
        K.crc64Bytes(b, v);
        assert.deepEqual(w, b, `crc64 off=${off} n=${n}`);
      }
    }
  });

  it('the table CRC32 (used before Node 20.15) equals zlib\'s', () => {
    const data = randomData(70_001);
    for (const n of [0, 1, 7, 63, 64, 65, 1000, 70_001]) {
      const v = data.subarray(0, n);
      assert.equal(~K.crc32Words(-1, v) >>> 0, zlib.crc32(v), `words n=${n}`);
      assert.equal(~K.crc32Bytes(-1, v) >>> 0, zlib.crc32(v), `bytes n=${n}`);
    }
  });

  it('SHA1 and SHA256 are node:crypto\'s', () => {
    const data = randomData(10_000);
    for (const alg of ['SHA1', 'SHA256'] as const) assert.deepEqual(checksumOf(alg, data), reference(alg, data));
  });
});

describe('checksum algorithms: incremental', () => {
  it('every split point of inputs of 0..80 bytes gives the one-shot digest', () => {
    const data = randomData(80);
    for (const alg of CHECKSUM_ALGORITHMS) {
      for (let n = 0; n <= 80; n++) {
        const whole = checksumOf(alg, data.subarray(0, n));
        for (let k = 0; k <= n; k++) {
          const c = createChecksum(alg);
          c.update(data.subarray(0, k));
          c.update(data.subarray(k, n));
          assert.deepEqual(c.digest(), whole, `${alg} n=${n} split=${k}`);
        }
      }
    }
  });

  it('every pair of split points of inputs of 0..24 bytes', () => {
    const data = randomData(24);
    for (const alg of CHECKSUM_ALGORITHMS) {
      for (let n = 0; n <= 24; n++) {
        const whole = reference(alg, data.subarray(0, n));
        for (let i = 0; i <= n; i++) {
          for (let j = i; j <= n; j++) {
            const c = createChecksum(alg);
            c.update(data.subarray(0, i));
            c.update(data.subarray(i, j));
            c.update(data.subarray(j, n));
            assert.deepEqual(c.digest(), whole, `${alg} n=${n} splits=${i},${j}`);
          }
        }
      }
    }
  });

  it('random chunkings of 1 MiB + 3 bytes, at random alignments', () => {
    const data = randomData((1 << 20) + 3);
    const r = rng(7);
    for (const alg of CHECKSUM_ALGORITHMS) {
      const whole = alg === 'SHA1' || alg === 'SHA256' ? reference(alg, data) : checksumOf(alg, data);
      for (let trial = 0; trial < 3; trial++) {
        const c = createChecksum(alg);
        for (let at = 0; at < data.length;) {
          const len = Math.min(data.length - at, Math.floor(r() ** 3 * 70_000));
          c.update(atOffset(data.subarray(at, at + len), Math.floor(r() * 4)));
          at += len;
        }
        assert.deepEqual(c.digest(), whole, `${alg} trial ${trial}`);
      }
    }
    // The 1 MiB one-shot CRCs against the references (bit-at-a-time BigInt is slow: 64 KiB of it).
    const slice = data.subarray(0, 65_536 + 5);
    for (const alg of CRCS) assert.deepEqual(checksumOf(alg, slice), refCrc(REF_SPECS[alg], slice), alg);
  });

  it('empty input: CRCs are 0, SHAs the empty-string digests', () => {
    for (const alg of CHECKSUM_ALGORITHMS) {
      const c = createChecksum(alg);
      c.update(new Uint8Array(0));
      assert.deepEqual(c.digest(), reference(alg, new Uint8Array(0)), alg);
    }
    assert.equal(createChecksum('CRC64NVME').digest().toString('hex'), '0000000000000000');
  });

  it('digest() may be called twice; a CRC may go on after it', () => {
    for (const alg of CHECKSUM_ALGORITHMS) {
      const c = createChecksum(alg);
      c.update(ascii('Hello '));
      assert.deepEqual(c.digest(), c.digest(), alg);
    }
    for (const alg of CRCS) {
      const c = createChecksum(alg);
      c.update(ascii('Hello '));
      c.digest();
      c.update(ascii('world'));
      assert.equal(c.digest().toString('base64'), b64(alg, ascii('Hello world')), alg);
    }
  });

  it('zlib-style functions chain through `previous`', () => {
    const a = ascii('Hello ');
    const b = ascii('world');
    assert.equal(crc32c(b, crc32c(a)), 0x72b51f78);
    assert.equal(crc32(b, crc32(a)), zlib.crc32(ascii('Hello world')));
    assert.equal(crc64nvme(b, crc64nvme(a)), 0x38e259d03f312adbn);
    assert.equal(crc64nvme(ascii('123456789')), 0xae8b14860a799888n);
    assert.equal(crc32c(new Uint8Array(0), 0x12345678), 0x12345678);
    assert.equal(crc64nvme(new Uint8Array(0), 0xfedcba9876543210n), 0xfedcba9876543210n);
  });
});
