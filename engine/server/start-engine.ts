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
import { AccessPlugin, type AccessPluginConfig } from '../iam/plugins/access-plugin.js';
import { IamService } from '../iam/iam-service.js';
import { readWrappedKey } from '../iam/iam-snapshot.js';
import { CredentialsError, loadRootCredentials, rotateRootSecret, setRootSecret, wouldGenerateRoot, type RootCredentials } from '../iam/root-credentials.js';
import { HealthMonitor } from '../health/health-monitor.js';
import type { HealthListener, HealthSnapshot, HealthSource } from '../api/health/types.js';
import { SmartInfo } from '../health/smart-info.js';
import { DEFAULT_HEALER_CONFIG, Healer, type HealerConfig } from '../heal/healer.js';
import { applyDriveReplacements, recordDriveReplacement } from './drive-replacements.js';
import { healthEventOf } from './heal-events.js';
import { GranaryMetrics } from '../metrics/granary-metrics.js';
import { metricsApi } from '../metrics/metrics-api.js';
import type { MetricsAuthMode } from '../metrics/metrics-auth.js';
import { MetricsTokens } from '../metrics/metrics-token.js';
import { TrafficWindow } from '../metrics/traffic-window.js';
import { ErasureObjectLayer } from '../object/erasure-object-layer.js';
import { startConsoleServer, type RunningConsole } from '../console/console-server.js';
import { createS3Server } from '../s3/s3-server.js';
import { startFederation, type FederationConfig } from './federation.js';
import { ldapSession, type LdapSessionRequest } from '../sts/ldap-identity.js';
import { OidcCodeFlow } from '../sts/oidc-code-flow.js';
import { createStsHandler, defaultStsActions, DEFAULT_MAX_DURATION, DEFAULT_MIN_DURATION, OidcProviders, SessionIssuer } from '../sts/index.js';
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
  /** OPA or an access-management plugin deciding signed requests (engine/iam/plugins). */
  accessPlugin?: AccessPluginConfig;
  /** STS session lengths in seconds: max default 12 h (at most 365 days); min 900 s, lowered only by tests and labs. */
  sts?: { minDuration?: number; maxDuration?: number };
  /** LDAP and the identity plugin (engine/server/federation.ts). */
  federation?: FederationConfig;
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
  /** Drive and set health and its event stream (engine/health), for the host adapter (the tray). */
  health: HealthMonitor;
  snapshot(): HealthSnapshot;
  /** Every health event from now on; returns the unsubscribe function. */
  onHealth(listener: HealthListener): () => void;
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
  // Drives replaced by `granary admin drive replace` stand in for the paths they replaced.
  const layer = await ErasureObjectLayer.open({ drives: applyDriveReplacements(config.configDir, config.drives, log), parity: config.parity, log });
  let stopHealth = () => undefined as void;
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
    // Its failures are audited; the audit log is opened just below and a failure can only come with a request.
    const accessPlugin = config.accessPlugin ? new AccessPlugin(config.accessPlugin, (f) => auditLog.security('access plugin failed', { ...f })) : undefined;
    if (accessPlugin) log(`Access plugin: ${accessPlugin.config.mode === 'opa' ? 'OPA decides for every identity but root' : 'overrides internal IAM, root included'} at ${accessPlugin.config.url.href} (timeout ${accessPlugin.config.timeoutMs} ms, fails closed)`);
    const authorizer = new Authorizer(iam, accessPlugin);
    const threshold = config.authThrottle === 0 ? Number.MAX_SAFE_INTEGER : config.authThrottle;
    // The audit trail (engine/audit): every request, IAM change and security event, to targets configured at run time.
    const auditLog = AuditLog.open({ settings: iam, configDir: config.configDir, log });
    iam.onChange((changes) => auditLog.change(changes));
    const throttle = new AuthThrottle({ ...(threshold !== undefined ? { threshold } : {}), onThrottle: (e) => auditLog.security('authentication throttled', { ...e }) });
    const audit = (entry: Record<string, unknown>) => auditLog.report(entry);
    // Drive health (engine/health): one event stream for the console, the admin API, the tray and the audit log.
    const health = new HealthMonitor({
      reports: () => layer.driveReports(),
      smart: new SmartInfo(layer.driveReports().sets.flatMap((s) => s.drives.flatMap((d) => (d.path ? [d.path] : []))), log),
      record: (e) => auditLog.report({ ...e, event: `drive health: ${e.type}` }),
      log,
    });
    health.start();
    stopHealth = () => health.stop();
    const healthSource: HealthSource = health;
    // Prometheus metrics (engine/metrics): request counts from the same records the audit log gets, the rest read at scrape time.
    // Federated identities (LDAP, certificates, identity plugin): STS flows, DN policy mappings, the directory sync.
    const federation = startFederation(config.federation ?? {}, iam, (event, details) => auditLog.security(event, details), log);
    const ldapSync = federation.ldapSync;
    const metrics = new GranaryMetrics({ storage: layer, auditTargets: () => auditLog.targetStats(), ...(accessPlugin ? { accessPlugin: () => accessPlugin.stats() } : {}), ...(ldapSync ? { ldapSync: () => ldapSync.stats() } : {}) });
    const metricsTokens = await MetricsTokens.open(iam);
    // STS (engine/sts): temporary credentials on the S3 port's `POST /`, beside the IAM query API.
    const oidc = new OidcProviders(iam);
    const stsIssuer = await SessionIssuer.open(iam);
    const sts = createStsHandler({
      iam,
      issuer: stsIssuer,
      limits: { min: config.sts?.minDuration ?? DEFAULT_MIN_DURATION, max: config.sts?.maxDuration ?? DEFAULT_MAX_DURATION },
      oidc,
      audit,
      log,
    }, federation.stsActions(defaultStsActions()));
    const iamQuery = createIamQueryHandler({ iam, authorizer, networks, audit, log });
    const traffic = new TrafficWindow();
    const observe: RequestObserver = (r) => {
      auditLog.request(r);
      metrics.observe(r);
      traffic.observe(r);
    };
    // Healing (engine/heal): scanner, sweeps on demand, rebuild of replaced drives.
    const healer = new Healer(layer, { ...DEFAULT_HEALER_CONFIG, ...config.heal }, log);
    // Heal progress and bitrot on the one health stream (console, tray, audit).
    healer.onEvent((e) => {
      const body = healthEventOf(e, () => health.snapshot());
      if (body) health.publish(body);
    });
    const s3 = createS3Server({
      layer,
      region: config.region,
      ...(config.domain ? { domain: config.domain } : {}),
      observe,
      access: {
        credentials: (k) => iam.signingCredentials(k),
        authorizer,
        throttle,
        bucketPolicies: {
          get: (b) => iam.getBucketPolicy(b),
          put: (b, d) => iam.putBucketPolicy(b, d),
          delete: (b) => iam.deleteBucketPolicy(b),
        },
      },
      servicePost: (req) => (req.service === 'sts' || sts.isSts(req.form) ? sts.handle(req) : iamQuery(req)),
      unsignedServicePost: (form) => sts.acceptsUnsigned(form),
      plugins: [
        auditStatusApi({ iam, authorizer, networks, region: config.region, throttle, audit, auditLog }),
        metricsApi({ auth: config.metricsAuth ?? 'jwt', exposition: () => metrics.exposition(), tokens: metricsTokens, iam, authorizer }),
        adminApi({
          iam,
          authorizer,
          networks,
          region: config.region,
          storageInfo: () => layer.storageInfo(),
          health: () => health.snapshot(),
          throttle,
          audit,
          auditLog,
          metricsTokens,
          sts: { oidc },
          ldap: { policies: federation.policyMap, ...(ldapSync ? { sync: ldapSync } : {}) },
          healer: {
            startSweep: (req) => healer.startSweep(req),
            status: () => healer.status(),
            replaceDrive: async (oldPath, newPath, opts) => {
              const done = await healer.replaceDrive(oldPath, newPath, opts);
              await recordDriveReplacement(config.configDir, done.old, done.new);
              return done;
            },
          },
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
      const anyInterface = config.address.host === '0.0.0.0' || config.address.host === '::' || config.address.host === '';
      const s3Host = anyInterface ? '127.0.0.1' : config.address.host;
      const s3Url = `${transport ? 'https' : 'http'}://${s3Host.includes(':') ? `[${s3Host}]` : s3Host}:${port}`;
      const storage = { layer, s3: { url: s3Url, region: config.region, anyInterface } };
      // Identity and Security screens: the admin networks to show, and root's password change when root is file-kept.
      const consoleIam = {
        adminNetworks: networks,
        ...(root.source === 'environment'
          ? {}
          : {
              setRootSecret: async (secretKey: string) => {
                root = setRootSecret(config.configDir, root.accessKey, secretKey);
                await iam.rootSecretChanged(root);
                audit({ change: 'root secret changed in the console' });
              },
            }),
      };
      const ldap = federation.ldap;
      const consoleFederation = {
        ...(ldap ? { ldapLogin: (r: LdapSessionRequest) => ldapSession(ldap, { issuer: stsIssuer, audit }, r) } : {}),
        oidcLogin: new OidcCodeFlow({ oidc, issuer: stsIssuer, audit }),
      };
      consoleServer = await startConsoleServer({ iam, authorizer, throttle, audit, observe, log, storage, health: healthSource, traffic: () => traffic.summary(), ...consoleIam, ...consoleFederation, ...(transport ? { tls: transport } : {}) }, config.consoleAddress).catch(async (err: unknown) => {
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
      health,
      snapshot: () => health.snapshot(),
      onHealth: (listener) => health.on(listener),
      close: async () => {
        health.stop();
        await consoleServer?.close();
        await s3.close();
        // After both ports stopped answering: the last requests' entries are delivered or spilled.
        federation.close();
        await auditLog.close();
        accessPlugin?.close();
        await healer.close();
        await iam.close();
        await layer.close();
        transport?.close();
      },
    };
  } catch (err) {
    stopHealth();
    transport?.close();
    await layer.close();
    throw err;
  }
}
