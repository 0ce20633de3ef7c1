import { MUL_TABLE } from './gf256.js';
import { encodingMatrix, recoveryPlan, type Matrix } from './matrix.js';

/**
 * The reference coder: plain TypeScript, one 64 KiB product-table lookup per
 * byte and coefficient. Slow and obviously correct; the tests hold the SIMD
 * kernel to it and the bench uses it as the naive table-driven baseline.
 */

/** outputs[j][x] = XOR over i of coeffs[j][i] · inputs[i][x], for x < len. */
export function mulMatrix(coeffs: Matrix, inputs: readonly Uint8Array[], outputs: readonly Uint8Array[], len: number): void {
  if (inputs.length !== coeffs.cols || outputs.length !== coeffs.rows) throw new RangeError('matrix and shard counts disagree');
  for (let j = 0; j < coeffs.rows; j++) {
    const out = outputs[j];
    out.fill(0, 0, len);
    for (let i = 0; i < coeffs.cols; i++) {
      const c = coeffs.data[j * coeffs.cols + i];
      if (c === 0) continue;
      const src = inputs[i];
      const base = c << 8;
      for (let x = 0; x < len; x++) out[x] ^= MUL_TABLE[base | src[x]];
    }
  }
}

export class ScalarReedSolomon {
  readonly encodingMatrix: Matrix;
  private readonly parityRows: Matrix;

  constructor(readonly dataShards: number, readonly parityShards: number) {
    this.encodingMatrix = encodingMatrix(dataShards, parityShards);
    const k = dataShards;
    this.parityRows = { rows: parityShards, cols: k, data: this.encodingMatrix.data.subarray(k * k) };
  }

  /** Computes shards[k..k+m) from shards[0..k), over the first `len` bytes (default: shards[0].length). */
  encode(shards: readonly Uint8Array[], len = shards[0].length): void {
    const k = this.dataShards;
    mulMatrix(this.parityRows, shards.slice(0, k), shards.slice(k, k + this.parityShards), len);
  }

  /** Rebuilds every shard whose present[i] is false from the first k present ones. */
  reconstruct(shards: readonly Uint8Array[], present: readonly boolean[], len = shards[0].length): void {
    const plan = recoveryPlan(this.encodingMatrix, present);
    if (plan.outputs.length === 0) return;
    mulMatrix(plan.coeffs, plan.inputs.map((i) => shards[i]), plan.outputs.map((i) => shards[i]), len);
  }
}
