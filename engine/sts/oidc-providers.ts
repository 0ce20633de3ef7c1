import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { GranaryError } from '../common/errors.js';
import type { IamService } from '../iam/iam-service.js';
import { parseOidcConfig, type OidcProviderConfig } from './oidc-config.js';
import { StsError } from './sts-error.js';

/** All providers live in one setting, as a JSON object by name. */
const SETTING = 'sts.oidc.providers';

/** Asymmetric algorithms only: never `none`, never HS* (a provider's public key must not become an HMAC secret). */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const FETCH_TIMEOUT_MS = 5000;
const MAX_DISCOVERY_BYTES = 256 * 1024;
/** The discovery document is fetched again after this long (a provider may move its JWKS). */
const DISCOVERY_TTL_MS = 3600_000;
/** An unknown kid makes jose fetch the JWKS again, at most this often per provider: rotation is picked up, a flood of bogus kids is not amplified. */
const JWKS_COOLDOWN_MS = 2000;

/** Who an OIDC token speaks for, once verified. */
export interface FederatedSubject {
  provider: OidcProviderConfig;
  subject: string;
  audience: string;
  issuerUrl: string;
  policies: string[];
}

interface Discovered {
  configUrl: string;
  issuer: string;
  jwks: ReturnType<typeof createRemoteJWKSet>;
  at: number;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

type Store = Pick<IamService, 'setting' | 'setSetting' | 'getPolicy' | 'listSessions' | 'revokeSessions'>;

/**
 * The configured OIDC providers and the checking of their tokens: issuer and
 * JWKS from the discovery document, keys from the JWKS (cached by jose,
 * refetched for an unknown kid, so key rotation needs nothing from the admin),
 * then issuer, audience, expiry, signature and algorithm.
 */
export class OidcProviders {
  private readonly discovered = new Map<string, Discovered>();

  constructor(private readonly iam: Store) {}

  list(): OidcProviderConfig[] {
    return Object.values(this.all()).sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): OidcProviderConfig {
    const p = this.all()[name];
    if (!p) throw new GranaryError('NoSuchEntity', `No OpenID Connect provider is named ${JSON.stringify(name)}.`);
    return p;
  }

  /** Adds or replaces a provider; its discovery document must answer first, so a typo is caught now, not at the first login. */
  async put(name: string, body: unknown): Promise<OidcProviderConfig> {
    const config = parseOidcConfig(name, body);
    for (const p of config.rolePolicies ?? []) this.iam.getPolicy(p);
    try {
      await this.discover(config, true);
    } catch (err) {
      throw new GranaryError('InvalidInput', `The discovery document ${config.configUrl} could not be used: ${(err as Error).message}`);
    }
    await this.iam.setSetting(SETTING, JSON.stringify({ ...this.all(), [name]: config }));
    return config;
  }

  /** Removes a provider and revokes the sessions it vouched for: nobody answers for them any more. */
  async remove(name: string): Promise<void> {
    this.get(name);
    const { [name]: _gone, ...rest } = this.all();
    this.discovered.delete(name);
    await this.iam.setSetting(SETTING, Object.keys(rest).length ? JSON.stringify(rest) : null);
    await this.iam.revokeSessions(this.iam.listSessions().filter((s) => s.issuer === `oidc:${name}`).map((s) => s.accessKey));
  }

  /**
   * Verifies an ID token (AssumeRoleWithWebIdentity) or a JWT access token
   * (AssumeRoleWithClientGrants). RoleArn picks a role-based provider; without
   * one naming a role, the claim-based provider whose issuer signed the token.
   */
  async verify(token: string, roleArn: string | null, kind: 'id' | 'access'): Promise<FederatedSubject> {
    const provider = await this.pick(token, roleArn);
    let disc: Discovered;
    try {
      disc = await this.discover(provider, false);
    } catch (err) {
      throw new StsError('IDPCommunicationError', `The identity provider ${provider.name} could not be reached: ${(err as Error).message}`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, disc.jwks, {
        issuer: disc.issuer,
        ...(kind === 'id' ? { audience: provider.clientId } : {}),
        algorithms: OIDC_ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 30,
      }));
    } catch (err) {
      throw tokenError(err, provider.name);
    }
    // An access token's audience is often the API, not the client: the client is then its azp or client_id.
    if (kind === 'access' && !audiences(payload).includes(provider.clientId) && payload.azp !== provider.clientId && payload.client_id !== provider.clientId) {
      throw new StsError('InvalidIdentityToken', `The token was not issued for the client ${provider.clientId} of provider ${provider.name}.`);
    }
    const policies = this.policiesOf(provider, payload);
    return { provider, subject: String(payload.sub), audience: audiences(payload)[0] ?? provider.clientId, issuerUrl: disc.issuer, policies };
  }

  private policiesOf(provider: OidcProviderConfig, payload: JWTPayload): string[] {
    let named: string[];
    if (provider.rolePolicies) {
      named = provider.rolePolicies;
    } else {
      const claim = payload[provider.claimName];
      named = typeof claim === 'string' ? claim.split(',') : Array.isArray(claim) ? claim.filter((c): c is string => typeof c === 'string') : [];
      named = named.map((n) => n.trim()).filter(Boolean);
    }
    const known = named.filter((n) => {
      try {
        this.iam.getPolicy(n);
        return true;
      } catch {
        return false;
      }
    });
    if (!known.length) {
      throw new StsError('IDPRejectedClaim', provider.rolePolicies
        ? `None of the policies of role ${provider.roleArn} exists any more.`
        : `The token's ${JSON.stringify(provider.claimName)} claim names no policy defined on this server.`);
    }
    return [...new Set(known)];
  }

  /** The authorization and token endpoints of a provider, for the console's authorization code flow. */
  async codeEndpoints(name: string): Promise<{ authorization: string; token: string }> {
    const p = this.get(name);
    let d: Discovered;
    try {
      d = await this.discover(p, false);
    } catch (err) {
      throw new StsError('IDPCommunicationError', `The identity provider ${p.name} could not be reached: ${(err as Error).message}`);
    }
    if (!d.authorizationEndpoint || !d.tokenEndpoint) throw new StsError('IDPCommunicationError', `The discovery document of ${p.name} names no authorization_endpoint or token_endpoint.`);
    return { authorization: d.authorizationEndpoint, token: d.tokenEndpoint };
  }

  private async pick(token: string, roleArn: string | null): Promise<OidcProviderConfig> {
    const all = this.list();
    if (!all.length) throw new StsError('InvalidParameterValue', 'No OpenID Connect provider is configured on this server.');
    if (roleArn) {
      const byRole = all.find((p) => p.roleArn === roleArn);
      if (byRole) return byRole;
      if (roleArn.startsWith('arn:granary:')) throw new StsError('InvalidParameterValue', `The RoleArn ${roleArn} names no configured provider.`);
    }
    const claimBased = all.filter((p) => !p.roleArn);
    if (claimBased.length === 1) return claimBased[0];
    if (!claimBased.length) throw new StsError('InvalidParameterValue', 'Every provider here is role-based: name its RoleArn (arn:granary:iam:::role/<provider>).');
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new StsError('InvalidIdentityToken', 'The token is not a JWT.');
    }
    for (const p of claimBased) {
      const d = await this.discover(p, false).catch(() => undefined);
      if (d && d.issuer === iss) return p;
    }
    throw new StsError('InvalidIdentityToken', 'The token was issued by none of the configured providers.');
  }

  private async discover(p: OidcProviderConfig, fresh: boolean): Promise<Discovered> {
    const hit = this.discovered.get(p.name);
    if (!fresh && hit && hit.configUrl === p.configUrl && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit;
    const res = await fetch(p.configUrl, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_DISCOVERY_BYTES) throw new Error('the document is too large');
    let doc: { issuer?: unknown; jwks_uri?: unknown; authorization_endpoint?: unknown; token_endpoint?: unknown };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      throw new Error('it is not JSON');
    }
    if (typeof doc.issuer !== 'string' || typeof doc.jwks_uri !== 'string') throw new Error('it names no issuer or jwks_uri');
    // OpenID Connect Discovery §4.3: the issuer is the URL the document was fetched under.
    if (`${doc.issuer.replace(/\/$/, '')}/.well-known/openid-configuration` !== p.configUrl) throw new Error(`its issuer ${doc.issuer} does not match the URL it was fetched from`);
    const jwksUrl = new URL(doc.jwks_uri);
    if (jwksUrl.protocol !== 'https:' && jwksUrl.protocol !== 'http:') throw new Error('its jwks_uri is not an http(s) URL');
    const d: Discovered = {
      configUrl: p.configUrl,
      issuer: doc.issuer,
      jwks: hit && hit.configUrl === p.configUrl && hit.issuer === doc.issuer ? hit.jwks : createRemoteJWKSet(jwksUrl, { timeoutDuration: FETCH_TIMEOUT_MS, cooldownDuration: JWKS_COOLDOWN_MS }),
      at: Date.now(),
      ...(typeof doc.authorization_endpoint === 'string' ? { authorizationEndpoint: doc.authorization_endpoint } : {}),
      ...(typeof doc.token_endpoint === 'string' ? { tokenEndpoint: doc.token_endpoint } : {}),
    };
    this.discovered.set(p.name, d);
    return d;
  }

  private all(): Record<string, OidcProviderConfig> {
    const text = this.iam.setting(SETTING);
    return text ? (JSON.parse(text) as Record<string, OidcProviderConfig>) : {};
  }
}

function audiences(p: JWTPayload): string[] {
  return p.aud === undefined ? [] : Array.isArray(p.aud) ? p.aud : [p.aud];
}

function tokenError(err: unknown, provider: string): StsError {
  if (err instanceof joseErrors.JWTExpired) return new StsError('ExpiredTokenException', 'Token has expired.');
  if (err instanceof joseErrors.JWKSTimeout || (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC' && /fetch|network|status/i.test(err.message))) {
    return new StsError('IDPCommunicationError', `The keys of provider ${provider} could not be fetched.`);
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) return new StsError('InvalidIdentityToken', `The token's ${err.claim} claim is not valid for provider ${provider} (${err.reason}).`);
  if (err instanceof joseErrors.JWKSNoMatchingKey) return new StsError('InvalidIdentityToken', `No key of provider ${provider} matches the token's key id.`);
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return new StsError('InvalidIdentityToken', 'The token is signed with an algorithm this server does not accept.');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return new StsError('InvalidIdentityToken', 'The token signature is not valid.');
  if (err instanceof joseErrors.JOSEError) return new StsError('InvalidIdentityToken', `The token is not valid: ${err.message}`);
  if (err instanceof TypeError) return new StsError('IDPCommunicationError', `The keys of provider ${provider} could not be fetched.`);
  return new StsError('InvalidIdentityToken', 'The token is not valid.');
}
