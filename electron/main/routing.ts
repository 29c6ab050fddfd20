// The checks main applies to every IPC call before it reaches the worker. No `electron`
// import here, so tests exercise it directly.
import { API, describeInvalidRequest, HOST_API, isApiMethod, RENDERER_HOST_METHODS, type ApiError } from '../contract/api';

/** The app's own origin: the renderer is served from this custom scheme, never from file://. */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://distill`;

/** Only the app's own page may call: a frame whose origin is exactly the app's (not a prefix match). */
export function isTrustedSender(senderUrl: string | undefined, appOrigin: string = APP_ORIGIN): boolean {
  if (typeof senderUrl !== 'string') return false;
  try {
    const url = new URL(senderUrl);
    return `${url.protocol}//${url.host}` === appOrigin && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/**
 * The file an app:// request asks for, inside the renderer folder; null for anything that would
 * leave it (encoded `..`, backslashes, another host). Unknown paths get index.html (one-page app).
 */
export function resolveAppAsset(requestUrl: string, rendererDir: string, exists: (path: string) => boolean): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return null;
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (relative.includes('\\') || relative.includes('\0') || relative.split('/').some((part) => part === '..')) return null;
  const root = rendererDir.replace(/[\\/]+$/, '');
  const file = `${root}${relative === '/' ? '/index.html' : relative}`;
  return exists(file) ? file : `${root}/index.html`;
}

export type Checked = { ok: true; payload: unknown } | { ok: false; error: ApiError };

export function checkIpcCall(method: string, payload: unknown, senderUrl: string | undefined, appOrigin: string = APP_ORIGIN): Checked {
  if (!isTrustedSender(senderUrl, appOrigin)) return { ok: false, error: { kind: 'input', error: `call from an untrusted frame refused (${senderUrl ?? 'unknown'})` } };
  const fromWindow = (RENDERER_HOST_METHODS as readonly string[]).includes(method);
  if (!isApiMethod(method) && !fromWindow) return { ok: false, error: { kind: 'input', error: `unknown method "${method}"` } };
  const schema = isApiMethod(method) ? API[method].request : HOST_API[method as (typeof RENDERER_HOST_METHODS)[number]].request;
  const parsed = schema.safeParse(payload);
  if (!parsed.success) return { ok: false, error: { kind: 'input', error: describeInvalidRequest(method, parsed.error) } };
  return { ok: true, payload: parsed.data };
}
