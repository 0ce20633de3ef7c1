import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ErasureObjectLayer } from '../../engine/object/erasure-object-layer.js';
import { chunksOf, openLayer, readAll, seededBytes, tempDrives } from '../helpers/drives.js';

const B = 1024 * 1024;
const MiB = 1024 * 1024;

for (const [n, parity] of [[4, 2], [6, 2], [3, 1]] as const) {
  describe(`object round trips on ${n} drives, parity ${parity}`, () => {
    const t = tempDrives(n);
    let layer: ErasureObjectLayer;
    before(async () => {
      layer = await openLayer(t.drives, parity);
      await layer.makeBucket('bucket');
    });
    after(async () => {
      await layer.close();
      t.cleanup();
    });

    for (const size of [0, 1, B - 1, B, B + 1, 10 * MiB + 7]) {
      it(`${size} bytes, known and unknown length`, async () => {
        const data = seededBytes(size, size + 1);
        const md5 = createHash('md5').update(data).digest('hex');
        for (const known of [true, false]) {
          const key = `obj/${size}/${known}`;
          const info = await layer.putObject('bucket', key, chunksOf(data, 100_003), known ? { size } : {});
          assert.equal(info.size, size);
          assert.equal(info.etag, md5, 'single PUT ETag is the MD5 of the content');
          const got = await layer.getObject('bucket', key);
          assert.equal(got.info.size, size);
          assert.ok((await readAll(got.body)).equals(data), 'bytes round-trip');
          const head = await layer.headObject('bucket', key);
          assert.equal(head.etag, md5);
        }
      });
    }

    it('byte ranges across block boundaries', async () => {
      const data = seededBytes(3 * B + 12345, 7);
      await layer.putObject('bucket', 'ranged', chunksOf(data), { size: data.length });
      for (const [s, e] of [[0, 0], [0, B - 1], [B - 1, B], [B - 5, 2 * B + 5], [3 * B, 3 * B + 12344], [17, 3 * B + 99999999]]) {
        const got = await layer.getObject('bucket', 'ranged', { range: { start: s, end: e } });
        const want = data.subarray(s, Math.min(e, data.length - 1) + 1);
        assert.ok((await readAll(got.body)).equals(want), `range ${s}-${e}`);
      }
      await assert.rejects(layer.getObject('bucket', 'ranged', { range: { start: data.length, end: data.length + 1 } }), { code: 'InvalidRange' });
    });

    it('multipart upload with the md5-of-md5s ETag', async () => {
      const parts = [seededBytes(5 * MiB, 1), seededBytes(5 * MiB + 3, 2), seededBytes(777, 3)];
      const id = await layer.newMultipartUpload('bucket', 'multi', { metadata: { 'content-type': 'application/x-test' } });
      // Uploaded out of order, part 2 twice: the last upload of a part wins.
      const etags: string[] = [];
      etags[2] = (await layer.putObjectPart('bucket', 'multi', id, 3, chunksOf(parts[2]))).etag;
      await layer.putObjectPart('bucket', 'multi', id, 2, chunksOf(seededBytes(5 * MiB + 3, 99)));
      etags[1] = (await layer.putObjectPart('bucket', 'multi', id, 2, chunksOf(parts[1]))).etag;
      etags[0] = (await layer.putObjectPart('bucket', 'multi', id, 1, chunksOf(parts[0]))).etag;
      const listed = await layer.listParts('bucket', 'multi', id);
      assert.deepEqual(listed.parts.map((p) => [p.partNumber, p.size]), [[1, 5 * MiB], [2, 5 * MiB + 3], [3, 777]]);
      const uploads = await layer.listMultipartUploads('bucket');
      assert.deepEqual(uploads.uploads.map((u) => u.uploadId), [id]);

      const info = await layer.completeMultipartUpload('bucket', 'multi', id, etags.map((etag, i) => ({ partNumber: i + 1, etag: `"${etag}"` })));
      const expected = createHash('md5').update(Buffer.concat(etags.map((e) => Buffer.from(e, 'hex')))).digest('hex') + '-3';
      assert.equal(info.etag, expected);
      const all = Buffer.concat(parts);
      const got = await layer.getObject('bucket', 'multi');
      assert.equal(got.info.metadata['content-type'], 'application/x-test');
      assert.ok((await readAll(got.body)).equals(all));
      const mid = await layer.getObject('bucket', 'multi', { range: { start: 5 * MiB - 10, end: 10 * MiB + 10 } });
      assert.ok((await readAll(mid.body)).equals(all.subarray(5 * MiB - 10, 10 * MiB + 11)));
      assert.deepEqual((await layer.listMultipartUploads('bucket')).uploads, []);
      await assert.rejects(layer.listParts('bucket', 'multi', id), { code: 'NoSuchUpload' });
    });

    it('multipart refusals: small parts, wrong ETag, order, abort', async () => {
      const id = await layer.newMultipartUpload('bucket', 'refused');
      const p1 = await layer.putObjectPart('bucket', 'refused', id, 1, chunksOf(seededBytes(1000, 1)));
      const p2 = await layer.putObjectPart('bucket', 'refused', id, 2, chunksOf(seededBytes(1000, 2)));
      await assert.rejects(layer.completeMultipartUpload('bucket', 'refused', id, [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }]), { code: 'EntityTooSmall' });
      await assert.rejects(layer.completeMultipartUpload('bucket', 'refused', id, [{ partNumber: 2, etag: p2.etag }, { partNumber: 1, etag: p1.etag }]), { code: 'InvalidPartOrder' });
      await assert.rejects(layer.completeMultipartUpload('bucket', 'refused', id, [{ partNumber: 1, etag: p2.etag }]), { code: 'InvalidPart' });
      await assert.rejects(layer.putObjectPart('bucket', 'refused', id, 10_001, chunksOf(Buffer.alloc(1))), { code: 'InvalidArgument' });
      await assert.rejects(layer.putObjectPart('bucket', 'refused', id, 0, chunksOf(Buffer.alloc(1))), { code: 'InvalidArgument' });
      await layer.abortMultipartUpload('bucket', 'refused', id);
      await assert.rejects(layer.putObjectPart('bucket', 'refused', id, 3, chunksOf(Buffer.alloc(1))), { code: 'NoSuchUpload' });
      await assert.rejects(layer.headObject('bucket', 'refused'), { code: 'NoSuchKey' });
    });

    it('copy, overwrite and delete', async () => {
      const a = seededBytes(300_000, 11);
      await layer.putObject('bucket', 'src', chunksOf(a), { metadata: { 'x-amz-meta-color': 'blue' } });
      const copied = await layer.copyObject({ bucket: 'bucket', key: 'src' }, { bucket: 'bucket', key: 'dst' });
      assert.equal(copied.metadata['x-amz-meta-color'], 'blue');
      const replaced = await layer.copyObject({ bucket: 'bucket', key: 'src' }, { bucket: 'bucket', key: 'dst2' }, { metadata: { 'x-amz-meta-color': 'red' } });
      assert.equal(replaced.metadata['x-amz-meta-color'], 'red');
      assert.ok((await readAll((await layer.getObject('bucket', 'dst')).body)).equals(a));

      const b = seededBytes(2 * B + 5, 12);
      await layer.putObject('bucket', 'src', chunksOf(b));
      assert.ok((await readAll((await layer.getObject('bucket', 'src')).body)).equals(b), 'overwrite wins');
      assert.equal(await layer.deleteObject('bucket', 'src'), true);
      await assert.rejects(layer.getObject('bucket', 'src'), { code: 'NoSuchKey' });
      assert.equal(await layer.deleteObject('bucket', 'src'), false, 'deleting a missing key succeeds, deleting nothing');
      await layer.putObject('bucket', 'src', chunksOf(a));
      assert.ok((await readAll((await layer.getObject('bucket', 'src')).body)).equals(a), 'a key can come back after delete');
    });

    it('buckets: create, list, refuse non-empty delete, delete', async () => {
      await assert.rejects(layer.makeBucket('bucket'), { code: 'BucketAlreadyOwnedByYou' });
      await layer.makeBucket('other-bucket');
      assert.deepEqual((await layer.listBuckets()).map((b) => b.name), ['bucket', 'other-bucket']);
      await layer.putObject('other-bucket', 'x', chunksOf(Buffer.from('x')));
      await assert.rejects(layer.deleteBucket('other-bucket'), { code: 'BucketNotEmpty' });
      await layer.deleteObject('other-bucket', 'x');
      const id = await layer.newMultipartUpload('other-bucket', 'y');
      await assert.rejects(layer.deleteBucket('other-bucket'), { code: 'BucketNotEmpty' });
      await layer.abortMultipartUpload('other-bucket', 'y', id);
      await layer.deleteBucket('other-bucket');
      await assert.rejects(layer.headBucket('other-bucket'), { code: 'NoSuchBucket' });
      await assert.rejects(layer.putObject('other-bucket', 'x', chunksOf(Buffer.from('x'))), { code: 'NoSuchBucket' });
    });
  });
}
