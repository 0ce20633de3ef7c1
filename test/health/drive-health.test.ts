import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, openSync, closeSync, readdirSync, readSync, renameSync, rmSync, symlinkSync, writeSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, ListBucketsCommand, ListMultipartUploadsCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, S3Client, S3ServiceException, UploadPartCommand } from '@aws-sdk/client-s3';
import type { DriveHealth, HealthEvent, HealthSnapshot } from '../../engine/api/health/types.js';
import { seededBytes } from '../helpers/drives.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';

/**
 * Drive health against a real engine process with four drives (2 data + 2
 * parity, write quorum 3): the test-only fault hook (GRANARY_TEST_DRIVE_FAULTS)
 * makes drives hang, fail and fill up while S3 clients keep working, and the
 * console's event stream and the health JSON must tell what happened.
 */
let server: RunningServer & { kill: () => Promise<void> };
let root: Account;
let s3: S3Client;
let consoleUrl: URL;
let cookie: string;
let faultsFile: string;
const BUCKET = 'health';
const written = new Map<string, Buffer>();
let stream: EventStream;

function setFaults(drives: Record<string, object>): void {
  // Written whole and renamed into place: the engine never reads half a file.
  const tmp = `${faultsFile}.tmp`;
  writeFileSync(tmp, JSON.stringify({ drives }));
  renameSync(tmp, faultsFile);
}

async function health(): Promise<HealthSnapshot> {
  const res = await signedFetch(root, 'GET', '/granary/admin/v1/health');
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as HealthSnapshot;
}

function drive(snap: HealthSnapshot, path: string): DriveHealth {
  const d = snap.sets.flatMap((s) => s.drives).find((x) => x.path === path);
  assert.ok(d, `no drive ${path} in ${JSON.stringify(snap)}`);
  return d;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function put(key: string, body: Buffer): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  written.set(key, body);
}

async function get(key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

async function assertAllReadable(): Promise<void> {
  for (const [key, body] of written) assert.ok((await get(key)).equals(body), `${key} reads back other bytes`);
}

function flipByte(path: string, at: number): void {
  const fd = openSync(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] ^= 0xff;
    writeSync(fd, b, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}

/** A server-sent event stream read with node:http, parsed as a browser's EventSource would. */
class EventStream {
  readonly events: (HealthEvent & { sseId: string; sseEvent: string })[] = [];
  readonly other: { event: string; data: string }[] = [];
  comments = 0;
  status = 0;
  private res: IncomingMessage | undefined;
  private buf = '';
  private raw = '';
  private ended: Promise<void> = Promise.resolve();

  static open(opts: { cookie?: string; lastEventId?: string }): Promise<EventStream> {
    const s = new EventStream();
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (opts.cookie) headers.cookie = opts.cookie;
      if (opts.lastEventId) headers['last-event-id'] = opts.lastEventId;
      const req = httpRequest({ host: consoleUrl.hostname, port: consoleUrl.port, path: '/api/v1/events', headers }, (res) => {
        s.status = res.statusCode ?? 0;
        s.res = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => s.feed(chunk));
        s.ended = new Promise((r) => res.once('close', () => r()));
        resolve(s);
      });
      req.on('error', reject);
      req.end();
    });
  }

  private feed(chunk: string): void {
    this.raw += chunk;
    this.buf += chunk;
    let cut: number;
    while ((cut = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, cut);
      this.buf = this.buf.slice(cut + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) { this.comments++; continue; }
        const i = line.indexOf(':');
        if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
      }
      if (fields.data === undefined) continue;
      if (fields.id !== undefined) this.events.push({ ...(JSON.parse(fields.data) as HealthEvent), sseId: fields.id, sseEvent: fields.event ?? 'message' });
      else this.other.push({ event: fields.event ?? 'message', data: fields.data });
    }
  }

  /** The whole body, once the server has ended it (a refusal). */
  async text(): Promise<string> {
    await this.ended;
    return this.raw;
  }

  waitFor(what: string, match: (e: HealthEvent) => boolean): Promise<HealthEvent> {
    return waitFor(what, async () => this.events.find(match));
  }

  /**
   * The stream has caught up with a drive that health already reports online:
   * the monitor announces state changes at its next poll (each second), so the
   * last change the stream tells of since fromSeq, if any, becomes `online`.
   */
  async settledOnline(drive: string, fromSeq: number): Promise<void> {
    const states = () => this.events.flatMap((e) => (e.seq > fromSeq && e.type === 'drive-state' && e.drive === drive ? [e.to] : []));
    await waitFor(`the stream to end on online for ${drive}`, async () => states().length === 0 || states().at(-1) === 'online', 5_000).catch(() => {
      assert.fail(`the stream ends on ${states().join(' → ')}`);
    });
  }

  close(): void {
    this.res?.destroy();
  }
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'granary-health-'));
  faultsFile = join(dir, 'faults.json');
  server = await startServer({
    root: dir,
    env: { GRANARY_TEST_DRIVE_FAULTS: faultsFile, GRANARY_DRIVE_TIMEOUT_MS: '1500', GRANARY_DRIVE_PROBE_MS: '300' },
  });
  root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
  s3 = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: root.accessKey, secretAccessKey: root.secretKey } });
  const m = await waitFor('the console URL', async () => /Console: (http:\/\/\S+)/.exec(server.output()) ?? undefined);
  consoleUrl = new URL(m[1]);
  const login = await fetch(new URL('/api/v1/login', consoleUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessKey: root.accessKey, secretKey: root.secretKey }) });
  assert.equal(login.status, 200, await login.clone().text());
  cookie = login.headers.getSetCookie().find((c) => c.startsWith('granary-session='))!.split(';')[0];
  stream = await EventStream.open({ cookie });
  assert.equal(stream.status, 200);
  const mk = await signedFetch(root, 'PUT', `/${BUCKET}`);
  assert.equal(mk.status, 200, await mk.text());
  await put('before/small', seededBytes(1000, 1));
  await put('before/large', seededBytes(3 * 1024 * 1024 + 17, 2));
});

after(async () => {
  stream?.close();
  s3?.destroy();
  await server?.stop();
});

describe('drive health', () => {
  test('the event stream and the health JSON refuse callers without a session or without admin:ServerInfo', { timeout: 120_000 }, async () => {
    const anon = await EventStream.open({});
    assert.equal(anon.status, 401);
    assert.equal(JSON.parse(await anon.text()).code, 'SessionExpired');
    const bad = await EventStream.open({ cookie: 'granary-session=forged' });
    assert.equal(bad.status, 401);
    bad.close();
    const json = await fetch(new URL('/api/v1/health', consoleUrl));
    assert.equal(json.status, 401);
    // A user without admin:ServerInfo has a session but may not read drive health.
    const created = await signedFetch(root, 'PUT', '/granary/admin/v1/users/viewer', JSON.stringify({ secretKey: 'Vw3!nQ8#tLp5Zr2' }));
    assert.ok(created.ok, await created.text());
    const login = await fetch(new URL('/api/v1/login', consoleUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessKey: 'viewer', secretKey: 'Vw3!nQ8#tLp5Zr2' }) });
    assert.equal(login.status, 200, await login.clone().text());
    const viewer = login.headers.getSetCookie().find((c) => c.startsWith('granary-session='))!.split(';')[0];
    const denied = await EventStream.open({ cookie: viewer });
    assert.equal(denied.status, 403);
    assert.equal(JSON.parse(await denied.text()).code, 'AccessDenied');
    const deniedJson = await fetch(new URL('/api/v1/health', consoleUrl), { headers: { cookie: viewer } });
    assert.equal(deniedJson.status, 403);
    const admin = await fetch(new URL('/granary/admin/v1/health', server.endpoint));
    assert.ok(admin.status === 400 || admin.status === 403, `unsigned admin call answered ${admin.status}`);
  });

  test('a healthy start: every drive online, the set healthy and able to lose one more drive', { timeout: 120_000 }, async () => {
    const snap = await health();
    assert.equal(snap.state, 'healthy');
    assert.equal(snap.sets.length, 1);
    assert.equal(snap.sets[0].canLose, 1);
    for (const d of snap.sets[0].drives) {
      assert.equal(d.state, 'online');
      assert.ok(d.totalBytes! > 0 && d.freeBytes! >= 0);
      assert.deepEqual(d.counters, { ioErrors: 0, bitrot: 0, timeouts: 0 });
      assert.ok(d.latency.write.samples > 0, 'writes were timed');
      // This VM's disk tells no SMART data: unknown, never invented.
      if (d.smart) assert.ok(['passed', 'failed', 'unknown'].includes(d.smart.status));
    }
    const viaConsole = await fetch(new URL('/api/v1/health', consoleUrl), { headers: { cookie } });
    assert.equal(viaConsole.status, 200);
    const c = (await viaConsole.json()) as HealthSnapshot;
    assert.equal(c.deploymentId, snap.deploymentId);
  });

  test('a drive whose files do not answer: the health JSON does not wait for it, the storage figures do not ask a drive already holding a late look, and what was seen stays', { timeout: 120_000 }, async () => {
    const slow = server.drives[3];
    const seen = drive(await health(), slow);
    assert.ok(seen.totalBytes! > 0);
    // Reads only, and no S3 request meanwhile: no operation of the drive times out, so it stays online and only
    // the looks at its files and space (flags, statfs) meet the hang.
    setFaults({ [slow]: { delayMs: 600_000, ops: 'read' } });
    await new Promise((r) => setTimeout(r, 300)); // the hook looks at its file every 100 ms
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const snap = await health();
      assert.ok(performance.now() - started < 1_000, `the health JSON took ${(performance.now() - started).toFixed(0)} ms`);
      const d = drive(snap, slow);
      // Not 'unformatted': a look that got no answer is not an empty folder.
      assert.equal(d.state, 'online');
      assert.equal(d.totalBytes, seen.totalBytes);
      assert.equal(snap.state, 'healthy');
      await new Promise((r) => setTimeout(r, 1_000)); // the health monitor polls (and starts a look) every second
    }
    const started = performance.now();
    const res = await signedFetch(root, 'GET', '/granary/admin/v1/info');
    const took = performance.now() - started;
    assert.equal(res.status, 200, await res.clone().text());
    const info = (await res.json()) as { sets: { drives: { path: string; state: string; freeBytes?: number }[] }[] };
    // The health monitor's looks at the drive are still held past their deadline, so the figures do not ask it
    // again (each ask would hold another thread of the pool): the drive counts as offline in these figures only, at once.
    assert.ok(took < 1_500, `admin info took ${took.toFixed(0)} ms`);
    const figures = info.sets[0].drives;
    assert.equal(figures.find((x) => x.path === slow)?.state, 'offline');
    assert.ok(figures.filter((x) => x.path !== slow).every((x) => x.state === 'online' && x.freeBytes! >= 0));
    setFaults({});
    await new Promise((r) => setTimeout(r, 300));
    const back = (await (await signedFetch(root, 'GET', '/granary/admin/v1/info')).json()) as typeof info;
    assert.ok(back.sets[0].drives.every((x) => x.state === 'online'));
  });

  test('a format file the file system cannot read is not a missing one: the drive is neither flagged blank nor formatted again', { timeout: 120_000 }, async () => {
    const odd = server.drives[0];
    const format = join(odd, '.granary', 'format.json');
    const fromSeq = stream.events.at(-1)?.seq ?? 0;
    // A symlink to itself: access() fails with ELOOP, as a failing disk's EIO would, not with ENOENT.
    renameSync(format, `${format}.saved`);
    symlinkSync('format.json', format);
    try {
      // Long enough for several health polls (every second) and heal-watcher rounds (every two seconds).
      await new Promise((r) => setTimeout(r, 5_000));
      assert.equal(drive(await health(), odd).state, 'online');
      assert.ok(!stream.events.some((e) => e.seq > fromSeq && e.type === 'drive-state' && e.drive === odd), `the drive changed state: ${JSON.stringify(stream.events.filter((e) => e.seq > fromSeq))}`);
      assert.ok(lstatSync(format).isSymbolicLink(), 'the heal watcher wrote a new format file over it');
    } finally {
      rmSync(format, { force: true });
      renameSync(`${format}.saved`, format);
    }
    await assertAllReadable();
  });

  test('a hung drive: PUT and GET still answer, the drive goes offline, and comes back when it answers', { timeout: 120_000 }, async () => {
    const hung = server.drives[1];
    setFaults({ [hung]: { delayMs: 600_000 } });
    for (let i = 0; i < 4; i++) {
      await put(`hung/small-${i}`, seededBytes(2000 + i, 10 + i));
      await put(`hung/large-${i}`, seededBytes(2 * 1024 * 1024 + i, 20 + i));
    }
    await assertAllReadable();
    const off = await stream.waitFor('the hung drive offline', (e) => e.type === 'drive-state' && e.drive === hung && e.to === 'offline');
    assert.equal(off.type, 'drive-state');
    const snap = await health();
    assert.equal(drive(snap, hung).state, 'offline');
    assert.ok(drive(snap, hung).counters.timeouts >= 1);
    assert.equal(drive(snap, hung).lastError?.kind, 'timeout');
    assert.equal(snap.sets[0].state, 'degraded');
    assert.equal(snap.sets[0].canLose, 0);
    // Offline, it costs requests nothing: they go on with the other three.
    await put('hung/while-offline', seededBytes(5000, 30));
    await assertAllReadable();
    setFaults({});
    await stream.waitFor('the drive back online', (e) => e.type === 'drive-state' && e.drive === hung && e.to === 'online');
    const back = await health();
    assert.equal(drive(back, hung).state, 'online');
    assert.equal(back.sets[0].state, 'healthy');
    await put('hung/after', seededBytes(3000, 31));
    await assertAllReadable();
  });

  test('a drive that stalls on everything: a GET waits at most its lag budget, other requests not at all, and its timeouts take it offline', { timeout: 120_000 }, async () => {
    const slow = server.drives[0];
    const before = drive(await health(), slow).counters.timeouts;
    const fromSeq = stream.events.at(-1)?.seq ?? 0;
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'stall/mp' }));
    await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'stall/mp', UploadId, PartNumber: 1, Body: seededBytes(70_000, 60) }));
    // The disk stalls 2 s on everything (the budget is 1.5 s), with nothing else of it under way: a GET's metadata
    // reads are the first to meet the stall. They run on the drive's reader thread, so the engine goes on.
    setFaults({ [slow]: { delayMs: 2_000 } });
    await new Promise((r) => setTimeout(r, 300)); // the hook looks at its file every 100 ms
    const started = performance.now();
    const first = get('hung/small-0');
    await new Promise((r) => setTimeout(r, 50));
    const listStarted = performance.now();
    await s3.send(new ListBucketsCommand({}));
    const listTook = performance.now() - listStarted;
    assert.ok((await first).equals(written.get('hung/small-0')!), 'the GET still answers');
    const firstTook = performance.now() - started;
    assert.ok(listTook < 1_000, `ListBuckets took ${listTook.toFixed(0)} ms while a GET waited on the stalling drive: the engine was held`);
    // The three other drives settle the GET once the slow one lags (a quarter of its 1.5 s deadline).
    assert.ok(firstTook < 1_500, `the first GET took ${firstTook.toFixed(0)} ms: it waited for the stalling drive`);
    // A multipart upload's records are read the same way: the lagging drive is left out, and nothing stalls.
    const partsStarted = performance.now();
    const listedParts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'stall/mp', UploadId }));
    const partsTook = performance.now() - partsStarted;
    assert.deepEqual((listedParts.Parts ?? []).map((p) => [p.PartNumber, p.Size]), [[1, 70_000]]);
    assert.ok(partsTook < 1_000, `ListParts took ${partsTook.toFixed(0)} ms: the stalling drive was read synchronously`);
    for (let i = 1; i < 3; i++) {
      const t = performance.now();
      assert.ok((await get(`hung/small-${i}`)).equals(written.get(`hung/small-${i}`)!), 'each GET still answers');
      const took = performance.now() - t;
      assert.ok(took < 1_500, `GET ${i} took ${took.toFixed(0)} ms`);
    }
    // Its reads and probes run out of time one after another; three in a row take it offline.
    await stream.waitFor('the stalling drive offline', (e) => e.type === 'drive-state' && e.drive === slow && e.to === 'offline' && e.seq > fromSeq);
    const d = drive(await health(), slow);
    assert.equal(d.state, 'offline');
    assert.ok(d.counters.timeouts >= before + 3, `${d.counters.timeouts - before} timeouts`);
    assert.equal(d.lastError?.kind, 'timeout');
    setFaults({});
    await stream.waitFor('the stalling drive back', (e) => e.type === 'drive-state' && e.drive === slow && e.to === 'online' && e.seq > fromSeq);
    await assertAllReadable();
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'stall/mp', UploadId }));
  });

  test('a listing that meets a drive stalling on everything holds no other request, and answers without it once it lags', { timeout: 120_000 }, async () => {
    const slow = server.drives[0];
    // Operations of the previous test may still be running out of time: start from a drive that answers.
    await new Promise((r) => setTimeout(r, 2_000));
    await waitFor('the drive online and answering', async () => drive(await health(), slow).state === 'online');
    const fromSeq = stream.events.at(-1)?.seq ?? 0;
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'stall/listed' }));
    // The disk stalls 2 s on everything (the budget is 1.5 s), with nothing else of it under way: the listings'
    // reads are the first to meet it. They run on the drives' reader threads, so the engine goes on meanwhile.
    setFaults({ [slow]: { delayMs: 2_000 } });
    await new Promise((r) => setTimeout(r, 300)); // the hook looks at its file every 100 ms
    const expected = [...written.keys()].filter((k) => k.startsWith('hung/')).sort();
    const started = performance.now();
    const listing = s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'hung/' }));
    const uploads = s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'stall/' }));
    await new Promise((r) => setTimeout(r, 50));
    const bucketsStarted = performance.now();
    await s3.send(new ListBucketsCommand({}));
    const bucketsTook = performance.now() - bucketsStarted;
    assert.deepEqual(((await listing).Contents ?? []).map((o) => o.Key), expected, 'the listing lost nothing without the stalling drive');
    const listTook = performance.now() - started;
    assert.deepEqual(((await uploads).Uploads ?? []).map((u) => u.UploadId), [UploadId]);
    const uploadsTook = performance.now() - started;
    assert.ok(bucketsTook < 1_000, `ListBuckets took ${bucketsTook.toFixed(0)} ms while listings waited on the stalling drive: the engine was held`);
    // The three other drives answer for every key once the slow one lags (a quarter of its 1.5 s deadline).
    assert.ok(listTook < 1_500, `the listing took ${listTook.toFixed(0)} ms: it waited for the stalling drive`);
    assert.ok(uploadsTook < 1_500, `ListMultipartUploads took ${uploadsTook.toFixed(0)} ms: it waited for the stalling drive`);
    // A listing with a delimiter seeks (a query per common prefix): each seek goes on without the drive.
    const t = performance.now();
    const top = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    assert.ok((top.CommonPrefixes ?? []).some((p) => p.Prefix === 'hung/'), 'hung/ is listed');
    assert.ok(performance.now() - t < 1_500, `a delimiter listing took ${(performance.now() - t).toFixed(0)} ms`);
    // Its reads run out of time one after another; three in a row take it offline.
    await stream.waitFor('the stalling drive offline', (e) => e.type === 'drive-state' && e.drive === slow && e.to === 'offline' && e.seq > fromSeq);
    assert.equal(drive(await health(), slow).lastError?.kind, 'timeout');
    setFaults({});
    await stream.waitFor('the stalling drive back', (e) => e.type === 'drive-state' && e.drive === slow && e.to === 'online' && e.seq > fromSeq);
    await assertAllReadable();
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'stall/listed', UploadId }));
  });

  test('a drive with a write long unanswered, before any deadline: GETs and listings that can do without its metadata do not read it', { timeout: 120_000 }, async () => {
    const lagging = server.drives[1];
    const fromSeq = stream.events.at(-1)?.seq ?? 0;
    setFaults({ [lagging]: { delayMs: 600_000, ops: 'write' } });
    await new Promise((r) => setTimeout(r, 300));
    // Its write of this PUT hangs; the deadline (1.5 s) has not yet run out when the GETs below start.
    const pending = put('lagging/one', seededBytes(1200, 50));
    await new Promise((r) => setTimeout(r, 100));
    // From now on its reads hang too.
    setFaults({ [lagging]: { delayMs: 600_000 } });
    await new Promise((r) => setTimeout(r, 350)); // past a quarter of the deadline: lagging
    const started = performance.now();
    for (const key of ['hung/small-0', 'hung/small-2']) assert.ok((await get(key)).equals(written.get(key)!));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'hung/' }));
    const took = performance.now() - started;
    assert.ok(took < 1_000, `two GETs and a listing took ${took.toFixed(0)} ms: the lagging drive was read`);
    // The other three drives agree on every key: the listing lost nothing by leaving it out.
    assert.deepEqual((listed.Contents ?? []).map((o) => o.Key), [...written.keys()].filter((k) => k.startsWith('hung/')).sort());
    await pending;
    setFaults({});
    // Operations that started while it hung still run out of time after this; only then does it settle.
    await new Promise((r) => setTimeout(r, 2_000));
    await waitFor('the drive online and answering', async () => drive(await health(), lagging).state === 'online');
    await assertAllReadable();
    await stream.settledOnline(lagging, fromSeq);
  });

  test('a drive whose write ran out of time: GETs go on without it while its reads hang, and it is read again once it answers', { timeout: 120_000 }, async () => {
    const stuck = server.drives[2];
    const fromSeq = stream.events.at(-1)?.seq ?? 0;
    // Its writes hang: the PUT goes on with the other three, and the drive's commit times out at 1.5 s.
    setFaults({ [stuck]: { delayMs: 600_000, ops: 'write' } });
    await new Promise((r) => setTimeout(r, 300));
    await put('stuck/one', seededBytes(1500, 40));
    await waitFor('the write timed out', async () => drive(await health(), stuck).lastError?.kind === 'timeout');
    // Now its reads hang too: GETs answer from the other drives once it lags.
    setFaults({ [stuck]: { delayMs: 600_000 } });
    await new Promise((r) => setTimeout(r, 300));
    for (const key of ['stuck/one', 'hung/small-1']) {
      const started = performance.now();
      assert.ok((await get(key)).equals(written.get(key)!));
      const took = performance.now() - started;
      assert.ok(took < 1_500, `GET ${key} took ${took.toFixed(0)} ms: it waited for the hanging drive`);
    }
    // It answers again: the probe (or its next write) clears it, and its reads are timed again. Operations that
    // started while it hung still run out of time after this; only then does it settle.
    setFaults({});
    await new Promise((r) => setTimeout(r, 2_000));
    await waitFor('the drive online and answering', async () => {
      const d = drive(await health(), stuck);
      return d.state === 'online'; // not 'faulty': its last operation answered
    });
    const samples = drive(await health(), stuck).latency.read.samples;
    await assertAllReadable();
    assert.ok(drive(await health(), stuck).latency.read.samples > samples, 'its metadata is read again');
    // Whatever the probes did meanwhile, the stream says where the drive ended.
    await stream.settledOnline(stuck, fromSeq);
  });

  test('a failing drive: its I/O errors are counted with the last one, and reads go on from the others', { timeout: 120_000 }, async () => {
    const failing = server.drives[2];
    setFaults({ [failing]: { error: 'io', ops: 'read' } });
    await assertAllReadable();
    await assertAllReadable();
    const snap = await waitFor('counted errors', async () => {
      const s = await health();
      return drive(s, failing).counters.ioErrors > 0 && s;
    });
    const d = drive(snap, failing);
    assert.equal(d.lastError?.kind, 'io');
    assert.ok(d.counters.ioErrors >= 1);
    // Reads go on while we wait: a heal that rewrites a shard on it (its writes still work) breaks the run of
    // failures, so it takes three failed reads in a row, not three in all.
    await waitFor('the failing drive offline', async () => {
      if (stream.events.some((e) => e.type === 'drive-state' && e.drive === failing && e.to === 'offline')) return true;
      await assertAllReadable();
      return false;
    });
    setFaults({});
    // Its probe only writes, so it may have come back already and failed a read or two since: 'faulty' until a
    // read succeeds. Reads go on until one has.
    const wentOffline = stream.events.find((x) => x.type === 'drive-state' && x.drive === failing && x.to === 'offline')!.seq;
    await waitFor('the failing drive back', async () => {
      if (stream.events.some((e) => e.type === 'drive-state' && e.drive === failing && e.to === 'online' && e.seq > wentOffline)) return true;
      await assertAllReadable();
      return false;
    });
    const after = drive(await health(), failing);
    assert.ok(after.counters.ioErrors >= d.counters.ioErrors, 'counters do not go backwards');
  });

  test('full drives: writes refused with a clean 507, reads unaffected, nothing corrupted, writes back when space returns', { timeout: 120_000 }, async () => {
    const [d1, d2] = server.drives;
    setFaults({ [d1]: { freeBytes: 0, totalBytes: 10 * 1024 ** 3 }, [d2]: { freeBytes: 1024, totalBytes: 10 * 1024 ** 3 } });
    await stream.waitFor('d1 full', (e) => e.type === 'storage-full' && e.drive === d1);
    await stream.waitFor('d2 full', (e) => e.type === 'storage-full' && e.drive === d2);
    for (const [key, body] of [['full/small', seededBytes(100, 40)], ['full/large', seededBytes(2 * 1024 * 1024, 41)]] as const) {
      await assert.rejects(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body })), (err: unknown) => {
        assert.ok(err instanceof S3ServiceException, String(err));
        assert.equal(err.name, 'XGranaryStorageFull');
        assert.equal(err.$metadata.httpStatusCode, 507);
        return true;
      });
    }
    await assert.rejects(s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'full/mp' })), (err: unknown) => {
      assert.ok(err instanceof S3ServiceException);
      assert.equal(err.$metadata.httpStatusCode, 507);
      return true;
    });
    await assertAllReadable();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'full/' }));
    assert.equal(listed.KeyCount, 0, 'a refused write leaves nothing behind');
    // Deleting is how space comes back: it goes on while full.
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'hung/after' }));
    written.delete('hung/after');
    const snap = await health();
    assert.equal(drive(snap, d1).space, 'full');
    assert.equal(drive(snap, d1).freeBytes, 0);

    setFaults({});
    await stream.waitFor('space back on d1', (e) => e.type === 'space-returned' && e.drive === d1);
    await stream.waitFor('space back on d2', (e) => e.type === 'space-returned' && e.drive === d2);
    await put('full/after', seededBytes(2 * 1024 * 1024 + 5, 42));
    await put('full/after-small', seededBytes(10, 43));
    await assertAllReadable();
  });

  test('bitrot on one drive: counted on that drive, announced, and the bytes still read back exact', { timeout: 120_000 }, async () => {
    const damaged = server.drives[3];
    const parts = (readdirSync(join(damaged, 'data'), { recursive: true }) as string[]).filter((f) => /(^|\/)part\.\d+$/.test(f));
    assert.ok(parts.length > 0, 'large objects have shard files');
    for (const f of parts) flipByte(join(damaged, 'data', f), 40);
    await assertAllReadable();
    const found = await stream.waitFor('bitrot found on the damaged drive', (e) => e.type === 'bitrot-found' && e.drive === damaged);
    assert.ok(found.type === 'bitrot-found' && found.count >= 1);
    const d = drive(await health(), damaged);
    assert.ok(d.counters.bitrot >= 1);
    assert.equal(d.state, 'online', 'bitrot is the data, not the drive: it stays online');
  });

  test('the event stream: in order with increasing ids, resumable with Last-Event-ID, audited', { timeout: 120_000 }, async () => {
    const seen = stream.events;
    assert.ok(seen.length >= 8, JSON.stringify(seen));
    for (let i = 0; i < seen.length; i++) {
      assert.equal(seen[i].sseId, String(seen[i].seq));
      assert.equal(seen[i].sseEvent, seen[i].type);
      if (i > 0) assert.equal(seen[i].seq, seen[i - 1].seq + 1, 'no gaps, no reordering');
    }
    const mid = seen[Math.floor(seen.length / 2)];
    const resumed = await EventStream.open({ cookie, lastEventId: String(mid.seq) });
    assert.equal(resumed.status, 200);
    const want = seen.filter((e) => e.seq > mid.seq).map((e) => e.seq);
    await waitFor('the replay', async () => resumed.events.length >= want.length);
    assert.deepEqual(resumed.events.map((e) => e.seq), want);
    assert.equal(resumed.other.length, 0, 'nothing was lost: no resync');
    resumed.close();
    const bad = await EventStream.open({ cookie, lastEventId: 'x1' });
    assert.equal(bad.status, 400);
    bad.close();
    // Recorded in the audit trail (the console audit target prints to the server's output).
    assert.match(server.output(), /drive health: drive-state/);
  });

  test('the health JSON agrees with what was done', { timeout: 120_000 }, async () => {
    const snap = await health();
    assert.equal(snap.state, 'healthy');
    assert.ok(snap.lastEventId >= stream.events.at(-1)!.seq);
    const [d1, d2, d3, d4] = server.drives.map((p) => drive(snap, p));
    assert.ok(d2.counters.timeouts >= 1);
    assert.ok(d3.counters.ioErrors >= 1);
    assert.equal(d1.space, 'ok');
    assert.deepEqual({ ...d4.counters, bitrot: 0 }, { ioErrors: 0, bitrot: 0, timeouts: 0 });
    assert.ok(d4.counters.bitrot >= 1);
    assert.equal(d1.counters.bitrot, 0);
    for (const d of [d1, d2, d3, d4]) assert.equal(d.state, 'online');
  });
});
