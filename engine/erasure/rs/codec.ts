import { getKernel, alignUp, type Kernel } from './kernel.js';
import { encodingMatrix, recoveryPlan, type Matrix } from './matrix.js';

/**
 * Reed-Solomon erasure coding over GF(2^8) (polynomial 0x11d, systematic
 * Vandermonde matrix as in klauspost/reedsolomon and Backblaze, see
 * matrix.ts), computed by the WebAssembly SIMD kernel (kernel.wat).
 *
 * Shards live in kernel memory: a caller copies data into `stripe.shards`
 * once, encodes or reconstructs in place, and reads the shards out of the
 * same views. Each shard is 64-byte aligned with a stride of shardSize
 * rounded up to 64, which gives the kernel room for its 16-byte tail.
 */

export interface Stripe {
  /** k + m views into kernel memory, each `shardSize` bytes. Re-read this property after any other allocation: wasm memory growth detaches old views. */
  readonly shards: Uint8Array[];
  readonly shardSize: number;
  /**
   * Computes the m parity shards from the k data shards in place.
   * `len` (default shardSize) limits the work to each shard's first `len`
   * bytes; parity bytes from `len` up to the next multiple of 16 are then
   * clobbered.
   */
  encode(len?: number): void;
  /**
   * Rebuilds every shard whose `present[i]` is false (or only those of them listed in `only`) from any k present ones, in place.
   * Throws if fewer than k are present. `len` as for encode; missing shards' bytes past `len` are unspecified.
   */
  reconstruct(present: readonly boolean[], len?: number, only?: readonly number[]): void;
  /** Returns the memory to the codec; the stripe must not be used afterwards. */
  free(): void;
}

export interface ReedSolomon {
  readonly dataShards: number;   // k
  readonly parityShards: number; // m
  /** A stripe of k+m shards of `shardSize` bytes inside kernel memory: data copied into shards[0..k) once, parity computed in place, shards read out from the same views. */
  allocStripe(shardSize: number): Stripe;
}

/** Inverted sub-matrices kept per codec, by present-pattern. */
const PLAN_CACHE_SIZE = 128;

interface Plan {
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** outputs.length × k, row-major. */
  readonly coeffs: Uint8Array;
}

class WasmReedSolomon implements ReedSolomon {
  readonly encoding: Matrix;
  /** The m parity rows of the encoding matrix (m × k). */
  readonly parity: Uint8Array;
  readonly dataIndices: readonly number[];
  readonly parityIndices: readonly number[];
  private readonly plans = new Map<string, Plan>();

  constructor(readonly dataShards: number, readonly parityShards: number, readonly kernel: Kernel) {
    this.encoding = encodingMatrix(dataShards, parityShards);
    this.parity = this.encoding.data.slice(dataShards * dataShards);
    this.dataIndices = Array.from({ length: dataShards }, (_, i) => i);
    this.parityIndices = Array.from({ length: parityShards }, (_, i) => dataShards + i);
  }

  allocStripe(shardSize: number): Stripe {
    if (!Number.isSafeInteger(shardSize) || shardSize < 0) throw new RangeError(`invalid shard size ${shardSize}`);
    return new WasmStripe(this, shardSize);
  }

  /** The recovery plan for `present`, from a bounded LRU cache. */
  plan(present: readonly boolean[]): Plan {
    const n = this.dataShards + this.parityShards;
    if (present.length !== n) throw new RangeError(`present has ${present.length} entries, the stripe ${n} shards`);
    let key = '';
    for (let i = 0; i < n; i++) key += present[i] ? '1' : '0';
    let plan = this.plans.get(key);
    if (plan) {
      this.plans.delete(key);
      this.plans.set(key, plan);
      return plan;
    }
    const p = recoveryPlan(this.encoding, present); // throws when fewer than k are present
    plan = { inputs: p.inputs, outputs: p.outputs, coeffs: p.coeffs.data };
    this.plans.set(key, plan);
    if (this.plans.size > PLAN_CACHE_SIZE) this.plans.delete(this.plans.keys().next().value!);
    return plan;
  }
}

class WasmStripe implements Stripe {
  private readonly kernel: Kernel;
  private readonly stride: number;
  private readonly bytes: number;
  private readonly base: number;
  /** Kernel-memory offsets of the k + m shards. */
  private readonly ptrs: number[];
  private readonly dataPtrs: number[];
  private readonly parityPtrs: number[];
  private views: Uint8Array[] = [];
  private viewBuffer: ArrayBuffer | null = null;
  private freed = false;

  constructor(private readonly rs: WasmReedSolomon, readonly shardSize: number) {
    this.kernel = rs.kernel;
    const n = rs.dataShards + rs.parityShards;
    this.stride = alignUp(shardSize);
    this.bytes = this.stride * n;
    this.base = this.bytes > 0 ? this.kernel.alloc(this.bytes) : 0;
    this.ptrs = Array.from({ length: n }, (_, i) => this.base + i * this.stride);
    this.dataPtrs = this.ptrs.slice(0, rs.dataShards);
    this.parityPtrs = this.ptrs.slice(rs.dataShards);
  }

  get shards(): Uint8Array[] {
    this.check();
    const buffer = this.kernel.buffer;
    if (buffer !== this.viewBuffer) {
      this.views = this.ptrs.map((p) => new Uint8Array(buffer, p, this.shardSize));
      this.viewBuffer = buffer;
    }
    return this.views.slice();
  }

  encode(len = this.shardSize): void {
    this.check();
    this.checkLen(len);
    this.kernel.mulMatrix(this.rs.parity, this.dataPtrs, this.parityPtrs, len);
  }

  reconstruct(present: readonly boolean[], len = this.shardSize, only?: readonly number[]): void {
    this.check();
    this.checkLen(len);
    const plan = this.rs.plan(present);
    let { coeffs, outputs } = plan;
    if (only) {
      // A rebuild wants one lost shard, a degraded read the data shards: rows for the others would be work thrown away.
      const k = this.rs.dataShards;
      const rows = outputs.flatMap((o, j) => (only.includes(o) ? [j] : []));
      const picked = new Uint8Array(rows.length * k);
      rows.forEach((j, r) => picked.set(coeffs.subarray(j * k, (j + 1) * k), r * k));
      coeffs = picked;
      outputs = rows.map((j) => outputs[j]);
    }
    if (outputs.length === 0) return;
    const ptrs = this.ptrs;
    this.kernel.mulMatrix(coeffs, plan.inputs.map((i) => ptrs[i]), outputs.map((i) => ptrs[i]), len);
  }

  free(): void {
    this.check();
    this.freed = true;
    this.views = [];
    this.viewBuffer = null;
    if (this.bytes > 0) this.kernel.free(this.base, this.bytes);
  }

  private check(): void {
    if (this.freed) throw new Error('stripe used after free()');
  }

  private checkLen(len: number): void {
    if (!Number.isInteger(len) || len < 0 || len > this.shardSize) {
      throw new RangeError(`length ${len} outside the stripe's ${this.shardSize}-byte shards`);
    }
  }
}

const codecs = new Map<string, WasmReedSolomon>();

/** k >= 1, m >= 1, k + m <= 256 (we use up to 16+8). Cached per (k, m). */
export function reedSolomon(k: number, m: number): ReedSolomon {
  const key = `${k}+${m}`;
  let rs = codecs.get(key);
  if (!rs) {
    rs = new WasmReedSolomon(k, m, getKernel()); // validates k and m
    codecs.set(key, rs);
  }
  return rs;
}
