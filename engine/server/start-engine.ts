import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { adminApi } from '../admin/admin-api.js';
import { AdminNetworks } from '../admin/admin-network.js';
import { createIamQueryHandler } from '../admin/iam-query/index.js';
import { AuditLog } from '../audit/audit-log.js';
import { auditStatusApi } from '../audit/audit-status-api.js';
import type { RequestObserver } from '../common/request-record.js';
import { masterKeyPath } from '../crypto/master-key.js';
import { AuthThrottle } from '../iam/auth-throttle.js';
import { Authorizer } from '../iam/authorizer.js';
import { IamService } from '../iam/iam-service.js';
import { readWrappedKey } from '../iam/iam-snapshot.js';
import { CredentialsError, loadRootCredentials, rotateRootSecret, wouldGenerateRoot, type RootCredentials } from '../iam/root-credentials.js';
import { DEFAULT_HEALER_CONFIG, Healer, type HealerConfig } from '../heal/healer.js';
import { GranaryMetrics } from '../metrics/granary-metrics.js';
import { metricsApi } from '../metrics/metrics-api.js';
import type { MetricsAuthMode } from '../metrics/metrics-auth.js';
import { MetricsTokens } from '../metrics/metrics-token.js';
import { ErasureObjectLayer } from '../object/erasure-object-layer.js';
import { startConsoleServer, type RunningConsole } from '../console/console-server.js';
import { createS3Server } from '../s3/s3-server.js';
import { startTransportSecurity, type TlsConfig, type TransportSecurity } from '../tls/transport-security.js';

export interface EngineConfig {
  address: { host: string; port: number };
  configDir: string;
  parity?: number;
  region: string;
  domain?: string;
  drives: string[];
  adminAllow: string[];
  /** Failed authentications per key or address per minute before throttling; 0 turns throttling off (a lab or a fuzz test). */
  authThrottle?: number;
  /** Where the console (its API and pages) listens; no console when absent. */
  consoleAddress?: { host: string; port: number };
  /** HTTPS on both ports (engine/tls); plain HTTP when absent. */
  tls?: TlsConfig;
  /** How `/granary/v1/metrics` is guarded: a bearer token (default) or nothing. */
  metricsAuth?: MetricsAuthMode;
  /** Background scanner, orphan grace and drive watch (engine/heal); defaults for what is absent. */
  heal?: Partial<HealerConfig>;
}

export interface RunningEngine {
  s3: FastifyInstance;
  port: number;
  layer: ErasureObjectLayer;
  iam: IamService;
  /** Heal status and events (the health event bus subscribes with `healer.onEvent`). */
  healer: Healer;
  root: RootCredentials;
  /** The console's URL, when it was started. */
  consoleUrl?: string;
  /** Present when both ports serve HTTPS. */
  tls?: TransportSecurity;
  close(): Promise<void>;
}

export const VERSION = '0.1.0';

/**
 * The composition root: drives, IAM, the S3 port with the admin API on it.
 * The CLI and the Electron utility process both start the engine here.
 */
export async function startEngine(config: EngineConfig, log: (line: string) => void): Promise<RunningEngine> {
  const networks = new AdminNetworks(config.adminAllow);
  // First: a certificate that cannot be served stops the start before the drives are opened.
  const transport = config.tls ? await startTransportSecurity(config.tls, config.configDir, log) : undefined;
  const layer = await ErasureObjectLayer.open({ drives: config.drives, parity: config.parity, log });
  try {
    // Drives that carry IAM from a lost config directory need that deployment's root password, not new generated ones.
    if (wouldGenerateRoot(config.configDir) && !existsSync(masterKeyPath(config.configDir)) && (await readWrappedKey(layer))) {
      throw new CredentialsError(
        'these drives hold users and keys of an existing deployment, but the config directory has no root credentials: ' +
          'start with GRANARY_ROOT_USER and GRANARY_ROOT_PASSWORD set to its root credentials to restore the config directory from the drives',
      );
    }
    let root = loadRootCredentials(config.configDir);
    const iam = await IamService.open({ configDir: config.configDir, store: layer, root, log });
    const authorizer = new Authorizer(iam);
    const threshold = config.authThrottle === 0 ? Number.MAX_SAFE_INTEGER : config.authThrottle;
    // The audit trail (engine/audit): every request, IAM change and security event, to targets configured at run time.
    const auditLog = AuditLog.open({ settings: iam, configDir: config.configDir, log });
    iam.onChange((changes) => auditLog.change(changes));
    const throttle = new AuthThrottle({ ...(threshold !== undefined ? { threshold } : {}), onThrottle: (e) => auditLog.security('authentication throttled', { ...e }) });
    const audit = (entry: Record<string, unknown>) => auditLog.report(entry);
    // Prometheus metrics (engine/metrics): request counts from the same records the audit log gets, the rest read at scrape time.
    const metrics = new GranaryMetrics({ storage: layer, auditTargets: () => auditLog.targetStats() });
    const metricsTokens = await MetricsTokens.open(iam);
    const observe: RequestObserver = (r) => {
      auditLog.request(r);
      metrics.observe(r);
    };
    // Healing (engine/heal): scanner, sweeps on demand, rebuild of replaced drives.
    const healer = new Healer(layer, { ...DEFAULT_HEALER_CONFIG, ...config.heal }, log);
    const s3 = createS3Server({
      layer,
      region: config.region,
      ...(config.domain ? { domain: config.domain } : {}),
      observe,
      access: {
        credentials: (k) => iam.credentials(k),
        authorizer,
        throttle,
        bucketPolicies: {
          get: (b) => iam.getBucketPolicy(b),
          put: (b, d) => iam.putBucketPolicy(b, d),
          delete: (b) => iam.deleteBucketPolicy(b),
        },
      },
      servicePost: createIamQueryHandler({ iam, authorizer, networks, audit, log }),
      plugins: [
        auditStatusApi({ iam, authorizer, networks, region: config.region, throttle, audit, auditLog }),
        metricsApi({ auth: config.metricsAuth ?? 'jwt', exposition: () => metrics.exposition(), tokens: metricsTokens, iam, authorizer }),
        adminApi({
          iam,
          authorizer,
          networks,
          region: config.region,
          storageInfo: () => layer.storageInfo(),
          throttle,
          audit,
          auditLog,
          metricsTokens,
          healer,
          version: VERSION,
          ...(root.source === 'environment'
            ? {}
            : {
                rotateRoot: async () => {
                  root = rotateRootSecret(config.configDir, root.accessKey);
                  await iam.rootSecretChanged(root);
                  audit({ change: 'root secret rotated' });
                  return { accessKey: root.accessKey, secretKey: root.secretKey };
                },
              }),
        }),
      ],
      log,
      ...(transport ? { https: transport.serverOptions() } : {}),
    });
    transport?.attach(s3.server);
    await s3.listen({ host: config.address.host, port: config.address.port });
    const addr = s3.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.address.port;
    // --- console session API (engine/console): listen; closed first on shutdown ---
    let consoleServer: RunningConsole | undefined;
    if (config.consoleAddress) {
      consoleServer = await startConsoleServer({ iam, authorizer, throttle, audit, observe, log, ...(transport ? { tls: transport } : {}) }, config.consoleAddress).catch(async (err: unknown) => {
        await s3.close();
        throw err;
      });
      transport?.attach(consoleServer.app.server);
    }
    // --- end console ---
    healer.start();
    return {
      s3,
      port,
      layer,
      iam,
      healer,
      get root() {
        return root;
      },
      ...(consoleServer ? { consoleUrl: consoleServer.url } : {}),
      ...(transport ? { tls: transport } : {}),
      close: async () => {
        await consoleServer?.close();
        await s3.close();
        // After both ports stopped answering: the last requests' entries are delivered or spilled.
        await auditLog.close();
        await healer.close();
        await iam.close();
        await layer.close();
        transport?.close();
      },
    };
  } catch (err) {
    transport?.close();
    await layer.close();
    throw err;
  }
}
