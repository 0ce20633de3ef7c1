import { readFileSync } from 'node:fs';
import type { AccessPluginConfig } from '../iam/plugins/access-plugin.js';
import type { PluginEndpoint } from '../iam/plugins/json-post.js';
import { UsageError } from './args.js';
import { parseDurationFlag } from './duration-flag.js';

/** The access plugins' server flags: `--NAME-plugin-url`, `-timeout`, `-ca` for NAME in policy (OPA), access (override). */
export const PLUGIN_FLAGS = [...['policy', 'access', 'identity'].flatMap((p) => [`${p}-plugin-url`, `${p}-plugin-timeout`, `${p}-plugin-ca`]), 'identity-plugin-role-policy'];

export const PLUGIN_USAGE = `[--policy-plugin-url URL | --access-plugin-url URL] [--{policy,access}-plugin-timeout 2s] [--{policy,access}-plugin-ca PEM]
                      [--identity-plugin-url URL --identity-plugin-role-policy POLICY,... [--identity-plugin-timeout 2s] [--identity-plugin-ca PEM]]`;

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * `--policy-plugin-url` is OPA (MinIO's policy plugin: decides for every
 * identity but root); `--access-plugin-url` is the access-management plugin
 * that overrides internal IAM, root included. One at most. Bearer tokens come
 * from the environment (GRANARY_POLICY_PLUGIN_TOKEN, GRANARY_ACCESS_PLUGIN_TOKEN),
 * never from flags that `ps` shows.
 */
export function parseAccessPluginFlags(flags: Map<string, string>, env: NodeJS.ProcessEnv = process.env): AccessPluginConfig | undefined {
  const opa = pluginEndpoint(flags, env, 'policy');
  const override = pluginEndpoint(flags, env, 'access');
  if (opa && override) throw new UsageError('--policy-plugin-url (OPA) and --access-plugin-url (override) exclude each other: choose one decision maker');
  if (opa) return { ...opa, mode: 'opa' };
  if (override) return { ...override, mode: 'override' };
  return undefined;
}

/** `--identity-plugin-url` (AssumeRoleWithCustomToken) and the policies of its role; token from GRANARY_IDENTITY_PLUGIN_TOKEN. */
export function parseIdentityPluginFlags(flags: Map<string, string>, env: NodeJS.ProcessEnv = process.env): { endpoint: PluginEndpoint; rolePolicies: string[] } | undefined {
  const endpoint = pluginEndpoint(flags, env, 'identity');
  const policies = flags.get('identity-plugin-role-policy')?.split(',').map((p) => p.trim()).filter(Boolean);
  if (!endpoint) {
    if (policies !== undefined) throw new UsageError('--identity-plugin-role-policy needs --identity-plugin-url');
    return undefined;
  }
  if (!policies?.length) throw new UsageError('--identity-plugin-url needs --identity-plugin-role-policy: the policies its sessions get');
  return { endpoint, rolePolicies: policies };
}

function pluginEndpoint(flags: Map<string, string>, env: NodeJS.ProcessEnv, name: string): PluginEndpoint | undefined {
  const urlText = flags.get(`${name}-plugin-url`);
  const timeout = flags.get(`${name}-plugin-timeout`);
  const caFile = flags.get(`${name}-plugin-ca`);
  if (urlText === undefined) {
    if (timeout !== undefined || caFile !== undefined) throw new UsageError(`--${name}-plugin-timeout and --${name}-plugin-ca need --${name}-plugin-url`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new UsageError(`--${name}-plugin-url ${JSON.stringify(urlText)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--${name}-plugin-url ${urlText}: only http and https are supported`);
  let ca: string | undefined;
  if (caFile !== undefined) {
    if (url.protocol !== 'https:') throw new UsageError(`--${name}-plugin-ca needs an https --${name}-plugin-url`);
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new UsageError(`--${name}-plugin-ca ${caFile}: ${(err as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--${name}-plugin-ca ${caFile} holds no PEM certificate`);
  }
  const token = env[`GRANARY_${name.toUpperCase()}_PLUGIN_TOKEN`];
  return {
    url,
    timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDurationFlag(`${name}-plugin-timeout`, timeout),
    ...(token ? { token } : {}),
    ...(ca !== undefined ? { ca } : {}),
  };
}
