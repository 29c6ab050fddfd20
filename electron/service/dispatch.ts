import { API, describeInvalidRequest, HOST_API, type ApiError, type DistillService, type HostService } from '../contract/api';
import { DistillInputError } from '../engine';

export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: ApiError };

type Surface = Record<string, { request: { safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: Parameters<typeof describeInvalidRequest>[1] } }; response: { parse(value: unknown): unknown } }>;

/**
 * The one place a request meets the service: the method must exist, the payload must
 * match its schema, and the answer is checked against the response schema too. `host` adds the
 * desktop host's own operations (paths on this machine): only Electron main's worker passes it.
 */
export async function dispatchCall(service: DistillService & Partial<HostService>, method: string, payload: unknown, surface: 'public' | 'host' = 'public'): Promise<CallOutcome> {
  const api: Surface = surface === 'host' ? { ...API, ...HOST_API } : API;
  const spec = Object.hasOwn(api, method) ? api[method] : undefined;
  if (!spec) return { ok: false, error: { kind: 'input', error: `unknown method "${method}"` } };
  const parsed = spec.request.safeParse(payload);
  if (!parsed.success) return { ok: false, error: { kind: 'input', error: describeInvalidRequest(method, parsed.error) } };
  const call = (service as unknown as Record<string, ((request: unknown) => Promise<unknown>) | undefined>)[method];
  if (!call) return { ok: false, error: { kind: 'input', error: `${method} is not available on this host` } };
  try {
    const value = spec.response.parse(await call.call(service, parsed.data));
    return { ok: true, value };
  } catch (error) {
    if (error instanceof DistillInputError) return { ok: false, error: { kind: 'input', error: error.message } };
    return { ok: false, error: { kind: 'internal', error: `${method} failed: ${(error as Error).message}` } };
  }
}
