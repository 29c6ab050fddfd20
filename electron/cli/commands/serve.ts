import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { startServer } from '../../server/server';
import { appVersion, ensureRendererBuilt } from '../../server/renderer-dir';
import { integerFlag, parseFlags } from '../args';
import { checkRunsFolder, DistillInputError } from '../../engine';

export const SERVE_USAGE = 'distill serve [--port P] [--host H] [--allow-host NAME]… [--runs-dir DIR]';

/** The desktop app's UI and API for a browser; runs until Ctrl-C. */
export async function serveCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, { port: { type: 'string' }, host: { type: 'string' }, 'allow-host': { type: 'string', multiple: true }, 'runs-dir': { type: 'string' } });
  const port = integerFlag('port', values.port) ?? 4777;
  if (port < 0 || port > 65535) throw new DistillInputError(`--port: ${port} is not a port number`);
  const host = values.host ?? '127.0.0.1';
  const runsDir = resolve(values['runs-dir'] ?? 'runs');
  await checkRunsFolder(runsDir);
  const rendererDir = await ensureRendererBuilt((line) => process.stderr.write(line + '\n'));
  const version = appVersion();
  const allowHosts = values['allow-host'] ?? [];
  for (const name of allowHosts) if (!/^[\w.-]{1,253}$/.test(name)) throw new DistillInputError(`--allow-host: "${name}" is not a host name`);
  const server = await startServer({ host, port, allowHosts, runsDir, rendererDir, version }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new DistillInputError(`port ${port} is in use: pick another with --port`);
    if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') throw new DistillInputError(`--host ${host}: not an address of this machine`);
    throw error;
  });
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    process.stderr.write(`warning: serving on ${host}: anyone who can reach it and has the token can train and read runs; use it on a network you trust or through an SSH tunnel\n`);
    process.stdout.write(`Distill Studio is serving at ${server.url}\nfrom another machine: ${server.url.replace(/\/\/[^/]+/, `//${hostname()}:${port === 0 ? new URL(server.url).port : port}`)} (also answers to ${['its addresses', ...allowHosts].join(', ')})\n`);
  } else {
    process.stdout.write(`Distill Studio is serving at ${server.url}\n`);
  }
  await new Promise<void>((resolveWait) => signal.addEventListener('abort', () => resolveWait(), { once: true }));
  await server.close();
  return 0;
}
