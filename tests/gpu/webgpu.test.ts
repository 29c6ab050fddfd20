import * as tf from '@tensorflow/tfjs';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planSplits } from '../../electron/engine/backend/kernels/webgpu-filter-grad';
import { probeBackends, selectBackend } from '../../electron/engine/backend/select';
import { assertClose, convWithGradients, onBackends, randomConvCases, twoTrainingSteps } from '../helpers/compare';
import { hintonKdLoss } from '../../electron/engine/losses/hinton-kd';
import { createRng } from '../../electron/engine/random';
import { AXPBY, axpby } from '../../electron/engine/ops/axpby';

/**
 * The WebGPU backend's training kernels against the pure-JavaScript `cpu` backend, on random
 * shapes: runs on a GPU, or on Mesa's lavapipe on a CPU-only machine (.ci/run installs it).
 */
const probe = (await probeBackends()).webgpu;
const skip = probe.ok ? false : `no WebGPU adapter here (${probe.reason})`;
console.log(probe.ok ? `# WebGPU kernel tests on ${probe.device}` : `# WebGPU kernel tests did not run: ${skip}`);

/** Runs the same computation on both backends and returns their outputs as arrays. */
async function onBoth(compute: () => tf.Tensor[]): Promise<{ cpu: Float32Array[]; webgpu: Float32Array[] }> {
  const results = await onBackends(['cpu', 'webgpu'], compute);
  return { cpu: results.cpu!, webgpu: results.webgpu! };
}

describe('WebGPU training kernels match the cpu backend', { skip }, () => {
  before(async () => {
    await selectBackend('webgpu');
  });

  it('conv2d forward, and its gradients for input and filter (Conv2DBackpropInput/Filter), on random shapes', async () => {
    for (const { label, make } of randomConvCases(42, 8)) {
      const { cpu, webgpu } = await onBoth(() => convWithGradients(make()));
      ['forward', 'd/dinput', 'd/dfilter'].forEach((part, i) => assertClose(cpu[i]!, webgpu[i]!, `${label} ${part}`));
    }
  });

  it('the split-K filter gradient: several splits, partial tiles, stride 2 and a 1×1 layer', async () => {
    const rng = createRng(99);
    for (const [n, size, cin, cout, k, stride] of [[4, 16, 20, 36, 3, 1], [9, 15, 7, 70, 3, 2], [2, 20, 33, 17, 1, 1]] as const) {
      const rows = n * Math.ceil(size / stride) ** 2;
      assert.ok(planSplits(rows, k * k * cin, cout).splits > 1, 'the case must exercise the split sum');
      const x = Array.from({ length: n * size * size * cin }, () => rng() * 2 - 1);
      const w = Array.from({ length: k * k * cin * cout }, () => rng() * 2 - 1);
      const { cpu, webgpu } = await onBoth(() => convWithGradients({ x: tf.tensor4d(x, [n, size, size, cin]), w: tf.tensor4d(w, [k, k, cin, cout]), stride, pad: 'same' }));
      assertClose(cpu[2]!, webgpu[2]!, `n${n} ${size}×${size}×${cin} → ${cout} k${k} s${stride} d/dfilter`);
    }
  });

  it('max-pool, batch norm, dense and the KD loss, with their gradients', async () => {
    const rng = createRng(7);
    const x = Array.from({ length: 2 * 8 * 8 * 4 }, () => rng() * 2 - 1);
    const { cpu, webgpu } = await onBoth(() => {
      const xt = tf.tensor4d(x, [2, 8, 8, 4]);
      const pool = (a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), tf.range(1, 65).reshape([1, 4, 4, 4]).tile([2, 1, 1, 1]).div(10)));
      const { mean, variance } = tf.moments(xt, [0, 1, 2]);
      const bn = tf.batchNorm(xt, mean, variance, tf.tensor1d([0.1, -0.2, 0, 0.3]), tf.tensor1d([1.5, 0.5, 1, 2]), 1e-5);
      const s = tf.tensor2d(x.slice(0, 20), [2, 10]);
      const t = tf.tensor2d(x.slice(20, 40), [2, 10]);
      const labels = tf.tensor1d([3, 7], 'int32');
      const kd = (a: tf.Tensor) => hintonKdLoss(a as tf.Tensor2D, t, labels, { temperature: 4, alpha: 0.7 });
      return [tf.grad(pool)(xt), bn, kd(s), tf.grad(kd)(s), tf.matMul(s, t, false, true)];
    });
    ['maxPool gradient', 'batchNorm', 'KD loss', 'KD gradient', 'matMul'].forEach((part, i) => assertClose(cpu[i]!, webgpu[i]!, part));
  });

  it('a·x + b·y (axpby) in one dispatch, beyond 65,535 workgroups too', async () => {
    assert.ok(tf.getKernel(AXPBY, 'webgpu'), 'the webgpu axpby kernel is registered');
    const rng = createRng(5);
    for (const size of [1, 1000, 64 * 65535 + 100]) {
      const x = Float32Array.from({ length: size }, () => rng() * 2 - 1);
      const y = Float32Array.from({ length: size }, () => rng() * 2 - 1);
      const { cpu, webgpu } = await onBoth(() => [axpby(0.9, tf.tensor1d(x), -0.05, tf.tensor1d(y))]);
      assertClose(cpu[0]!, webgpu[0]!, `size ${size}`, 1e-6);
      assert.ok(Math.abs(webgpu[0]![size - 1]! - (0.9 * x[size - 1]! - 0.05 * y[size - 1]!)) < 1e-6, `size ${size}: the last element`);
    }
  });

  // LeNet-5, and ResNet-20 for batch norm in training; both with this project's momentum SGD.
  for (const [model, shape, tolerance] of [['lenet5', [28, 28, 1], 5e-3], ['resnet20@0.25', [16, 16, 3], 5e-3]] as const) {
    it(`two ${model} training steps give the same losses and weights on both backends`, async () => {
      const results: Record<string, Float32Array[]> = {};
      for (const backend of ['cpu', 'webgpu']) {
        await tf.setBackend(backend);
        results[backend] = await twoTrainingSteps(model, [...shape]);
      }
      assertClose(results.cpu![0]!, results.webgpu![0]!, 'losses');
      assertClose(results.cpu![1]!, results.webgpu![1]!, 'first kernel after two steps', tolerance);
    });
  }
});
