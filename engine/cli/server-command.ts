import { CredentialsError, loadRootCredentials } from '../iam/root-credentials.js';
import { ErasureObjectLayer } from '../object/erasure-object-layer.js';
import { createS3Server } from '../s3/s3-server.js';
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
  region: string;
  domain?: string;
  drives: string[];
}

export function parseServerArgs(argv: string[]): ServerConfig {
  const { flags, positionals } = parseArgs(argv, ['address', 'console-address', 'config-dir', 'parity', 'region', 'domain']);
  const drives = expandDrives(positionals);
  if (drives.length === 0) throw new UsageError('no drives given');
  const parityText = flags.get('parity');
  const parity = parityText === undefined ? undefined : Number(parityText);
  if (parity !== undefined && !Number.isInteger(parity)) throw new UsageError(`--parity ${parityText} is not a whole number`);
  return {
    address: parseAddress(flags.get('address') ?? ':9000'),
    consoleAddress: parseAddress(flags.get('console-address') ?? '127.0.0.1:9001'),
    configDir: flags.get('config-dir') ?? './data/.config',
    region: flags.get('region') ?? 'us-east-1',
    ...(flags.get('domain') ? { domain: flags.get('domain')! } : {}),
    ...(parity !== undefined ? { parity } : {}),
    drives,
  };
}

/** Opens the drives and serves until SIGINT / SIGTERM, then closes the databases cleanly. */
export async function runServer(argv: string[]): Promise<void> {
  const config = parseServerArgs(argv);
  const log = (line: string) => console.log(line);
  let root;
  try {
    root = loadRootCredentials(config.configDir);
  } catch (err) {
    if (err instanceof CredentialsError) throw new UsageError(err.message);
    throw err;
  }
  const layer = await ErasureObjectLayer.open({ drives: config.drives, parity: config.parity, log });
  const d = layer.deployment;
  log(`Granary: deployment ${d.deploymentId}${d.fresh ? ' (drives formatted now)' : ''}`);
  d.sets.forEach((s, i) => log(`  set ${i + 1}: ${s.k} data + ${s.m} parity on ${s.paths.map((p) => p ?? '(missing)').join(', ')}`));

  const s3 = createS3Server({
    layer,
    region: config.region,
    ...(config.domain ? { domain: config.domain } : {}),
    credentials: (accessKey) => (accessKey === root.accessKey ? { accessKey, secretKey: root.secretKey } : undefined),
    log,
  });
  await s3.listen({ host: config.address.host, port: config.address.port });
  const addr = s3.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.address.port;
  const shown = config.address.host === '0.0.0.0' || config.address.host === '::' ? '127.0.0.1' : config.address.host;
  log(`S3 API: http://${shown}:${port} (region ${config.region})`);
  if (root.source === 'generated') {
    log('Root credentials were generated for this deployment; they are shown this once:');
    log(`  access key: ${root.accessKey}`);
    log(`  secret key: ${root.secretKey}`);
    log(`  (kept in ${root.file}, readable only by this user)`);
  } else {
    log(`Root access key: ${root.accessKey} (${root.source === 'file' ? `from ${root.file}` : 'from GRANARY_ROOT_USER'})`);
  }
  log('Console: not built yet (it arrives with the console issue).');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing requests and closing drives`);
    await s3.close();
    await layer.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
