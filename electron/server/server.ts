import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEvent } from '../contract/api';
import { DistillInputError } from '../engine';
import { safeRelativePath } from '../service/dataset-import';
import { createDistillService } from '../service/distill-service';
import { dispatchCall } from '../service/dispatch';
import { checkRequest, newToken, TOKEN_COOKIE } from './auth';
import { serveStatic } from './static';

export interface ServerOptions {
  host: string;
  port: number;
  runsDir: string;
  rendererDir: string;
  version: string;
  /** Fixed in tests; random otherwise. */
  token?: string;
}

export interface RunningServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

const MAX_JSON_BYTES = 1 << 20;
const MAX_UPLOAD_BYTES = 1 << 30;

/** The renderer and the service over HTTP + WebSocket, for a browser (`distill serve`). */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const sockets = new Set<WebSocket>();
  const broadcast = (event: ApiEvent) => {
    const text = JSON.stringify(event);
    for (const socket of sockets) socket.send(text);
  };
  const service = createDistillService({ runsDir: options.runsDir, workDir: join(options.runsDir, '.distill'), host: 'server', version: options.version, onEvent: broadcast });
  const allowedHosts = new Set<string>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      if (!response.headersSent) sendJson(response, error instanceof DistillInputError ? 400 : 500, { error: error.message, kind: error instanceof DistillInputError ? 'input' : 'internal' });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const verdict = checkRequest(request, url, token, allowedHosts);
    if (!verdict.ok) return sendJson(response, verdict.status, { error: verdict.reason, kind: 'input' });
    const cookie = { 'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` };
    const { pathname } = url;

    if (pathname.startsWith('/api/call/')) {
      if (request.method !== 'POST') return sendJson(response, 405, { error: 'use POST', kind: 'input' });
      const body = await readBody(request, MAX_JSON_BYTES);
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        return sendJson(response, 400, { error: 'request body is not valid JSON', kind: 'input' });
      }
      const outcome = await dispatchCall(service, pathname.slice('/api/call/'.length), payload);
      return outcome.ok ? sendJson(response, 200, outcome.value) : sendJson(response, outcome.error.kind === 'input' ? 400 : 500, outcome.error);
    }

    if (pathname === '/api/upload') {
      if (request.method !== 'POST') return sendJson(response, 405, { error: 'use POST', kind: 'input' });
      const uploadId = url.searchParams.get('id') ?? '';
      if (!/^[a-f0-9]{16}$/.test(uploadId)) return sendJson(response, 400, { error: 'upload id must be 16 hex digits', kind: 'input' });
      const name = safeRelativePath(url.searchParams.get('name') ?? '');
      const length = Number(request.headers['content-length'] ?? NaN);
      if (!(length <= MAX_UPLOAD_BYTES)) return sendJson(response, 413, { error: 'upload too large or without Content-Length', kind: 'input' });
      const dir = join(service.uploadsDir, uploadId);
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await pipeline(request, createWriteStream(join(dir, name)));
      return sendJson(response, 200, { uploadId, name });
    }

    // An export made by the exportModel call, fetched once by its id, then deleted.
    const downloadMatch = /^\/api\/download\/([a-f0-9]{16})$/.exec(pathname);
    if (downloadMatch) {
      const download = service.takeDownload(downloadMatch[1]!);
      if (!download) return sendJson(response, 404, { error: 'no such download (each export downloads once)', kind: 'input' });
      const { size } = await stat(download.path);
      response.writeHead(200, {
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="${download.fileName}"`,
        'Content-Length': String(size),
      });
      await pipeline(createReadStream(download.path), response).finally(() => rm(dirname(download.path), { recursive: true, force: true }));
      return;
    }

    if (pathname.startsWith('/api/')) return sendJson(response, 404, { error: `no endpoint ${pathname}`, kind: 'input' });
    await serveStatic(options.rendererDir, pathname, response, {
      ...(url.searchParams.has('token') ? cookie : {}),
      'Content-Security-Policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://${request.headers.host}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
  }

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const verdict = checkRequest(request, url, token, allowedHosts);
    if (!verdict.ok || url.pathname !== '/api/events') {
      socket.end(`HTTP/1.1 ${verdict.ok ? 404 : verdict.status} ${verdict.ok ? 'Not Found' : 'Refused'}\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  allowedHosts.add(`${hostForUrl}:${port}`);
  if (options.host === '127.0.0.1' || options.host === 'localhost' || options.host === '::1') {
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) allowedHosts.add(`${name}:${port}`);
  }
  return {
    url: `http://${hostForUrl}:${port}/?token=${token}`,
    token,
    async close() {
      await service.dispose();
      for (const socket of sockets) socket.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new DistillInputError(`request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
