import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { GranaryError } from '../common/errors.js';

/** Where the signing key is kept (IamService secrets: sealed on disk, in the drives' snapshot too). */
export const METRICS_KEY_SECRET = 'metrics.tokenKey';

/** The `scope` claim a token must carry to be let in at the metrics endpoint. */
export const METRICS_SCOPE = 'metrics';

const ISSUER = 'granary';
/** A year, as MinIO's `mc admin prometheus generate`. */
export const DEFAULT_TOKEN_LIFETIME_MS = 365 * 86_400_000;
/** Beyond this a token is as good as never expiring; refuse rather than pretend. */
export const MAX_TOKEN_LIFETIME_MS = 10 * 365 * 86_400_000;

/** The part of IamService this needs. */
export interface SecretStore {
  secret(name: string): string | undefined;
  setSecret(name: string, value: string): Promise<void>;
}

export interface IssuedToken {
  token: string;
  /** ISO 8601. */
  expiration: string;
  /** The access key the token speaks for. */
  subject: string;
}

/**
 * Bearer tokens for Prometheus: HS256 JWTs naming the access key that asked
 * for them (`sub`), `scope: metrics`, and an expiry. One random key per
 * deployment, made on the first start and kept with IAM's secrets, so the
 * tokens survive restarts and a config directory restored from the drives.
 */
export class MetricsTokens {
  private constructor(private readonly key: Uint8Array) {}

  static async open(store: SecretStore): Promise<MetricsTokens> {
    let encoded = store.secret(METRICS_KEY_SECRET);
    if (encoded === undefined) {
      encoded = randomBytes(32).toString('base64url');
      await store.setSecret(METRICS_KEY_SECRET, encoded);
    }
    return new MetricsTokens(Buffer.from(encoded, 'base64url'));
  }

  async issue(subject: string, expiresAt: Date, now = Date.now()): Promise<IssuedToken> {
    const lifetime = expiresAt.getTime() - now;
    if (!Number.isFinite(lifetime) || lifetime <= 0) throw new GranaryError('InvalidInput', 'The token\'s expiry must be in the future.');
    if (lifetime > MAX_TOKEN_LIFETIME_MS) throw new GranaryError('InvalidInput', 'A metrics token may live at most 10 years.');
    const exp = Math.floor(expiresAt.getTime() / 1000);
    const token = await new SignJWT({ scope: METRICS_SCOPE })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(subject)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiration: new Date(exp * 1000).toISOString(), subject };
  }

  /** The access key a valid token speaks for; XGranaryInvalidToken saying what is wrong otherwise. */
  async verify(token: string): Promise<string> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, requiredClaims: ['exp', 'sub'] }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new GranaryError('XGranaryInvalidToken', 'The metrics token has expired: make a new one with `granary admin prometheus-token`.');
      throw new GranaryError('XGranaryInvalidToken', 'The metrics token is not valid: it is malformed or was not signed by this deployment.');
    }
    if (payload.scope !== METRICS_SCOPE) throw new GranaryError('XGranaryInvalidToken', 'This token is not a metrics token (its scope is not "metrics").');
    return payload.sub!;
  }
}
