import { DEFAULT_ADMIN_ALLOW } from '../admin/admin-network.js';
import { MasterKeyError } from '../crypto/master-key.js';
import { IamIntegrityError } from '../iam/iam-db.js';
import { CredentialsError } from '../iam/root-credentials.js';
import { isMetricsAuthMode } from '../metrics/metrics-auth.js';
import { TlsConfigError } from '../tls/tls-error.js';
import { launchEngine, LaunchError } from '../server/launch-engine.js';
import type { EngineConfig } from '../server/start-engine.js';
import { EngineFileError } from '../setup/engine-file.js';
import type { HealerConfig } from '../heal/healer.js';
import { parseAddress, parseArgs, UsageError } from './args.js';
import { expandDrives } from './ellipsis.js';
import { parseTlsFlags, TLS_FLAGS, TLS_USAGE } from './tls-flags.js';
import { parseAccessPluginFlags, parseIdentityPluginFlags, PLUGIN_FLAGS, PLUGIN_USAGE } from './plugin-flags.js';
import { LDAP_BOOLEAN_FLAGS, LDAP_FLAGS, LDAP_USAGE, parseLdapFlags } from './ldap-flags.js';
import { DEFAULT_MAX_DURATION, DEFAULT_MIN_DURATION, MAX_MAX_DURATION, parseDurationText } from '../sts/index.js';

export const SERVER_USAGE = `usage: granary server [--address HOST:PORT] [--console-address HOST:PORT]
                      [--config-dir DIR] [--parity M] [--admin-allow CIDR,...]
                      [--auth-throttle N] [--metrics-auth jwt|public] [--sts-max-duration D] ${TLS_USAGE}
                      ${PLUGIN_USAGE}
                      ${LDAP_USAGE}
                      [--scanner-interval SECONDS] [--scanner-pace OBJECTS_PER_S] [--scanner-io MIB_PER_S]
                      [--scanner-deep-every N] [--heal-grace SECONDS]
                      DRIVE...
  DRIVE is a folder or mount point; ./data/d{1...4} expands to four drives.
  Without DRIVE: the drives saved by the setup wizard in the config directory,
  or, on a first start, the console serves the setup wizard (its link is printed).
  --sts-max-duration: longest STS session (seconds, or 30m, 12h, 7d …; default 12h, at most 365d).
  --sts-min-duration: shortest STS session, default 900 s as AWS; for tests and labs only.
  The scanner checks every object each --scanner-interval (default 3600 s, 0: off)
  at --scanner-pace objects/s (default 100, 0: unpaced) and at most
  --scanner-io MiB/s read and written (default 64, 0: no limit), reading and
  hashing every shard each --scanner-deep-every-th cycle (default 24); orphaned shards
  and staging leftovers younger than --heal-grace (default 3600 s) are kept.`;

export interface ServerConfig extends EngineConfig {
  consoleAddress: { host: string; port: number };
}

export function parseServerArgs(argv: string[]): ServerConfig {
  const { flags, positionals } = parseArgs(argv, ['address', 'console-address', 'config-dir', 'parity', 'region', 'domain', 'admin-allow', 'auth-throttle', 'metrics-auth', 'sts-max-duration', 'sts-min-duration', ...TLS_FLAGS, ...PLUGIN_FLAGS, ...LDAP_FLAGS, ...HEAL_FLAGS], LDAP_BOOLEAN_FLAGS);
  // No drives: those saved by setup, or first-run setup (engine/server/launch-engine.ts).
  const drives = expandDrives(positionals);
  const parityText = flags.get('parity');
  const parity = parityText === undefined ? undefined : Number(parityText);
  const tls = parseTlsFlags(flags);
  const accessPlugin = parseAccessPluginFlags(flags);
  const ldap = parseLdapFlags(flags);
  const identityPlugin = parseIdentityPluginFlags(flags);
  if (parity !== undefined && !Number.isInteger(parity)) throw new UsageError(`--parity ${parityText} is not a whole number`);
  const metricsAuth = flags.get('metrics-auth');
  if (metricsAuth !== undefined && !isMetricsAuthMode(metricsAuth)) throw new UsageError(`--metrics-auth ${metricsAuth} is neither jwt nor public`);
  return {
    address: parseAddress(flags.get('address') ?? ':9000'),
    consoleAddress: parseAddress(flags.get('console-address') ?? '127.0.0.1:9001'),
    configDir: flags.get('config-dir') ?? './data/.config',
    region: flags.get('region') ?? 'us-east-1',
    ...(flags.get('domain') ? { domain: flags.get('domain')! } : {}),
    ...(parity !== undefined ? { parity } : {}),
    ...(tls ? { tls } : {}),
    ...(accessPlugin ? { accessPlugin } : {}),
    ...(ldap || identityPlugin ? { federation: { ...(ldap ? { ldap } : {}), ...(identityPlugin ? { identityPlugin } : {}) } } : {}),
    ...(metricsAuth !== undefined ? { metricsAuth } : {}),
    ...stsDurations(flags),
    ...(flags.get('auth-throttle') !== undefined ? { authThrottle: wholeNumber(flags.get('auth-throttle')!, '--auth-throttle') } : {}),
    ...healConfig(flags),
    adminAllow: flags.get('admin-allow')?.split(',').map((c) => c.trim()).filter(Boolean) ?? DEFAULT_ADMIN_ALLOW,
    drives,
  };
}

function stsDurations(flags: Map<string, string>): Pick<EngineConfig, 'sts'> {
  const read = (flag: string) => {
    const text = flags.get(flag);
    if (text === undefined) return undefined;
    const n = parseDurationText(text);
    if (n === undefined || n < 1) throw new UsageError(`--${flag} ${text} is not a duration (seconds, or a number with s, m, h or d)`);
    return n;
  };
  const maxDuration = read('sts-max-duration');
  const minDuration = read('sts-min-duration');
  if (maxDuration !== undefined && maxDuration > MAX_MAX_DURATION) throw new UsageError('--sts-max-duration is at most 365 days');
  if (maxDuration !== undefined && maxDuration < (minDuration ?? DEFAULT_MIN_DURATION)) throw new UsageError('--sts-max-duration is below the shortest session allowed (--sts-min-duration, default 900 s)');
  if (minDuration !== undefined && minDuration > (maxDuration ?? DEFAULT_MAX_DURATION)) throw new UsageError('--sts-min-duration is above the longest session allowed');
  if (maxDuration === undefined && minDuration === undefined) return {};
  return { sts: { ...(minDuration !== undefined ? { minDuration } : {}), ...(maxDuration !== undefined ? { maxDuration } : {}) } };
}

const HEAL_FLAGS = ['scanner-interval', 'scanner-pace', 'scanner-io', 'scanner-deep-every', 'heal-grace'];

function healConfig(flags: Map<string, string>): { heal?: Partial<HealerConfig> } {
  const heal: Partial<HealerConfig> = {};
  const n = (flag: string) => (flags.get(flag) === undefined ? undefined : wholeNumber(flags.get(flag)!, `--${flag}`));
  const interval = n('scanner-interval');
  const pace = n('scanner-pace');
  const io = n('scanner-io');
  const deepEvery = n('scanner-deep-every');
  const grace = n('heal-grace');
  if (interval !== undefined) heal.intervalSeconds = interval;
  if (pace !== undefined) heal.pace = pace;
  if (io !== undefined) heal.ioMiBps = io;
  if (deepEvery !== undefined) heal.deepEvery = deepEvery;
  if (grace !== undefined) heal.graceSeconds = grace;
  return Object.keys(heal).length ? { heal } : {};
}

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} ${text} is not a whole number`);
  return Number(text);
}

/** Opens the drives and serves until SIGINT / SIGTERM, then closes the databases cleanly. */
export async function runServer(argv: string[]): Promise<void> {
  const config = parseServerArgs(argv);
  const log = (line: string) => console.log(line);
  let launch;
  try {
    launch = await launchEngine(config, log);
  } catch (err) {
    if (err instanceof CredentialsError || err instanceof MasterKeyError || err instanceof IamIntegrityError || err instanceof TlsConfigError || err instanceof LaunchError || err instanceof EngineFileError) throw new UsageError(err.message);
    throw err;
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing requests and closing drives`);
    await launch.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const engine = await launch.engine;
  const d = engine.layer.deployment;
  log(`Granary: deployment ${d.deploymentId}${d.fresh ? ' (drives formatted now)' : ''}`);
  d.sets.forEach((s, i) => log(`  set ${i + 1}: ${s.k} data + ${s.m} parity on ${s.paths.map((p) => p ?? '(missing)').join(', ')}`));
  const shown = config.address.host === '0.0.0.0' || config.address.host === '::' ? '127.0.0.1' : config.address.host;
  const scheme = engine.tls ? 'https' : 'http';
  log(`S3 API: ${scheme}://${shown}:${engine.port} (region ${config.region})`);
  log(`Admin API: ${scheme}://${shown}:${engine.port}/granary/admin/v1/ from ${config.adminAllow.join(', ')}`);
  log(`Metrics: ${scheme}://${shown}:${engine.port}/granary/v1/metrics (${config.metricsAuth === 'public' ? 'public' : 'bearer token from `granary admin prometheus-token`'})`);
  const root = engine.root;
  if (root.source === 'generated') {
    log('Root credentials were generated for this deployment; they are shown this once:');
    log(`  access key: ${root.accessKey}`);
    log(`  secret key: ${root.secretKey}`);
    log(`  (kept in ${root.file}, readable only by this user)`);
  } else {
    log(`Root access key: ${root.accessKey} (${root.source === 'file' ? `from ${root.file}` : 'from GRANARY_ROOT_USER'})`);
  }
  log(`Console: ${engine.consoleUrl}`);
}
