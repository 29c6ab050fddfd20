import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { crossEntropyLoss } from '../../electron/engine/losses/cross-entropy';
import { buildModel } from '../../electron/engine/models/registry';
import { createRng } from '../../electron/engine/random';
import { createOptimizer, disposeOptimizer } from '../../electron/engine/train/optimizers';

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
  stride: number | [number, number];
  pad: 'same' | 'valid' | number;
}

/**
 * Random conv2d problems over batch, height and width, channels, kernel height and width,
 * strides and padding, rarely square, so rows and columns cannot be confused (values drawn
 * inside `tidy`).
 */
export function randomConvCases(seed: number, count: number, sizes = { channels: [1, 3, 8], outChannels: [4, 16] }) {
  const rng = createRng(seed);
  const pick = <T>(options: T[]) => options[Math.floor(rng() * options.length)]!;
  return Array.from({ length: count }, () => {
    const [n, h, w, cin, cout] = [pick([1, 3]), pick([5, 8, 11]), pick([6, 9]), pick(sizes.channels), pick(sizes.outChannels)];
    // Square filters: tfjs-wasm's own forward conv2d is wrong for 'same' with a non-square one.
    const k = pick([1, 2, 3, 5]);
    const [kh, kw] = [k, k];
    const pad = pick(['same', 'valid', 1] as const);
    // tfjs-core sizes a numerically padded output with one stride for both axes (wasm then writes
    // past the output): keep the strides equal there.
    const stride: [number, number] = [pick([1, 2]), pick([1, 2])];
    if (pad === 1) stride[1] = stride[0];
    const x = Array.from({ length: n * h * w * cin }, () => rng() * 2 - 1);
    const filter = Array.from({ length: kh * kw * cin * cout }, () => rng() * 2 - 1);
    return {
      label: `n${n} ${h}×${w}×${cin} → ${cout}, k${kh}×${kw} s${stride.join('×')} pad ${pad}`,
      make: (): ConvCase => ({ x: tf.tensor4d(x, [n, h, w, cin]), w: tf.tensor4d(filter, [kh, kw, cin, cout]), stride, pad }),
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
  const optimizer = createOptimizer({ optimizer: 'sgd', lr: 0.05, momentum: 0.9 });
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
  disposeOptimizer(optimizer);
  model.dispose();
  return [Float32Array.from(losses), kernel];
}
