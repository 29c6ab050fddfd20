import { net, protocol } from 'electron';
import { existsSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { APP_SCHEME, resolveAppAsset } from './routing';

/** Before app ready: app:// is a standard, secure scheme (so it has an origin, CSP and fetch work). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** After ready: app://distill/… serves the built renderer's files, and nothing outside that folder. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => {
    const file = resolveAppAsset(request.url, rendererDir, (path) => existsSync(path) && statSync(path).isFile());
    if (!file) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });
}
