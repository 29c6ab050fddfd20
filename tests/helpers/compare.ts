import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { crossEntropyLoss } from '../../electron/engine/losses/cross-entropy';
import { buildModel } from '../../electron/engine/models/registry';
import { createRng } from '../../electron/engine/random';

/** Runs the same computation on each backend (already activated) and returns its outputs as arrays. */
export async function onBackends(backends: string[], compute: () => tf.Tensor[]): Promise<Record<string, Float32Array[]>> {
  const results: Record<string, Float32Array[]> = {};
  for (const backend of backends) {
    await tf.setBackend(backend);
    const outputs = tf.tidy(compute);
    results[backend] = await Promise.all(outputs.map(async (t) => Float32Array.from(await t.data())));
    tf.dispose(outputs);
  }
  return results;
}

/** Largest difference relative to the reference's largest magnitude must stay within `tolerance`. */
export function assertClose(reference: Float32Array, actual: Float32Array, label: string, tolerance = 2e-3): void {
  assert.equal(reference.length, actual.length, label);
  const scale = reference.reduce((max, value) => Math.max(max, Math.abs(value)), 1e-3);
  let worst = 0;
  for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i]! - actual[i]!) / scale);
  assert.ok(Number.isFinite(worst) && worst <= tolerance, `${label}: max relative difference ${worst.toExponential(2)} > ${tolerance}`);
}

export interface ConvCase {
  x: tf.Tensor4D;
  w: tf.Tensor4D;
  stride: 1 | 2;
  pad: 'same' | 'valid' | number;
}

/** Random conv2d problems over batch, size, channels, kernel, stride and padding (values drawn inside `tidy`). */
export function randomConvCases(seed: number, count: number, sizes = { channels: [1, 3, 8], outChannels: [4, 16] }) {
  const rng = createRng(seed);
  const pick = <T>(options: T[]) => options[Math.floor(rng() * options.length)]!;
  return Array.from({ length: count }, () => {
    const [n, size, cin, cout, k] = [pick([1, 3]), pick([5, 8, 11]), pick(sizes.channels), pick(sizes.outChannels), pick([1, 3, 5])];
    const stride = pick([1, 2]) as 1 | 2;
    const pad = pick(['same', 'valid', 1] as const);
    const x = Array.from({ length: n * size * size * cin }, () => rng() * 2 - 1);
    const w = Array.from({ length: k * k * cin * cout }, () => rng() * 2 - 1);
    return {
      label: `n${n} ${size}×${size}×${cin} → ${cout}, k${k} s${stride} pad ${pad}`,
      make: (): ConvCase => ({ x: tf.tensor4d(x, [n, size, size, cin]), w: tf.tensor4d(w, [k, k, cin, cout]), stride, pad }),
    };
  });
}

/** conv2d's output and its gradients for input and filter, for `onBackends`. */
export function convWithGradients({ x, w, stride, pad }: ConvCase): tf.Tensor[] {
  const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), 0.5));
  const [dx, dw] = tf.grads(f)([x, w]);
  return [tf.conv2d(x, w, stride, pad), dx!, dw!];
}

/** Losses of two momentum-SGD steps of a model and its first kernel afterwards, on the current backend. */
export async function twoTrainingSteps(modelName: string, inputShape: [number, number, number], batch = 8): Promise<Float32Array[]> {
  const rng = createRng(3);
  const x = Array.from({ length: batch * inputShape[0] * inputShape[1] * inputShape[2] }, () => rng());
  const labels = Array.from({ length: batch }, () => Math.floor(rng() * 10));
  const model = buildModel(modelName, { inputShape, classes: 10, seed: 5, dropout: 0 });
  const optimizer = tf.train.momentum(0.05, 0.9);
  const xt = tf.tensor4d(x, [batch, ...inputShape]);
  const yt = tf.tensor1d(labels, 'int32');
  const losses: number[] = [];
  for (let step = 0; step < 2; step++) {
    const loss = optimizer.minimize(() => crossEntropyLoss(yt, model.apply(xt, { training: true }) as tf.Tensor2D), true)!;
    losses.push((await loss.data())[0]!);
    loss.dispose();
  }
  const kernel = Float32Array.from(await model.getWeights()[0]!.data());
  tf.dispose([xt, yt]);
  optimizer.dispose();
  model.dispose();
  return [Float32Array.from(losses), kernel];
}
