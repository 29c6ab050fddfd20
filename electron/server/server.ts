import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { UploadIdSchema, type ApiEvent } from '../contract/api';
import { DistillInputError } from '../engine';
import { createDistillService } from '../service/distill-service';
import { dispatchCall } from '../service/dispatch';
import { checkRequest, newToken, TOKEN_COOKIE } from './auth';
import { EventSockets } from './event-sockets';
import { serveStatic } from './static';
import { UploadRefused, UploadStore, type UploadLimits } from './uploads';

export interface ServerOptions {
  host: string;
  port: number;
  /** More names this server may be reached by (`--allow-host`), besides its address and, when bound to all interfaces, the machine's names and addresses. */
  allowHosts?: string[];
  /** Upload size caps (tests set small ones). */
  uploadLimits?: UploadLimits;
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

/** The renderer and the service over HTTP + WebSocket, for a browser (`distill serve`). */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const sockets = new EventSockets<WebSocket>();
  const broadcast = (event: ApiEvent) => sockets.broadcast(JSON.stringify(event));
  const service = createDistillService({ runsDir: options.runsDir, workDir: join(options.runsDir, '.distill'), host: 'server', version: options.version, onEvent: broadcast });
  const allowedHosts = new Set<string>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const uploads = new UploadStore(service.uploadsDir, options.uploadLimits);
  await uploads.sweep();

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      // A bad request is the client's (400, or the refusal's own status); anything else is ours (500), without server paths.
      const input = error instanceof DistillInputError || error instanceof URIError;
      const status = error instanceof UploadRefused ? error.status : input ? 400 : 500;
      const message = error instanceof URIError ? 'malformed percent-encoding in the request path' : input || error instanceof UploadRefused ? error.message : 'internal error';
      if (!input && !(error instanceof UploadRefused)) process.stderr.write(`distill serve: ${error.stack ?? error.message}\n`);
      if (!response.headersSent) sendJson(response, status, { error: message, kind: status < 500 ? 'input' : 'internal' });
      else response.destroy();
    });
  });
  // A malformed request line or header: answer 400 and close, never crash.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
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
      if (request.method !== 'POST' && request.method !== 'DELETE') return sendJson(response, 405, { error: 'use POST (or DELETE to drop a cancelled upload)', kind: 'input' });
      const uploadId = url.searchParams.get('id') ?? '';
      if (!UploadIdSchema.safeParse(uploadId).success) return sendJson(response, 400, { error: 'upload id must be 16 hex digits', kind: 'input' });
      if (request.method === 'DELETE') return sendJson(response, 200, { uploadId, removed: await uploads.discard(uploadId) });
      const received = await uploads.receive(request, uploadId, url.searchParams.get('name') ?? '');
      return sendJson(response, 200, { uploadId, ...received });
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
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://localhost');
    const verdict = checkRequest(request, url, token, allowedHosts);
    if (!verdict.ok || url.pathname !== '/api/events') {
      socket.end(`HTTP/1.1 ${verdict.ok ? 404 : verdict.status} ${verdict.ok ? 'Not Found' : 'Refused'}\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // A malformed frame (too large, bad UTF-8, unmasked, unknown opcode) closes that socket only.
      ws.on('error', () => {
        sockets.delete(ws);
        ws.terminate();
      });
      // Clients only listen: whatever they send is ignored.
      ws.on('message', () => {});
    });
  });
  wss.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  for (const name of hostNames(options.host, options.allowHosts ?? [])) allowedHosts.add(`${name}:${port}`);
  return {
    url: `http://${hostForUrl}:${port}/?token=${token}`,
    token,
    async close() {
      await service.dispose();
      await uploads.sweep();
      sockets.terminateAll();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The Host headers to accept (DNS-rebinding protection: anything else is refused). A loopback
 * server answers to its loopback names; one bound to all interfaces (0.0.0.0, ::) to the
 * machine's host name and addresses, so a browser elsewhere can reach it; `--allow-host` adds
 * more (a DNS name, a tunnel's host).
 */
export function hostNames(bound: string, extra: string[]): string[] {
  const bracket = (address: string) => (address.includes(':') ? `[${address}]` : address);
  const names = new Set<string>([bracket(bound), ...extra.map(bracket)]);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'];
  if (loopback.includes(bracket(bound))) for (const name of loopback) names.add(name);
  if (bound === '0.0.0.0' || bound === '::') {
    for (const name of loopback) names.add(name);
    names.add(hostname());
    names.add(hostname().toLowerCase());
    for (const address of Object.values(networkInterfaces()).flat()) if (address) names.add(bracket(address.address));
  }
  return [...names];
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
