import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nibbleTables } from './gf256.js';

/**
 * The WebAssembly SIMD kernel (kernel.wat, assembled to kernel.wasm by
 * `npm run build`) and a small allocator over its memory.
 *
 * Loading is synchronous (`new WebAssembly.Module` on the file's bytes) so
 * no caller needs to await; it happens on first use, not at import.
 *
 * Memory: wasm memory only grows, and growing it detaches every JS view of
 * the old ArrayBuffer. Allocations are offsets into the memory and stay valid
 * across growth; only views must be recreated (from `bytes()` or `buffer`).
 */

/** Layout constants shared with kernel.wat. */
const TABLES = 0;
const MAX_SHARDS = 256;
/** Descriptor scratch: MAX_SHARDS input + MAX_SHARDS output pointers, then a MAX_SHARDS² coefficient matrix. */
const DESC_SIZE = MAX_SHARDS * 4 * 2 + MAX_SHARDS * MAX_SHARDS;
/** Allocation granule: every block starts on a 64-byte (cache line) boundary. */
export const ALIGN = 64;
const PAGE = 65536;

/*
 * The slice of the WebAssembly JS API used here, typed locally: the
 * project's lib (ES2023, no DOM) and @types/node 20 declare no WebAssembly
 * namespace, and declaring one globally could clash with a later lib that does.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmGlobal {
  value: number;
}
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: object };
}
const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Exports {
  memory: WasmMemory;
  heap_base: WasmGlobal;
  chunk: WasmGlobal;
  mul_matrix(desc: number, nIn: number, nOut: number, len: number): void;
}

export function alignUp(n: number, a = ALIGN): number {
  return Math.ceil(n / a) * a;
}

export class Kernel {
  readonly memory: WasmMemory;
  private readonly exports: Exports;
  private readonly desc: number;
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private u8: Uint8Array;
  private u32: Uint32Array;

  constructor(module: WasmModule) {
    const instance = new WASM.Instance(module, {});
    this.exports = instance.exports as unknown as Exports;
    this.memory = this.exports.memory;
    this.desc = alignUp(this.exports.heap_base.value);
    this.top = alignUp(this.desc + DESC_SIZE);
    this.ensure(this.top);
    this.u8 = new Uint8Array(this.memory.buffer);
    this.u32 = new Uint32Array(this.memory.buffer);
    for (let c = 0; c < 256; c++) nibbleTables(c, this.u8, TABLES + c * 32);
  }

  /** The current memory buffer (a new object after every growth). */
  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  /** A byte view of all of kernel memory, valid until the next allocation. */
  bytes(): Uint8Array {
    if (this.u8.buffer !== this.memory.buffer) {
      this.u8 = new Uint8Array(this.memory.buffer);
      this.u32 = new Uint32Array(this.memory.buffer);
    }
    return this.u8;
  }

  /** Column chunk (bytes) the kernel walks all output rows over; tuning knob. */
  get chunk(): number {
    return this.exports.chunk.value;
  }

  set chunk(bytes: number) {
    if (!Number.isInteger(bytes) || bytes < 16 || bytes > 2 ** 30 || bytes % 16 !== 0) {
      throw new RangeError('chunk must be a positive multiple of 16');
    }
    this.exports.chunk.value = bytes;
  }

  /**
   * A block of `size` bytes (rounded up to ALIGN), 64-byte aligned, contents
   * unspecified. Reuses a freed block of the same rounded size if there is
   * one; otherwise takes fresh memory, growing it if need be.
   */
  alloc(size: number): number {
    const n = alignUp(Math.max(size, 1));
    const reuse = this.freeLists.get(n);
    if (reuse && reuse.length > 0) return reuse.pop()!;
    const ptr = this.top;
    if (ptr + n > 2 ** 32) throw new RangeError(`kernel memory exhausted: cannot allocate ${n} bytes`);
    this.ensure(ptr + n);
    this.top = ptr + n;
    return ptr;
  }

  /** Returns a block from alloc(size) (same size) for reuse. */
  free(ptr: number, size: number): void {
    const n = alignUp(Math.max(size, 1));
    let list = this.freeLists.get(n);
    if (!list) this.freeLists.set(n, (list = []));
    list.push(ptr);
  }

  /** Bytes of kernel memory in use or on free lists (excluding tables and descriptor scratch). */
  get heapSize(): number {
    return this.top - alignUp(this.desc + DESC_SIZE);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // Grow by at least an eighth so a run of allocations does not grow page by page.
    const pages = Math.max(Math.ceil((end - have) / PAGE), Math.ceil(have / PAGE / 8));
    const max = 65536 - have / PAGE;
    this.memory.grow(Math.min(pages, max));
  }

  /**
   * out_j = XOR_i coeffs[j·nIn + i] · in_i over `len` bytes, for j < nOut:
   * `inputs` and `outputs` are kernel-memory offsets. Every shard must have
   * room for `len` rounded up to 16 bytes (the kernel works in whole
   * vectors; the bytes past `len` of each output are garbage). Outputs must
   * not overlap inputs.
   */
  mulMatrix(coeffs: Uint8Array, inputs: readonly number[], outputs: readonly number[], len: number): void {
    const nIn = inputs.length;
    const nOut = outputs.length;
    if (nIn > MAX_SHARDS || nOut > MAX_SHARDS || coeffs.length !== nIn * nOut) throw new RangeError('bad kernel matrix shape');
    if (len === 0 || nOut === 0) return;
    const u8 = this.bytes();
    const u32 = this.u32;
    const d = this.desc >>> 2;
    for (let i = 0; i < nIn; i++) u32[d + i] = inputs[i];
    for (let j = 0; j < nOut; j++) u32[d + nIn + j] = outputs[j];
    u8.set(coeffs, this.desc + (nIn + nOut) * 4);
    this.exports.mul_matrix(this.desc, nIn, nOut, len);
  }
}

let kernel: Kernel | null = null;

/** The process-wide kernel instance, loaded on first call. */
export function getKernel(): Kernel {
  if (kernel) return kernel;
  const url = new URL('./kernel.wasm', import.meta.url);
  let bytes: Buffer;
  try {
    bytes = readFileSync(fileURLToPath(url));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`Reed-Solomon kernel ${fileURLToPath(url)} is missing: run \`npm run build\` (or \`node build/build-wasm.mjs\`) to assemble it from kernel.wat`);
    }
    throw err;
  }
  kernel = new Kernel(new WASM.Module(bytes));
  return kernel;
}
