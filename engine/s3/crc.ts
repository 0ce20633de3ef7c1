import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * The CRCs of S3's additional checksums. CRC32 is zlib's (native); CRC32C
 * (Castagnoli) and CRC64/NVME (the one AWS names CRC64NVME) are table-driven,
 * the 64-bit one on two 32-bit halves because BigInt per byte is ~50x slower.
 */
export interface Crc {
  update(bytes: Uint8Array): void;
  /** Big-endian digest, as S3 base64-encodes it. */
  digest(): Buffer;
}

export function crc32(): Crc {
  let v = 0;
  return {
    update: (b) => { v = zlibCrc32(b, v); },
    digest: () => { const out = Buffer.alloc(4); out.writeUInt32BE(v >>> 0); return out; },
  };
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  // Slicing-by-8 tables: eight bytes per step.
  for (let i = 0; i < 256; i++) for (let s = 1; s < 8; s++) t[s * 256 + i] = (t[(s - 1) * 256 + i] >>> 8) ^ t[t[(s - 1) * 256 + i] & 0xff];
  return t;
})();

export function crc32c(): Crc {
  let crc = 0xffffffff;
  const t = CRC32C_TABLE;
  return {
    update: (b) => {
      let c = crc;
      let i = 0;
      const n = b.length;
      for (; i + 8 <= n; i += 8) {
        const lo = (c ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24))) >>> 0;
        c = (t[7 * 256 + (lo & 0xff)] ^ t[6 * 256 + ((lo >>> 8) & 0xff)] ^ t[5 * 256 + ((lo >>> 16) & 0xff)] ^ t[4 * 256 + (lo >>> 24)] ^
          t[3 * 256 + b[i + 4]] ^ t[2 * 256 + b[i + 5]] ^ t[256 + b[i + 6]] ^ t[b[i + 7]]) >>> 0;
      }
      for (; i < n; i++) c = (t[(c ^ b[i]) & 0xff] ^ (c >>> 8)) >>> 0;
      crc = c;
    },
    digest: () => { const out = Buffer.alloc(4); out.writeUInt32BE((crc ^ 0xffffffff) >>> 0); return out; },
  };
}

// CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5 (0xAD93D23594C93659 bit-reversed), init and xorout all ones.
const CRC64_HI = new Uint32Array(256);
const CRC64_LO = new Uint32Array(256);
(() => {
  const P_HI = 0x9a6c9329;
  const P_LO = 0xac4bc9b5;
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (bit) {
        hi = (hi ^ P_HI) >>> 0;
        lo = (lo ^ P_LO) >>> 0;
      }
    }
    CRC64_HI[i] = hi;
    CRC64_LO[i] = lo;
  }
})();

export function crc64nvme(): Crc {
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  return {
    update: (b) => {
      // Locals, not the closure's variables: this loop runs per byte.
      let h = hi | 0;
      let l = lo | 0;
      const TH = CRC64_HI;
      const TL = CRC64_LO;
      for (let i = 0, n = b.length; i < n; i++) {
        const idx = (l ^ b[i]) & 0xff;
        l = ((l >>> 8) | (h << 24)) ^ TL[idx];
        h = (h >>> 8) ^ TH[idx];
      }
      hi = h >>> 0;
      lo = l >>> 0;
    },
    digest: () => {
      const out = Buffer.alloc(8);
      out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
      out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
      return out;
    },
  };
}
