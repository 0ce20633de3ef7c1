import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand, CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketLocationCommand,
  GetBucketVersioningCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException, CreateMultipartUploadCommand, UploadPartCommand,
  CompleteMultipartUploadCommand, ListPartsCommand, ListMultipartUploadsCommand, AbortMultipartUploadCommand, UploadPartCopyCommand,
  GetObjectTaggingCommand, PutObjectTaggingCommand, DeleteObjectTaggingCommand, GetObjectAttributesCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { checksumOf } from '../../engine/s3/checksum/algorithms.js';
import { seededBytes } from '../helpers/drives.js';
import { startServer, type RunningServer } from '../helpers/server.js';

function client(s: RunningServer, secret = s.secretKey, accessKey = s.accessKey): S3Client {
  return new S3Client({ endpoint: s.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: accessKey, secretAccessKey: secret }, maxAttempts: 1 });
}

async function bytes(body: unknown): Promise<Buffer> {
  return Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof S3ServiceException, String(err));
    return err.name === 'Unknown' ? String(err.$metadata.httpStatusCode) : err.name;
  }
  return 'no error';
}

describe('@aws-sdk/client-s3 against a real server', () => {
  let s: RunningServer;
  let s3: S3Client;
  before(async () => {
    s = await startServer();
    s3 = client(s);
  });
  after(async () => {
    s3?.destroy();
    await s?.stop();
  });

  it('buckets: create, list, head, location, refusals', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
    assert.equal(await code(s3.send(new CreateBucketCommand({ Bucket: 'photos' }))), 'BucketAlreadyOwnedByYou');
    assert.equal(await code(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))), 'InvalidBucketName');
    const list = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(list.Buckets?.map((b) => b.Name), ['photos']);
    await s3.send(new HeadBucketCommand({ Bucket: 'photos' }));
    assert.equal(await code(s3.send(new HeadBucketCommand({ Bucket: 'nope-nope' }))), 'NotFound');
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: 'photos' }));
    assert.equal(loc.LocationConstraint ?? '', '');
    assert.equal(await code(s3.send(new GetBucketVersioningCommand({ Bucket: 'photos' }))), 'NotImplemented');
  });

  it('objects: put, get, ranges, head, metadata, copy, delete', async () => {
    for (const size of [0, 1, 1024 * 1024, 10 * 1024 * 1024 + 7]) {
      const data = seededBytes(size, size);
      const put = await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: `o/${size}`, Body: data, ContentType: 'image/x-test', Metadata: { camera: 'pinhole' } }));
      assert.equal(put.ETag, `"${createHash('md5').update(data).digest('hex')}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: `o/${size}` }));
      assert.ok((await bytes(got.Body)).equals(data), `${size} bytes round trip`);
      assert.equal(got.ContentType, 'image/x-test');
      assert.equal(got.Metadata?.camera, 'pinhole');
    }
    const big = seededBytes(10 * 1024 * 1024 + 7, 10 * 1024 * 1024 + 7);
    const part = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: `o/${big.length}`, Range: 'bytes=1048570-2097160' }));
    assert.equal(part.ContentRange, `bytes 1048570-2097160/${big.length}`);
    assert.ok((await bytes(part.Body)).equals(big.subarray(1048570, 2097161)));
    const suffix = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: `o/${big.length}`, Range: 'bytes=-100' }));
    assert.ok((await bytes(suffix.Body)).equals(big.subarray(big.length - 100)));
    assert.equal(await code(s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'o/1', Range: 'bytes=5-9' }))), 'InvalidRange');

    const head = await s3.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'o/1' }));
    assert.equal(head.ContentLength, 1);
    assert.equal(await code(s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'missing' }))), 'NoSuchKey');
    assert.equal(await code(s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'o/1', IfNoneMatch: head.ETag }))), '304');
    assert.equal(await code(s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'o/1', IfMatch: '"0000"' }))), 'PreconditionFailed');
    assert.equal(await code(s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'o/1', Body: 'x', IfNoneMatch: '*' }))), 'PreconditionFailed');
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'new-only', Body: 'x', IfNoneMatch: '*' }));

    await s3.send(new CopyObjectCommand({ Bucket: 'photos', Key: 'copy', CopySource: 'photos/o/1048576' }));
    const copied = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'copy' }));
    assert.ok((await bytes(copied.Body)).equals(seededBytes(1024 * 1024, 1024 * 1024)));
    assert.equal(copied.Metadata?.camera, 'pinhole');
    await s3.send(new CopyObjectCommand({ Bucket: 'photos', Key: 'copy', CopySource: 'photos/copy', MetadataDirective: 'REPLACE', Metadata: { camera: 'dslr' } }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'copy' }))).Metadata?.camera, 'dslr');
    assert.equal(await code(s3.send(new CopyObjectCommand({ Bucket: 'photos', Key: 'copy', CopySource: 'photos/copy' }))), 'InvalidRequest');

    await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'copy' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'copy' }));
    assert.equal(await code(s3.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'copy' }))), 'NotFound');
  });

  it('keys with unicode, spaces, reserved characters and leading slashes', async () => {
    const keys = ['a b/c+d', 'ü/ключ/😀', 'x%41y', '/leading', 'dots/../../x', 'q?uery&amp=1', ' spaces ', "quote'\"<>"];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: Key }));
    for (const Key of keys) assert.equal((await bytes((await s3.send(new GetObjectCommand({ Bucket: 'photos', Key }))).Body)).toString(), Key);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'photos' }));
    for (const Key of keys) assert.ok(listed.Contents?.some((c) => c.Key === Key), `${JSON.stringify(Key)} listed`);
    const del = await s3.send(new DeleteObjectsCommand({ Bucket: 'photos', Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    assert.equal(del.Deleted?.length, keys.length);
    assert.equal(await code(s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'x'.repeat(1025), Body: 'x' }))), 'KeyTooLongError');
  });

  it('listing: v1 and v2, delimiter, pagination', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'listing' }));
    const keys: string[] = [];
    for (let i = 0; i < 25; i++) keys.push(`dir${i % 3}/file${String(i).padStart(2, '0')}`);
    keys.push('top1', 'top2');
    await Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: 'listing', Key, Body: Key }))));
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), ['dir0/', 'dir1/', 'dir2/']);
    assert.deepEqual(top.Contents?.map((c) => c.Key), ['top1', 'top2']);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', MaxKeys: 4, ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
      assert.equal(page.KeyCount, page.Contents?.length ?? 0);
    } while (token);
    assert.deepEqual(seen, [...keys].sort());
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'listing', Prefix: 'dir1/', Marker: 'dir1/file04', MaxKeys: 2 }));
    assert.deepEqual(v1.Contents?.map((c) => c.Key), ['dir1/file07', 'dir1/file10']);
    assert.equal(v1.IsTruncated, true);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', StartAfter: 'dir2/file23', Prefix: 'dir2/' }));
    assert.deepEqual(after.Contents ?? [], []);
    assert.equal(await code(s3.send(new DeleteBucketCommand({ Bucket: 'listing' }))), 'BucketNotEmpty');
  });

  it('multipart: lib-storage upload of 20 MiB, low-level parts, copy parts, abort', async () => {
    const data = seededBytes(20 * 1024 * 1024 + 333, 77);
    await new Upload({ client: s3, params: { Bucket: 'photos', Key: 'big.bin', Body: data }, partSize: 5 * 1024 * 1024, queueSize: 3 }).done();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'big.bin' }));
    assert.ok((await bytes(got.Body)).equals(data));
    assert.match(got.ETag ?? '', /-5"$/);

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'photos', Key: 'assembled' }));
    const p1 = await s3.send(new UploadPartCopyCommand({ Bucket: 'photos', Key: 'assembled', UploadId, PartNumber: 1, CopySource: 'photos/big.bin', CopySourceRange: 'bytes=0-5242879' }));
    const tail = seededBytes(1000, 5);
    const p2 = await s3.send(new UploadPartCommand({ Bucket: 'photos', Key: 'assembled', UploadId, PartNumber: 2, Body: tail }));
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'photos', Key: 'assembled', UploadId }));
    assert.deepEqual(parts.Parts?.map((p) => [p.PartNumber, p.Size]), [[1, 5242880], [2, 1000]]);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'photos' }));
    assert.ok(uploads.Uploads?.some((u) => u.UploadId === UploadId));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'photos', Key: 'assembled', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.CopyPartResult?.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }));
    const assembled = await bytes((await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'assembled' }))).Body);
    assert.ok(assembled.equals(Buffer.concat([data.subarray(0, 5242880), tail])));

    const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'photos', Key: 'aborted' }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'photos', Key: 'aborted', UploadId: aborted.UploadId }));
    assert.equal(await code(s3.send(new UploadPartCommand({ Bucket: 'photos', Key: 'aborted', UploadId: aborted.UploadId, PartNumber: 1, Body: 'x' }))), 'NoSuchUpload');
  });

  it('checksums: every algorithm on PUT, returned by GET with checksum mode; mismatches refused, nothing stored', async () => {
    const data = seededBytes(300_000, 9);
    for (const alg of ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const) {
      const put = await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: `sum/${alg}`, Body: data, ChecksumAlgorithm: alg }));
      const field = `Checksum${alg}` as const;
      assert.ok(put[field], `${alg} echoed on PUT`);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: `sum/${alg}`, ChecksumMode: 'ENABLED' }));
      assert.equal(got[field], put[field], `${alg} returned by GET`);
      assert.ok((await bytes(got.Body)).equals(data));
    }
    const known = createHash('sha256').update(data).digest('base64');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'sum/SHA256', ChecksumMode: 'ENABLED' }))).ChecksumSHA256, known);
    assert.equal(await code(s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'sum/bad', Body: data, ChecksumCRC32: 'AAAAAA==' }))), 'BadDigest');
    assert.equal(await code(s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'sum/bad', Body: data, ContentMD5: 'AAAAAAAAAAAAAAAAAAAAAA==' }))), 'BadDigest');
    assert.equal(await code(s3.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'sum/bad' }))), 'NotFound');

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'photos', Key: 'sum/multi', ChecksumAlgorithm: 'SHA256' }));
    const parts = [seededBytes(5 * 1024 * 1024, 1), seededBytes(10, 2)];
    const uploaded = [];
    for (let i = 0; i < parts.length; i++) {
      const r = await s3.send(new UploadPartCommand({ Bucket: 'photos', Key: 'sum/multi', UploadId, PartNumber: i + 1, Body: parts[i], ChecksumAlgorithm: 'SHA256' }));
      assert.equal(r.ChecksumSHA256, createHash('sha256').update(parts[i]).digest('base64'));
      uploaded.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumSHA256: r.ChecksumSHA256 });
    }
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'photos', Key: 'sum/multi', UploadId, MultipartUpload: { Parts: uploaded } }));
    const composite = createHash('sha256').update(Buffer.concat(uploaded.map((u) => Buffer.from(u.ChecksumSHA256!, 'base64')))).digest('base64') + '-2';
    assert.equal(done.ChecksumSHA256, composite);

    // CRC64NVME is full-object only: the parts' CRCs combine into the CRC of the whole object.
    const crcUpload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'photos', Key: 'sum/crc64', ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'FULL_OBJECT' }));
    const crcParts = [];
    for (let i = 0; i < parts.length; i++) {
      const r = await s3.send(new UploadPartCommand({ Bucket: 'photos', Key: 'sum/crc64', UploadId: crcUpload.UploadId, PartNumber: i + 1, Body: parts[i], ChecksumAlgorithm: 'CRC64NVME' }));
      crcParts.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumCRC64NVME: r.ChecksumCRC64NVME });
    }
    const crcDone = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'photos', Key: 'sum/crc64', UploadId: crcUpload.UploadId, MultipartUpload: { Parts: crcParts } }));
    assert.equal(crcDone.ChecksumCRC64NVME, checksumOf('CRC64NVME', Buffer.concat(parts)).toString('base64'));
  });

  it('object tagging and GetObjectAttributes', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'tagged', Body: 'x', Tagging: 'project=granary&stage=test%20run' }));
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: 'photos', Key: 'tagged' }));
    assert.deepEqual(tags.TagSet?.map((t) => [t.Key, t.Value]).sort(), [['project', 'granary'], ['stage', 'test run']]);
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'tagged' }))).TagCount, 2);
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'photos', Key: 'tagged', Tagging: { TagSet: [{ Key: 'only', Value: 'one' }] } }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: 'photos', Key: 'tagged' }))).TagSet, [{ Key: 'only', Value: 'one' }]);
    assert.equal((await bytes((await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'tagged' }))).Body)).toString(), 'x', 'tagging leaves the data alone');
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    assert.equal(await code(s3.send(new PutObjectTaggingCommand({ Bucket: 'photos', Key: 'tagged', Tagging: { TagSet: eleven } }))), 'InvalidTag');
    assert.equal(await code(s3.send(new PutObjectTaggingCommand({ Bucket: 'photos', Key: 'nope', Tagging: { TagSet: [] } }))), 'NoSuchKey');
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'photos', Key: 'tagged' }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: 'photos', Key: 'tagged' }))).TagSet ?? [], []);

    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: 'photos', Key: 'big.bin', ObjectAttributes: ['ETag', 'ObjectSize', 'ObjectParts', 'StorageClass'] }));
    assert.equal(attrs.ObjectSize, 20 * 1024 * 1024 + 333);
    assert.equal(attrs.ObjectParts?.TotalPartsCount, 5);
    assert.match(attrs.ETag ?? '', /^[0-9a-f]{32}-5$/);
  });

  it('presigned GET and PUT work with plain HTTP; altered or expired ones are refused', async () => {
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'photos', Key: 'shared.txt' }), { expiresIn: 600 });
    const put = await fetch(putUrl, { method: 'PUT', body: 'shared content' });
    assert.equal(put.status, 200, await put.text());
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'photos', Key: 'shared.txt' }), { expiresIn: 600 });
    const get = await fetch(getUrl);
    assert.equal(await get.text(), 'shared content');
    const altered = await fetch(getUrl.replace('shared.txt', 'shared.txx'));
    assert.equal(altered.status, 403);
    assert.match(await altered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    const expiring = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'photos', Key: 'shared.txt' }), { expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await fetch(expiring);
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /<Code>AccessDenied<\/Code>/);
  });

  it('refuses wrong secrets, unknown keys and anonymous requests, storing nothing', async () => {
    const wrong = client(s, s.secretKey + 'x');
    assert.equal(await code(wrong.send(new PutObjectCommand({ Bucket: 'photos', Key: 'evil', Body: 'x' }))), 'SignatureDoesNotMatch');
    wrong.destroy();
    const unknown = client(s, 'whatever-secret-123', 'NOSUCHKEY123');
    assert.equal(await code(unknown.send(new ListBucketsCommand({}))), 'InvalidAccessKeyId');
    unknown.destroy();
    const anon = await fetch(`${s.endpoint}/photos/o/1`);
    assert.equal(anon.status, 403);
    assert.ok(anon.headers.get('x-amz-request-id'));
    assert.match(await anon.text(), /<Code>AccessDenied<\/Code>.*<RequestId>/s);
    assert.equal(await code(s3.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'evil' }))), 'NotFound');
  });
});
