import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { once } from 'node:events';

/** What the test's plugin answers: JSON, raw text with a status, or nothing at all (a hung plugin). */
export type PluginReply = { json: unknown; status?: number } | { text: string; status?: number } | { hang: true };

export interface PluginCall {
  body: unknown;
  headers: IncomingHttpHeaders;
  url: string;
}

export interface PluginServer {
  url: string;
  calls: PluginCall[];
  /** Replace the answering function. */
  answer(fn: (call: PluginCall) => PluginReply): void;
  close(): Promise<void>;
}

/** A real HTTP plugin (OPA, access or identity plugin) on a random loopback port, for the engine to call. */
export async function startPluginServer(path = '/', initial: (call: PluginCall) => PluginReply = () => ({ json: { result: true } })): Promise<PluginServer> {
  let answer = initial;
  const calls: PluginCall[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      const call = { body, headers: req.headers, url: req.url ?? '/' };
      calls.push(call);
      const reply = answer(call);
      if ('hang' in reply) {
        hung.push(res);
        return;
      }
      const text = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      res.end(text);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    calls,
    answer: (fn) => {
      answer = fn;
    },
    close: async () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
