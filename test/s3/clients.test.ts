import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededBytes } from '../helpers/drives.js';
import { run } from '../helpers/run.js';
import { clientEnv, startServer, type RunningServer } from '../helpers/server.js';

/** Real clients, from Debian's packages, each doing a real workflow with contents checked byte for byte. */
describe('aws-cli, boto3, rclone and s3cmd against a real server', () => {
  let s: RunningServer;
  let work: string;
  before(async () => {
    s = await startServer();
    work = join(s.root, 'work');
    mkdirSync(join(work, 'tree/sub'), { recursive: true });
    writeFileSync(join(work, 'big.bin'), seededBytes(25 * 1024 * 1024 + 5, 1));
    writeFileSync(join(work, 'tree/a.txt'), 'alpha');
    writeFileSync(join(work, 'tree/sub/b.bin'), seededBytes(3 * 1024 * 1024, 2));
    writeFileSync(join(work, 'tree/sub/ü nicode.txt'), 'unicode name');
  });
  after(async () => {
    await s?.stop();
  });

  it('aws-cli: s3 mb / cp / sync / ls / rm / rb and s3api', async () => {
    const env = clientEnv(s);
    const aws = (...args: string[]) => run('/usr/bin/aws', ['--endpoint-url', s.endpoint, ...args], env);
    await aws('s3', 'mb', 's3://cli-bucket');
    await aws('s3', 'cp', join(work, 'big.bin'), 's3://cli-bucket/big.bin');
    await aws('s3', 'sync', join(work, 'tree'), 's3://cli-bucket/tree');
    const ls = await aws('s3', 'ls', '--recursive', 's3://cli-bucket');
    for (const k of ['big.bin', 'tree/a.txt', 'tree/sub/b.bin', 'tree/sub/ü nicode.txt']) assert.ok(ls.stdout.includes(k), `${k} in\n${ls.stdout}`);
    await aws('s3', 'cp', 's3://cli-bucket/big.bin', join(work, 'big.back'));
    assert.ok(readFileSync(join(work, 'big.back')).equals(readFileSync(join(work, 'big.bin'))));
    await aws('s3', 'sync', 's3://cli-bucket/tree', join(work, 'tree.back'));
    assert.equal(readFileSync(join(work, 'tree.back/sub/ü nicode.txt'), 'utf8'), 'unicode name');
    assert.ok(readFileSync(join(work, 'tree.back/sub/b.bin')).equals(seededBytes(3 * 1024 * 1024, 2)));

    const head = JSON.parse((await aws('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'big.bin')).stdout);
    assert.equal(head.ContentLength, 25 * 1024 * 1024 + 5);
    const put = JSON.parse((await aws('s3api', 'put-object', '--bucket', 'cli-bucket', '--key', 'api.txt', '--body', join(work, 'tree/a.txt'), '--metadata', 'k=v')).stdout);
    assert.match(put.ETag, /^"[0-9a-f]{32}"$/);
    const listed = JSON.parse((await aws('s3api', 'list-objects-v2', '--bucket', 'cli-bucket', '--prefix', 'tree/', '--delimiter', '/')).stdout);
    assert.deepEqual(listed.CommonPrefixes.map((p: { Prefix: string }) => p.Prefix), ['tree/sub/']);
    const missing = await run('/usr/bin/aws', ['--endpoint-url', s.endpoint, 's3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'nope', join(work, 'nope')], env, { allowFail: true });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NoSuchKey/);

    await aws('s3', 'rm', '--recursive', 's3://cli-bucket');
    await aws('s3', 'rb', 's3://cli-bucket');
    assert.ok(!(await aws('s3', 'ls')).stdout.includes('cli-bucket'));
  });

  it('boto3: buckets, objects, multipart transfer, listing, presign', async () => {
    const script = `
import boto3, hashlib, os, sys, urllib.request
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1', config=Config(signature_version='s3v4'))
s3.create_bucket(Bucket='boto-bucket')
data = bytes((i * 7 + 3) % 251 for i in range(3 * 1024 * 1024 + 11))
s3.put_object(Bucket='boto-bucket', Key='small/one', Body=b'hello', Metadata={'who': 'boto'})
assert s3.get_object(Bucket='boto-bucket', Key='small/one')['Body'].read() == b'hello'
assert s3.head_object(Bucket='boto-bucket', Key='small/one')['Metadata'] == {'who': 'boto'}
big = os.path.join(os.environ['WORK'], 'big.bin')
s3.upload_file(big, 'boto-bucket', 'big', Config=TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024))
s3.download_file('boto-bucket', 'big', big + '.boto')
assert open(big, 'rb').read() == open(big + '.boto', 'rb').read()
s3.put_object(Bucket='boto-bucket', Key='data', Body=data)
assert s3.get_object(Bucket='boto-bucket', Key='data', Range='bytes=100-199')['Body'].read() == data[100:200]
keys = [o['Key'] for p in s3.get_paginator('list_objects_v2').paginate(Bucket='boto-bucket', PaginationConfig={'PageSize': 1}) for o in p.get('Contents', [])]
assert keys == ['big', 'data', 'small/one'], keys
url = s3.generate_presigned_url('get_object', Params={'Bucket': 'boto-bucket', 'Key': 'small/one'}, ExpiresIn=300)
assert urllib.request.urlopen(url).read() == b'hello'
try:
    s3.get_object(Bucket='boto-bucket', Key='missing')
    sys.exit('missing key returned')
except s3.exceptions.NoSuchKey:
    pass
r = s3.delete_objects(Bucket='boto-bucket', Delete={'Objects': [{'Key': k} for k in keys]})
assert len(r['Deleted']) == 3
s3.delete_bucket(Bucket='boto-bucket')
print('boto3 ok')
`;
    const r = await run('/usr/bin/python3', ['-c', script], clientEnv(s, { ENDPOINT: s.endpoint, WORK: work }));
    assert.match(r.stdout, /boto3 ok/);
  });

  it('rclone: copy, sync, check', async () => {
    const conf = join(s.root, 'rclone.conf');
    writeFileSync(conf, `[g]\ntype = s3\nprovider = Other\nenv_auth = false\naccess_key_id = ${s.accessKey}\nsecret_access_key = ${s.secretKey}\nendpoint = ${s.endpoint}\nregion = us-east-1\n`);
    const env = { PATH: '/usr/bin:/bin', HOME: s.root, RCLONE_CONFIG: conf };
    const rclone = (...args: string[]) => run('/usr/bin/rclone', ['--config', conf, '--s3-upload-cutoff', '8M', '--s3-chunk-size', '5M', ...args], env);
    await rclone('mkdir', 'g:rclone-bucket');
    await rclone('copy', join(work, 'tree'), 'g:rclone-bucket/tree');
    await rclone('copy', join(work, 'big.bin'), 'g:rclone-bucket/');
    await rclone('check', join(work, 'tree'), 'g:rclone-bucket/tree');
    writeFileSync(join(work, 'tree/new.txt'), 'added later');
    await rclone('sync', join(work, 'tree'), 'g:rclone-bucket/tree');
    await rclone('check', join(work, 'tree'), 'g:rclone-bucket/tree');
    await rclone('copy', 'g:rclone-bucket/big.bin', join(work, 'rclone.back'));
    assert.ok(readFileSync(join(work, 'rclone.back/big.bin')).equals(readFileSync(join(work, 'big.bin'))));
    const ls = await rclone('lsf', '-R', 'g:rclone-bucket');
    assert.ok(ls.stdout.includes('tree/new.txt'));
  });

  it('s3cmd: mb, put, get, ls, del', async () => {
    const cfg = join(s.root, 's3cfg');
    const host = s.endpoint.replace('http://', '');
    writeFileSync(cfg, `[default]\naccess_key = ${s.accessKey}\nsecret_key = ${s.secretKey}\nhost_base = ${host}\nhost_bucket = ${host}\nuse_https = False\nsignature_v2 = False\nbucket_location = us-east-1\nmultipart_chunk_size_mb = 5\n`);
    const env = { PATH: '/usr/bin:/bin', HOME: s.root };
    const s3cmd = (...args: string[]) => run('/usr/bin/s3cmd', ['-c', cfg, ...args], env);
    await s3cmd('mb', 's3://s3cmd-bucket');
    await s3cmd('put', join(work, 'tree/a.txt'), 's3://s3cmd-bucket/a.txt');
    await s3cmd('put', join(work, 'big.bin'), 's3://s3cmd-bucket/big.bin');
    const ls = await s3cmd('ls', 's3://s3cmd-bucket/');
    assert.match(ls.stdout, /a\.txt/);
    assert.match(ls.stdout, /big\.bin/);
    await s3cmd('get', 's3://s3cmd-bucket/big.bin', join(work, 's3cmd.back'));
    assert.ok(readFileSync(join(work, 's3cmd.back')).equals(readFileSync(join(work, 'big.bin'))));
    await s3cmd('del', 's3://s3cmd-bucket/a.txt');
    await s3cmd('del', 's3://s3cmd-bucket/big.bin');
    assert.doesNotMatch((await s3cmd('ls', 's3://s3cmd-bucket/')).stdout, /a\.txt/);
    await s3cmd('rb', 's3://s3cmd-bucket');
    assert.deepEqual(readdirSync(join(s.drives[0], '.granary', 'tmp')), []);
  });
});
