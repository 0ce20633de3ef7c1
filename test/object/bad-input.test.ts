import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keyFromBytes } from '../../engine/object/names.js';
import type { ErasureObjectLayer } from '../../engine/object/erasure-object-layer.js';
import { chunksOf, openLayer, tempDrives } from '../helpers/drives.js';

describe('bad input gets a typed error and changes nothing', () => {
  const t = tempDrives(4);
  let layer: ErasureObjectLayer;
  before(async () => {
    layer = await openLayer(t.drives);
    await layer.makeBucket('bkt');
  });
  after(async () => {
    await layer.close();
    t.cleanup();
  });

  const listing = async () => (await layer.listObjects('bkt')).objects.map((o) => o.key);

  it('invalid bucket names', async () => {
    for (const name of ['ab', 'a'.repeat(64), 'Upper', 'under_score', '-start', 'end-', 'two..dots', '192.168.1.1', 'xn--punycode', 'x-s3alias', 'dot.-hyphen', '', '../etc', 'a\u0000b']) {
      await assert.rejects(layer.makeBucket(name), { code: 'InvalidBucketName', status: 400 }, name);
    }
    assert.deepEqual((await layer.listBuckets()).map((b) => b.name), ['bkt']);
    await assert.rejects(layer.putObject('no-such-bucket', 'k', chunksOf(Buffer.from('x'))), { code: 'NoSuchBucket', status: 404 });
  });

  it('hostile keys: ../, 1024 bytes, NUL, invalid UTF-8', async () => {
    // `../` is only a name: it is stored as data and never escapes the drive.
    await layer.putObject('bkt', '../../etc/passwd', chunksOf(Buffer.from('just a key')));
    assert.equal((await layer.headObject('bkt', '../../etc/passwd')).size, 10);
    await layer.putObject('bkt', 'é'.repeat(512), chunksOf(Buffer.from('1024 bytes of key')));
    await assert.rejects(layer.putObject('bkt', 'é'.repeat(512) + 'x', chunksOf(Buffer.from('x'))), { code: 'KeyTooLongError' });
    await assert.rejects(layer.putObject('bkt', 'a\u0000b', chunksOf(Buffer.from('x'))), { code: 'InvalidObjectName' });
    await assert.rejects(layer.putObject('bkt', 'lone\ud800surrogate', chunksOf(Buffer.from('x'))), { code: 'InvalidObjectName' });
    await assert.rejects(layer.putObject('bkt', '', chunksOf(Buffer.from('x'))), { code: 'InvalidArgument' });
    assert.throws(() => keyFromBytes(Buffer.from([0x61, 0xff, 0x62])), { code: 'InvalidObjectName' });
    assert.throws(() => keyFromBytes(Buffer.from([0xc0, 0xaf])), { code: 'InvalidObjectName' }, 'overlong encoding of /');
    assert.equal(keyFromBytes(Buffer.from('ok/ключ', 'utf8')), 'ok/ключ');
    assert.deepEqual(await listing(), ['../../etc/passwd', 'é'.repeat(512)]);
  });

  it('truncated and overlong bodies', async () => {
    await assert.rejects(layer.putObject('bkt', 'short', chunksOf(Buffer.alloc(1000)), { size: 2000 }), { code: 'IncompleteBody', status: 400 });
    await assert.rejects(layer.putObject('bkt', 'short-big', chunksOf(Buffer.alloc(3_000_000)), { size: 3_000_001 }), { code: 'IncompleteBody' });
    await assert.rejects(layer.putObject('bkt', 'long', chunksOf(Buffer.alloc(1000)), { size: 999 }), { code: 'InvalidRequest' });
    async function* failing() {
      yield Buffer.alloc(2_000_000);
      throw new Error('client went away');
    }
    await assert.rejects(layer.putObject('bkt', 'aborted', failing()), /client went away/);
    assert.deepEqual(await listing(), ['../../etc/passwd', 'é'.repeat(512)]);
  });

  it('absurd sizes and part numbers', async () => {
    await assert.rejects(layer.putObject('bkt', 'huge', chunksOf(Buffer.alloc(1)), { size: 5 * 1024 ** 4 + 1 }), { code: 'EntityTooLarge' });
    const id = await layer.newMultipartUpload('bkt', 'mp');
    await assert.rejects(layer.putObjectPart('bkt', 'mp', id, 1, chunksOf(Buffer.alloc(1)), { size: 5 * 1024 ** 3 + 1 }), { code: 'EntityTooLarge' });
    await assert.rejects(layer.completeMultipartUpload('bkt', 'mp', id, Array.from({ length: 10_001 }, (_, i) => ({ partNumber: i + 1, etag: 'x' }))), { code: 'InvalidArgument' });
    await assert.rejects(layer.completeMultipartUpload('bkt', 'mp', 'no-such-upload', [{ partNumber: 1, etag: 'x' }]), { code: 'NoSuchUpload' });
    await assert.rejects(layer.putObject('bkt', 'meta', chunksOf(Buffer.alloc(1)), { metadata: { 'x-amz-meta-big': 'x'.repeat(9000) } }), { code: 'MetadataTooLarge' });
    await layer.abortMultipartUpload('bkt', 'mp', id);
    assert.deepEqual(await listing(), ['../../etc/passwd', 'é'.repeat(512)]);
  });

  it('staging is empty after failed writes', async () => {
    const { readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    for (const d of t.drives) assert.deepEqual(readdirSync(join(d, '.granary', 'tmp')), []);
  });
});
