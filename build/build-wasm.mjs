#!/usr/bin/env node
// Assembles every engine/**/*.wat into a .wasm next to it with wabt (SIMD
// enabled). Idempotent: a .wasm whose bytes would not change is left alone.
// Usage: node build/build-wasm.mjs
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const engine = join(root, 'engine');

function* watFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* watFiles(path);
    else if (entry.isFile() && entry.name.endsWith('.wat')) yield path;
  }
}

const wabt = await wabtInit();
const features = { simd: true, bulk_memory: true, sign_extension: true, sat_float_to_int: true, mutable_globals: true, multi_value: true };
let failed = false;
for (const wat of [...watFiles(engine)].sort()) {
  const out = wat.slice(0, -'.wat'.length) + '.wasm';
  const name = relative(root, wat);
  let mod;
  try {
    mod = wabt.parseWat(name, readFileSync(wat, 'utf8'), features);
    mod.resolveNames();
    mod.validate();
    const { buffer } = mod.toBinary({ log: false, write_debug_names: true });
    const bytes = Buffer.from(buffer);
    // Check the engine we run on accepts it (catches features wabt allows but V8 lacks).
    new WebAssembly.Module(bytes);
    if (existsSync(out) && readFileSync(out).equals(bytes)) {
      console.log(`build-wasm: ${relative(root, out)} up to date (${bytes.length} bytes)`);
    } else {
      writeFileSync(out, bytes);
      console.log(`build-wasm: wrote ${relative(root, out)} (${bytes.length} bytes)`);
    }
  } catch (err) {
    failed = true;
    console.error(`build-wasm: ${name}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    mod?.destroy();
  }
}
if (failed) process.exit(1);
