import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DistillService, HostService } from '../../electron/contract/api';
import type { WorkerMessage } from '../../electron/contract/worker-protocol';
import { APP_ORIGIN, checkIpcCall, isTrustedSender, resolveAppAsset } from '../../electron/main/routing';
import { permissionGranted } from '../../electron/main/permissions';
import { dispatchCall } from '../../electron/service/dispatch';
import { serveOnPort } from '../../electron/worker/endpoint';
import { DistillInputError } from '../../electron/engine/errors';

const SENDER = `${APP_ORIGIN}/index.html`;

describe('main: IPC checks before the worker', () => {
  it("accepts only the app page's exact origin as sender", () => {
    assert.equal(isTrustedSender(SENDER), true);
    assert.equal(isTrustedSender(`${APP_ORIGIN}/screens/x?y#z`), true);
    const untrusted = [
      'https://evil.example/',
      'file:///tmp/evil.html',
      'file:///opt/Distill%20Studio/resources/app.asar/dist/renderer-evil/index.html',
      'app://distill.evil/index.html',
      'app://distillx/index.html',
      'app://user@distill/index.html',
      'not a url',
      undefined,
    ];
    for (const url of untrusted) {
      assert.equal(isTrustedSender(url), false, String(url));
      const checked = checkIpcCall('listRuns', {}, url);
      assert.ok(!checked.ok && /untrusted frame/.test(checked.error.error));
    }
  });

  it('app:// serves files inside the renderer folder only', () => {
    const exists = (path: string) => ['/r/index.html', '/r/assets/a.js'].includes(path);
    assert.equal(resolveAppAsset('app://distill/', '/r', exists), '/r/index.html');
    assert.equal(resolveAppAsset('app://distill/assets/a.js', '/r/', exists), '/r/assets/a.js');
    assert.equal(resolveAppAsset('app://distill/history', '/r', exists), '/r/index.html', 'a one-page app');
    assert.equal(resolveAppAsset('app://distill/../../etc/passwd', '/r', exists), '/r/index.html', 'the URL parser drops plain ..');
    // Encoded dots are normalised by the URL parser (and stay inside); what it lets through is refused.
    assert.equal(resolveAppAsset('app://distill/%2e%2e/%2e%2e/etc/passwd', '/r', () => true), '/r/etc/passwd');
    for (const url of ['app://distill/a%5c..%5cb', 'app://distill/a/%2E%2E%2f..%2fb', 'app://distill/%E0%A4%A', 'app://distill/x%00.js', 'app://elsewhere/index.html', 'file:///etc/passwd']) {
      assert.equal(resolveAppAsset(url, '/r', () => true), null, url);
    }
  });

  it('validates every payload against the contract', () => {
    const sender = SENDER;
    const bad = checkIpcCall('cancelRun', { runId: 42 }, sender);
    assert.ok(!bad.ok && bad.error.error === 'cancelRun: invalid request: runId: Invalid input: expected string, received number', !bad.ok ? bad.error.error : '');
    const unknown = checkIpcCall('shell', {}, sender);
    assert.ok(!unknown.ok && /unknown method "shell"/.test(unknown.error.error));
    const good = checkIpcCall('startRun', { overrides: { methodOptions: { kd: { alpha: 0.3 } } } }, sender);
    assert.ok(good.ok);
    assert.deepEqual(good.payload, { preset: 'quick', overrides: { methodOptions: { kd: { alpha: 0.3 } } } });
    // Options live under their method: a flat or misplaced one is named, not ignored.
    const flat = checkIpcCall('startRun', { overrides: { alpha: 0.3 } }, sender);
    assert.ok(!flat.ok && /Unrecognized key: "alpha"/.test(flat.error.error), !flat.ok ? flat.error.error : '');
    const misplaced = checkIpcCall('startRun', { overrides: { methodOptions: { kd: { beta: 2 } } } }, sender);
    assert.ok(!misplaced.ok && /methodOptions\.kd/.test(misplaced.error.error), !misplaced.ok ? misplaced.error.error : '');
  });
});

/** A service whose every method records that it ran. */
function recordingService(calls: string[]): DistillService & HostService {
  return new Proxy({} as DistillService & HostService, {
    get: (_target, method: string) => async (request: unknown) => {
      calls.push(method);
      if (method === 'cancelRun') return { cancelled: (request as { runId: string }).runId === 'r1' };
      if (method === 'getRun') throw new DistillInputError('no run r2');
      if (method === 'deleteRun') throw new Error('disk on fire');
      if (method === 'exportModelTo') return { fileName: 'student-r1', savedTo: (request as { destination: string }).destination, downloadUrl: null };
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

describe('host-only operations', () => {
  it('exportModelTo (a path on this machine) is refused on the public surface and served on the host one', async () => {
    const calls: string[] = [];
    const request = { runId: 'r1', role: 'student', format: 'tfjs', destination: '/tmp/student-r1' };
    assert.deepEqual(await dispatchCall(recordingService(calls), 'exportModelTo', request), { ok: false, error: { kind: 'input', error: 'unknown method "exportModelTo"' } });
    assert.deepEqual(calls, []);
    const outcome = await dispatchCall(recordingService(calls), 'exportModelTo', request, 'host');
    assert.deepEqual(outcome, { ok: true, value: { fileName: 'student-r1', savedTo: '/tmp/student-r1', downloadUrl: null } });
    const noPath = await dispatchCall(recordingService(calls), 'exportModel', { runId: 'r1', role: 'student', destination: '/etc' });
    assert.ok(!noPath.ok && /Unrecognized key: "destination"/.test(noPath.error.error), !noPath.ok ? noPath.error.error : '');
  });

  it('refuses an export format the catalogue does not have', async () => {
    const outcome = await dispatchCall(recordingService([]), 'exportModel', { runId: 'r1', role: 'student', format: 'pickle' });
    assert.ok(!outcome.ok && /format: Invalid (option|input): expected .*"tfjs"/.test(outcome.error.error), !outcome.ok ? outcome.error.error : '');
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

describe("the window's permissions", () => {
  it('grant writing copied text to the clipboard and nothing else', () => {
    assert.equal(permissionGranted('clipboard-sanitized-write'), true);
    for (const refused of ['clipboard-read', 'notifications', 'media', 'geolocation', 'openExternal', 'fullscreen', 'clipboard-sanitized-write ', '']) assert.equal(permissionGranted(refused), false, refused);
  });
});
