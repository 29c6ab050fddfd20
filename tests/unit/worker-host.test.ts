import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { ApiEvent } from '../../electron/contract/api';
import type { WorkerRequest } from '../../electron/contract/worker-protocol';
import { WorkerHost, type WorkerChild } from '../../electron/main/worker-host';

/** A training process that answers nothing on its own: the test sends its replies and events. */
class FakeChild extends EventEmitter implements WorkerChild {
  readonly requests: WorkerRequest[] = [];
  killed = false;
  postMessage(message: unknown): void {
    this.requests.push(message as WorkerRequest);
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
  reply(id: number, value: unknown): void {
    this.emit('message', { kind: 'reply', id, outcome: { ok: true, value } });
  }
  event(event: ApiEvent): void {
    this.emit('message', { kind: 'event', event });
  }
}

function host() {
  const children: FakeChild[] = [];
  const events: ApiEvent[] = [];
  const worker = new WorkerHost(() => {
    children.push(new FakeChild());
    return children.at(-1)!;
  }, (event) => events.push(event));
  return { worker, children, events };
}

describe('the desktop host and its training process', () => {
  it('answers calls by id and passes events on; what the process sends that is not the protocol is dropped', async () => {
    const { worker, children, events } = host();
    const a = worker.call('appInfo', {});
    const b = worker.call('listRuns', {});
    const child = children[0]!;
    assert.deepEqual(child.requests.map((r) => [r.id, r.method]), [[1, 'appInfo'], [2, 'listRuns']]);
    child.emit('message', { kind: 'reply', id: 2, outcome: { ok: 'yes' } });
    child.emit('message', 'not a message');
    child.reply(2, { runs: [] });
    child.reply(1, { version: 'x' });
    assert.deepEqual(await a, { ok: true, value: { version: 'x' } });
    assert.deepEqual(await b, { ok: true, value: { runs: [] } });
    child.event({ type: 'run-ended', runId: 'r1', status: 'completed' });
    assert.deepEqual(events, [{ type: 'run-ended', runId: 'r1', status: 'completed' }]);
    assert.equal(children.length, 1, 'one process for every call');
  });

  it('when the process dies, answers its calls with the exit code, reports the runs it was training failed, and starts a new one for the next call', async () => {
    const { worker, children, events } = host();
    const start = worker.call('startRun', {});
    children[0]!.reply(1, { runId: 'training' });
    await start;
    const waiting = worker.call('getRun', { runId: 'training' });
    children[0]!.emit('exit', 9);
    assert.deepEqual(await waiting, { ok: false, error: { kind: 'internal', error: 'the training process stopped (exit code 9)' } });
    assert.deepEqual(events, [{ type: 'run-ended', runId: 'training', status: 'failed', error: 'the training process stopped (exit code 9)' }]);
    void worker.call('appInfo', {});
    assert.equal(children.length, 2);
    worker.stop();
    assert.ok(children[1]!.killed);
  });

  it('does not report failed a run that ended before the answer that started it, nor one that ended in its time', async () => {
    const { worker, children, events } = host();
    const quick = worker.call('startRun', {});
    children[0]!.event({ type: 'run-ended', runId: 'quick', status: 'failed', error: 'no such teacher' });
    children[0]!.reply(1, { runId: 'quick' });
    await quick;
    const done = worker.call('startSweep', {});
    children[0]!.reply(2, { runId: 'done' });
    await done;
    children[0]!.event({ type: 'run-ended', runId: 'done', status: 'completed' });
    children[0]!.emit('exit', 1);
    assert.deepEqual(events.map((e) => (e.type === 'run-ended' ? `${e.runId} ${e.status}` : e.type)), ['quick failed', 'done completed']);
  });
});
