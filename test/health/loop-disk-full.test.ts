import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { HealthSnapshot } from '../../engine/api/health/types.js';
import { seededBytes } from '../helpers/drives.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';

/**
 * Disk full for real: two of four drives on small loop-mounted ext4 images,
 * filled by a file beside the drive's data. Needs root and loop devices; where
 * the machine does not allow them the test is skipped (the fault-hook test in
 * drive-health.test.ts covers the same behaviour with reported numbers).
 */
const IMAGE_MB = 48;
let dir: string;
const mounted: string[] = [];
let server: (RunningServer & { kill: () => Promise<void> }) | undefined;
let s3: S3Client;
let skip: string | false = false;

function tryMount(image: string, at: string): boolean {
  try {
    execFileSync('/usr/bin/truncate', ['-s', `${IMAGE_MB}M`, image]);
    execFileSync('/usr/sbin/mkfs.ext4', ['-q', '-F', '-m', '0', image], { stdio: 'ignore' });
    mkdirSync(at, { recursive: true });
    execFileSync('/usr/bin/mount', ['-o', 'loop', image, at], { stdio: 'ignore', timeout: 20_000 });
    mounted.push(at);
    return true;
  } catch {
    return false;
  }
}

/** Fills the filesystem under `at` with a file until only about `leave` bytes are free. */
function fill(at: string, leave: number): void {
  const st = statfsSync(at);
  const free = st.bavail * st.bsize;
  execFileSync('/usr/bin/fallocate', ['-l', String(Math.max(0, free - leave)), join(at, 'filler')]);
}

async function health(): Promise<HealthSnapshot> {
  const res = await signedFetch({ endpoint: server!.endpoint, accessKey: server!.accessKey, secretKey: server!.secretKey }, 'GET', '/granary/admin/v1/health');
  assert.equal(res.status, 200);
  return (await res.json()) as HealthSnapshot;
}

async function waitFor(what: string, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'granary-loopfull-'));
  if (process.getuid?.() !== 0) { skip = 'needs root for loop mounts'; return; }
  if (!tryMount(join(dir, 'd1.img'), join(dir, 'd1')) || !tryMount(join(dir, 'd2.img'), join(dir, 'd2'))) {
    skip = 'mount -o loop is not allowed here';
    return;
  }
  server = await startServer({ root: dir, env: { GRANARY_DRIVE_PROBE_MS: '300' } });
  s3 = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secretKey } });
});

after(async () => {
  s3?.destroy();
  await server?.kill();
  for (const at of mounted) {
    try { execFileSync('/usr/bin/umount', [at], { stdio: 'ignore' }); } catch { /* left for the OS */ }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('disk full on loop-mounted drives', () => {
  test('writes refused with 507 while two drives are full, reads byte-exact, writes back once space is freed', { timeout: 180_000 }, async (t) => {
    if (skip) return t.skip(skip);
    const before = seededBytes(1024 * 1024 + 3, 7);
    const small = seededBytes(500, 8);
    const mk = await signedFetch({ endpoint: server!.endpoint, accessKey: server!.accessKey, secretKey: server!.secretKey }, 'PUT', '/full');
    assert.equal(mk.status, 200);
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'before', Body: before }));
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'small', Body: small }));

    const [d1, d2] = mounted;
    fill(d1, 64 * 1024);
    fill(d2, 64 * 1024);
    await waitFor('both drives full', async () => (await health()).sets[0].drives.filter((d) => d.space === 'full').length === 2);
    for (const body of [seededBytes(100, 9), seededBytes(2 * 1024 * 1024, 10)]) {
      await assert.rejects(s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'refused', Body: body })), (err: unknown) => {
        assert.ok(err instanceof S3ServiceException, String(err));
        assert.equal(err.name, 'XGranaryStorageFull');
        assert.equal(err.$metadata.httpStatusCode, 507);
        return true;
      });
    }
    const read = async (key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'full', Key: key }))).Body!.transformToByteArray());
    assert.ok((await read('before')).equals(before));
    assert.ok((await read('small')).equals(small));

    rmSync(join(d1, 'filler'));
    rmSync(join(d2, 'filler'));
    await waitFor('space back', async () => (await health()).sets[0].drives.every((d) => d.space !== 'full'));
    const afterBody = seededBytes(2 * 1024 * 1024 + 1, 11);
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'after', Body: afterBody }));
    assert.ok((await read('after')).equals(afterBody));
    assert.ok((await read('before')).equals(before));
  });
});
