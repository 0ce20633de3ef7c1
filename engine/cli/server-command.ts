import { ErasureObjectLayer } from '../object/erasure-object-layer.js';
import { parseAddress, parseArgs, UsageError } from './args.js';
import { expandDrives } from './ellipsis.js';

export const SERVER_USAGE = `usage: granary server [--address HOST:PORT] [--console-address HOST:PORT]
                      [--config-dir DIR] [--parity M] DRIVE...
  DRIVE is a folder or mount point; ./data/d{1...4} expands to four drives.`;

export interface ServerConfig {
  address: { host: string; port: number };
  consoleAddress: { host: string; port: number };
  configDir: string;
  parity?: number;
  drives: string[];
}

export function parseServerArgs(argv: string[]): ServerConfig {
  const { flags, positionals } = parseArgs(argv, ['address', 'console-address', 'config-dir', 'parity']);
  const drives = expandDrives(positionals);
  if (drives.length === 0) throw new UsageError('no drives given');
  const parityText = flags.get('parity');
  const parity = parityText === undefined ? undefined : Number(parityText);
  if (parity !== undefined && !Number.isInteger(parity)) throw new UsageError(`--parity ${parityText} is not a whole number`);
  return {
    address: parseAddress(flags.get('address') ?? ':9000'),
    consoleAddress: parseAddress(flags.get('console-address') ?? '127.0.0.1:9001'),
    configDir: flags.get('config-dir') ?? './data/.config',
    ...(parity !== undefined ? { parity } : {}),
    drives,
  };
}

/** Opens the drives and serves until SIGINT / SIGTERM, then closes the databases cleanly. */
export async function runServer(argv: string[]): Promise<void> {
  const config = parseServerArgs(argv);
  const log = (line: string) => console.log(line);
  const layer = await ErasureObjectLayer.open({ drives: config.drives, parity: config.parity, log });
  const d = layer.deployment;
  log(`Granary: deployment ${d.deploymentId}${d.fresh ? ' (drives formatted now)' : ''}`);
  d.sets.forEach((s, i) => log(`  set ${i + 1}: ${s.k} data + ${s.m} parity on ${s.paths.map((p) => p ?? '(missing)').join(', ')}`));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: closing drives`);
    await layer.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Keeps the process alive until a signal; the S3 and console listeners attach here.
  setInterval(() => undefined, 1 << 30);
}
