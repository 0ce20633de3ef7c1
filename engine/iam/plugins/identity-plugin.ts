import { JsonPoster, PluginCallError, type PluginEndpoint, type PluginFailure } from './json-post.js';

/** Who a custom token stands for, as the identity plugin answered. */
export interface PluginIdentity {
  /** The user the credentials are issued to (audit logs name them by it). */
  user: string;
  /** Longest the credentials may live, in seconds. */
  maxValiditySeconds: number;
  /** Carried into the session (a `policy` claim among them names policies, as with OIDC). */
  claims: Record<string, unknown>;
}

/**
 * `denied`: the plugin answered 403 (the token is not good); `unavailable`:
 * no usable answer (timeout, down, another status, malformed), which also
 * refuses the login: a token is never accepted unchecked.
 */
export class IdentityPluginError extends Error {
  override name = 'IdentityPluginError';
  constructor(readonly kind: 'denied' | 'unavailable', message: string, readonly failure?: PluginFailure) {
    super(message);
  }
}

export interface IdentityPluginStats {
  accepted: number;
  denied: number;
  failures: Record<PluginFailure, number>;
}

/** Tokens the plugin is sent, at most. */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** MinIO's bounds on a session: 15 minutes to 365 days. */
const MIN_VALIDITY = 900;
const MAX_VALIDITY = 365 * 86_400;

/**
 * MinIO's identity-management plugin contract: `POST URL?token=TOKEN` (the
 * token also in the JSON body, `{"token": …}`, for plugins that read bodies),
 * `Authorization: Bearer` the configured secret; a 200 answer
 * `{"user": …, "maxValiditySeconds": N, "claims": {…}}` accepts the token,
 * a 403 `{"reason": …}` refuses it.
 */
export class IdentityPlugin {
  private readonly poster: JsonPoster;
  private readonly counts: IdentityPluginStats = { accepted: 0, denied: 0, failures: { timeout: 0, network: 0, status: 0, malformed: 0 } };

  constructor(readonly endpoint: PluginEndpoint) {
    this.poster = new JsonPoster(endpoint);
  }

  async verify(token: string): Promise<PluginIdentity> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new IdentityPluginError('denied', `the token is empty or longer than ${MAX_TOKEN_LENGTH} characters`);
    let answer: { status: number; text: string; json: unknown };
    try {
      answer = await this.poster.exchange({ token }, new URLSearchParams({ token }));
    } catch (err) {
      throw this.failed(err instanceof PluginCallError ? err : new PluginCallError('network', String(err)));
    }
    if (answer.status === 403) {
      this.counts.denied++;
      const reason = (answer.json as { reason?: unknown } | undefined)?.reason;
      throw new IdentityPluginError('denied', `the identity plugin refused the token${typeof reason === 'string' ? `: ${reason.slice(0, 200)}` : ''}`);
    }
    if (answer.status !== 200) throw this.failed(new PluginCallError('status', `HTTP ${answer.status}`));
    const identity = parseIdentity(answer.json);
    if (typeof identity === 'string') throw this.failed(new PluginCallError('malformed', identity));
    this.counts.accepted++;
    return identity;
  }

  stats(): IdentityPluginStats {
    return { ...this.counts, failures: { ...this.counts.failures } };
  }

  close(): void {
    this.poster.close();
  }

  private failed(e: PluginCallError): IdentityPluginError {
    this.counts.failures[e.reason]++;
    return new IdentityPluginError('unavailable', `the identity plugin gave no usable answer (${e.reason}: ${e.message})`, e.reason);
  }
}

/** The answer, or why it is not one. */
function parseIdentity(json: unknown): PluginIdentity | string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'the answer is not a JSON object';
  const o = json as Record<string, unknown>;
  if (typeof o.user !== 'string' || o.user.length === 0 || o.user.length > 256) return 'the answer has no `user` (a non-empty string)';
  const v = o.maxValiditySeconds;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_VALIDITY || v > MAX_VALIDITY) return `\`maxValiditySeconds\` must be a whole number from ${MIN_VALIDITY} to ${MAX_VALIDITY}`;
  const claims = o.claims ?? {};
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return '`claims` must be a JSON object';
  return { user: o.user, maxValiditySeconds: v, claims: claims as Record<string, unknown> };
}
