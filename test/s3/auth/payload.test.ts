import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CHUNK_SIZE, decodeAwsChunked, verifySha256, type ChunkedOptions } from '../../../engine/s3/auth/payload.js';
import { encodeAwsChunked, sign } from '../../../engine/s3/auth/signer.js';
import { authenticate, type SignedAuth } from '../../../engine/s3/auth/sigv4.js';
import { sha256Hex } from '../../../engine/s3/auth/canonical.js';
import { drain, pieces, prng, rejectsWith } from './helpers.js';

const creds = { accessKey: 'CHUNKS', secretKey: 'chunk-secret-0123456789' };
const look = (k: string) => (k === creds.accessKey ? creds : undefined);
const NOW = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));

const MODES = {
  signed: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  signedTrailer: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  unsignedTrailer: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
} as const;

/** A signed request announcing an aws-chunked body, authenticated; and the body. */
function upload(mode: keyof typeof MODES, chunks: Buffer[], trailers?: Record<string, string>): { auth: SignedAuth; body: Buffer; options: ChunkedOptions; data: Buffer; seen: string[] } {
  const data = Buffer.concat(chunks);
  const s = sign({
    method: 'PUT', url: new URL('http://127.0.0.1:9000/b/k'), payloadHash: MODES[mode], ...creds, region: 'us-east-1', service: 's3', date: NOW,
    headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length), ...(trailers ? { 'x-amz-trailer': Object.keys(trailers).join(',') } : {}) },
  });
  const auth = authenticate({ method: 'PUT', rawPath: '/b/k', rawQuery: '', headers: s.headers, now: NOW }, look, { region: 'us-east-1' }) as SignedAuth;
  assert.equal(auth.kind, 'signed');
  assert.equal(auth.payload.mode, 'streaming');
  const p = auth.payload as { signed: boolean; trailer: boolean };
  const body = encodeAwsChunked(chunks, { signed: p.signed, seedSignature: auth.signature, signingKey: auth.signingKey, scope: auth.scope, date: auth.date, ...(trailers ? { trailers } : {}) });
  const seen: string[] = [];
  const options: ChunkedOptions = {
    signed: p.signed, trailer: p.trailer, seedSignature: auth.signature, signingKey: auth.signingKey, date: auth.date, scope: auth.scope, decodedLength: data.length,
    trailerChecksums: (n, v) => seen.push(`${n}=${v}`),
  };
  return { auth, body, options, data, seen };
}

function randomChunks(rand: () => number, n: number, max: number): Buffer[] {
  return Array.from({ length: n }, () => {
    const b = Buffer.alloc(1 + Math.floor(rand() * max));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
    return b;
  });
}

describe('verifySha256', () => {
  it('passes the bytes through and checks the digest at the end', async () => {
    assert.equal((await drain(verifySha256(pieces(Buffer.from('hello'), [2]), sha256Hex('hello')))).toString(), 'hello');
    assert.equal((await drain(verifySha256(pieces(Buffer.from('hello')), sha256Hex('hello').toUpperCase()))).toString(), 'hello');
    await rejectsWith(drain(verifySha256(pieces(Buffer.from('hello!')), sha256Hex('hello'))), 'XAmzContentSHA256Mismatch');
    await rejectsWith(drain(verifySha256(pieces(Buffer.alloc(0)), sha256Hex('x'))), 'XAmzContentSHA256Mismatch');
  });
});

describe('aws-chunked decoding: round trips', () => {
  it('all three modes, random chunk sizes, random piece boundaries', async () => {
    const rand = prng(7);
    for (const mode of ['signed', 'signedTrailer', 'unsignedTrailer'] as const) {
      for (let round = 0; round < 12; round++) {
        const chunks = randomChunks(rand, 1 + Math.floor(rand() * 5), 300);
        const trailers = mode === 'signed' ? undefined : round % 3 === 0 ? {} : { 'x-amz-checksum-crc32': 'AAAAAA==', ...(round % 2 ? { 'x-amz-checksum-sha256': 'abc=' } : {}) };
        const u = upload(mode, chunks, trailers);
        const cuts = Array.from({ length: Math.floor(rand() * 30) }, () => Math.floor(rand() * u.body.length));
        const out = await drain(decodeAwsChunked(pieces(u.body, cuts), u.options));
        assert.ok(out.equals(u.data), `${mode} round ${round}`);
        assert.deepEqual(u.seen, Object.entries(trailers ?? {}).map(([k, v]) => `${k}=${v}`).sort());
      }
    }
  });

  it('byte by byte, and an empty payload', async () => {
    for (const mode of ['signed', 'signedTrailer', 'unsignedTrailer'] as const) {
      const u = upload(mode, [Buffer.from('abc'), Buffer.from('defg')], mode === 'signed' ? undefined : { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
      const everyByte = Array.from({ length: u.body.length }, (_, i) => i);
      assert.equal((await drain(decodeAwsChunked(pieces(u.body, everyByte), u.options))).toString(), 'abcdefg');
      const empty = upload(mode, [], mode === 'signed' ? undefined : {});
      assert.equal((await drain(decodeAwsChunked(pieces(empty.body), empty.options))).length, 0);
    }
  });

  it('yields subarrays of its input (no copies), streaming within a chunk', async () => {
    const chunk = Buffer.alloc(1 << 20, 7);
    const u = upload('signed', [chunk, chunk]);
    const input: Buffer[] = [];
    for (let at = 0; at < u.body.length; at += 65536) input.push(u.body.subarray(at, at + 65536));
    async function* src() {
      for (const b of input) yield b;
    }
    let n = 0;
    for await (const piece of decodeAwsChunked(src(), u.options)) {
      assert.ok(piece.length <= 65536);
      assert.equal((piece as Buffer).buffer, u.body.buffer, 'a view of the input');
      n += piece.length;
    }
    assert.equal(n, 2 << 20);
  });

  it('large chunks (16 MiB, the limit) decode in linear time', async () => {
    const chunk = Buffer.alloc(MAX_CHUNK_SIZE, 1);
    const u = upload('signed', [chunk, chunk.subarray(0, 1000)]);
    const input: Buffer[] = [];
    for (let at = 0; at < u.body.length; at += 16384) input.push(u.body.subarray(at, at + 16384));
    const t = process.hrtime.bigint();
    let total = 0;
    async function* src() {
      for (const b of input) yield b;
    }
    for await (const d of decodeAwsChunked(src(), u.options)) total += d.length;
    assert.equal(total, MAX_CHUNK_SIZE + 1000);
    assert.ok(Number(process.hrtime.bigint() - t) / 1e9 < 10);
  });
});

describe('aws-chunked decoding: refusals', () => {
  const two = () => upload('signed', [Buffer.from('first chunk data'), Buffer.from('second')]);

  it('a changed byte, a changed signature, a dropped or reordered chunk', async () => {
    const u = two();
    const text = u.body.toString('latin1');
    const dataAt = text.indexOf('first chunk data');
    const flipped = Buffer.from(u.body);
    flipped[dataAt + 3] ^= 1;
    await rejectsWith(drain(decodeAwsChunked(pieces(flipped), u.options)), 'SignatureDoesNotMatch', 'data byte');
    const sigAt = text.indexOf('chunk-signature=') + 20;
    const badSig = Buffer.from(u.body);
    badSig[sigAt] = badSig[sigAt] === 0x61 ? 0x62 : 0x61;
    await rejectsWith(drain(decodeAwsChunked(pieces(badSig), u.options)), 'SignatureDoesNotMatch', 'signature char');
    const lines = text.split(/(?<=^|\r\n)(?=[0-9a-f]+;chunk-signature=)/);
    assert.equal(lines.length, 3);
    await rejectsWith(drain(decodeAwsChunked(pieces(Buffer.from(lines[1] + lines[0] + lines[2], 'latin1')), { ...u.options, decodedLength: undefined })), 'SignatureDoesNotMatch', 'reordered');
    await rejectsWith(drain(decodeAwsChunked(pieces(Buffer.from(lines[1] + lines[2], 'latin1')), { ...u.options, decodedLength: undefined })), 'SignatureDoesNotMatch', 'first dropped');
    await rejectsWith(drain(decodeAwsChunked(pieces(Buffer.from(lines[0] + lines[2], 'latin1')), { ...u.options, decodedLength: undefined })), 'SignatureDoesNotMatch', 'second dropped');
    await rejectsWith(drain(decodeAwsChunked(pieces(u.body), { ...u.options, seedSignature: '0'.repeat(64) })), 'SignatureDoesNotMatch', 'another seed');
    await rejectsWith(drain(decodeAwsChunked(pieces(u.body), { ...u.options, date: new Date(NOW.getTime() + 1000) })), 'SignatureDoesNotMatch', 'another date');
  });

  it('a body truncated at every byte offset', async () => {
    for (const mode of ['signed', 'signedTrailer', 'unsignedTrailer'] as const) {
      const u = upload(mode, [Buffer.from('abc'), Buffer.from('defgh')], mode === 'signed' ? undefined : { 'x-amz-checksum-crc32': 'AAAAAA==' });
      for (let cut = 0; cut < u.body.length; cut++) {
        for (const split of [undefined, Math.floor(cut / 2)]) {
          await rejectsWith(drain(decodeAwsChunked(pieces(u.body.subarray(0, cut), split === undefined ? [] : [split]), u.options)), 'IncompleteBody', `${mode} cut at ${cut}`);
        }
      }
      assert.equal(u.seen.length, 0, 'no trailer was handed out');
    }
  });

  it('over-long lines, oversized chunks, bad framing, bytes after the end', async () => {
    const u = two();
    const o = u.options;
    const cases: [string, Buffer, ChunkedOptions][] = [
      ['a 5000-byte line without LF', Buffer.from('1'.repeat(5000)), o],
      ['a 5000-byte line with CRLF', Buffer.from('1'.repeat(5000) + '\r\n'), o],
      ['a long chunk extension', Buffer.from(`3;chunk-signature=${'a'.repeat(64)}${';x'.repeat(2100)}\r\n`), o],
      ['a chunk over 16 MiB', Buffer.from(`1000001;chunk-signature=${'a'.repeat(64)}\r\n`), o],
      ['a chunk size of 17 hex digits', Buffer.from(`00000000000000003;chunk-signature=${'a'.repeat(64)}\r\n`), o],
      ['an unsigned chunk in signed mode', Buffer.from('3\r\nabc\r\n0\r\n\r\n'), o],
      ['not hex', Buffer.from(`x;chunk-signature=${'a'.repeat(64)}\r\n`), o],
      ['bare LF', Buffer.from(u.body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'), o],
      ['bytes after the end', Buffer.concat([u.body, Buffer.from('x')]), o],
      ['a second final CRLF', Buffer.concat([u.body, Buffer.from('\r\n')]), o],
      ['trailer lines where none is expected', Buffer.from(u.body.toString('latin1').replace(/\r\n\r\n$/, '\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'), 'latin1'), o],
      ['data longer than its size', Buffer.from(u.body.toString('latin1').replace('first chunk data', 'first chunk dataX'), 'latin1'), { ...o, decodedLength: undefined }],
      ['unsigned: a chunk over 16 MiB', Buffer.from('1000001\r\n'), { ...o, signed: false, trailer: true }],
      ['unsigned: trailer without colon', Buffer.from('0\r\nnocolon\r\n\r\n'), { ...o, signed: false, trailer: true, decodedLength: 0 }],
      ['unsigned: trailer with a space in its name', Buffer.from('0\r\nx amz:1\r\n\r\n'), { ...o, signed: false, trailer: true, decodedLength: 0 }],
      ['unsigned: a trailer twice', Buffer.from('0\r\nx-amz-checksum-crc32:a\r\nX-Amz-Checksum-Crc32:b\r\n\r\n'), { ...o, signed: false, trailer: true, decodedLength: 0 }],
      ['unsigned: a 17 KiB trailer', Buffer.from(`0\r\n${Array.from({ length: 5 }, (_, i) => `x-h${i}:${'v'.repeat(4000)}\r\n`).join('')}\r\n`), { ...o, signed: false, trailer: true, decodedLength: 0 }],
    ];
    for (const [what, body, opts] of cases) await rejectsWith(drain(decodeAwsChunked(pieces(body), opts)), 'InvalidRequest', what);
  });

  it('the decoded length differs from x-amz-decoded-content-length', async () => {
    const u = two();
    await rejectsWith(drain(decodeAwsChunked(pieces(u.body), { ...u.options, decodedLength: u.data.length + 1 })), 'IncompleteBody', 'longer declared');
    await rejectsWith(drain(decodeAwsChunked(pieces(u.body), { ...u.options, decodedLength: u.data.length - 1 })), 'IncompleteBody', 'shorter declared');
    await rejectsWith(drain(decodeAwsChunked(pieces(u.body), { ...u.options, decodedLength: 0 })), 'IncompleteBody', 'zero declared');
  });

  it('trailer signatures: wrong, missing, value changed, header added; the callback sees nothing', async () => {
    const u = upload('signedTrailer', [Buffer.from('payload')], { 'x-amz-checksum-crc32': 'AAAAAA==' });
    const text = u.body.toString('latin1');
    const variants: [string, string, string][] = [
      ['wrong signature', text.replace(/x-amz-trailer-signature:([0-9a-f])/, (_m, c: string) => `x-amz-trailer-signature:${c === 'a' ? 'b' : 'a'}`), 'SignatureDoesNotMatch'],
      ['missing signature', text.replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, ''), 'SignatureDoesNotMatch'],
      ['value changed', text.replace('AAAAAA==', 'AAAAAB=='), 'SignatureDoesNotMatch'],
      ['header added', text.replace('x-amz-checksum-crc32:', 'x-amz-meta-x:1\r\nx-amz-checksum-crc32:'), 'SignatureDoesNotMatch'],
      ['header removed', text.replace('x-amz-checksum-crc32:AAAAAA==\r\n', ''), 'SignatureDoesNotMatch'],
      ['signature not last', text.replace(/(x-amz-trailer-signature:[0-9a-f]+\r\n)/, '$1x-amz-meta-x:1\r\n'), 'InvalidRequest'],
    ];
    for (const [what, body, code] of variants) {
      await rejectsWith(drain(decodeAwsChunked(pieces(Buffer.from(body, 'latin1')), u.options)), code, what);
    }
    assert.deepEqual(u.seen, []);
    // Neutral: name case and spaces around the value.
    const neutral = text.replace('x-amz-checksum-crc32:AAAAAA==', 'X-Amz-Checksum-CRC32:  AAAAAA== ');
    assert.equal((await drain(decodeAwsChunked(pieces(Buffer.from(neutral, 'latin1')), u.options))).toString(), 'payload');
    assert.deepEqual(u.seen, ['x-amz-checksum-crc32=AAAAAA==']);
  });
});
