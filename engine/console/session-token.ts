import { randomBytes, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/**
 * What a session token may do: everything its identity may, or only set up
 * MFA. `federated` is a directory or OIDC login: its identity is the STS
 * session issued for it, which the other scopes never accept.
 */
export type SessionScope = 'console' | 'mfa-enrol' | 'federated';

export interface SessionClaims {
  /** The access key that logged in. */
  sub: string;
  jti: string;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
  scope: SessionScope;
}

const ISSUER = 'granary-console';
const AUDIENCE = 'granary-console';
/** A cookie longer than this is not ours: refused before any crypto. */
const MAX_TOKEN_LENGTH = 2048;

export const SESSION_TTL_S = 60 * 60;
/** A restricted session only has to last through scanning a QR code. */
export const ENROL_TTL_S = 15 * 60;

/**
 * Console session tokens: JWTs signed with the deployment's Ed25519 key
 * (EdDSA). The signature makes them unforgeable; whether one is still live
 * (not logged out) is the session registry's business, not the token's.
 */
export class SessionTokens {
  constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
  ) {}

  async issue(sub: string, scope: SessionScope, now = Date.now()): Promise<{ token: string; claims: SessionClaims }> {
    const jti = randomBytes(16).toString('base64url');
    const iat = Math.floor(now / 1000);
    const exp = iat + (scope === 'mfa-enrol' ? ENROL_TTL_S : SESSION_TTL_S);
    const token = await new SignJWT({ scope })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(sub)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.privateKey);
    return { token, claims: { sub, jti, expiresAt: exp * 1000, scope } };
  }

  /** The claims of a genuine, unexpired token; undefined for anything else (never throws). */
  async verify(token: string): Promise<SessionClaims | undefined> {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { algorithms: ['EdDSA'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['sub', 'jti', 'exp'] });
      const scope = payload.scope;
      if (scope !== 'console' && scope !== 'mfa-enrol' && scope !== 'federated') return undefined;
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') return undefined;
      return { sub: payload.sub, jti: payload.jti, expiresAt: payload.exp * 1000, scope };
    } catch {
      return undefined;
    }
  }
}
