import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { amzDate, hmac, signingKey } from '../../engine/s3/auth/canonical.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** A browser form upload, as an HTML form built from a server-side signed policy would send it. */
function form(s: RunningServer, opts: { key: string; body: Buffer; conditions?: unknown[]; extra?: Record<string, string>; expiresIn?: number; secret?: string }): FormData {
  const now = new Date();
  const day = amzDate(now).slice(0, 8);
  const credential = `${s.accessKey}/${day}/us-east-1/s3/aws4_request`;
  const policy = Buffer.from(JSON.stringify({
    expiration: new Date(now.getTime() + (opts.expiresIn ?? 600) * 1000).toISOString(),
    conditions: opts.conditions ?? [
      { bucket: 'forms' },
      ['starts-with', '$key', 'uploads/'],
      ['starts-with', '$content-type', 'text/'],
      ['content-length-range', 1, 1000],
      { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
      { 'x-amz-credential': credential },
      { 'x-amz-date': amzDate(now) },
      { success_action_status: '201' },
    ],
  })).toString('base64');
  const f = new FormData();
  f.set('key', opts.key);
  f.set('content-type', 'text/plain');
  f.set('success_action_status', '201');
  f.set('x-amz-algorithm', 'AWS4-HMAC-SHA256');
  f.set('x-amz-credential', credential);
  f.set('x-amz-date', amzDate(now));
  f.set('policy', policy);
  f.set('x-amz-signature', hmac(signingKey(opts.secret ?? s.secretKey, day, 'us-east-1', 's3'), policy).toString('hex'));
  for (const [k, v] of Object.entries(opts.extra ?? {})) f.set(k, v);
  f.set('file', new Blob([opts.body]), 'notes.txt');
  return f;
}

describe('browser POST uploads with a signed policy', () => {
  let s: RunningServer;
  const exists = async (key: string) => (await signedFetch(s, 'HEAD', `/forms/${key}`)).status === 200;
  before(async () => {
    s = await startServer();
    assert.equal((await signedFetch(s, 'PUT', '/forms', '')).status, 200);
  });
  after(async () => {
    await s?.stop();
  });

  it('stores the file when the policy allows it, and answers 201 with XML', async () => {
    const r = await fetch(`${s.endpoint}/forms`, { method: 'POST', body: form(s, { key: 'uploads/${filename}', body: Buffer.from('from a browser') }) });
    const text = await r.text();
    assert.equal(r.status, 201, text);
    assert.match(text, /<Key>uploads\/notes\.txt<\/Key>/);
    assert.ok(await exists('uploads/notes.txt'));
  });

  it('refuses what the policy does not allow, storing nothing', async () => {
    const cases: [string, FormData, number, string][] = [
      ['key outside the prefix', form(s, { key: 'elsewhere/x', body: Buffer.from('x') }), 403, 'AccessDenied'],
      ['too large', form(s, { key: 'uploads/big', body: Buffer.alloc(1001) }), 400, 'EntityTooLarge'],
      ['empty', form(s, { key: 'uploads/empty', body: Buffer.alloc(0) }), 400, 'EntityTooSmall'],
      ['wrong secret', form(s, { key: 'uploads/forged', body: Buffer.from('x'), secret: 'not-the-secret-at-all' }), 403, 'SignatureDoesNotMatch'],
      ['expired', form(s, { key: 'uploads/late', body: Buffer.from('x'), expiresIn: -10 }), 403, 'AccessDenied'],
      ['field not in the policy', form(s, { key: 'uploads/extra', body: Buffer.from('x'), extra: { 'x-amz-meta-sneaky': '1' } }), 403, 'AccessDenied'],
    ];
    for (const [what, body, status, code] of cases) {
      const r = await fetch(`${s.endpoint}/forms`, { method: 'POST', body });
      const text = await r.text();
      assert.equal(r.status, status, `${what}: ${text}`);
      assert.match(text, new RegExp(`<Code>${code}</Code>`), what);
    }
    for (const k of ['elsewhere/x', 'uploads/big', 'uploads/empty', 'uploads/forged', 'uploads/late', 'uploads/extra']) assert.equal(await exists(k), false, k);
    const notForm = await fetch(`${s.endpoint}/forms`, { method: 'POST', body: 'plain', headers: { 'content-type': 'text/plain' } });
    assert.equal(notForm.status, 400);
  });
});
