import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SetupRequest, SetupResponse } from '../api/console/types.js';
import { ConsoleError } from '../console/console-error.js';
import { rootCredentialsFile, saveRootCredentials } from '../iam/root-credentials.js';
import { awsConfig, lanEndpoints, rcloneConfig } from '../setup/client-configs.js';
import { readEngineFile, saveEngineFile } from '../setup/engine-file.js';
import { createSetupServer, newSetupToken } from '../setup/setup-server.js';
import { startTransportSecurity } from '../tls/transport-security.js';
import { startEngine, type EngineConfig, type RunningEngine } from './start-engine.js';

/** The engine's start, with first-run setup when it has no drives yet. */
export interface Launch {
  /** Set while the console serves only the setup wizard: the wizard's URL with its one-time token. */
  setupUrl?: string;
  /** Where the console answers (the setup wizard first, when there is one). */
  consoleUrl?: string;
  /** Resolves once the drives are open and S3 listens: at once, or when setup completes. */
  engine: Promise<RunningEngine>;
  /** Stops whatever runs: the setup server, or the engine (ports, then the databases). */
  close(): Promise<void>;
}

export class LaunchError extends Error {
  override name = 'LaunchError';
}

/** What the host shows for a running engine. */
export function engineUrls(engine: RunningEngine, config: EngineConfig): { s3Url: string; consoleUrl?: string } {
  const host = config.address.host === '0.0.0.0' || config.address.host === '::' || config.address.host === '' ? '127.0.0.1' : config.address.host;
  const s3Url = `${engine.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${engine.port}`;
  return { s3Url, ...(engine.consoleUrl ? { consoleUrl: engine.consoleUrl } : {}) };
}

/**
 * Drives from the command line win; otherwise those saved by setup
 * (`engine.json`); otherwise, for a config directory that never held a
 * deployment, the console serves the setup wizard until it is done.
 */
export async function launchEngine(config: EngineConfig, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<Launch> {
  if (config.drives.length > 0) return running(await startEngine(config, log), config);
  const saved = readEngineFile(config.configDir);
  if (saved) {
    log(`Drives from ${join(config.configDir, 'engine.json')}: ${saved.drives.join(', ')}`);
    return running(await startEngine({ ...config, drives: saved.drives, parity: saved.parity }, log), config);
  }
  if (existsSync(join(config.configDir, 'granary.db')) || existsSync(rootCredentialsFile(config.configDir))) {
    throw new LaunchError(`no drives given, and the config directory ${config.configDir} already belongs to a deployment started with drives on the command line: give those drives again`);
  }
  if (!config.consoleAddress) throw new LaunchError('no drives given, and no console to set them up in');
  return setupMode(config, config.consoleAddress, log, env);
}

function running(engine: RunningEngine, _config: EngineConfig): Launch {
  return { ...(engine.consoleUrl ? { consoleUrl: engine.consoleUrl } : {}), engine: Promise.resolve(engine), close: () => engine.close() };
}

async function setupMode(config: EngineConfig, address: { host: string; port: number }, log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<Launch> {
  const token = newSetupToken();
  // The wizard is served as the console would be: HTTPS when the console will be.
  const transport = config.tls ? await startTransportSecurity(config.tls, config.configDir, log) : undefined;
  let resolveEngine!: (e: RunningEngine) => void;
  const engine = new Promise<RunningEngine>((r) => (resolveEngine = r));
  let started: RunningEngine | undefined;
  let boundPort = address.port;

  const complete = async (req: SetupRequest): Promise<SetupResponse> => {
    if (env.GRANARY_ROOT_USER !== undefined || env.GRANARY_ROOT_PASSWORD !== undefined) {
      throw new ConsoleError('InvalidRequest', 'The root account is set by GRANARY_ROOT_USER and GRANARY_ROOT_PASSWORD in the engine\'s environment; unset them to choose it here.');
    }
    const creds = saveRootCredentials(config.configDir, req.rootUser, req.rootPassword);
    // Hand the port over: stop listening (this request's connection stays open to carry the answer), then the full console binds it.
    app.server.close();
    app.server.closeIdleConnections();
    transport?.close();
    let engineNow: RunningEngine;
    try {
      engineNow = await startEngine({ ...config, drives: req.drives, parity: req.parity, consoleAddress: { host: address.host, port: boundPort } }, log);
    } catch (err) {
      rmSync(creds.file!, { force: true });
      log(`Setup: the engine did not start: ${(err as Error).message}`);
      await listen();
      throw new ConsoleError('InvalidRequest', `The drives could not be set up: ${(err as Error).message}`);
    }
    saveEngineFile(config.configDir, req.drives, req.parity);
    started = engineNow;
    log(`Setup: done; drives and parity saved in ${join(config.configDir, 'engine.json')}`);
    const urls = engineUrls(engineNow, config);
    const c = { endpoint: urls.s3Url, region: config.region, accessKey: req.rootUser, secretKey: req.rootPassword };
    // After the answer is on its way: the host hears about the running engine.
    setImmediate(() => resolveEngine(engineNow));
    return {
      s3Endpoint: urls.s3Url,
      consoleUrl: engineNow.consoleUrl ?? '',
      lanAddresses: lanEndpoints(config.address.host, engineNow.port, engineNow.tls ? 'https' : 'http'),
      awsConfig: awsConfig(c),
      rcloneConfig: rcloneConfig(c),
    };
  };

  const app = createSetupServer({ address, token, complete, log, ...(transport ? { https: transport.serverOptions() } : {}) });
  const listen = async () => {
    await new Promise<void>((resolve, reject) => {
      app.server.once('error', reject);
      app.server.listen({ host: address.host, port: boundPort }, () => {
        app.server.off('error', reject);
        resolve();
      });
    });
    const bound = app.server.address();
    if (typeof bound === 'object' && bound) boundPort = bound.port;
  };
  await app.ready();
  await listen();
  const shown = address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
  const consoleUrl = `${transport ? 'https' : 'http'}://${shown.includes(':') ? `[${shown}]` : shown}:${boundPort}`;
  const setupUrl = `${consoleUrl}/setup?token=${token}`;
  log(`Setup: Granary has no drives yet. Open ${setupUrl} to choose them and create the root account (the token in this link is the key to this install).`);
  return {
    setupUrl,
    consoleUrl,
    engine,
    close: async () => {
      if (started) return started.close();
      app.server.close();
      app.server.closeAllConnections();
      transport?.close();
    },
  };
}
