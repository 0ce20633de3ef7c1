/**
 * `npm run bench -- authz`: what deciding access costs. One server, 4 KiB
 * GETs at 16 in flight, alternating between root (whose requests bypass
 * policy) and a user whose every request is decided by the authorizer: two
 * attached policies (one with a StringLike condition on a policy variable),
 * a group policy and a bucket policy with an IpAddress condition. Prints
 * medians and the user/root ratio; the baseline is root in the same run.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../test/helpers/server.js';
import { signedFetch, type Account } from '../test/helpers/signed-fetch.js';

const SECONDS = 4;
const CONCURRENCY = 16;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const KEYS = 200;

const base = join(process.cwd(), '.tmp');
mkdirSync(base, { recursive: true });
const dir = mkdtempSync(join(base, 'bench-authz-'));
const server = await startServer({ root: join(dir, 'granary') });
const root: Account = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };

async function ok(res: Promise<Response>, what: string): Promise<void> {
  const r = await res;
  if (!r.ok) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
}

const admin = (method: string, path: string, body?: unknown) => signedFetch(root, method, `/granary/admin/v1/${path}`, body === undefined ? undefined : JSON.stringify(body));
await ok(signedFetch(root, 'PUT', '/bench'), 'bucket');
const body = randomBytes(4096);
for (let i = 0; i < KEYS; i++) await ok(signedFetch(root, 'PUT', `/bench/data/k${i}`, body), 'put');
await ok(admin('PUT', 'users/benchuser', { secretKey: 'Bench-user-secret-71x' }), 'user');
await ok(admin('PUT', 'policies/own-prefix', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bench', Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*'] } } }] }), 'policy');
await ok(admin('PUT', 'policies/deny-secrets', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::bench/secrets/*' }] }), 'policy');
for (const p of ['own-prefix', 'deny-secrets']) await ok(admin('POST', `policies/${p}/attach`, { user: 'benchuser' }), 'attach');
await ok(admin('PUT', 'groups/bench-readers', { members: ['benchuser'] }), 'group');
await ok(admin('POST', 'policies/readonly/attach', { group: 'bench-readers' }), 'attach');
await ok(signedFetch(root, 'PUT', '/bench?policy', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bench/public/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }] })), 'bucket policy');
const user: Account = { endpoint: server.endpoint, accessKey: 'benchuser', secretKey: 'Bench-user-secret-71x' };

async function gets(a: Account): Promise<number> {
  let done = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
    for (let i = w; Date.now() < until; i += CONCURRENCY) {
      await ok(signedFetch(a, 'GET', `/bench/data/k${i % KEYS}`), 'get');
      done++;
    }
  }));
  return done / SECONDS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { root: [] as number[], user: [] as number[] };
try {
  await gets(root);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['root', 'user'] as const) : (['user', 'root'] as const);
    for (const who of order) results[who].push(await gets(who === 'root' ? root : user));
    console.log(`round ${r + 1}/${ROUNDS} done`);
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
const r = median(results.root);
const u = median(results.user);
console.log(`authz bench: 4 KiB GET, ${CONCURRENCY} in flight, ${ROUNDS} alternating rounds, medians`);
console.log(`  root (policy bypassed)          ${r.toFixed(0).padStart(7)} ops/s`);
console.log(`  user (4 policies + bucket policy) ${u.toFixed(0).padStart(5)} ops/s`);
console.log(`  ratio user/root                 ${(u / r).toFixed(2).padStart(7)}`);
