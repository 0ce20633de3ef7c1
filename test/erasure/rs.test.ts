import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gf from '../../engine/erasure/rs/gf256.js';
import { encodingMatrix, identity, invert, matrix, multiply, selectRows } from '../../engine/erasure/rs/matrix.js';
import { ScalarReedSolomon, mulMatrix } from '../../engine/erasure/rs/scalar.js';
import { reedSolomon, type ReedSolomon } from '../../engine/erasure/rs/codec.js';
import { alignUp, getKernel } from '../../engine/erasure/rs/kernel.js';
import { mulberry32 } from '../helpers/prng.js';

/** Seeded PRNG (mulberry32) so failures reproduce: RS_TEST_SEED=<n> to vary. */
const SEED = Number(process.env.RS_TEST_SEED ?? 0x5eed1e55) >>> 0;
const rand = mulberry32(SEED);
const randInt = (n: number) => Math.floor(rand() * n);
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = randInt(256);
  return out;
}
const ctx = (s: string) => `${s} (seed ${SEED})`;

/** Independent GF(2^8) product: shift-and-add, reduced by 0x11d. */
function slowMul(a: number, b: number): number {
  let p = 0;
  while (b) {
    if (b & 1) p ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11d;
    b >>= 1;
  }
  return p;
}

/** Every subset of {0..n-1} with 1..maxSize elements. */
function* subsets(n: number, maxSize: number): Generator<number[]> {
  function* rec(start: number, acc: number[]): Generator<number[]> {
    if (acc.length > 0) yield acc.slice();
    if (acc.length === maxSize) return;
    for (let i = start; i < n; i++) {
      acc.push(i);
      yield* rec(i + 1, acc);
      acc.pop();
    }
  }
  yield* rec(0, []);
}

function randomSubset(n: number, size: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randInt(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, size).sort((a, b) => a - b);
}

const GEOMETRIES: [number, number][] = [[1, 1], [2, 1], [2, 2], [3, 1], [4, 2], [5, 3], [6, 2], [8, 4], [12, 4], [16, 8]];
const SIZES = [0, 1, 15, 16, 17, 31, 64, 1000, 4096 + 3, 262144];

describe('gf256', () => {
  it('exp/log tables: 2 generates the multiplicative group', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 255; i++) seen.add(gf.EXP[i]);
    assert.equal(seen.size, 255);
    assert.ok(!seen.has(0));
    for (let a = 1; a < 256; a++) assert.equal(gf.EXP[gf.LOG[a]], a);
    for (let i = 0; i < 255; i++) assert.equal(gf.EXP[i + 255], gf.EXP[i]);
  });

  it('mul agrees with shift-and-add over all 65536 pairs; MUL_TABLE too', () => {
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const p = slowMul(a, b);
        if (gf.mul(a, b) !== p) assert.fail(`mul(${a}, ${b}) = ${gf.mul(a, b)}, want ${p}`);
        if (gf.MUL_TABLE[(a << 8) | b] !== p) assert.fail(`MUL_TABLE[${a}][${b}] wrong`);
      }
    }
  });

  it('div and inv undo mul', () => {
    for (let a = 0; a < 256; a++) {
      for (let b = 1; b < 256; b++) {
        if (gf.div(gf.mul(a, b), b) !== a) assert.fail(`div(mul(${a}, ${b}), ${b}) != ${a}`);
      }
      if (a > 0) {
        assert.equal(gf.mul(a, gf.inv(a)), 1);
        assert.equal(gf.div(1, a), gf.inv(a));
      }
    }
    assert.throws(() => gf.div(1, 0), RangeError);
    assert.throws(() => gf.inv(0), RangeError);
  });

  it('field axioms on random triples', () => {
    for (let n = 0; n < 20000; n++) {
      const a = randInt(256), b = randInt(256), c = randInt(256);
      const m = ctx(`a=${a} b=${b} c=${c}`);
      assert.equal(gf.mul(a, b ^ c), gf.mul(a, b) ^ gf.mul(a, c), m); // distributivity
      assert.equal(gf.mul(a, gf.mul(b, c)), gf.mul(gf.mul(a, b), c), m); // associativity
      assert.equal(gf.mul(a, b), gf.mul(b, a), m); // commutativity
      assert.equal(gf.mul(a, 1), a, m);
      assert.equal(gf.mul(a, 0), 0, m);
    }
  });

  it('pow', () => {
    assert.equal(gf.pow(0, 0), 1);
    assert.equal(gf.pow(0, 3), 0);
    for (let a = 0; a < 256; a++) {
      let p = 1;
      for (let n = 0; n < 20; n++) {
        assert.equal(gf.pow(a, n), p);
        p = gf.mul(p, a);
      }
    }
  });

  it('split-nibble tables reproduce every product', () => {
    const t = new Uint8Array(32);
    for (let c = 0; c < 256; c++) {
      gf.nibbleTables(c, t);
      for (let x = 0; x < 256; x++) {
        if ((t[x & 15] ^ t[16 + (x >> 4)]) !== gf.mul(c, x)) assert.fail(`nibble tables of ${c} wrong at ${x}`);
      }
    }
  });
});

describe('matrix', () => {
  it('inverts random invertible matrices; rejects singular ones', () => {
    for (let n = 1; n <= 12; n++) {
      for (let trial = 0; trial < 5; trial++) {
        const m = matrix(n, n, randomBytes(n * n));
        let inv;
        try {
          inv = invert(m);
        } catch {
          continue; // random matrix happened to be singular
        }
        assert.deepEqual(multiply(m, inv).data, identity(n).data, ctx(`n=${n}`));
        assert.deepEqual(multiply(inv, m).data, identity(n).data, ctx(`n=${n}`));
      }
    }
    const singular = matrix(3, 3, Uint8Array.from([1, 2, 3, 2, 4, 6, 7, 8, 9])); // row 1 = 2 · row 0
    assert.throws(() => invert(singular), /singular/);
  });

  it('the encoding matrix is systematic and every k rows are invertible (MDS)', () => {
    for (const [k, m] of [[1, 1], [2, 2], [3, 3], [4, 2], [4, 4], [5, 3], [6, 4], [8, 4]] as [number, number][]) {
      const enc = encodingMatrix(k, m);
      assert.deepEqual(enc.data.subarray(0, k * k), identity(k).data);
      for (const rows of subsets(k + m, k)) {
        if (rows.length !== k) continue;
        assert.doesNotThrow(() => invert(selectRows(enc, rows)), `${k}+${m} rows ${rows}`);
      }
    }
  });

  it('rejects impossible geometries', () => {
    assert.throws(() => encodingMatrix(0, 1), RangeError);
    assert.throws(() => encodingMatrix(1, 0), RangeError);
    assert.throws(() => encodingMatrix(200, 57), RangeError);
    assert.doesNotThrow(() => encodingMatrix(200, 56));
  });
});

describe('Reed-Solomon codec', () => {
  it('matches the klauspost/reedsolomon and Backblaze test vector (5+5)', () => {
    const data = [[0, 1], [4, 5], [2, 3], [6, 7], [8, 9]];
    const want = [[12, 13], [10, 11], [14, 15], [90, 91], [94, 95]];
    const shards = [...data, [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]].map((a) => Uint8Array.from(a));
    new ScalarReedSolomon(5, 5).encode(shards);
    assert.deepEqual(shards.slice(5).map((s) => [...s]), want);
    const stripe = reedSolomon(5, 5).allocStripe(2);
    data.forEach((d, i) => stripe.shards[i].set(d));
    stripe.encode();
    assert.deepEqual(stripe.shards.slice(5).map((s) => [...s]), want);
    stripe.free();
  });

  it('wasm encode equals the scalar reference for every geometry and size', () => {
    for (const [k, m] of GEOMETRIES) {
      const rs = reedSolomon(k, m);
      const scalar = new ScalarReedSolomon(k, m);
      for (const size of SIZES) {
        const stripe = rs.allocStripe(size);
        const ref = Array.from({ length: k + m }, (_, i) => (i < k ? randomBytes(size) : new Uint8Array(size)));
        // Leave garbage in the parity views: encode must overwrite, not accumulate.
        const views = stripe.shards;
        views.forEach((v, i) => v.set(i < k ? ref[i] : randomBytes(size)));
        stripe.encode();
        scalar.encode(ref, size);
        const out = stripe.shards;
        for (let i = 0; i < k + m; i++) {
          assert.ok(Buffer.from(out[i]).equals(Buffer.from(ref[i])), ctx(`${k}+${m} size ${size}: shard ${i} differs`));
        }
        stripe.free();
      }
    }
  });

  it('the kernel multiplies random coefficient matrices of every shape like the scalar code', () => {
    // Encoding matrices have structure (a column of ones, symmetric rows), so
    // also drive the kernel directly with random coefficients: every input
    // group size (1-4) and row pairing, both the first pass and accumulation.
    const kernel = getKernel();
    for (let nIn = 1; nIn <= 10; nIn++) {
      for (let nOut = 1; nOut <= 5; nOut++) {
        for (const size of [1, 16, 33, 40000]) {
          const stride = alignUp(size);
          const base = kernel.alloc(stride * (nIn + nOut));
          const ptrs = Array.from({ length: nIn + nOut }, (_, i) => base + i * stride);
          const inputs = Array.from({ length: nIn }, () => randomBytes(size));
          const coeffs = matrix(nOut, nIn, randomBytes(nIn * nOut));
          const mem = kernel.bytes();
          inputs.forEach((d, i) => mem.set(d, ptrs[i]));
          for (let j = 0; j < nOut; j++) mem.set(randomBytes(size), ptrs[nIn + j]);
          kernel.mulMatrix(coeffs.data, ptrs.slice(0, nIn), ptrs.slice(nIn), size);
          const want = Array.from({ length: nOut }, () => new Uint8Array(size));
          mulMatrix(coeffs, inputs, want, size);
          const got = kernel.bytes();
          for (let j = 0; j < nOut; j++) {
            const out = got.subarray(ptrs[nIn + j], ptrs[nIn + j] + size);
            assert.ok(Buffer.from(out).equals(Buffer.from(want[j])), ctx(`${nIn} in, ${nOut} out, size ${size}: row ${j}`));
          }
          kernel.free(base, stride * (nIn + nOut));
        }
      }
    }
  });

  it('encode(len) covers the first len bytes', () => {
    const [k, m] = [6, 3];
    const scalar = new ScalarReedSolomon(k, m);
    const stripe = reedSolomon(k, m).allocStripe(5000);
    for (const len of [0, 1, 17, 4096, 4999, 5000]) {
      const ref = Array.from({ length: k + m }, (_, i) => (i < k ? randomBytes(len) : new Uint8Array(len)));
      const views = stripe.shards;
      for (let i = 0; i < k; i++) views[i].set(ref[i]);
      stripe.encode(len);
      scalar.encode(ref, len);
      for (let i = k; i < k + m; i++) {
        assert.ok(Buffer.from(stripe.shards[i].subarray(0, len)).equals(Buffer.from(ref[i])), ctx(`len ${len} shard ${i}`));
      }
    }
    assert.throws(() => stripe.encode(5001), RangeError);
    stripe.free();
  });

  /** Encodes random data, erases `lost`, reconstructs, and checks every shard. */
  function checkRecovery(rs: ReedSolomon, size: number, lost: readonly number[], scalar?: ScalarReedSolomon): void {
    const k = rs.dataShards;
    const n = k + rs.parityShards;
    const stripe = rs.allocStripe(size);
    try {
      let views = stripe.shards;
      for (let i = 0; i < k; i++) views[i].set(randomBytes(size));
      stripe.encode();
      const original = stripe.shards.map((v) => Uint8Array.from(v));
      const present = Array.from({ length: n }, (_, i) => !lost.includes(i));
      views = stripe.shards;
      for (const i of lost) views[i].set(randomBytes(size)); // garbage where the lost shards were
      stripe.reconstruct(present);
      views = stripe.shards;
      for (let i = 0; i < n; i++) {
        assert.ok(Buffer.from(views[i]).equals(Buffer.from(original[i])), ctx(`${k}+${n - k} size ${size} lost [${lost}]: shard ${i} wrong`));
      }
      if (scalar) {
        const copy = original.map((s, i) => (present[i] ? Uint8Array.from(s) : new Uint8Array(size)));
        scalar.reconstruct(copy, present);
        for (const i of lost) assert.ok(Buffer.from(copy[i]).equals(Buffer.from(original[i])), ctx(`scalar ${k}+${n - k} lost [${lost}]`));
      }
    } finally {
      stripe.free();
    }
  }

  it('reconstructs every pattern of up to m lost shards (small geometries)', () => {
    for (const [k, m] of GEOMETRIES) {
      if (k + m > 12) continue;
      const rs = reedSolomon(k, m);
      const scalar = new ScalarReedSolomon(k, m);
      for (const lost of subsets(k + m, m)) checkRecovery(rs, 37, lost, scalar);
    }
  });

  it('reconstructs random patterns of up to m lost shards (large geometries)', () => {
    for (const [k, m] of GEOMETRIES) {
      if (k + m <= 12) continue;
      const rs = reedSolomon(k, m);
      const scalar = new ScalarReedSolomon(k, m);
      // More patterns than the plan cache holds, so eviction is exercised too.
      for (let t = 0; t < 300; t++) checkRecovery(rs, 37, randomSubset(k + m, 1 + randInt(m)), t % 10 === 0 ? scalar : undefined);
    }
  });

  it('reconstructs at awkward and large sizes', () => {
    for (const [k, m] of GEOMETRIES) {
      const rs = reedSolomon(k, m);
      for (const size of [0, 1, 15, 17, 4096 + 3, 262144]) {
        checkRecovery(rs, size, randomSubset(k + m, m));
        checkRecovery(rs, size, randomSubset(k + m, 1));
      }
    }
  });

  it('rebuilds only the lost shards asked for, and leaves the others as they were', () => {
    for (const [k, m] of GEOMETRIES) {
      const rs = reedSolomon(k, m);
      const stripe = rs.allocStripe(1000);
      try {
        for (let t = 0; t < 20; t++) {
          let views = stripe.shards;
          for (let i = 0; i < k; i++) views[i].set(randomBytes(1000));
          stripe.encode();
          const original = stripe.shards.map((v) => Uint8Array.from(v));
          const lost = randomSubset(k + m, 1 + randInt(m));
          const only = lost.filter((_, j) => j === 0 || Math.random() < 0.5);
          views = stripe.shards;
          const garbage = lost.map(() => randomBytes(1000));
          lost.forEach((i, j) => views[i].set(garbage[j]));
          stripe.reconstruct(Array.from({ length: k + m }, (_, i) => !lost.includes(i)), 1000, only);
          views = stripe.shards;
          lost.forEach((i, j) => {
            const expected = only.includes(i) ? original[i] : garbage[j];
            assert.ok(Buffer.from(views[i]).equals(Buffer.from(expected)), ctx(`${k}+${m} lost [${lost}] only [${only}]: shard ${i}`));
          });
        }
      } finally {
        stripe.free();
      }
    }
  });

  it('throws when fewer than k shards are present', () => {
    for (const [k, m] of [[1, 1], [4, 2], [8, 4], [16, 8]] as [number, number][]) {
      const stripe = reedSolomon(k, m).allocStripe(100);
      for (let t = 0; t < 5; t++) {
        const lost = randomSubset(k + m, m + 1 + randInt(k));
        const present = Array.from({ length: k + m }, (_, i) => !lost.includes(i));
        assert.throws(() => stripe.reconstruct(present), /cannot reconstruct/, ctx(`${k}+${m} lost [${lost}]`));
      }
      assert.throws(() => stripe.reconstruct(new Array(k + m - 1).fill(true)), RangeError);
      stripe.reconstruct(new Array(k + m).fill(true)); // nothing missing: a no-op
      stripe.free();
    }
  });

  it('handles zero-length shards', () => {
    const stripe = reedSolomon(4, 2).allocStripe(0);
    assert.equal(stripe.shards.length, 6);
    for (const v of stripe.shards) assert.equal(v.length, 0);
    stripe.encode();
    stripe.reconstruct([false, true, true, false, true, true]);
    assert.throws(() => stripe.reconstruct([false, false, true, false, true, true]), /cannot reconstruct/);
    stripe.free();
  });

  it('stripes are 64-byte aligned, reused after free, and survive memory growth', () => {
    const rs = reedSolomon(4, 2);
    const a = rs.allocStripe(1000);
    for (const v of a.shards) assert.equal(v.byteOffset % 64, 0);
    const data = a.shards.map((_, i) => (i < 4 ? randomBytes(1000) : null));
    a.shards.forEach((v, i) => data[i] && v.set(data[i]!));
    a.encode();
    const before = a.shards;
    const parity = before.slice(4).map((v) => Uint8Array.from(v));

    // Force growth: allocate far more than the memory holds now.
    const kernel = getKernel();
    const grownFrom = kernel.buffer.byteLength;
    const bigSize = alignUp(grownFrom / 4); // 6 shards: 1.5 × the current memory size
    const big = rs.allocStripe(bigSize);
    assert.ok(kernel.buffer.byteLength > grownFrom);
    assert.equal(before[0].byteLength, 0, 'old views are detached by growth');
    const after = a.shards;
    for (let i = 0; i < 4; i++) assert.ok(Buffer.from(after[i]).equals(Buffer.from(data[i]!)), 'data survives growth');
    a.encode();
    for (let i = 0; i < 2; i++) assert.ok(Buffer.from(a.shards[4 + i]).equals(Buffer.from(parity[i])));

    // Free and reallocate the same size: the block is reused, memory does not grow.
    const offset = big.shards[0].byteOffset;
    const heap = kernel.heapSize;
    big.free();
    const again = rs.allocStripe(bigSize);
    assert.equal(again.shards[0].byteOffset, offset);
    assert.equal(kernel.heapSize, heap);
    again.free();
    a.free();
    assert.throws(() => a.shards, /after free/);
    assert.throws(() => a.encode(), /after free/);
  });

  it('caches codecs per geometry and validates it', () => {
    assert.equal(reedSolomon(4, 2), reedSolomon(4, 2));
    assert.notEqual(reedSolomon(4, 2), reedSolomon(2, 4));
    assert.throws(() => reedSolomon(0, 2), RangeError);
    assert.throws(() => reedSolomon(4, 0), RangeError);
    assert.throws(() => reedSolomon(250, 7), RangeError);
    assert.throws(() => reedSolomon(4, 2).allocStripe(-1), RangeError);
    assert.throws(() => reedSolomon(4, 2).allocStripe(1.5), RangeError);
  });
});
