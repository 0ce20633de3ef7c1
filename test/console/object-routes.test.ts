import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { consoleUrlOf } from '../helpers/console-url.js';
import { mulberry32 } from '../helpers/prng.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';

/**
 * The console's storage, bucket and object calls against a real engine:
 * what they do for root, what the server refuses a readonly user (decided
 * as S3 decides), keys S3 allows but paths would not, bad input, missing
 * CSRF and foreign origins, each refusal leaving nothing changed.
 */
let server: RunningServer & { kill: () => Promise<void> };
let base: string;
let root: Account;
let rootSession: Session;
let readerSession: Session;
const BUCKET = 'routes-test';

interface Session {
  cookie: string;
  csrf: string;
}

interface CallOptions {
  session?: Session;
  json?: unknown;
  raw?: Buffer | string;
  contentType?: string;
  /** Leave the CSRF header out. */
  noCsrf?: boolean;
  headers?: Record<string, string>;
}

async function call(method: string, path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (opts.session) {
    headers.cookie = opts.session.cookie;
    if (!opts.noCsrf) headers['x-csrf-token'] = opts.session.csrf;
  }
  Object.assign(headers, opts.headers);
  let body: Buffer | string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] = opts.contentType ?? 'application/octet-stream';
  }
  return fetch(`${base}/api/v1${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
}

async function expectError(res: Response, status: number, code: string): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.equal(JSON.parse(text).code, code, text);
}

async function login(accessKey: string, secretKey: string): Promise<Session> {
  const res = await call('POST', '/login', { json: { accessKey, secretKey } });
  assert.equal(res.status, 200, await res.clone().text());
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('granary-session='))!.split(';')[0];
  return { cookie, csrf: ((await json(res)) as { csrfToken: string }).csrfToken };
}

/** The `key` query of a URL, encoded as the console's client encodes it. */
function q(params: Record<string, string>): string {
  return `?${new URLSearchParams(params).toString()}`;
}

async function s3Status(method: string, bucket: string, key?: string): Promise<number> {
  const path = `/${bucket}${key !== undefined ? `/${key.split('/').map(encodeURIComponent).join('/')}` : ''}`;
  return (await signedFetch(root, method, path)).status;
}

function bytes(n: number, seed: number): Buffer {
  const rand = mulberry32(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(res: Response): Promise<any> {
  return res.json();
}

const sha = (b: Buffer | ArrayBuffer) => createHash('sha256').update(Buffer.from(b as ArrayBuffer)).digest('hex');

before(async () => {
  server = await startServer();
  base = await consoleUrlOf(server);
  root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
  let res = await signedFetch(root, 'PUT', '/granary/admin/v1/users/reader', JSON.stringify({ secretKey: 'Rd7#qLm2!vXp9Tz' }));
  assert.ok(res.ok, await res.text());
  res = await signedFetch(root, 'POST', '/granary/admin/v1/policies/readonly/attach', JSON.stringify({ user: 'reader' }));
  assert.ok(res.ok, await res.text());
  rootSession = await login(server.accessKey, server.secretKey);
  readerSession = await login('reader', 'Rd7#qLm2!vXp9Tz');
  res = await call('POST', '/buckets', { session: rootSession, json: { name: BUCKET } });
  assert.equal(res.status, 201, await res.text());
});

after(async () => {
  await server?.stop();
});

describe('storage summary', () => {
  test('reports drives, layout and usable capacity after parity', async () => {
    const res = await call('GET', '/storage', { session: rootSession });
    assert.equal(res.status, 200);
    const s = await json(res);
    assert.equal(s.state, 'healthy');
    assert.equal(s.drivesOnline, 4);
    assert.equal(s.drivesTotal, 4);
    assert.equal(s.sets.length, 1);
    assert.equal(s.sets[0].dataDrives + s.sets[0].parityDrives, 4);
    assert.ok(s.rawBytes > 0 && s.usableBytes === Math.floor(s.rawBytes * (s.sets[0].dataDrives / 4)), JSON.stringify(s));
    assert.ok(s.usableFreeBytes <= s.usableBytes);
    assert.deepEqual(s.sets[0].drives.map((d: { path: string }) => d.path), server.drives);
    // The test drives are folders on one filesystem: the disk is counted once, not four times, and the risk is named.
    assert.equal(s.disks, 1);
    assert.deepEqual(s.sharedDisks, [{ drives: server.drives }]);
    assert.equal(s.rawBytes, s.sets[0].drives[0].totalBytes, JSON.stringify(s));
  });

  test('needs a session', async () => {
    await expectError(await call('GET', '/storage'), 401, 'SessionExpired');
  });
});

describe('buckets', () => {
  test('create, list, refuse bad and duplicate names, delete only when empty', async () => {
    let res = await call('POST', '/buckets', { session: rootSession, json: { name: 'second-bucket' } });
    assert.equal(res.status, 201);
    assert.equal((await json(res)).name, 'second-bucket');
    res = await call('GET', '/buckets', { session: rootSession });
    assert.deepEqual(((await json(res)).buckets as { name: string }[]).map((b) => b.name).sort(), [BUCKET, 'second-bucket']);

    for (const name of ['Bad_Name', 'ab', 'a..b', '192.168.1.1', 'granary', '-dash', 'x'.repeat(64)]) {
      await expectError(await call('POST', '/buckets', { session: rootSession, json: { name } }), 400, 'InvalidBucketName');
    }
    await expectError(await call('POST', '/buckets', { session: rootSession, json: { name: 42 } }), 400, 'InvalidRequest');
    res = await call('POST', '/buckets', { session: rootSession, json: { name: 'second-bucket' } });
    assert.equal(res.status, 409, await res.text());

    res = await call('PUT', `/buckets/second-bucket/object${q({ key: 'k' })}`, { session: rootSession, raw: 'x' });
    assert.equal(res.status, 200);
    await expectError(await call('DELETE', '/buckets/second-bucket', { session: rootSession }), 409, 'BucketNotEmpty');
    assert.equal((await call('DELETE', `/buckets/second-bucket/object${q({ key: 'k' })}`, { session: rootSession })).status, 204);
    assert.equal((await call('DELETE', '/buckets/second-bucket', { session: rootSession })).status, 204);
    assert.equal(await s3Status('HEAD', 'second-bucket'), 404);
    await expectError(await call('DELETE', '/buckets/Bad_Name', { session: rootSession }), 400, 'InvalidBucketName');
    await expectError(await call('DELETE', '/buckets/no-such-bucket', { session: rootSession }), 404, 'NoSuchBucket');
  });

  test('the JSON body limit still holds outside the upload routes', async () => {
    const res = await call('POST', '/buckets', { session: rootSession, json: { name: 'x'.repeat(20_000) } });
    assert.equal(res.status, 413, await res.text());
  });
});

describe('objects', () => {
  // Keys S3 accepts that a file path, a URL or a naive decoder would mangle.
  const HOSTILE = ['../../etc/passwd', 'a//b', 'dir/', 'ünï cødé/ファイル.txt', 'plus+space and&amp=eq?q#hash', '%2F literal percent', 'k'.repeat(1024), '\u202Eright-to-left', 'emoji 🧺'];

  test('hostile keys round-trip through upload, listing, download and delete', async () => {
    for (const [i, key] of HOSTILE.entries()) {
      const body = bytes(1000 + i, i);
      const put = await call('PUT', `/buckets/${BUCKET}/object${q({ key })}`, { session: rootSession, raw: body });
      assert.equal(put.status, 200, `${key}: ${await put.clone().text()}`);
      assert.equal((await json(put)).key, key);
      const get = await call('GET', `/buckets/${BUCKET}/object${q({ key })}`, { session: rootSession });
      assert.equal(get.status, 200, key);
      assert.equal(get.headers.get('content-type'), 'application/octet-stream');
      assert.match(get.headers.get('content-disposition')!, /^attachment; /);
      assert.equal(sha(await get.arrayBuffer()), sha(body), key);
      // The same bytes through the S3 port: the console stored the key it was given. (A URL cannot name
      // a `..` segment, even escaped: the WHATWG parser resolves it, so that key is checked above only.)
      if (key.split('/').includes('..')) continue;
      const viaS3 = await signedFetch(root, 'GET', `/${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`);
      assert.equal(viaS3.status, 200, key);
      assert.equal(sha(await viaS3.arrayBuffer()), sha(body), key);
    }
    const list = await call('GET', `/buckets/${BUCKET}/objects${q({ delimiter: '' , maxKeys: '1000' })}`, { session: rootSession });
    const keys = ((await json(list)).objects as { key: string }[]).map((o) => o.key);
    assert.deepEqual([...keys].sort(), [...HOSTILE].sort());
    for (const key of HOSTILE) assert.equal((await call('DELETE', `/buckets/${BUCKET}/object${q({ key })}`, { session: rootSession })).status, 204, key);
    assert.deepEqual((await json(await call('GET', `/buckets/${BUCKET}/objects`, { session: rootSession }))).objects, []);
  });

  test('keys that are not valid are refused and store nothing', async () => {
    const cases: [string, number, string][] = [
      ['?key=%FF', 400, 'InvalidObjectName'],
      ['?key=%C3', 400, 'InvalidObjectName'],
      ['?key=a%00b', 400, 'InvalidObjectName'],
      [`?key=${'k'.repeat(1025)}`, 400, 'KeyTooLongError'],
      ['', 400, 'InvalidRequest'],
      ['?key=', 400, 'InvalidArgument'],
      ['?key=a&key=b', 400, 'InvalidRequest'],
      ['?key=%zz', 400, 'InvalidRequest'],
    ];
    for (const [query, status, code] of cases) {
      await expectError(await call('PUT', `/buckets/${BUCKET}/object${query}`, { session: rootSession, raw: 'x' }), status, code);
    }
    assert.deepEqual((await json(await call('GET', `/buckets/${BUCKET}/objects`, { session: rootSession }))).objects, []);
  });

  test('listing: folders with a delimiter, pages with a continuation', async () => {
    const keys = ['p/a', 'p/b', 'p/c', 'p/d', 'p/e', 'p/sub/x', 'q/y', 'top'];
    for (const key of keys) assert.equal((await call('PUT', `/buckets/${BUCKET}/object${q({ key })}`, { session: rootSession, raw: key })).status, 200);
    let res = await call('GET', `/buckets/${BUCKET}/objects${q({ delimiter: '/' })}`, { session: rootSession });
    let page = await json(res);
    assert.deepEqual(page.prefixes, ['p/', 'q/']);
    assert.deepEqual(page.objects.map((o: { key: string }) => o.key), ['top']);

    const seen: string[] = [];
    let continuation: string | undefined;
    let pages = 0;
    do {
      res = await call('GET', `/buckets/${BUCKET}/objects${q({ prefix: 'p/', delimiter: '/', maxKeys: '2', ...(continuation ? { continuation } : {}) })}`, { session: rootSession });
      assert.equal(res.status, 200);
      page = await json(res);
      seen.push(...page.objects.map((o: { key: string }) => o.key), ...page.prefixes);
      continuation = page.nextContinuation;
      pages++;
    } while (continuation && pages < 10);
    assert.deepEqual(seen, ['p/a', 'p/b', 'p/c', 'p/d', 'p/e', 'p/sub/']);
    assert.equal(pages, 3);

    await expectError(await call('GET', `/buckets/${BUCKET}/objects?continuation=!!`, { session: rootSession }), 400, 'InvalidRequest');
    await expectError(await call('GET', `/buckets/${BUCKET}/objects?maxKeys=0`, { session: rootSession }), 400, 'InvalidRequest');
    await expectError(await call('GET', `/buckets/${BUCKET}/objects?maxKeys=1001`, { session: rootSession }), 400, 'InvalidRequest');
    await expectError(await call('GET', `/buckets/no-such-bucket/objects`, { session: rootSession }), 404, 'NoSuchBucket');
    for (const key of keys) await call('DELETE', `/buckets/${BUCKET}/object${q({ key })}`, { session: rootSession });
  });

  test('an upload without Content-Length is refused', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${base}/api/v1/buckets/${BUCKET}/object?key=chunked`);
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'PUT', path: url.pathname + url.search, headers: { cookie: rootSession.cookie, 'x-csrf-token': rootSession.csrf, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('some');
      req.end('bytes');
    });
    assert.equal(status, 411);
    assert.equal(await s3Status('HEAD', BUCKET, 'chunked'), 404);
  });

  test('multipart: parts streamed, completed into one object; an aborted upload leaves nothing', async () => {
    const body = bytes(5 * 1024 * 1024 + 12_345, 99);
    let res = await call('POST', `/buckets/${BUCKET}/uploads`, { session: rootSession, json: { key: 'mp/big.bin', contentType: 'application/x-test' } });
    assert.equal(res.status, 201, await res.clone().text());
    const { uploadId, partSize } = await json(res);
    assert.ok(partSize >= 5 * 1024 * 1024);
    const cut = 5 * 1024 * 1024;
    const parts = [];
    for (const [n, chunk] of [[1, body.subarray(0, cut)], [2, body.subarray(cut)]] as const) {
      res = await call('PUT', `/buckets/${BUCKET}/uploads/${uploadId}/parts/${n}${q({ key: 'mp/big.bin' })}`, { session: rootSession, raw: chunk });
      assert.equal(res.status, 200, await res.clone().text());
      parts.push(await json(res));
    }
    res = await call('POST', `/buckets/${BUCKET}/uploads/${uploadId}/complete`, { session: rootSession, json: { key: 'mp/big.bin', parts } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await json(res)).size, body.length);
    const get = await signedFetch(root, 'GET', `/${BUCKET}/mp/big.bin`);
    assert.equal(get.headers.get('content-type'), 'application/x-test');
    assert.equal(sha(await get.arrayBuffer()), sha(body));

    res = await call('POST', `/buckets/${BUCKET}/uploads`, { session: rootSession, json: { key: 'mp/aborted.bin' } });
    const aborted = (await json(res)).uploadId;
    res = await call('PUT', `/buckets/${BUCKET}/uploads/${aborted}/parts/1${q({ key: 'mp/aborted.bin' })}`, { session: rootSession, raw: body.subarray(0, cut) });
    const part = await json(res);
    assert.equal((await call('DELETE', `/buckets/${BUCKET}/uploads/${aborted}${q({ key: 'mp/aborted.bin' })}`, { session: rootSession })).status, 204);
    await expectError(await call('POST', `/buckets/${BUCKET}/uploads/${aborted}/complete`, { session: rootSession, json: { key: 'mp/aborted.bin', parts: [part] } }), 404, 'NoSuchUpload');
    assert.equal(await s3Status('HEAD', BUCKET, 'mp/aborted.bin'), 404);

    await expectError(await call('PUT', `/buckets/${BUCKET}/uploads/${uploadId}/parts/0${q({ key: 'mp/x' })}`, { session: rootSession, raw: 'x' }), 400, 'InvalidRequest');
    await expectError(await call('PUT', `/buckets/${BUCKET}/uploads/${uploadId}/parts/10001${q({ key: 'mp/x' })}`, { session: rootSession, raw: 'x' }), 400, 'InvalidRequest');
    await expectError(await call('POST', `/buckets/${BUCKET}/uploads/${uploadId}/complete`, { session: rootSession, json: { key: 'mp/x', parts: [] } }), 400, 'InvalidRequest');
    await expectError(await call('POST', `/buckets/${BUCKET}/uploads/${uploadId}/complete`, { session: rootSession, json: { key: 'mp/x', parts: [{ partNumber: '1', etag: 'e' }] } }), 400, 'InvalidRequest');
    await call('DELETE', `/buckets/${BUCKET}/object${q({ key: 'mp/big.bin' })}`, { session: rootSession });
  });
});

describe('share links', () => {
  test('a presigned S3 GET that works without any cookie, within the 7-day limit', async () => {
    const body = bytes(4321, 5);
    await call('PUT', `/buckets/${BUCKET}/object${q({ key: 'shared/ünï file.txt' })}`, { session: rootSession, raw: body });
    const res = await call('POST', `/buckets/${BUCKET}/share`, { session: rootSession, json: { key: 'shared/ünï file.txt', expiresInSeconds: 600 } });
    assert.equal(res.status, 200, await res.clone().text());
    const link = await json(res);
    assert.ok(link.url.startsWith(`${server.endpoint}/${BUCKET}/`), link.url);
    assert.match(link.url, new RegExp(`X-Amz-Credential=${server.accessKey}%2F`));
    assert.match(link.url, /X-Amz-Expires=600&/);
    const ahead = Date.parse(link.expiresAt) - Date.now();
    assert.ok(ahead > 500_000 && ahead <= 600_000, link.expiresAt);
    const got = await fetch(link.url);
    assert.equal(got.status, 200);
    assert.equal(sha(await got.arrayBuffer()), sha(body));

    for (const expiresInSeconds of [0, -1, 1.5, 604_801, '600', null]) {
      await expectError(await call('POST', `/buckets/${BUCKET}/share`, { session: rootSession, json: { key: 'shared/ünï file.txt', expiresInSeconds } }), 400, 'InvalidRequest');
    }
    assert.equal((await call('POST', `/buckets/${BUCKET}/share`, { session: rootSession, json: { key: 'shared/ünï file.txt', expiresInSeconds: 604_800 } })).status, 200);
    await expectError(await call('POST', `/buckets/${BUCKET}/share`, { session: rootSession, json: { key: 'no/such/key', expiresInSeconds: 60 } }), 404, 'NoSuchKey');
  });
});

describe('refusals', () => {
  test('a readonly user is refused by the server what readonly does not grant, and changes nothing', async () => {
    const s = readerSession;
    await call('PUT', `/buckets/${BUCKET}/object${q({ key: 'kept.txt' })}`, { session: rootSession, raw: 'kept' });

    // readonly grants s3:GetObject only (MinIO's meaning): no bucket listing, no writes.
    assert.deepEqual((await json(await call('GET', '/buckets', { session: s }))).buckets, []);
    await expectError(await call('GET', `/buckets/${BUCKET}/objects`, { session: s }), 403, 'AccessDenied');
    await expectError(await call('PUT', `/buckets/${BUCKET}/object${q({ key: 'new.txt' })}`, { session: s, raw: 'x' }), 403, 'AccessDenied');
    await expectError(await call('POST', `/buckets/${BUCKET}/uploads`, { session: s, json: { key: 'new-mp.bin' } }), 403, 'AccessDenied');
    await expectError(await call('DELETE', `/buckets/${BUCKET}/object${q({ key: 'kept.txt' })}`, { session: s }), 403, 'AccessDenied');
    await expectError(await call('POST', '/buckets', { session: s, json: { name: 'reader-bucket' } }), 403, 'AccessDenied');
    await expectError(await call('DELETE', `/buckets/${BUCKET}`, { session: s }), 403, 'AccessDenied');
    assert.equal(await s3Status('HEAD', BUCKET, 'new.txt'), 404);
    assert.equal(await s3Status('HEAD', BUCKET, 'kept.txt'), 200);
    assert.equal(await s3Status('HEAD', 'reader-bucket'), 404);

    // What it does grant works, and the reader's share link carries the reader's key.
    const get = await call('GET', `/buckets/${BUCKET}/object${q({ key: 'kept.txt' })}`, { session: s });
    assert.equal(await get.text(), 'kept');
    const share = await call('POST', `/buckets/${BUCKET}/share`, { session: s, json: { key: 'kept.txt', expiresInSeconds: 60 } });
    const { url } = await json(share);
    assert.match(url, /X-Amz-Credential=reader%2F/);
    assert.equal(await (await fetch(url)).text(), 'kept');
    // The dashboard's summary says nothing about objects: any session may read it.
    assert.equal((await call('GET', '/storage', { session: s })).status, 200);
  });

  test('state-changing calls without the CSRF header are refused and change nothing', async () => {
    const s = rootSession;
    await expectError(await call('PUT', `/buckets/${BUCKET}/object${q({ key: 'csrf.txt' })}`, { session: s, raw: 'x', noCsrf: true }), 403, 'InvalidCsrfToken');
    await expectError(await call('POST', '/buckets', { session: s, json: { name: 'csrf-bucket' }, noCsrf: true }), 403, 'InvalidCsrfToken');
    await expectError(await call('DELETE', `/buckets/${BUCKET}/object${q({ key: 'kept.txt' })}`, { session: s, noCsrf: true }), 403, 'InvalidCsrfToken');
    await expectError(await call('POST', `/buckets/${BUCKET}/uploads`, { session: s, json: { key: 'csrf.bin' }, noCsrf: true }), 403, 'InvalidCsrfToken');
    await expectError(await call('POST', `/buckets/${BUCKET}/share`, { session: s, json: { key: 'kept.txt', expiresInSeconds: 60 }, noCsrf: true }), 403, 'InvalidCsrfToken');
    await expectError(await call('PUT', `/buckets/${BUCKET}/object${q({ key: 'csrf.txt' })}`, { session: s, raw: 'x', headers: { 'x-csrf-token': readerSession.csrf } }), 403, 'InvalidCsrfToken');
    assert.equal(await s3Status('HEAD', BUCKET, 'csrf.txt'), 404);
    assert.equal(await s3Status('HEAD', 'csrf-bucket'), 404);
    assert.equal(await s3Status('HEAD', BUCKET, 'kept.txt'), 200);
  });

  test('a request from another origin is refused, even with the cookie and token', async () => {
    await expectError(await call('PUT', `/buckets/${BUCKET}/object${q({ key: 'evil.txt' })}`, { session: rootSession, raw: 'x', headers: { origin: 'http://evil.example' } }), 403, 'CrossOriginRequest');
    assert.equal(await s3Status('HEAD', BUCKET, 'evil.txt'), 404);
  });

  test('without a session every storage call answers SessionExpired', async () => {
    for (const [method, path] of [['GET', '/buckets'], ['POST', '/buckets'], ['GET', `/buckets/${BUCKET}/objects`], ['GET', `/buckets/${BUCKET}/object?key=kept.txt`], ['PUT', `/buckets/${BUCKET}/object?key=x`], ['DELETE', `/buckets/${BUCKET}/object?key=kept.txt`], ['POST', `/buckets/${BUCKET}/share`], ['PUT', `/buckets/${BUCKET}/uploads/u/parts/1?key=x`]]) {
      await expectError(await call(method, path, method === 'PUT' ? { raw: 'x' } : method === 'POST' ? { json: {} } : {}), 401, 'SessionExpired');
    }
    assert.equal(await s3Status('HEAD', BUCKET, 'kept.txt'), 200);
  });
});
