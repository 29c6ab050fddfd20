import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { probeBackends, selectBackend } from '../../electron/engine/backend/select';
import { crossEntropyLoss } from '../../electron/engine/losses/cross-entropy';
import { hintonKdLoss } from '../../electron/engine/losses/hinton-kd';
import { buildModel } from '../../electron/engine/models/registry';
import { createRng } from '../../electron/engine/random';

/**
 * The WebGPU backend's training kernels against the pure-JavaScript `cpu` backend, on random
 * shapes: runs on a GPU, or on Mesa's lavapipe on a CPU-only machine (.ci/run installs it).
 */
const probe = (await probeBackends({ convolutional: true })).webgpu;
const skip = probe.ok ? false : `no WebGPU adapter here (${probe.reason})`;
if (skip) console.log(`# WebGPU kernel tests did not run: ${skip}`);

type Computation = () => tf.Tensor[];

/** Runs the same computation on both backends and returns their outputs as arrays. */
async function onBoth(compute: Computation): Promise<{ cpu: Float32Array[]; webgpu: Float32Array[] }> {
  const results: Record<string, Float32Array[]> = {};
  for (const backend of ['cpu', 'webgpu']) {
    await tf.setBackend(backend);
    const outputs = tf.tidy(compute);
    results[backend] = await Promise.all(outputs.map(async (t) => Float32Array.from(await t.data())));
    tf.dispose(outputs);
  }
  return { cpu: results.cpu!, webgpu: results.webgpu! };
}

function assertClose(a: Float32Array, b: Float32Array, label: string, tolerance = 2e-3): void {
  assert.equal(a.length, b.length, label);
  const scale = Math.max(1e-3, ...Array.from(a, Math.abs));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  assert.ok(worst <= tolerance, `${label}: max relative difference ${worst.toExponential(2)} > ${tolerance}`);
}

describe('WebGPU training kernels match the cpu backend', { skip }, () => {
  before(async () => {
    await selectBackend('webgpu', { convolutional: true });
  });

  it('conv2d forward, and its gradients for input and filter (Conv2DBackpropInput/Filter), on random shapes', async () => {
    const rng = createRng(42);
    const pick = <T>(options: T[]) => options[Math.floor(rng() * options.length)]!;
    for (let trial = 0; trial < 8; trial++) {
      const [n, size, cin, cout, k] = [pick([1, 3]), pick([5, 8, 11]), pick([1, 3, 8]), pick([4, 16]), pick([1, 3, 5])];
      const stride = pick([1, 2]) as 1 | 2;
      const pad = pick(['same', 'valid'] as const);
      const x = Array.from({ length: n * size * size * cin }, () => rng() * 2 - 1);
      const w = Array.from({ length: k * k * cin * cout }, () => rng() * 2 - 1);
      const label = `n${n} ${size}×${size}×${cin} → ${cout}, k${k} s${stride} ${pad}`;
      const { cpu, webgpu } = await onBoth(() => {
        const xt = tf.tensor4d(x, [n, size, size, cin]);
        const wt = tf.tensor4d(w, [k, k, cin, cout]);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)));
        const [dx, dw] = tf.grads(f)([xt, wt]);
        return [tf.conv2d(xt, wt, stride, pad), dx!, dw!];
      });
      ['forward', 'd/dinput', 'd/dfilter'].forEach((part, i) => assertClose(cpu[i]!, webgpu[i]!, `${label} ${part}`));
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

  it('one LeNet-5 training step gives the same loss and weights on both backends', async () => {
    const rng = createRng(3);
    const x = Array.from({ length: 8 * 28 * 28 }, () => rng());
    const labels = Array.from({ length: 8 }, () => Math.floor(rng() * 10));
    const results: Record<string, Float32Array[]> = {};
    for (const backend of ['cpu', 'webgpu']) {
      await tf.setBackend(backend);
      const model = buildModel('lenet5', { inputShape: [28, 28, 1], classes: 10, seed: 5, dropout: 0 });
      const optimizer = tf.train.momentum(0.05, 0.9);
      const xt = tf.tensor4d(x, [8, 28, 28, 1]);
      const yt = tf.tensor1d(labels, 'int32');
      const losses: number[] = [];
      for (let step = 0; step < 2; step++) {
        const loss = optimizer.minimize(() => crossEntropyLoss(yt, model.apply(xt, { training: true }) as tf.Tensor2D), true)!;
        losses.push((await loss.data())[0]!);
        loss.dispose();
      }
      results[backend] = [Float32Array.from(losses), Float32Array.from(await model.getWeights()[0]!.data())];
      tf.dispose([xt, yt]);
      optimizer.dispose();
      model.dispose();
    }
    assertClose(results.cpu![0]!, results.webgpu![0]!, 'losses');
    assertClose(results.cpu![1]!, results.webgpu![1]!, 'conv_1 kernel after two steps', 5e-3);
  });
});
