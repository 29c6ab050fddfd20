import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { probeBackends, selectBackend } from '../../electron/engine/backend/select';
import { runCli } from '../helpers/cli';

describe('backend selection', () => {
  it('reports why native TensorFlow is unavailable when its packages are not installed', async () => {
    const probes = await probeBackends();
    assert.equal(probes.cpu.ok, true);
    assert.equal(probes.wasm.ok, true);
    if (!probes.tensorflow.ok) assert.match(probes.tensorflow.reason, /@tensorflow\/tfjs-node/);
  });

  it('auto picks the fastest available path and says why', async (t) => {
    const probes = await probeBackends();
    if (probes.tensorflow.ok || (probes.webgpu.ok && !probes.webgpu.software)) {
      t.skip('a native backend or a hardware GPU is present: auto would pick it');
      return;
    }
    // On a CPU: wasm for every model (with this project's kernels it trains convnets too), even
    // when a software WebGPU adapter (lavapipe) exists.
    const chosen = await selectBackend('auto');
    assert.equal(chosen.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(chosen.reason, /^auto; tensorflow: .*; webgpu: .*; wasm: /);
    if (probes.webgpu.ok) assert.match(chosen.reason, /webgpu: .* is a software adapter; wasm is faster/);
  });

  it("auto skipping a software adapter leaves no Dawn warning on the run's stderr", async (t) => {
    const probes = await probeBackends();
    if (!probes.webgpu.ok || !probes.webgpu.software) {
      t.skip('no software WebGPU adapter here (lavapipe): nothing for Dawn to warn about');
      return;
    }
    // Dawn writes its warnings past Node, so only a process of its own shows what a terminal gets.
    const { code, stdout, stderr } = await runCli(['bench', '--model', 'mlp-30x2', '--steps', '2', '--batch-size', '8', '--json']);
    assert.equal(code, 0, stderr);
    assert.equal((JSON.parse(stdout) as { backend: string }).backend, 'wasm');
    assert.equal(stderr, '', 'nothing on stderr, Dawn\'s "artificially reduced" lines included');
  });

  it('honours a forced backend and rejects an unavailable one clearly', async () => {
    const forced = await selectBackend('cpu');
    assert.deepEqual([forced.name, forced.reason, tf.getBackend()], ['cpu', 'forced with --backend cpu', 'cpu']);
    const probes = await probeBackends();
    if (!probes.tensorflow.ok) await assert.rejects(selectBackend('tensorflow'), /backend tensorflow is not available: .*not installed/);
    if (!probes.webgpu.ok) await assert.rejects(selectBackend('webgpu'), /backend webgpu is not available/);
  });
});
