import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker whose entry is `entry` (a module URL without its
 * extension), from source under tsx (tests, `npm run serve` in development)
 * or from the built JavaScript. Node 20 does not pass tsx's loader hooks to
 * workers, so a source worker registers them itself before importing its
 * entry; its modules then run as CommonJS and must not await at top level.
 */
export function startWorker(entry: URL, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`${entry.href}.js`), { workerData });
  // tsx's CommonJS hook transpiles in-thread; its ESM hook would start a loader thread per worker (seconds at startup).
  const source = fileURLToPath(new URL(`${entry.href}.ts`));
  const tsxApi = fileURLToPath(import.meta.resolve('tsx/cjs/api'));
  const boot = `require(${JSON.stringify(tsxApi)}).register(); require(${JSON.stringify(source)});`;
  return new Worker(boot, { eval: true, workerData, execArgv: [] });
}
