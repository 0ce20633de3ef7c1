/**
 * The engine as a child process: what the desktop shell forks
 * (`utilityProcess.fork(dist/engine/host/engine-process.js, ARGS)`) and what
 * the tests fork with Node's `child_process.fork`. ARGS are those of
 * `granary server`. Status goes to the parent as host protocol messages (engine/api/host/types.ts); the
 * log goes to stdout as in a terminal.
 */
import { parseServerArgs } from '../cli/server-command.js';
import { engineUrls, launchEngine, type Launch } from '../server/launch-engine.js';
import { openHostChannel } from './host-channel.js';
import { summarizeSnapshot } from './health-summary.js';

/** How often the drives' state is reported; `GRANARY_HEALTH_INTERVAL_MS` changes it (tests, a busy NAS). */
const HEALTH_INTERVAL_MS = Number(process.env.GRANARY_HEALTH_INTERVAL_MS) > 0 ? Number(process.env.GRANARY_HEALTH_INTERVAL_MS) : 10_000;

const channel = openHostChannel();
const log = (line: string) => console.log(line);
let launch: Launch | undefined;
let healthTimer: NodeJS.Timeout | undefined;
let stopping = false;

async function fail(err: unknown): Promise<never> {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`granary: ${message}`);
  if (err instanceof Error && err.stack) console.error(err.stack);
  await channel.send({ type: 'error', message, fatal: true });
  channel.close();
  process.exit(1);
}

/** Stop accepting, let in-flight requests finish (writes commit), close the databases, then say so. */
async function stop(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(healthTimer);
  log(`${why}: finishing requests and closing drives`);
  try {
    await launch?.close();
  } catch (err) {
    await fail(err);
  }
  await channel.send({ type: 'stopped' });
  channel.close();
  process.exit(0);
}

channel.onMessage((m) => {
  if (m.type === 'shutdown') void stop('shutdown requested by the host');
});
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('uncaughtException', (err) => void fail(err));
process.on('unhandledRejection', (err) => void fail(err));

try {
  const config = parseServerArgs(process.argv.slice(2));
  launch = await launchEngine(config, log);
  if (launch.setupUrl) await channel.send({ type: 'ready', setupUrl: launch.setupUrl, consoleUrl: launch.consoleUrl! });
  const engine = await launch.engine;
  if (!stopping) {
    const urls = engineUrls(engine, config);
    await channel.send({ type: 'ready', s3Url: urls.s3Url, consoleUrl: urls.consoleUrl ?? '' });
    const report = () => {
      try {
        void channel.send({ type: 'health', summary: summarizeSnapshot(engine.snapshot()) });
      } catch (err) {
        void channel.send({ type: 'error', message: `health check failed: ${(err as Error).message}`, fatal: false });
      }
    };
    report();
    // At once on every drive change (engine/health's events), and on a timer as a heartbeat.
    engine.onHealth(() => report());
    healthTimer = setInterval(report, HEALTH_INTERVAL_MS);
    // The timer alone must not keep a stopped engine alive.
    healthTimer.unref();
  }
} catch (err) {
  await fail(err);
}
