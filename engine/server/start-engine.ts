import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { adminApi } from '../admin/admin-api.js';
import { AdminNetworks } from '../admin/admin-network.js';
import { createIamQueryHandler } from '../admin/iam-query/index.js';
import { masterKeyPath } from '../crypto/master-key.js';
import { AuthThrottle } from '../iam/auth-throttle.js';
import { Authorizer } from '../iam/authorizer.js';
import { IamService } from '../iam/iam-service.js';
import { readWrappedKey } from '../iam/iam-snapshot.js';
import { CredentialsError, loadRootCredentials, rotateRootSecret, wouldGenerateRoot, type RootCredentials } from '../iam/root-credentials.js';
import { ErasureObjectLayer } from '../object/erasure-object-layer.js';
import { startConsoleServer, type RunningConsole } from '../console/console-server.js';
import { createS3Server } from '../s3/s3-server.js';

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
}

export interface RunningEngine {
  s3: FastifyInstance;
  port: number;
  layer: ErasureObjectLayer;
  iam: IamService;
  root: RootCredentials;
  /** The console's URL, when it was started. */
  consoleUrl?: string;
  close(): Promise<void>;
}

export const VERSION = '0.1.0';

/**
 * The composition root: drives, IAM, the S3 port with the admin API on it.
 * The CLI and the Electron utility process both start the engine here.
 */
export async function startEngine(config: EngineConfig, log: (line: string) => void): Promise<RunningEngine> {
  const networks = new AdminNetworks(config.adminAllow);
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
    const throttle = new AuthThrottle({ ...(threshold !== undefined ? { threshold } : {}), onThrottle: (e) => log(`audit: authentication throttled ${JSON.stringify(e)}`) });
    const audit = (entry: Record<string, unknown>) => log(`audit: ${JSON.stringify({ time: new Date().toISOString(), ...entry })}`);
    const s3 = createS3Server({
      layer,
      region: config.region,
      ...(config.domain ? { domain: config.domain } : {}),
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
        adminApi({
          iam,
          authorizer,
          networks,
          region: config.region,
          storageInfo: () => layer.storageInfo(),
          throttle,
          audit,
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
    });
    await s3.listen({ host: config.address.host, port: config.address.port });
    const addr = s3.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.address.port;
    // --- console session API (engine/console): listen; closed first on shutdown ---
    let consoleServer: RunningConsole | undefined;
    if (config.consoleAddress) {
      consoleServer = await startConsoleServer({ iam, authorizer, throttle, audit, log }, config.consoleAddress).catch(async (err: unknown) => {
        await s3.close();
        throw err;
      });
    }
    // --- end console ---
    return {
      s3,
      port,
      layer,
      iam,
      get root() {
        return root;
      },
      ...(consoleServer ? { consoleUrl: consoleServer.url } : {}),
      close: async () => {
        await consoleServer?.close();
        await s3.close();
        await iam.close();
        await layer.close();
      },
    };
  } catch (err) {
    await layer.close();
    throw err;
  }
}
