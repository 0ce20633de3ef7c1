import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The built renderer beside the engine: `dist/renderer` from both `engine/console/` (tsx) and `dist/engine/console/` (built). */
export const DEFAULT_STATIC_ROOT = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page itself: scripts and styles from this origin only, no framing
 * (clickjacking), QR codes as data: images.
 */
const PAGE_CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** What the app's own routes look like (`/buckets/photos`): no dots, no escapes. */
const APP_ROUTE = /^\/[A-Za-z0-9_\/-]*$/;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Granary console</title></head>
<body><h1>Granary</h1><p>The console is not built. Run <code>npm run build</code>, then reload this page.
The console API answers under <code>/api/v1/</code>.</p></body></html>
`;

/**
 * The file under `root` a URL path names, or undefined. Every segment is
 * checked after decoding: no `..`, no dot-files, no backslashes or NULs,
 * and the real path (symbolic links followed) must still be inside root.
 */
export async function resolveStaticFile(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (/[\\\0]/.test(decoded)) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.'))) return undefined;
  const realRoot = await realpath(root).catch(() => undefined);
  if (!realRoot) return undefined;
  const file = await realpath(join(realRoot, ...segments)).catch(() => undefined);
  if (!file || !file.startsWith(realRoot + sep)) return undefined;
  const st = await stat(file).catch(() => undefined);
  return st?.isFile() ? file : undefined;
}

/** GET handler for everything outside `/api/`: the single-page app, or a page saying it is not built. */
export function staticHandler(root: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.raw.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const index = await resolveStaticFile(root, 'index.html');
    if (!index) return reply.code(path === '/' ? 200 : 404).type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(NOT_BUILT);
    let file = path === '/' ? index : await resolveStaticFile(root, path);
    // A plain path with no file extension is one of the app's own pages: the app routes it.
    if (!file && APP_ROUTE.test(path)) file = index;
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('Not found.\n');
    const st = await stat(file);
    reply.type(TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
    reply.header('content-length', st.size);
    // Vite names assets by their hash: they never change. The page itself is always revalidated.
    reply.header('cache-control', file === index ? 'no-cache' : /\/assets\//.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (file === index) reply.header('content-security-policy', PAGE_CSP);
    return reply.send(createReadStream(file));
  };
}
