import * as tf from '@tensorflow/tfjs';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../electron/engine/backend/select';
import { initFromTeacher } from '../../electron/engine/methods/init-from-teacher';
import { buildModel } from '../../electron/engine/models/registry';
import { createRng } from '../../electron/engine/random';
import { assertClose, convWithGradients, onBackends, randomConvCases, twoTrainingSteps } from '../helpers/compare';

/**
 * The kernels this project registers for tfjs-backend-wasm (convolution gradients as forward
 * convolutions, untransposed matrix products, depthwise gradients, batch norm) against the pure-JavaScript `cpu` backend.
 */
const BACKENDS = ['cpu', 'wasm'];

describe('wasm kernels match the cpu backend', () => {
  before(async () => {
    await selectBackend('cpu');
    await selectBackend('wasm');
  });

  it('conv2d gradients (both as XNNPACK forward convolutions) on random shapes, strides and paddings', async () => {
    for (const { label, make } of randomConvCases(11, 24)) {
      const r = await onBackends(BACKENDS, () => convWithGradients(make()));
      ['forward', 'd/dinput', 'd/dfilter'].forEach((part, i) => assertClose(r.cpu![i]!, r.wasm![i]!, `${label} ${part}`, 1e-4));
    }
  });

  it('1×1 convolution gradients (pointwise layers as one matrix product; strided projections)', async () => {
    const rng = createRng(31);
    for (const [n, h, w, cin, cout, stride, pad] of [[2, 6, 5, 8, 12, 1, 'same'], [3, 4, 7, 5, 3, 1, 'valid'], [2, 7, 6, 4, 6, 2, 'same']] as const) {
      const x = Array.from({ length: n * h * w * cin }, () => rng() * 2 - 1);
      const filter = Array.from({ length: cin * cout }, () => rng() * 2 - 1);
      const r = await onBackends(BACKENDS, () => convWithGradients({ x: tf.tensor4d(x, [n, h, w, cin]), w: tf.tensor4d(filter, [1, 1, cin, cout]), stride, pad }));
      ['forward', 'd/dinput', 'd/dfilter'].forEach((part, i) => assertClose(r.cpu![i]!, r.wasm![i]!, `n${n} ${h}×${w}×${cin} → ${cout} s${stride} ${pad} ${part}`, 1e-4));
    }
  });

  it('depthwise conv2d gradients (channel multiplier 1 and 2, strides 1 and 2 per axis, same and valid, non-square)', async () => {
    const rng = createRng(21);
    for (const [n, h, w, channels, multiplier, k, stride, pad] of [
      [2, 7, 5, 3, 1, 3, [1, 1], 'same'], [1, 8, 6, 4, 2, 3, [2, 2], 'same'], [3, 9, 7, 2, 1, 5, [2, 1], 'valid'], [1, 6, 9, 5, 2, 1, [1, 1], 'valid'],
      [4, 4, 6, 96, 1, 3, [2, 2], 'same'], [2, 8, 5, 6, 1, 3, [1, 2], 'same'], [2, 6, 8, 4, 1, 2, [2, 2], 'same'],
    ] as const) {
      const x = Array.from({ length: n * h * w * channels }, () => rng() * 2 - 1);
      const filter = Array.from({ length: k * k * channels * multiplier }, () => rng() * 2 - 1);
      const r = await onBackends(BACKENDS, () => {
        const xt = tf.tensor4d(x, [n, h, w, channels]);
        const wt = tf.tensor4d(filter, [k, k, channels, multiplier]);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, [...stride], pad)));
        const [dx, dw] = tf.grads(f)([xt, wt]);
        return [dx!, dw!];
      });
      const label = `n${n} ${h}×${w}×${channels}×${multiplier} k${k} s${stride.join('×')} ${pad}`;
      ['d/dinput', 'd/dfilter'].forEach((part, i) => assertClose(r.cpu![i]!, r.wasm![i]!, `${label} ${part}`, 1e-4));
    }
  });

  it('matrix products with every transpose combination, batched and broadcast, and a dense layer gradient', async () => {
    const rng = createRng(8);
    const values = (size: number) => Array.from({ length: size }, () => rng() * 2 - 1);
    const a = values(2 * 5 * 7);
    const b = values(3 * 7 * 5);
    const biasValues = values(5);
    const r = await onBackends(BACKENDS, () => {
      const a2 = tf.tensor2d(a.slice(0, 35), [5, 7]);
      const b2 = tf.tensor2d(b.slice(0, 35), [7, 5]);
      const a3 = tf.tensor3d(a, [2, 5, 7]);
      const b3 = tf.tensor3d(b.slice(0, 35), [1, 7, 5]);
      const bias = tf.tensor1d(biasValues);
      const dense = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias, activation: 'relu' }));
      const [dx, dw] = tf.grads(dense)([a2, b2]);
      return [
        tf.matMul(a2, b2), tf.matMul(a2, a2, true, false), tf.matMul(a2, a2, false, true), tf.matMul(b2, a2, true, true),
        tf.matMul(a3, b3), tf.matMul(a3, a3, true, false), tf.matMul(b3, b3, false, true), dx!, dw!,
      ];
    });
    ['a·b', 'aᵀ·a', 'a·aᵀ', 'bᵀ·aᵀ', 'batched a·b (broadcast)', 'batched aᵀ·a', 'batched b·bᵀ', 'dense d/dx', 'dense d/dW'].forEach((part, i) =>
      assertClose(r.cpu![i]!, r.wasm![i]!, part, 1e-5),
    );
  });

  it('batch norm as one XNNPACK pass: 4-D and 2-D, with and without scale and offset, a large mean, broadcast and full-shape statistics', async () => {
    const rng = createRng(21);
    const v = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + rng() * (hi - lo));
    const cases = [
      { shape: [3, 5, 4, 6], mean: 0, std: 1 },
      { shape: [9, 7], mean: 0, std: 1 },
      // Far from zero mean: x·s + (β − μ·s) must not lose what (x − μ)·s keeps.
      { shape: [4, 3, 3, 5], mean: 50, std: 1 },
    ];
    for (const { shape, mean, std } of cases) {
      const channels = shape.at(-1)!;
      const x = v(shape.reduce((a, b) => a * b, 1), mean - 3 * std, mean + 3 * std);
      const stats = [v(channels, mean - std, mean + std), v(channels, 0.5 * std ** 2, 2 * std ** 2), v(channels, -1, 1), v(channels, 0.5, 2)];
      const r = await onBackends(BACKENDS, () => {
        const xt = tf.tensor(x, shape);
        const [m, variance, offset, scale] = stats.map((s) => tf.tensor1d(s));
        const broadcast = (t: tf.Tensor) => t.reshape([...shape.slice(0, -1).map(() => 1), channels]);
        return [
          tf.batchNorm(xt, m!, variance!, offset, scale, 1e-5),
          tf.batchNorm(xt, m!, variance!, undefined, undefined, 1e-3),
          tf.batchNorm(xt, broadcast(m!), broadcast(variance!), broadcast(offset!), broadcast(scale!), 1e-5),
          // Statistics of x's full shape are not per channel: tfjs-wasm's own kernel computes it.
          tf.batchNorm(xt, tf.mul(xt, 0.5), tf.add(tf.abs(xt), 0.5), undefined, undefined, 1e-5),
        ];
      });
      ['scale and offset', 'neither', 'broadcast statistics', 'full-shape statistics'].forEach((part, i) => assertClose(r.cpu![i]!, r.wasm![i]!, `${shape.join('×')} (mean ${mean}) ${part}`, 1e-5));
    }
  });

  it('max-pool gradient: ties (ReLU zeros), overlapping windows, same and valid padding, strides per axis, odd sizes', async () => {
    const rng = createRng(41);
    for (const [n, h, w, c, filter, stride, pad] of [
      [2, 8, 8, 3, 2, 2, 'valid'], [3, 7, 9, 5, 2, 2, 'same'], [2, 9, 7, 4, 3, 2, 'same'], [1, 6, 6, 2, 3, 1, 'valid'], [2, 5, 8, 6, [2, 3], [1, 2], 'same'], [4, 28, 28, 6, 2, 2, 'valid'],
      // Windows apart, with gaps between them and rows the last window leaves out.
      [2, 8, 11, 3, 2, 3, 'valid'], [1, 9, 9, 4, 3, 3, 'valid'],
    ] as const) {
      // Half the inputs are ReLU zeros, so many windows hold ties: the first one takes the gradient.
      const x = Array.from({ length: n * h * w * c }, () => Math.max(0, rng() * 2 - 1));
      const r = await onBackends(BACKENDS, () => {
        const xt = tf.tensor4d(x, [n, h, w, c]);
        const pooled = tf.maxPool(xt, filter as [number, number], stride as [number, number], pad);
        const weights = tf.tensor(Array.from({ length: pooled.size }, (_, i) => ((i * 7) % 13) - 6), pooled.shape);
        const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, filter as [number, number], stride as [number, number], pad), weights)))(xt);
        return [pooled, dx];
      });
      const label = `${n}×${h}×${w}×${c} pool ${filter} stride ${stride} ${pad}`;
      assertClose(r.cpu![0]!, r.wasm![0]!, `${label} forward`, 0);
      assertClose(r.cpu![1]!, r.wasm![1]!, `${label} gradient`, 0);
    }
  });

  it('max-pool gradient where a window holds NaN or −∞ (neither ever wins; a window of them passes nothing)', async () => {
    const rng = createRng(43);
    for (const [filter, stride] of [[2, 2], [3, 3], [2, 1]] as const) {
      const [n, h, w, c] = [2, 6, 6, 3];
      const x = Array.from({ length: n * h * w * c }, (_, i) => (i % 11 === 0 ? Number.NaN : i % 7 === 0 ? Number.NEGATIVE_INFINITY : Math.max(0, rng() * 2 - 1)));
      // A whole first window of −∞ in the first image, and one of NaN in the second.
      for (const [image, value] of [[0, Number.NEGATIVE_INFINITY], [1, Number.NaN]] as const) {
        for (let i = 0; i < filter; i++) for (let j = 0; j < filter; j++) for (let d = 0; d < c; d++) x[((image * h + i) * w + j) * c + d] = value;
      }
      const r = await onBackends(BACKENDS, () => {
        const xt = tf.tensor4d(x, [n, h, w, c]);
        const outShape = tf.maxPool(xt, filter, stride, 'valid').shape;
        const weights = tf.tensor(Array.from({ length: tf.util.sizeFromShape(outShape) }, (_, i) => (i % 5) + 1), outShape);
        return [tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, filter, stride, 'valid'), weights)))(xt)];
      });
      assertClose(r.cpu![0]!, r.wasm![0]!, `pool ${filter} stride ${stride} with NaN and −∞, gradient`, 0);
    }
  });

  it('slices as memmoves in the heap: ranks 1–5, float32, int32 and bool, whole trailing axes, windows, empty', async () => {
    const rng = createRng(51);
    const cases: Array<[number[], number[], number[]]> = [
      [[10], [3], [5]], [[4, 6], [1, 2], [2, 3]], [[4, 6], [1, 0], [2, 6]], [[3, 5, 7], [0, 1, 2], [3, 3, 4]],
      [[2, 9, 8, 5], [0, 1, 1, 0], [2, 7, 6, 5]], [[2, 9, 8, 5], [1, 0, 0, 0], [1, 9, 8, 5]], [[2, 9, 8, 5], [0, 2, 3, 1], [2, 3, 4, 3]],
      [[2, 3, 4, 5, 6], [1, 1, 0, 2, 0], [1, 2, 4, 3, 6]], [[4, 6], [2, 3], [0, 3]],
    ];
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (const [shape, begin, size] of cases) {
        const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (dtype === 'bool' ? Number(rng() > 0.5) : Math.round(rng() * 2000 - 1000) / (dtype === 'float32' ? 7 : 1)));
        const r = await onBackends(BACKENDS, () => [tf.slice(tf.tensor(values, shape, dtype), begin, size)]);
        assertClose(r.cpu![0]!, r.wasm![0]!, `${dtype} ${shape.join('×')} from ${begin.join(',')} size ${size.join('×')}`, 0);
      }
    }
  });

  it('a student selected from its teacher (weight selection, a gathered convolution bias) predicts as on cpu', async () => {
    const options = { inputShape: [16, 16, 1] as [number, number, number], classes: 10, dropout: 0, seed: 1 };
    const r = await onBackends(BACKENDS, () => {
      const [teacher, student] = [buildModel('vgg11@0.25', { ...options, seed: 5 }), buildModel('vgg11@0.125', options)];
      initFromTeacher(student, teacher);
      const logits = student.predict(tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 3)) as tf.Tensor;
      teacher.dispose();
      student.dispose();
      return [logits];
    });
    assertClose(r.cpu![0]!, r.wasm![0]!, 'logits', 1e-4);
  });

  // Whole training steps. (MobileNetV2 at width 0.25 on tiny inputs is left out: its batch norms over
  // 2×2 maps amplify float rounding until any two backends, webgpu included, drift apart by 1–3 %.)
  for (const [model, shape] of [['lenet5', [28, 28, 1]], ['resnet20@0.25', [16, 16, 3]], ['mlp-64x2', [8, 8, 1]]] as const) {
    it(`two ${model} training steps give the same losses and weights on both backends`, async () => {
      const results: Record<string, Float32Array[]> = {};
      for (const backend of BACKENDS) {
        await tf.setBackend(backend);
        results[backend] = await twoTrainingSteps(model, [...shape]);
      }
      assertClose(results.cpu![0]!, results.wasm![0]!, 'losses', 1e-4);
      assertClose(results.cpu![1]!, results.wasm![1]!, 'first kernel after two steps', 1e-4);
    });
  }
});
