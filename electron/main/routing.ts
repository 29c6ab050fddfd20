// The checks main applies to every IPC call before it reaches the worker. No `electron`
// import here, so tests exercise it directly.
import { API, describeIssue, HOST_API, isApiMethod, RENDERER_HOST_METHODS, type ApiError } from '../contract/api';

/** Only the app's own page may call: file:// under the renderer folder (or the dev server). */
export function isTrustedSender(senderUrl: string | undefined, rendererUrlPrefix: string): boolean {
  return typeof senderUrl === 'string' && senderUrl.startsWith(rendererUrlPrefix);
}

export type Checked = { ok: true; payload: unknown } | { ok: false; error: ApiError };

export function checkIpcCall(method: string, payload: unknown, senderUrl: string | undefined, rendererUrlPrefix: string): Checked {
  if (!isTrustedSender(senderUrl, rendererUrlPrefix)) return { ok: false, error: { kind: 'input', error: `call from an untrusted frame refused (${senderUrl ?? 'unknown'})` } };
  const fromWindow = (RENDERER_HOST_METHODS as readonly string[]).includes(method);
  if (!isApiMethod(method) && !fromWindow) return { ok: false, error: { kind: 'input', error: `unknown method "${method}"` } };
  const schema = isApiMethod(method) ? API[method].request : HOST_API[method as (typeof RENDERER_HOST_METHODS)[number]].request;
  const parsed = schema.safeParse(payload);
  if (!parsed.success) return { ok: false, error: { kind: 'input', error: `${method}: invalid request: ${describeIssue(parsed.error)}` } };
  return { ok: true, payload: parsed.data };
}
