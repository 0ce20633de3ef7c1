import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';

/** Where a plugin listens and how it is reached. */
export interface PluginEndpoint {
  url: URL;
  /** The whole exchange (connect, send, answer read) must finish within this. */
  timeoutMs: number;
  /** Sent as `Authorization: Bearer …` (MinIO's auth_token). */
  token?: string;
  /** PEM of the CA(s) an https endpoint's certificate must chain to; the system's CAs when absent. */
  ca?: string;
}

/** Why an exchange produced no answer: each reason is counted and audited on its own. */
export type PluginFailure = 'timeout' | 'network' | 'status' | 'malformed';

export class PluginCallError extends Error {
  override name = 'PluginCallError';
  constructor(readonly reason: PluginFailure, message: string) {
    super(message);
  }
}

/** A plugin answer is a small JSON document; anything larger is refused unread. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Posts one JSON document and returns the parsed JSON answer, or throws a
 * PluginCallError: never waits past the timeout, never reads an unbounded
 * answer. Connections are kept alive: plugins are asked on the request path.
 */
export class JsonPoster {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly secure: boolean;

  constructor(private readonly endpoint: PluginEndpoint) {
    this.secure = endpoint.url.protocol === 'https:';
    if (!this.secure && endpoint.url.protocol !== 'http:') throw new TypeError(`${endpoint.url.href}: a plugin URL must be http or https`);
    this.agent = this.secure ? new HttpsAgent({ keepAlive: true, ...(endpoint.ca ? { ca: endpoint.ca } : {}) }) : new HttpAgent({ keepAlive: true });
  }

  get url(): string {
    return this.endpoint.url.href;
  }

  /** The parsed JSON of a 2xx answer; any other status is a PluginCallError('status'). */
  async post(body: unknown, query?: URLSearchParams): Promise<unknown> {
    const answer = await this.exchange(body, query);
    if (answer.status < 200 || answer.status > 299) throw new PluginCallError('status', `HTTP ${answer.status}${answer.text ? `: ${answer.text.slice(0, 200)}` : ''}`);
    if (answer.json === undefined) throw new PluginCallError('malformed', 'the answer is not JSON');
    return answer.json;
  }

  /** One POST whatever its status: the status, the text and its JSON (undefined when it is not JSON). */
  exchange(body: unknown, query?: URLSearchParams): Promise<{ status: number; text: string; json: unknown }> {
    const payload = Buffer.from(JSON.stringify(body));
    const url = new URL(this.endpoint.url);
    for (const [k, v] of query ?? []) url.searchParams.append(k, v);
    return new Promise((resolve, reject) => {
      const send = this.secure ? httpsRequest : httpRequest;
      let settled = false;
      const finish = (err: PluginCallError | undefined, value?: { status: number; text: string; json: unknown }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          req.destroy();
          reject(err);
        } else {
          resolve(value!);
        }
      };
      const req = send(url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': String(payload.length),
          ...(this.endpoint.token ? { authorization: `Bearer ${this.endpoint.token}` } : {}),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size > MAX_ANSWER_BYTES) finish(new PluginCallError('malformed', `the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
          else chunks.push(d);
        });
        res.on('error', (e) => finish(new PluginCallError('network', e.message)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text) as unknown;
          } catch {
            json = undefined;
          }
          finish(undefined, { status: res.statusCode ?? 0, text, json });
        });
      });
      const timer = setTimeout(() => finish(new PluginCallError('timeout', `no answer within ${this.endpoint.timeoutMs} ms`)), this.endpoint.timeoutMs);
      req.on('error', (e) => finish(new PluginCallError('network', e.message)));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
