import { createHash, createHmac, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
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
  /** The claims the next /authorize logs in with (auto-consent: it redirects back at once with a code). */
  loginAs(claims: Record<string, unknown>): void;
  /** /token refusals, by reason (`pkce`, `code`, `redirect_uri`, `client`). */
  tokenRefusals(): string[];
  close(): Promise<void>;
}

interface Grant {
  challenge: string;
  nonce: string | null;
  redirectUri: string;
  clientId: string;
  claims: Record<string, unknown>;
}

export async function startIssuer(): Promise<TestIssuer> {
  let current = newKey();
  let published: JWK[] = [await publicJwk(current)];
  let fetches = 0;
  let loginClaims: Record<string, unknown> = { sub: 'user-1' };
  const grants = new Map<string, Grant>();
  const refusals: string[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks`, authorization_endpoint: `${url}/authorize`, token_endpoint: `${url}/token`, id_token_signing_alg_values_supported: ['RS256'], response_types_supported: ['code'], subject_types_supported: ['public'] }));
    } else if (u.pathname === '/authorize' && req.method === 'GET') {
      const q = u.searchParams;
      const redirectUri = q.get('redirect_uri');
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !redirectUri || !q.get('client_id')) {
        res.statusCode = 400;
        res.end('bad authorization request');
        return;
      }
      const code = randomUUID();
      grants.set(code, { challenge: q.get('code_challenge')!, nonce: q.get('nonce'), redirectUri, clientId: q.get('client_id')!, claims: loginClaims });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!);
      res.statusCode = 302;
      res.setHeader('location', back.href);
      res.end();
    } else if (u.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const f = new URLSearchParams(body);
        const grant = grants.get(f.get('code') ?? '');
        grants.delete(f.get('code') ?? '');
        const refuse = (reason: string) => {
          refusals.push(reason);
          res.statusCode = 400;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ error: 'invalid_grant', error_description: reason }));
        };
        if (!grant || f.get('grant_type') !== 'authorization_code') return refuse('code');
        if (f.get('client_id') !== grant.clientId) return refuse('client');
        if (f.get('redirect_uri') !== grant.redirectUri) return refuse('redirect_uri');
        if (createHash('sha256').update(f.get('code_verifier') ?? '').digest('base64url') !== grant.challenge) return refuse('pkce');
        void new SignJWT(base({ ...grant.claims, ...(grant.nonce !== null ? { nonce: grant.nonce } : {}) }, { audience: grant.clientId }))
          .setProtectedHeader({ alg: 'RS256', kid: current.kid, typ: 'JWT' })
          .sign(current.privateKey)
          .then((idToken) => {
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify({ access_token: randomUUID(), token_type: 'Bearer', expires_in: 300, id_token: idToken }));
          });
      });
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
    loginAs(claims) {
      loginClaims = claims;
    },
    tokenRefusals: () => [...refusals],
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
