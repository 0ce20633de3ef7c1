/**
 * Seeded mutation fuzz: signed requests (header auth, presigned, aws-chunked
 * bodies signed with and without a trailer, a SHA-256 body) have one
 * character of their method, path, query, a header name or value, or their
 * body flipped, inserted or deleted; or a header is added. authenticate (+ the
 * body check) must never accept a mutated request unless the mutation is
 * semantically neutral, and must never throw anything but a GranaryError.
 *
 * "Neutral" is judged here independently of canonical.ts: same method, same
 * decoded path bytes per segment, same multiset of decoded query pairs ('+'
 * as space), same signed header values after trim/whitespace collapse, same
 * set of x-amz-* header names, same Authorization without whitespace, same
 * decoded body and trailers. Neutral mutations may be accepted (and then must
 * verify as the original does) or refused; they do not count toward the total.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GranaryError } from '../../../engine/common/errors.js';
import { decodeAwsChunked, verifySha256 } from '../../../engine/s3/auth/payload.js';
import { encodeAwsChunked, presignUrl, sign } from '../../../engine/s3/auth/signer.js';
import { authenticate, type AuthRequest } from '../../../engine/s3/auth/sigv4.js';
import { sha256Hex } from '../../../engine/s3/auth/canonical.js';
import { drain, pieces, prng } from './helpers.js';

const creds = { accessKey: 'FUZZKEY', secretKey: 'fuzz-secret-0123456789-abcdefghij' };
const look = (k: string) => (k === creds.accessKey ? creds : undefined);
const NOW = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));
const opts = { region: 'us-east-1' };
const host = 'granary.local:9000';
const ITERATIONS = Number(process.env.SIGV4_FUZZ_ITERATIONS ?? 14000);

interface Case {
  name: string;
  req: AuthRequest;
  body?: Buffer;
  /** The body is covered by the signature (so a changed body must be refused). */
  bodySigned: boolean;
}

type Outcome = { accepted: true; body: Buffer; trailers: string[] } | { accepted: false; code: string };

async function run(c: Case): Promise<Outcome> {
  const trailers: string[] = [];
  try {
    const r = authenticate(c.req, look, opts);
    if (r.kind === 'anonymous') return { accepted: false, code: 'anonymous' };
    let body: Buffer = Buffer.alloc(0);
    if (c.body) {
      const p = r.payload;
      if (p.mode === 'streaming') {
        body = await drain(decodeAwsChunked(pieces(c.body, [7, 61]), {
          signed: p.signed, trailer: p.trailer, seedSignature: r.signature, signingKey: r.signingKey, date: r.date, scope: r.scope,
          trailerChecksums: (n, v) => trailers.push(`${n}:${v}`),
        }));
      } else if (p.mode === 'sha256') {
        body = await drain(verifySha256(pieces(c.body, [3]), p.hash));
      } else {
        body = c.body;
      }
    }
    return { accepted: true, body, trailers };
  } catch (e) {
    if (!(e instanceof GranaryError)) throw new Error(`not a GranaryError: ${(e as Error)?.stack ?? String(e)}`);
    return { accepted: false, code: e.code };
  }
}

// --- the independent notion of "the same request" -------------------------

function decodeBytes(s: string, plus: boolean): string {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const m = s[i] === '%' ? /^[0-9a-fA-F]{2}$/.exec(s.slice(i + 1, i + 3)) : null;
    if (m) {
      out.push(parseInt(m[0], 16));
      i += 2;
    } else if (plus && s[i] === '+') out.push(32);
    else out.push(...new TextEncoder().encode(String.fromCodePoint(s.codePointAt(i)!)));
    if (!m && s.codePointAt(i)! > 0xffff) i++;
  }
  return Buffer.from(out).toString('hex');
}

function semantics(c: Case, signedHeaders: string[]): string {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const norm = (v: string | undefined) => (v === undefined ? '<absent>' : v.trim().replace(/\s+/g, ' '));
  const query = c.req.rawQuery
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const eq = p.indexOf('=');
      return `${decodeBytes(eq < 0 ? p : p.slice(0, eq), true)}=${eq < 0 ? '' : decodeBytes(p.slice(eq + 1), true)}`;
    })
    .sort();
  return JSON.stringify({
    method: c.req.method,
    path: c.req.rawPath.split('/').map((s) => decodeBytes(s, false)),
    query,
    signed: signedHeaders.map((h) => [h, norm(headers[h])]),
    amz: Object.keys(headers).filter((h) => h.startsWith('x-amz-')).sort().map((h) => (h === 'x-amz-content-sha256' ? `${h}=${norm(headers[h])}` : h)),
    authorization: headers.authorization?.replace(/\s+/g, ''),
  });
}

// --- the base requests -------------------------------------------------------

function bases(): Case[] {
  const out: Case[] = [];
  {
    const url = new URL(`http://${host}/bucket/dir/ob%C3%BCject~1.txt?prefix=a%20b&list-type=2&max-keys=10&marker=&tagging`);
    const s = sign({ method: 'GET', url, headers: { range: 'bytes=0-9', 'x-amz-meta-color': 'deep  blue', 'content-type': 'text/plain' }, payloadHash: sha256Hex(''), ...creds, region: 'us-east-1', service: 's3', date: NOW, signedHeaders: ['range', 'content-type'] });
    out.push({ name: 'GET, header auth', req: { method: 'GET', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { ...s.headers, 'user-agent': 'fuzz/1.0' }, now: NOW }, bodySigned: true });
  }
  {
    const url = presignUrl({ method: 'GET', url: new URL(`http://${host}/bucket/a%2Bb/c%20d?response-content-type=text%2Fplain&versionId=`), ...creds, region: 'us-east-1', service: 's3', expires: 3600, date: NOW });
    out.push({ name: 'GET, presigned', req: { method: 'GET', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { host }, now: NOW }, bodySigned: true });
  }
  {
    const body = Buffer.from('a small body, signed by its SHA-256');
    const url = new URL(`http://${host}/bucket/key`);
    const s = sign({ method: 'PUT', url, headers: { 'content-length': String(body.length), 'x-amz-storage-class': 'STANDARD' }, payloadHash: sha256Hex(body), ...creds, region: 'us-east-1', service: 's3', date: NOW });
    out.push({ name: 'PUT, SHA-256 body', req: { method: 'PUT', rawPath: url.pathname, rawQuery: '', headers: s.headers, now: NOW }, body, bodySigned: true });
  }
  for (const [mode, trailers] of [
    ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', undefined],
    ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', { 'x-amz-checksum-crc32': 'NSRBwg==' }],
  ] as const) {
    const chunks = [Buffer.from('first chunk: 0123456789'), Buffer.from('second\r\nchunk'), Buffer.from('3')];
    const url = new URL(`http://${host}/bucket/chunked?partNumber=2&uploadId=abc`);
    const s = sign({
      method: 'PUT', url, payloadHash: mode, ...creds, region: 'us-east-1', service: 's3', date: NOW,
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(Buffer.concat(chunks).length), ...(trailers ? { 'x-amz-trailer': 'x-amz-checksum-crc32' } : {}) },
    });
    const body = encodeAwsChunked(chunks, { signed: true, seedSignature: s.signature, signingKey: s.signingKey, scope: s.scope, date: s.date, ...(trailers ? { trailers } : {}) });
    out.push({ name: mode, req: { method: 'PUT', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: s.headers, now: NOW }, body, bodySigned: true });
  }
  return out;
}

// --- mutations ------------------------------------------------------------------

const ALPHABET = ['a', 'Z', '0', '9', 'f', 'F', '%', '2', '/', '+', '=', '&', ';', ':', ',', '.', ' ', '\t', '-', '_', '~', '?', 'ü', 'A'];
const BYTES = [0x0d, 0x0a, 0x3b, 0x3a, 0x3d, 0x30, 0x31, 0x39, 0x61, 0x66, 0x46, 0x20, 0x00, 0xff, 0x78];

function mutateString(s: string, rand: () => number): string {
  const pick = ALPHABET[Math.floor(rand() * ALPHABET.length)];
  const op = s.length === 0 ? 1 : Math.floor(rand() * 3);
  if (op === 1) {
    const at = Math.floor(rand() * (s.length + 1));
    return s.slice(0, at) + pick + s.slice(at);
  }
  const at = Math.floor(rand() * s.length);
  return op === 0 ? s.slice(0, at) + pick + s.slice(at + 1) : s.slice(0, at) + s.slice(at + 1);
}

function mutateBytes(b: Buffer, rand: () => number): Buffer {
  const byte = BYTES[Math.floor(rand() * BYTES.length)];
  const op = Math.floor(rand() * 3);
  const at = Math.floor(rand() * b.length);
  if (op === 0) {
    const c = Buffer.from(b);
    c[at] = byte;
    return c;
  }
  if (op === 1) return Buffer.concat([b.subarray(0, at), Buffer.from([byte]), b.subarray(at)]);
  return Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
}

function mutate(c: Case, rand: () => number): { c: Case; what: string } {
  const targets = ['method', 'path', 'query', 'header', 'header', 'header', 'name', 'add', ...(c.body ? ['body', 'body', 'body'] : [])];
  const target = targets[Math.floor(rand() * targets.length)];
  const req = { ...c.req, headers: { ...c.req.headers } };
  switch (target) {
    case 'method':
      req.method = mutateString(req.method, rand);
      return { c: { ...c, req }, what: `method ${JSON.stringify(req.method)}` };
    case 'path':
      req.rawPath = mutateString(req.rawPath, rand);
      return { c: { ...c, req }, what: `path ${JSON.stringify(req.rawPath)}` };
    case 'query':
      req.rawQuery = mutateString(req.rawQuery, rand);
      return { c: { ...c, req }, what: `query ${JSON.stringify(req.rawQuery)}` };
    case 'header': {
      const names = Object.keys(req.headers);
      const n = names[Math.floor(rand() * names.length)];
      req.headers[n] = mutateString(String(req.headers[n]), rand);
      return { c: { ...c, req }, what: `header ${n}: ${JSON.stringify(req.headers[n])}` };
    }
    case 'name': {
      const names = Object.keys(req.headers);
      const n = names[Math.floor(rand() * names.length)];
      const v = req.headers[n];
      delete req.headers[n];
      const renamed = mutateString(n, rand);
      req.headers[renamed] = v;
      return { c: { ...c, req }, what: `header name ${n} → ${JSON.stringify(renamed)}` };
    }
    case 'add': {
      const names = ['x-amz-meta-extra', 'x-amz-acl', 'X-Amz-Server-Side-Encryption', 'content-md5', 'x-forwarded-for', 'x-amz-security-token', 'expect'];
      const n = names[Math.floor(rand() * names.length)];
      req.headers[n] = 'value';
      return { c: { ...c, req }, what: `header added ${n}` };
    }
    default: {
      const body = mutateBytes(c.body!, rand);
      return { c: { ...c, req, body }, what: `body ${JSON.stringify(body.toString('latin1').slice(0, 80))}…` };
    }
  }
}

describe('SigV4 mutation fuzz', () => {
  it(`never accepts a mutated request, never throws anything but a GranaryError (${ITERATIONS} mutations)`, async () => {
    const rand = prng(Number(process.env.SIGV4_FUZZ_SEED ?? 0x5157));
    const all = bases();
    const originals = new Map<Case, { outcome: Outcome; semantics: string }>();
    for (const c of all) {
      const outcome = await run(c);
      assert.ok(outcome.accepted, `${c.name} verifies unmutated: ${JSON.stringify(outcome)}`);
      const signedHeaders = authenticate(c.req, look, opts);
      assert.equal(signedHeaders.kind, 'signed');
      originals.set(c, { outcome, semantics: semantics(c, signedHeaders.kind === 'signed' ? signedHeaders.signedHeaders : []) });
    }

    let meaningful = 0;
    let neutral = 0;
    let neutralAccepted = 0;
    const codes: Record<string, number> = {};
    for (let i = 0; i < ITERATIONS; i++) {
      const base = all[Math.floor(rand() * all.length)];
      const orig = originals.get(base)!;
      const origSigned = authenticate(base.req, look, opts);
      const { c, what } = mutate(base, rand);
      const sameRequest = semantics(c, origSigned.kind === 'signed' ? origSigned.signedHeaders : []) === orig.semantics;
      const sameBody = !c.body || c.body.equals(base.body!);
      const outcome = await run(c);
      if (sameRequest && sameBody) {
        neutral++;
        if (outcome.accepted) neutralAccepted++;
        continue;
      }
      if (sameRequest && outcome.accepted && orig.outcome.accepted) {
        // Only the body's framing changed: the decoded payload and trailers must be the very same.
        if (outcome.body.equals(orig.outcome.body) && JSON.stringify(outcome.trailers) === JSON.stringify(orig.outcome.trailers)) {
          neutral++;
          neutralAccepted++;
          continue;
        }
      }
      meaningful++;
      if (outcome.accepted) assert.fail(`${base.name}: accepted a mutated request (${what})`);
      codes[outcome.code] = (codes[outcome.code] ?? 0) + 1;
    }
    assert.ok(meaningful >= 10000 || ITERATIONS < 14000, `only ${meaningful} meaningful mutations`);
    // Every kind of refusal shows up.
    for (const code of ['SignatureDoesNotMatch', 'AuthorizationHeaderMalformed', 'AuthorizationQueryParametersError', 'AccessDenied', 'InvalidRequest', 'IncompleteBody', 'XAmzContentSHA256Mismatch']) {
      assert.ok(codes[code] > 0, `no ${code} among ${JSON.stringify(codes)}`);
    }
    console.log(`# fuzz: ${meaningful} meaningful mutations refused ${JSON.stringify(codes)}; ${neutral} neutral (${neutralAccepted} accepted)`);
  });
});
