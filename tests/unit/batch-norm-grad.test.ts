import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'node:test';
import { installBatchNormGradient } from '../../electron/engine/backend/kernels/batch-norm-grad';
import { createRng } from '../../electron/engine/random';
import { assertClose } from '../helpers/compare';

describe('batch-norm gradient without the Tile', () => {
  it("gives tfjs's own gradients for x, mean, variance, scale and offset (4-D and 2-D inputs)", async () => {
    await tf.setBackend('cpu');
    const rng = createRng(4);
    const cases = [[3, 5, 4, 6], [7, 6]].map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const channels = shape.at(-1)!;
      const v = (n: number, lo = -1) => Array.from({ length: n }, () => lo + rng() * 2);
      return { shape, x: v(size), dy: v(size), mean: v(channels), variance: v(channels, 0.5), scale: v(channels), offset: v(channels) };
    });
    const gradients = () =>
      cases.map(({ shape, x, dy, mean, variance, scale, offset }) =>
        tf.tidy(() => {
          const inputs = [tf.tensor(x, shape), tf.tensor1d(mean), tf.tensor1d(variance), tf.tensor1d(scale), tf.tensor1d(offset)];
          const f = (a: tf.Tensor, m: tf.Tensor, s2: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(tf.batchNorm(a, m as tf.Tensor1D, s2 as tf.Tensor1D, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3), tf.tensor(dy, shape)));
          return tf.grads(f)(inputs).map((g) => g.dataSync() as Float32Array);
        }),
      );
    const stock = gradients();
    installBatchNormGradient();
    const ours = gradients();
    stock.forEach((grads, c) => grads.forEach((g, i) => assertClose(g, ours[c]![i]!, `case ${c} d/d${['x', 'mean', 'variance', 'scale', 'offset'][i]}`, 1e-6)));
  });
});
