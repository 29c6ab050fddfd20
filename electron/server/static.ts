import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Serves the built renderer; unknown paths get index.html (one-page app). */
export async function serveStatic(rendererDir: string, pathname: string, response: ServerResponse, headers: Record<string, string>): Promise<void> {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  let file = join(rendererDir, relative || 'index.html');
  if (!file.startsWith(rendererDir + sep) && file !== rendererDir) {
    response.writeHead(403).end('forbidden');
    return;
  }
  let body = await readFile(file).catch(() => null);
  if (!body) {
    file = join(rendererDir, 'index.html');
    body = await readFile(file);
  }
  response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  response.end(body);
}
