import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { IssuedCredentials } from './session-issuer.js';
import { StsError } from './sts-error.js';
import type { StsDeps } from './sts-action.js';
import { webIdentitySession } from './web-identity.js';

const FETCH_TIMEOUT_MS = 10_000;
const MAX_TOKEN_RESPONSE_CHARS = 64 * 1024;

/** What the browser must bring back to finish: kept by the caller (the console, in a signed cookie), never by the provider. */
export interface OidcPending {
  provider: string;
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
}

/**
 * The authorization code flow with PKCE (S256) for the console's "Log in with
 * <provider>": the redirect to the provider, then the code exchanged at its
 * token endpoint and the ID token checked exactly as AssumeRoleWithWebIdentity
 * checks one (OidcProviders.verify), plus the nonce; the session is the one
 * that action would issue.
 */
export class OidcCodeFlow {
  constructor(private readonly deps: Pick<StsDeps, 'oidc' | 'issuer' | 'audit'>) {}

  /** Providers offering the console button: every configured one, labelled by its label or name. */
  providers(): { name: string; label: string }[] {
    return this.deps.oidc.list().map((p) => ({ name: p.name, label: p.label ?? p.name }));
  }

  async start(name: string, redirectUri: string): Promise<{ url: string; pending: OidcPending }> {
    const p = this.deps.oidc.get(name);
    const { authorization } = await this.deps.oidc.codeEndpoints(name);
    const pending: OidcPending = { provider: name, state: token(), nonce: token(), verifier: randomBytes(32).toString('base64url'), redirectUri: p.redirectUri ?? redirectUri };
    const url = new URL(authorization);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', p.clientId);
    url.searchParams.set('redirect_uri', pending.redirectUri);
    url.searchParams.set('scope', [...new Set(['openid', ...(p.scopes ?? [])])].join(' '));
    url.searchParams.set('state', pending.state);
    url.searchParams.set('nonce', pending.nonce);
    url.searchParams.set('code_challenge', createHash('sha256').update(pending.verifier).digest('base64url'));
    url.searchParams.set('code_challenge_method', 'S256');
    return { url: url.href, pending };
  }

  /** Exchanges the code; throws StsError (InvalidIdentityToken, IDPCommunicationError, …) when anything does not check out. */
  async finish(pending: OidcPending, code: string, durationSeconds: number): Promise<{ credentials: IssuedCredentials; subject: string }> {
    const p = this.deps.oidc.get(pending.provider);
    const { token: tokenEndpoint } = await this.deps.oidc.codeEndpoints(pending.provider);
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: pending.redirectUri, client_id: p.clientId, code_verifier: pending.verifier });
    if (p.clientSecret !== undefined) form.set('client_secret', p.clientSecret);
    let res: Response;
    try {
      res = await fetch(tokenEndpoint, { method: 'POST', body: form, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
    } catch (err) {
      throw new StsError('IDPCommunicationError', `The token endpoint of ${p.name} could not be reached: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new StsError('InvalidIdentityToken', `The provider ${p.name} refused the authorization code (HTTP ${res.status}).`);
    let idToken: unknown;
    try {
      idToken = text.length <= MAX_TOKEN_RESPONSE_CHARS ? (JSON.parse(text) as { id_token?: unknown }).id_token : undefined;
    } catch {
      idToken = undefined;
    }
    if (typeof idToken !== 'string') throw new StsError('InvalidIdentityToken', `The token endpoint of ${p.name} returned no ID token.`);
    const who = await this.deps.oidc.verify(idToken, p.roleArn ?? null, 'id');
    if (who.provider.name !== p.name) throw new StsError('InvalidIdentityToken', `The ID token was issued by ${who.provider.name}, not ${p.name}.`);
    // Verified above, so decoding again only reads the claim: the nonce ties the token to this browser's login.
    if (decodeJwt(idToken).nonce !== pending.nonce) throw new StsError('InvalidIdentityToken', 'The ID token does not carry the nonce of this login.');
    const credentials = await webIdentitySession(this.deps, who, { durationSeconds });
    return { credentials, subject: who.subject };
  }
}

function token(): string {
  return randomBytes(24).toString('base64url');
}
