#!/usr/bin/env node
// Draws the app icon and the tray icons (green / amber / red, 16 and 32 px,
// each with an @2x twin) into resources/, as PNGs written with node:zlib:
// no image tool needed, and the pictures are reproducible from this file.
// Run: node build/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** RGBA pixels (size × size × 4) → PNG bytes: 8-bit RGBA, no interlace, filter 0 on every row. */
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Renders shape(x, y) → [r, g, b, a] (x, y in 0..1) with 4×4 supersampling,
 * so edges are smooth at 16 px too.
 */
function render(size, shape) {
  const out = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const [pr, pg, pb, pa] = shape((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          r += pr * pa; g += pg * pa; b += pb * pa; a += pa;
        }
      }
      const i = (y * size + x) * 4;
      out[i] = a ? Math.round(r / a) : 0;
      out[i + 1] = a ? Math.round(g / a) : 0;
      out[i + 2] = a ? Math.round(b / a) : 0;
      out[i + 3] = Math.round((a / (S * S)) * 255);
    }
  }
  return out;
}

const NONE = [0, 0, 0, 0];
const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), 1];

/** A status dot: a ring in the darker shade, the fill, and a white drive stack (three bars) that reads at 16 px. */
function trayShape(fill, ring) {
  return (x, y) => {
    const d = Math.hypot(x - 0.5, y - 0.5);
    if (d > 0.47) return NONE;
    if (d > 0.38) return ring;
    const inBar = (y0) => y >= y0 && y < y0 + 0.1 && x >= 0.3 && x <= 0.7;
    if (inBar(0.28) || inBar(0.45) || inBar(0.62)) return [255, 255, 255, 1];
    return fill;
  };
}

/** The app icon: a rounded square in grain gold, with a stack of four drives (the erasure set) and a status light. */
function appShape(x, y) {
  const r = 0.18;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  if (Math.hypot(x - cx, y - cy) > r - 0.02 || x < 0.02 || x > 0.98 || y < 0.02 || y > 0.98) return NONE;
  for (let i = 0; i < 4; i++) {
    const y0 = 0.2 + i * 0.155;
    if (y >= y0 && y < y0 + 0.12 && x >= 0.2 && x <= 0.8) {
      if (Math.hypot(x - 0.71, y - (y0 + 0.06)) < 0.03) return hex('#3fbf5f');
      return hex('#fff8e7');
    }
  }
  // A soft vertical gradient.
  const t = y;
  return [Math.round(222 - 40 * t), Math.round(164 - 50 * t), Math.round(48 - 20 * t), 1];
}

const COLOURS = { green: ['#2fa84f', '#1d7a37'], amber: ['#e6a100', '#a87500'], red: ['#d93a2f', '#9c2018'] };
mkdirSync(join(root, 'resources/tray'), { recursive: true });
const written = [];
function write(path, size, shape) {
  writeFileSync(join(root, path), png(size, render(size, shape)));
  written.push(`${path} (${size}×${size})`);
}
for (const [name, [fill, ring]] of Object.entries(COLOURS)) {
  const shape = trayShape(hex(fill), hex(ring));
  // Electron picks name@2x.png by itself on HiDPI screens.
  write(`resources/tray/tray-${name}.png`, 16, shape);
  write(`resources/tray/tray-${name}@2x.png`, 32, shape);
  write(`resources/tray/tray-${name}-32.png`, 32, shape);
  write(`resources/tray/tray-${name}-32@2x.png`, 64, shape);
}
write('resources/icon.png', 512, appShape);
console.log(`wrote ${written.length} icons:\n  ${written.join('\n  ')}`);
