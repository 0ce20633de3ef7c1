#!/usr/bin/env node
// `npm run build`: the WebAssembly kernels, then the engine compiled to dist/
// (what `npx granary` and the desktop app run), with the kernels beside it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run(process.execPath, [join(root, 'build/build-wasm.mjs')]);
rmSync(join(root, 'dist', 'engine'), { recursive: true, force: true });
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);

function* files(dir, suffix) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p, suffix);
    else if (e.name.endsWith(suffix)) yield p;
  }
}
for (const wasm of files(join(root, 'engine'), '.wasm')) {
  const dest = join(root, 'dist', relative(root, wasm));
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(wasm, dest);
}
console.log('built dist/');
