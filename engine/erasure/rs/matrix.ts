import { inv, mul, pow } from './gf256.js';

/**
 * Matrices over GF(2^8), row-major in a Uint8Array.
 *
 * Encoding matrix: the systematic Vandermonde construction of Backblaze's
 * JavaReedSolomon and klauspost/reedsolomon (their default). Take the
 * (k+m)×k Vandermonde matrix V[r][c] = r^c over the distinct points
 * r = 0..k+m-1, and multiply it on the right by the inverse of its top k×k
 * square. The top becomes the identity (data shards pass through), and every
 * k×k sub-matrix stays invertible: any k rows of V are a square Vandermonde
 * matrix on distinct points, hence invertible, and right-multiplying by an
 * invertible matrix keeps them so. That is the MDS property — any k of the
 * k+m shards recover the data — for every k + m <= 256.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Uint8Array;
}

export function matrix(rows: number, cols: number, data?: Uint8Array): Matrix {
  if (data && data.length !== rows * cols) throw new RangeError(`matrix data of ${data.length} bytes is not ${rows}×${cols}`);
  return { rows, cols, data: data ?? new Uint8Array(rows * cols) };
}

export function identity(n: number): Matrix {
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function vandermonde(rows: number, cols: number): Matrix {
  if (rows > 256) throw new RangeError('a Vandermonde matrix over GF(2^8) has at most 256 distinct rows');
  const m = matrix(rows, cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.data[r * cols + c] = pow(r, c);
  return m;
}

export function multiply(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`cannot multiply ${a.rows}×${a.cols} by ${b.rows}×${b.cols}`);
  const out = matrix(a.rows, b.cols);
  for (let r = 0; r < a.rows; r++) {
    for (let c = 0; c < b.cols; c++) {
      let acc = 0;
      for (let i = 0; i < a.cols; i++) acc ^= mul(a.data[r * a.cols + i], b.data[i * b.cols + c]);
      out.data[r * b.cols + c] = acc;
    }
  }
  return out;
}

/** The rows `rowIndices` of `m`, in that order. */
export function selectRows(m: Matrix, rowIndices: readonly number[]): Matrix {
  const out = matrix(rowIndices.length, m.cols);
  rowIndices.forEach((r, i) => out.data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return out;
}

/** Gauss–Jordan inversion. Throws if `m` is singular. */
export function invert(m: Matrix): Matrix {
  const n = m.rows;
  if (m.cols !== n) throw new RangeError(`cannot invert a ${m.rows}×${m.cols} matrix`);
  const a = m.data.slice();
  const out = identity(n);
  const b = out.data;
  for (let col = 0; col < n; col++) {
    // Find a pivot at or below the diagonal and swap it up.
    let pivot = col;
    while (pivot < n && a[pivot * n + col] === 0) pivot++;
    if (pivot === n) throw new Error('matrix is singular');
    if (pivot !== col) {
      for (let i = 0; i < n; i++) {
        let t = a[col * n + i]; a[col * n + i] = a[pivot * n + i]; a[pivot * n + i] = t;
        t = b[col * n + i]; b[col * n + i] = b[pivot * n + i]; b[pivot * n + i] = t;
      }
    }
    // Scale the pivot row to a leading 1.
    const scale = inv(a[col * n + col]);
    if (scale !== 1) {
      for (let i = 0; i < n; i++) {
        a[col * n + i] = mul(a[col * n + i], scale);
        b[col * n + i] = mul(b[col * n + i], scale);
      }
    }
    // Eliminate the column from every other row.
    for (let r = 0; r < n; r++) {
      const f = a[r * n + col];
      if (r === col || f === 0) continue;
      for (let i = 0; i < n; i++) {
        a[r * n + i] ^= mul(f, a[col * n + i]);
        b[r * n + i] ^= mul(f, b[col * n + i]);
      }
    }
  }
  return out;
}

/** The (k+m)×k systematic encoding matrix: identity on top, m parity rows below. */
export function encodingMatrix(k: number, m: number): Matrix {
  if (!Number.isInteger(k) || !Number.isInteger(m) || k < 1 || m < 1 || k + m > 256) {
    throw new RangeError(`invalid Reed-Solomon geometry ${k}+${m}: need k >= 1, m >= 1, k + m <= 256`);
  }
  const v = vandermonde(k + m, k);
  const top = selectRows(v, Array.from({ length: k }, (_, i) => i));
  return multiply(v, invert(top));
}

/**
 * How to rebuild the missing shards of a stripe: each output shard
 * `outputs[j]` is the GF(2^8) dot product of row j of `coeffs`
 * (outputs.length × k) with the shards `inputs` (k present shard indices).
 */
export interface RecoveryPlan {
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly coeffs: Matrix;
}

/**
 * Plans the reconstruction of every shard with `present[i] === false` from
 * the first k present shards: invert the k×k sub-matrix of their encoding
 * rows (which maps those shards back to the data), then a missing data shard
 * d is row d of that inverse, and a missing parity shard p is its encoding
 * row times the inverse.
 */
export function recoveryPlan(enc: Matrix, present: readonly boolean[]): RecoveryPlan {
  const k = enc.cols;
  const n = enc.rows;
  if (present.length !== n) throw new RangeError(`present has ${present.length} entries, the stripe ${n} shards`);
  const inputs: number[] = [];
  const outputs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!present[i]) outputs.push(i);
    else if (inputs.length < k) inputs.push(i);
  }
  if (inputs.length < k) throw new Error(`cannot reconstruct: ${inputs.length} shards present, ${k} needed`);
  const decode = invert(selectRows(enc, inputs));
  const coeffs = multiply(selectRows(enc, outputs), decode);
  return { inputs, outputs, coeffs };
}
