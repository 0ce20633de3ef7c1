/**
 * Arithmetic in GF(2^8) with the reducing polynomial x^8 + x^4 + x^3 + x^2 + 1
 * (0x11d) and generator 2 — the field of Backblaze's JavaReedSolomon,
 * klauspost/reedsolomon and ISA-L, so our parity matches theirs for the same
 * encoding matrix.
 *
 * Addition and subtraction are XOR. Multiplication and division go through
 * log/exp tables; `EXP` is doubled (510 entries) so `EXP[LOG[a] + LOG[b]]`
 * needs no modulo.
 */

export const POLYNOMIAL = 0x11d;

/** EXP[i] = 2^i, for i in [0, 510). */
export const EXP: Uint8Array = new Uint8Array(510);
/** LOG[a] = log2(a) for a in [1, 256); LOG[0] is meaningless (0). */
export const LOG: Uint8Array = new Uint8Array(256);

{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= POLYNOMIAL;
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255];
}

export function add(a: number, b: number): number {
  return a ^ b;
}

export function mul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a] + LOG[b]];
}

export function div(a: number, b: number): number {
  if (b === 0) throw new RangeError('GF(2^8) division by zero');
  if (a === 0) return 0;
  return EXP[LOG[a] + 255 - LOG[b]];
}

export function inv(a: number): number {
  if (a === 0) throw new RangeError('GF(2^8) zero has no inverse');
  return EXP[255 - LOG[a]];
}

/** a^n for n >= 0 (0^0 = 1, as the Vandermonde matrix wants). */
export function pow(a: number, n: number): number {
  if (n === 0) return 1;
  if (a === 0) return 0;
  return EXP[(LOG[a] * n) % 255];
}

/**
 * The full 256×256 product table: MUL_TABLE[c << 8 | x] = c·x. 64 KiB; what
 * the scalar reference coder indexes per byte.
 */
export const MUL_TABLE: Uint8Array = new Uint8Array(65536);
for (let c = 0; c < 256; c++) {
  for (let x = 0; x < 256; x++) MUL_TABLE[(c << 8) | x] = mul(c, x);
}

/**
 * The split-nibble tables of coefficient c, 32 bytes: [0, 16) holds c·i for
 * the low nibble i, [16, 32) holds c·(i << 4) for the high nibble i, so that
 * c·x = low[x & 15] ^ high[x >> 4] (multiplication distributes over XOR).
 */
export function nibbleTables(c: number, out: Uint8Array = new Uint8Array(32), offset = 0): Uint8Array {
  for (let i = 0; i < 16; i++) {
    out[offset + i] = mul(c, i);
    out[offset + 16 + i] = mul(c, i << 4);
  }
  return out;
}
