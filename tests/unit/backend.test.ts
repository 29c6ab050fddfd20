import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { probeBackends, selectBackend } from '../../electron/engine/backend/select';
import { DistillInputError } from '../../electron/engine/errors';

describe('backend selection', () => {
  it('reports why native TensorFlow is unavailable when its packages are not installed', async () => {
    const probes = await probeBackends({ convolutional: false });
    assert.equal(probes.cpu.ok, true);
    assert.equal(probes.wasm.ok, true);
    if (!probes.tensorflow.ok) assert.match(probes.tensorflow.reason, /@tensorflow\/tfjs-node/);
  });

  it('rules out wasm for convolutional models, with the reason', async () => {
    const probes = await probeBackends({ convolutional: true });
    assert.equal(probes.wasm.ok, false);
    if (!probes.wasm.ok) assert.match(probes.wasm.reason, /Conv2DBackpropFilter/);
    await assert.rejects(selectBackend('wasm', { convolutional: true }), (e: Error) => e instanceof DistillInputError && /backend wasm is not available/.test(e.message));
  });

  it('auto picks the fastest available path and says why', async (t) => {
    const probes = await probeBackends({ convolutional: false });
    if (probes.tensorflow.ok || (probes.webgpu.ok && !probes.webgpu.software)) {
      t.skip('a native backend or a hardware GPU is present: auto would pick it');
      return;
    }
    // Dense models: wasm, even when a software WebGPU adapter (lavapipe) exists.
    const dense = await selectBackend('auto', { convolutional: false });
    assert.equal(dense.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(dense.reason, /^auto; tensorflow: .*; webgpu: .*; wasm: /);
    // Convnets: WebGPU on lavapipe when it is there (8× the pure-JS backend), else cpu.
    const conv = await selectBackend('auto', { convolutional: true });
    assert.equal(conv.name, probes.webgpu.ok ? 'webgpu' : 'cpu');
    assert.equal(tf.getBackend(), conv.name);
    if (!probes.webgpu.ok) assert.match(conv.reason, /wasm: cannot train convolutions/);
  });

  it('honours a forced backend and rejects an unavailable one clearly', async () => {
    const forced = await selectBackend('cpu', { convolutional: false });
    assert.deepEqual([forced.name, forced.reason, tf.getBackend()], ['cpu', 'forced with --backend cpu', 'cpu']);
    const probes = await probeBackends({ convolutional: false });
    if (!probes.tensorflow.ok) await assert.rejects(selectBackend('tensorflow', { convolutional: false }), /backend tensorflow is not available: .*not installed/);
    if (!probes.webgpu.ok) await assert.rejects(selectBackend('webgpu', { convolutional: false }), /backend webgpu is not available/);
  });
});
