import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '../../engine/s3/auth/signer.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { startServer, type RunningServer } from '../helpers/server.js';

describe('bad requests over HTTP get a clear S3 error and change nothing', () => {
  let s: RunningServer;
  const call = async (method: string, path: string, body = '', headers: Record<string, string> = {}) => {
    const r = await signedFetch(s, method, path, body || method === 'PUT' || method === 'POST' ? body : undefined, { headers });
    const text = await r.text();
    return { status: r.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1], text };
  };
  const listing = async (): Promise<string[]> => [...((await call('GET', '/bad?list-type=2')).text.match(/<Key>[^<]*<\/Key>/g) ?? [])];

  before(async () => {
    s = await startServer();
    assert.equal((await call('PUT', '/bad')).status, 200);
  });
  after(async () => {
    await s?.stop();
  });

  it('hostile keys and URLs', async () => {
    const nul = await call('PUT', '/bad/a%00b', 'x');
    assert.deepEqual([nul.status, nul.code], [400, 'InvalidObjectName']);
    assert.equal((await call('PUT', '/bad/' + 'k'.repeat(1025), 'x')).code, 'KeyTooLongError');
    assert.equal((await call('PUT', '/bad/%ff%fe', 'x')).code, 'InvalidArgument');
    assert.equal((await call('PUT', '/bad/%zz', 'x')).code, 'InvalidArgument');
    assert.equal((await call('PUT', '/Bad_Bucket', '')).code, 'InvalidBucketName');
    const traversal = await call('PUT', '/bad/..%2F..%2Fetc%2Fpasswd', 'just a key');
    assert.equal(traversal.status, 200, 'a ../ key is only a name');
    assert.deepEqual(await listing(), ['<Key>../../etc/passwd</Key>']);
  });

  it('a repeated query parameter is refused: SigV4 signs both orders alike, so neither may win', async () => {
    const before = await listing();
    const twice = await call('GET', '/bad?list-type=2&prefix=a&prefix=..');
    assert.deepEqual([twice.status, twice.code], [400, 'InvalidArgument']);
    assert.match(twice.text, /&quot;prefix&quot; is given more than once/);
    assert.equal((await call('PUT', '/reserved-tags/k?tagging&tagging', '<Tagging><TagSet/></Tagging>')).code, 'InvalidArgument');
    assert.deepEqual(await listing(), before);
  });

  it('the bucket name "granary" is reserved for the admin API paths', async () => {
    assert.equal((await call('PUT', '/granary')).code, 'InvalidBucketName');
  });

  it('malformed XML bodies', async () => {
    const up = await call('POST', '/bad/mp?uploads');
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(up.text)![1];
    for (const body of ['', '<CompleteMultipartUpload>', 'not xml at all', '<!DOCTYPE x [<!ENTITY a "b">]><CompleteMultipartUpload/>', '<Other/>']) {
      const r = await call('POST', `/bad/mp?uploadId=${uploadId}`, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.ok(['MalformedXML', 'InvalidRequest'].includes(r.code!), r.text);
    }
    const del = await call('POST', '/bad?delete', '<Delete><Object><Key>x</Key></Object>', { 'content-md5': createHash('md5').update('<Delete><Object><Key>x</Key></Object>').digest('base64') });
    assert.equal(del.code, 'MalformedXML');
    const tooMany = `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`;
    assert.equal((await call('POST', '/bad?delete', tooMany, { 'content-md5': createHash('md5').update(tooMany).digest('base64') })).code, 'MalformedXML');
    assert.equal((await call('POST', '/bad?delete', '<Delete><Object><Key>x</Key></Object></Delete>')).code, 'InvalidRequest', 'Content-MD5 or a checksum is required');
    assert.deepEqual(await listing(), ['<Key>../../etc/passwd</Key>']);
  });

  it('absurd sizes and a truncated body', async () => {
    assert.equal((await call('PUT', '/bad/huge', '', { 'x-amz-decoded-content-length': '1' })).status, 200, 'an empty object is fine');
    const r = await call('POST', '/bad/mp2?uploads');
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(r.text)![1];
    assert.equal((await call('PUT', `/bad/mp2?partNumber=10001&uploadId=${uploadId}`, 'x')).code, 'InvalidArgument');
    assert.equal((await call('PUT', `/bad/mp2?partNumber=0&uploadId=${uploadId}`, 'x')).code, 'InvalidArgument');
    assert.equal((await call('GET', '/bad?list-type=2&max-keys=-1')).code, 'InvalidArgument');

    // A body shorter than its Content-Length, then the client goes away.
    const url = new URL(`${s.endpoint}/bad/truncated`);
    const full = Buffer.alloc(100_000, 1);
    const headers = signRequest({ method: 'PUT', url, headers: { 'content-length': String(full.length) }, payloadHash: 'UNSIGNED-PAYLOAD', accessKey: s.accessKey, secretKey: s.secretKey, region: 'us-east-1', service: 's3' });
    await new Promise<void>((resolve) => {
      const sock = connect(Number(url.port), '127.0.0.1', () => {
        sock.write(`PUT /bad/truncated HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
        sock.write(full.subarray(0, 40_000));
        setTimeout(() => sock.destroy(), 200);
      });
      sock.on('close', () => resolve());
      sock.on('error', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await call('HEAD', '/bad/truncated')).status, 404);
    const keys = await listing();
    assert.ok(!keys.includes('<Key>truncated</Key>'));
  });
});
