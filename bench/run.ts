// `npm run bench -- NAME [args]`: runs bench/NAME.ts.
import { existsSync, readdirSync } from 'node:fs';

const [name, ...rest] = process.argv.slice(2);
const here = new URL('.', import.meta.url);
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3));
if (!name || !existsSync(new URL(`${name}.ts`, here))) {
  console.error(`usage: npm run bench -- NAME\nbenchmarks: ${available.join(', ')}`);
  process.exit(2);
}
process.argv = [process.argv[0], new URL(`${name}.ts`, here).pathname, ...rest];
await import(new URL(`${name}.ts`, here).href);
