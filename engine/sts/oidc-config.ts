import { GranaryError } from '../common/errors.js';

/**
 * An OpenID Connect provider, as the admin configures it. Kept as a setting
 * (`sts.oidc.<name>`) in granary.db: no secret is needed for the token
 * flows (the ID token is checked against the provider's published keys), so
 * none is stored, and every change reaches the audit log as an IAM change.
 */
export interface OidcProviderConfig {
  name: string;
  /** `https://issuer/.well-known/openid-configuration`. */
  configUrl: string;
  /** The client id: the audience an ID token must name. */
  clientId: string;
  /** The claim that names the policies of a claim-based provider. */
  claimName: string;
  /** Role-based provider: `arn:granary:iam:::role/<name>`, whose policies are `rolePolicies`. */
  roleArn?: string;
  rolePolicies?: string[];
  /** For the console's "Log in with …" (authorization code flow): kept, not used by the token flows. */
  scopes?: string[];
  redirectUri?: string;
  /** The console's authorization code flow: a confidential client's secret (sent to the token endpoint), and the button's label. */
  clientSecret?: string;
  label?: string;
  created: number;
}

export const OIDC_SETTING_PREFIX = 'sts.oidc.';
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export function roleArnOf(name: string): string {
  return `arn:granary:iam:::role/${name}`;
}

/** The admin's JSON body → a checked configuration (the discovery document is fetched separately). */
export function parseOidcConfig(name: string, body: unknown, now = Date.now()): OidcProviderConfig {
  if (!NAME.test(name)) throw new GranaryError('InvalidInput', 'A provider name is 1 to 32 lower-case letters, digits, - or _, starting with a letter or digit.');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GranaryError('InvalidInput', 'The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const known = new Set(['configUrl', 'clientId', 'claimName', 'rolePolicies', 'scopes', 'redirectUri', 'clientSecret', 'label']);
  for (const k of Object.keys(b)) if (!known.has(k)) throw new GranaryError('InvalidInput', `Unknown field ${JSON.stringify(k)}; expecting ${[...known].join(', ')}.`);
  const configUrl = str(b, 'configUrl', true)!;
  let url: URL;
  try {
    url = new URL(configUrl);
  } catch {
    throw new GranaryError('InvalidInput', 'configUrl must be an absolute URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new GranaryError('InvalidInput', 'configUrl must be an http(s) URL.');
  if (!url.pathname.endsWith('/.well-known/openid-configuration')) throw new GranaryError('InvalidInput', 'configUrl must be the discovery document, ending in /.well-known/openid-configuration.');
  const clientId = str(b, 'clientId', true)!;
  if (clientId.length > 256) throw new GranaryError('InvalidInput', 'clientId may be at most 256 characters.');
  const claimName = str(b, 'claimName', false) ?? 'policy';
  if (!/^[A-Za-z0-9_:./-]{1,128}$/.test(claimName)) throw new GranaryError('InvalidInput', 'claimName must be 1 to 128 letters, digits or _ : . / -.');
  const rolePolicies = strs(b, 'rolePolicies');
  if (rolePolicies !== undefined && rolePolicies.length === 0) throw new GranaryError('InvalidInput', 'rolePolicies, when given, names at least one policy.');
  const scopes = strs(b, 'scopes');
  const redirectUri = str(b, 'redirectUri', false);
  const clientSecret = str(b, 'clientSecret', false);
  const label = str(b, 'label', false);
  if (label !== undefined && label.length > 64) throw new GranaryError('InvalidInput', 'label may be at most 64 characters.');
  return {
    name,
    configUrl: url.href,
    clientId,
    claimName,
    ...(rolePolicies ? { roleArn: roleArnOf(name), rolePolicies } : {}),
    ...(scopes ? { scopes } : {}),
    ...(redirectUri !== undefined ? { redirectUri } : {}),
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    ...(label !== undefined ? { label } : {}),
    created: now,
  };
}

function str(b: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const v = b[name];
  if (v === undefined) {
    if (required) throw new GranaryError('InvalidInput', `${name} is required.`);
    return undefined;
  }
  if (typeof v !== 'string' || v === '') throw new GranaryError('InvalidInput', `${name} must be a non-empty string.`);
  return v;
}

function strs(b: Record<string, unknown>, name: string): string[] | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) throw new GranaryError('InvalidInput', `${name} must be a list of non-empty strings.`);
  return v as string[];
}
