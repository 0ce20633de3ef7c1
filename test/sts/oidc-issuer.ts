import { createHmac, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, SignJWT, type JWK } from 'jose';

/**
 * A real OpenID Connect issuer for the tests: node:http on 127.0.0.1 serving
 * the discovery document and the JWKS, signing tokens with jose. Keys can be
 * rotated (a new kid replaces the old one in the JWKS).
 */
export interface TestIssuer {
  url: string;
  configUrl: string;
  kid: string;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  sign(claims: Record<string, unknown>, opts?: { kid?: string; key?: KeyObject; expiresIn?: number; issuer?: string; audience?: string | string[] }): Promise<string>;
  /** An unsecured JWT (`alg: none`). */
  unsecured(claims: Record<string, unknown>): string;
  /** HS256 keyed with the published public key's JWK text: the algorithm-confusion attack. */
  hmacWithPublicKey(claims: Record<string, unknown>): Promise<string>;
  rotate(): Promise<string>;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<TestIssuer> {
  let current = newKey();
  let published: JWK[] = [await publicJwk(current)];
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks`, id_token_signing_alg_values_supported: ['RS256'], response_types_supported: ['code'], subject_types_supported: ['public'] }));
    } else if (req.url === '/jwks') {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  const base = (claims: Record<string, unknown>, opts: { expiresIn?: number; issuer?: string; audience?: string | string[] } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: opts.issuer ?? url, aud: opts.audience ?? 'granary-app', iat: now, exp: now + (opts.expiresIn ?? 300), jti: randomUUID(), ...claims };
  };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  return {
    url,
    configUrl: `${url}/.well-known/openid-configuration`,
    get kid() {
      return current.kid;
    },
    jwksFetches: () => fetches,
    async sign(claims, opts = {}) {
      return new SignJWT(base(claims, opts)).setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? current.kid, typ: 'JWT' }).sign(opts.key ?? current.privateKey);
    },
    unsecured(claims) {
      return `${b64({ alg: 'none', typ: 'JWT', kid: current.kid })}.${b64(base(claims))}.`;
    },
    async hmacWithPublicKey(claims) {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: current.kid })}.${b64(base(claims))}`;
      const secret = current.publicKey.export({ type: 'spki', format: 'pem' });
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    },
    async rotate() {
      current = newKey();
      published = [await publicJwk(current)];
      return current.kid;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Key {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function newKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), privateKey, publicKey };
}

async function publicJwk(k: Key): Promise<JWK> {
  return { ...(await exportJWK(k.publicKey)), kid: k.kid, alg: 'RS256', use: 'sig' };
}
