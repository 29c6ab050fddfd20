import { API, describeIssue, isApiMethod, type ApiError, type DistillService } from '../contract/api';
import { DistillInputError } from '../engine/errors';

export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: ApiError };

/**
 * The one place a request meets the service: the method must exist, the payload must
 * match its schema, and the answer is checked against the response schema too.
 */
export async function dispatchCall(service: DistillService, method: string, payload: unknown): Promise<CallOutcome> {
  if (!isApiMethod(method)) return { ok: false, error: { kind: 'input', error: `unknown method "${method}"` } };
  const parsed = API[method].request.safeParse(payload);
  if (!parsed.success) return { ok: false, error: { kind: 'input', error: `${method}: invalid request: ${describeIssue(parsed.error)}` } };
  try {
    const call = service[method] as (request: unknown) => Promise<unknown>;
    const value = API[method].response.parse(await call(parsed.data));
    return { ok: true, value };
  } catch (error) {
    if (error instanceof DistillInputError) return { ok: false, error: { kind: 'input', error: error.message } };
    return { ok: false, error: { kind: 'internal', error: `${method} failed: ${(error as Error).message}` } };
  }
}
