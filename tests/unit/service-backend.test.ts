import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autoChoice, probeBackends, selectBackend } from '../../electron/engine/backend/select';
import { createServiceBackend } from '../../electron/service/service-backend';

describe("the service's backend: its own work never switches a run's", () => {
  it("before any run, the service's own work gets auto's choice, not the pure-JavaScript backend", async () => {
    await selectBackend('cpu');
    const backends = createServiceBackend(() => false);
    await backends.forService();
    assert.equal(tf.getBackend(), autoChoice(await probeBackends()));
  });

  it('while a run starts or trains, the service keeps its backend; after a run, the run\'s stays', async () => {
    let busy = true;
    const backends = createServiceBackend(() => busy);
    await backends.forRun({ backend: 'cpu', threads: null });
    assert.equal(tf.getBackend(), 'cpu');
    await backends.forService();
    assert.equal(tf.getBackend(), 'cpu', "the service's own work switched the training run's backend");
    busy = false;
    await backends.forService();
    assert.equal(tf.getBackend(), 'cpu', "a run's choice stays for the service's work after it");
  });

  it("choices land in the order asked: the service's own cannot land after a run's that came later", async () => {
    const order: string[] = [];
    let busy = false;
    // A slow auto choice, then a run's: the run's must be the one in force.
    const select = (async (request: Parameters<typeof selectBackend>[0]) => {
      if (request === 'auto') await new Promise((resolve) => setTimeout(resolve, 50));
      order.push(request);
      return { name: request === 'auto' ? 'wasm' : 'cpu', device: 'test', reason: 'test' };
    }) as typeof selectBackend;
    const backends = createServiceBackend(() => busy, select);
    const service = backends.forService();
    // The service's choice is under way when the run asks for its own.
    await new Promise((resolve) => setTimeout(resolve, 10));
    busy = true;
    const run = backends.forRun({ backend: 'cpu', threads: null });
    await Promise.all([service, run]);
    assert.deepEqual(order, ['auto', 'cpu']);
    await backends.forService();
    assert.deepEqual(order, ['auto', 'cpu'], 'nothing is chosen again once a choice stands');
  });

  it('a failed choice leaves the next one free to run', async () => {
    let calls = 0;
    const select = (async () => {
      calls += 1;
      if (calls === 1) throw new Error('no backend');
      return { name: 'cpu', device: 'test', reason: 'test' };
    }) as unknown as typeof selectBackend;
    const backends = createServiceBackend(() => false, select);
    await assert.rejects(backends.forService(), /no backend/);
    await backends.forService();
    assert.equal(calls, 2);
  });
});
