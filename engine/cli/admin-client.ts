import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signRequest } from '../s3/auth/signer.js';
import { AdminApiError, AdminLocalError } from './admin-errors.js';

export const ADMIN_API_PATH = '/granary/admin/v1/';

export interface AdminConnection {
  endpoint: URL;
  accessKey: string;
  secretKey: string;
  region: string;
}

export interface AdminRequest {
  /** A JSON value (sent as JSON) or text sent as it is (a policy document, byte for byte). */
  body?: unknown;
  query?: Record<string, string | undefined>;
}

/** An admin API path from its segments, each percent-encoded (names may hold `+`, `=`, `,`, `@`). */
export function adminPath(...segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s)).join('/');
}

const TIMEOUT_MS = 60_000;

/**
 * The admin API's client: one SigV4-signed JSON request per call, with the
 * body's SHA-256 in x-amz-content-sha256 (the API refuses unsigned bodies,
 * so nothing on the way can change what an admin asked for).
 */
export class AdminClient {
  constructor(private readonly conn: AdminConnection) {}

  get endpoint(): string {
    return this.conn.endpoint.origin;
  }

  /** The parsed JSON answer, or undefined for 204 No Content. Throws AdminApiError or AdminLocalError. */
  async call<T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, req: AdminRequest = {}): Promise<T | undefined> {
    const url = new URL(`${ADMIN_API_PATH}${path}`, this.conn.endpoint);
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) query.set(k, v);
    // URLSearchParams writes spaces as '+'; %20 is what SigV4 canonicalises to, so send that.
    url.search = query.toString().replace(/\+/g, '%20');
    const payload = req.body === undefined ? undefined : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
    const headers = signRequest({
      method,
      url,
      headers: payload ? { 'content-type': 'application/json' } : {},
      payloadHash: createHash('sha256').update(payload ?? '').digest('hex'),
      accessKey: this.conn.accessKey,
      secretKey: this.conn.secretKey,
      region: this.conn.region,
      service: 's3',
    });
    let res: { status: number; statusText: string; text: string };
    try {
      res = await send(url, method, headers, payload);
    } catch (err) {
      throw new AdminLocalError(`cannot reach ${this.endpoint}: ${describeError(err)}`);
    }
    const text = res.text;
    if (res.status < 200 || res.status > 299) throw apiError(res, text);
    if (res.status === 204 || text === '') return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new AdminLocalError(`${this.endpoint} answered ${method} ${url.pathname} with something that is not JSON; is it a Granary server?`);
    }
  }
}

/** The API's `{Code, Message, RequestId}`; an S3-style XML error or a bare status when something else answered. */
function apiError(res: { status: number; statusText: string }, text: string): AdminApiError {
  try {
    const body = JSON.parse(text) as { Code?: unknown; Message?: unknown; RequestId?: unknown };
    if (typeof body.Code === 'string') {
      return new AdminApiError(body.Code, typeof body.Message === 'string' ? body.Message : res.statusText, res.status, typeof body.RequestId === 'string' ? body.RequestId : undefined);
    }
  } catch {
    // not JSON: fall through to XML, then the status line
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  if (code) return new AdminApiError(code, message ?? res.statusText, res.status);
  return new AdminApiError(`HTTP${res.status}`, res.statusText || 'the server gave no reason', res.status);
}

/**
 * One HTTP exchange with node:http rather than fetch: a CLI starts once per
 * command, and loading fetch's HTTP stack costs more than the request does.
 */
function send(url: URL, method: string, headers: Record<string, string>, payload: Buffer | undefined): Promise<{ status: number; statusText: string; text: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: payload ? { ...headers, 'content-length': String(payload.length) } : headers, timeout: TIMEOUT_MS }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  // "connect ECONNREFUSED 127.0.0.1:9000" says it all; for lookups, name the failing code too.
  if (e?.code && !String(e.message).includes(e.code)) return `${e.message} (${e.code})`;
  return err instanceof Error ? err.message : String(err);
}
