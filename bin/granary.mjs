#!/usr/bin/env node
// Runs the built engine when `npm run build` has made it, the TypeScript
// sources through tsx otherwise (a fresh checkout, development).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/engine/cli/main.js', import.meta.url);
if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../engine/cli/main.ts', import.meta.url).href);
}
