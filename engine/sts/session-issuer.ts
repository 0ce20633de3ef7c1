import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import type { IamService } from '../iam/iam-service.js';
import type { SessionRecord } from '../iam/records.js';

/** Where the deployment's STS signing key is kept (IAM's secrets: sealed in granary.db, in the drives' snapshot). */
export const STS_KEY_SECRET = 'sts.signingKey';
const TOKEN_ISSUER = 'granary-sts';
const TOKEN_AUDIENCE = 'granary';

/** Whose rights a new session carries and for how long: what every STS flow hands the issuer. */
export type SessionGrant = Pick<SessionRecord, 'parentType' | 'parent' | 'parentAccessKey' | 'policies' | 'groups' | 'sessionPolicy' | 'issuer' | 'roleSessionName'> & {
  durationSeconds: number;
};

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** The claims of a session token; IAM's record stays the authority (revocation, parent status). */
export interface SessionClaims extends JWTPayload {
  accessKey: string;
  parentType: SessionRecord['parentType'];
  parent: string;
  provider: string;
  policies?: string[];
  sessionPolicy?: string;
}

type Store = Pick<IamService, 'secret' | 'setSecret' | 'createSession'>;

/**
 * Issues temporary credentials: a random access key and secret key, and a
 * session token that is a JWT (EdDSA, one Ed25519 key per deployment) naming
 * the parent, its policies, the session policy and the expiry. IAM records
 * the session (secret sealed, token by its SHA-256), so it can be listed and
 * revoked, and checks it on every request.
 */
export class SessionIssuer {
  private constructor(private readonly iam: Store, private readonly privateKey: KeyObject, private readonly publicKey: KeyObject) {}

  static async open(iam: Store): Promise<SessionIssuer> {
    let pem = iam.secret(STS_KEY_SECRET);
    if (pem === undefined) {
      pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await iam.setSecret(STS_KEY_SECRET, pem);
    }
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the stored STS signing key is ${privateKey.asymmetricKeyType}, not Ed25519`);
    return new SessionIssuer(iam, privateKey, createPublicKey(privateKey));
  }

  async issue(grant: SessionGrant, now = Date.now()): Promise<IssuedCredentials> {
    const accessKeyId = temporaryAccessKey();
    const secretAccessKey = randomBytes(30).toString('base64url');
    const expiry = (Math.floor(now / 1000) + grant.durationSeconds) * 1000;
    const claims: SessionClaims = {
      accessKey: accessKeyId,
      parentType: grant.parentType,
      parent: grant.parent,
      provider: grant.issuer,
      ...(grant.policies ? { policies: grant.policies } : {}),
      ...(grant.sessionPolicy !== undefined ? { sessionPolicy: grant.sessionPolicy } : {}),
    };
    const sessionToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(grant.parent)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(expiry / 1000)
      .sign(this.privateKey);
    await this.iam.createSession({
      accessKey: accessKeyId,
      secretKey: secretAccessKey,
      tokenSha256: createHash('sha256').update(sessionToken).digest('hex'),
      parentType: grant.parentType,
      parent: grant.parent,
      ...(grant.parentAccessKey !== undefined ? { parentAccessKey: grant.parentAccessKey } : {}),
      ...(grant.policies ? { policies: grant.policies } : {}),
      ...(grant.groups ? { groups: grant.groups } : {}),
      ...(grant.sessionPolicy !== undefined ? { sessionPolicy: grant.sessionPolicy } : {}),
      issuer: grant.issuer,
      ...(grant.roleSessionName !== undefined ? { roleSessionName: grant.roleSessionName } : {}),
      expiry,
      created: now,
      status: 'active',
    }, now);
    return { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(expiry) };
  }

  /** A token's claims when it is one this deployment signed (expiry included); undefined otherwise. */
  async claims(token: string): Promise<SessionClaims | undefined> {
    try {
      const { payload } = await jwtVerify<SessionClaims>(token, this.publicKey, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ['EdDSA'] });
      return payload;
    } catch {
      return undefined;
    }
  }
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `GT` + 18 random characters: 20 like every access key, and told apart from long-term `GK` keys at a glance. */
function temporaryAccessKey(): string {
  let out = 'GT';
  while (out.length < 20) {
    for (const b of randomBytes(24)) {
      if (out.length === 20) break;
      if (b < 252) out += KEY_ALPHABET[b % 36];
    }
  }
  return out;
}

/** The response's `Credentials` element. */
export function credentialsXml(c: IssuedCredentials): Record<string, unknown> {
  return { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: c.expiration.toISOString() };
}
