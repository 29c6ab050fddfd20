import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DistillService } from '../../electron/contract/api';
import type { WorkerMessage } from '../../electron/contract/worker-protocol';
import { checkIpcCall, isTrustedSender } from '../../electron/main/routing';
import { dispatchCall } from '../../electron/service/dispatch';
import { serveOnPort } from '../../electron/worker/endpoint';
import { DistillInputError } from '../../electron/engine/errors';

const RENDERER = 'file:///opt/Distill%20Studio/resources/app.asar/dist/renderer';

describe('main: IPC checks before the worker', () => {
  it('accepts only the app page as sender', () => {
    assert.equal(isTrustedSender(`${RENDERER}/index.html`, RENDERER), true);
    for (const url of ['https://evil.example/', 'file:///tmp/evil.html', undefined]) {
      assert.equal(isTrustedSender(url, RENDERER), false, String(url));
      const checked = checkIpcCall('listRuns', {}, url, RENDERER);
      assert.ok(!checked.ok && /untrusted frame/.test(checked.error.error));
    }
  });

  it('validates every payload against the contract', () => {
    const sender = `${RENDERER}/index.html`;
    const bad = checkIpcCall('cancelRun', { runId: 42 }, sender, RENDERER);
    assert.ok(!bad.ok && bad.error.error === 'cancelRun: invalid request: runId: Invalid input: expected string, received number', !bad.ok ? bad.error.error : '');
    const unknown = checkIpcCall('shell', {}, sender, RENDERER);
    assert.ok(!unknown.ok && /unknown method "shell"/.test(unknown.error.error));
    const good = checkIpcCall('startRun', { overrides: { alpha: 0.3 } }, sender, RENDERER);
    assert.ok(good.ok);
    assert.deepEqual(good.payload, { preset: 'quick', overrides: { alpha: 0.3 } });
  });
});

/** A service whose every method records that it ran. */
function recordingService(calls: string[]): DistillService {
  return new Proxy({} as DistillService, {
    get: (_target, method: string) => async (request: unknown) => {
      calls.push(method);
      if (method === 'cancelRun') return { cancelled: (request as { runId: string }).runId === 'r1' };
      if (method === 'getRun') throw new DistillInputError('no run r2');
      if (method === 'deleteRun') throw new Error('disk on fire');
      return { wrong: 'shape' };
    },
  });
}

describe('service dispatch', () => {
  it('never calls the service with a malformed request', async () => {
    const calls: string[] = [];
    const outcome = await dispatchCall(recordingService(calls), 'cancelRun', { runId: '' });
    assert.deepEqual(outcome, { ok: false, error: { kind: 'input', error: 'cancelRun: invalid request: runId: not a run id' } });
    assert.deepEqual(calls, []);
  });

  it('passes input errors through, wraps internal ones, and checks responses too', async () => {
    const service = recordingService([]);
    assert.deepEqual(await dispatchCall(service, 'cancelRun', { runId: 'r1' }), { ok: true, value: { cancelled: true } });
    assert.deepEqual(await dispatchCall(service, 'getRun', { runId: 'r2' }), { ok: false, error: { kind: 'input', error: 'no run r2' } });
    assert.deepEqual(await dispatchCall(service, 'deleteRun', { runId: 'r2' }), { ok: false, error: { kind: 'internal', error: 'deleteRun failed: disk on fire' } });
    const badResponse = await dispatchCall(service, 'listRuns', {});
    assert.ok(!badResponse.ok && badResponse.error.kind === 'internal');
  });
});

describe('worker endpoint (utility process side)', () => {
  it('announces itself, answers calls by id, and ignores malformed messages', async () => {
    const sent: WorkerMessage[] = [];
    let deliver: (message: { data: unknown }) => void = () => {};
    serveOnPort({ on: (_event, listener) => (deliver = listener), postMessage: (m) => sent.push(m) }, recordingService([]));
    assert.deepEqual(sent, [{ kind: 'ready' }]);
    deliver({ data: { kind: 'nonsense' } });
    deliver({ data: { kind: 'call', id: 7, method: 'cancelRun', payload: { runId: 'r1' } } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(sent.slice(1), [{ kind: 'reply', id: 7, outcome: { ok: true, value: { cancelled: true } } }]);
  });
});
