import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { attentionMap, attentionTransferLoss } from '../../electron/engine/losses/attention';
import { adaptivePool, adaptivePoolWeights, applyAdaptivePool, disposeAdaptivePool } from '../../electron/engine/ops/adaptive-avg-pool';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

/** PyTorch's adaptive_avg_pool2d written out bin by bin, as an independent check of the matrix form. */
function naivePool(x: number[][][][], h: number, w: number): number[][][][] {
  const bins = (from: number, to: number) => Array.from({ length: to }, (_, j) => [Math.floor((j * from) / to), Math.ceil(((j + 1) * from) / to)] as const);
  return x.map((image) => {
    const [H, W, C] = [image.length, image[0]!.length, image[0]![0]!.length];
    return bins(H, h).map(([r0, r1]) =>
      bins(W, w).map(([c0, c1]) =>
        Array.from({ length: C }, (_, c) => {
          let sum = 0;
          for (let r = r0; r < r1; r++) for (let q = c0; q < c1; q++) sum += image[r]![q]![c]!;
          return sum / ((r1 - r0) * (c1 - c0));
        }),
      ),
    );
  });
}

describe('adaptive average pooling', () => {
  it("bins an axis as PyTorch does: [1, 2, 3, 4, 5] onto 3 is [1.5, 3, 4.5]", () => {
    const pool = adaptivePool([5, 1], [3, 1])!;
    const out = applyAdaptivePool(tf.tensor4d([1, 2, 3, 4, 5], [1, 5, 1, 1]), pool);
    assert.deepEqual(Array.from(out.dataSync()), [1.5, 3, 4.5]);
    // Every output cell's weights sum to 1.
    const weights = adaptivePoolWeights(14, 10);
    for (let j = 0; j < 10; j++) assert.ok(Math.abs(Array.from({ length: 14 }, (_, i) => weights[i * 10 + j]!).reduce((a, b) => a + b) - 1) < 1e-6);
    disposeAdaptivePool(pool);
  });

  it('matches the bin-by-bin average on a map that is neither square nor a whole multiple (14×9 onto 10×4)', () => {
    const x = tf.randomNormal([2, 14, 9, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const pool = adaptivePool([14, 9], [10, 4])!;
    const got = applyAdaptivePool(x, pool).arraySync();
    const want = naivePool(x.arraySync(), 10, 4);
    const worst = Math.max(...got.flat(3).map((v, i) => Math.abs(v - want.flat(3)[i]!)));
    assert.ok(worst < 1e-5, `differs by ${worst}`);
    disposeAdaptivePool(pool);
  });

  it('is average pooling where the ratio is whole (28×28 onto 14×14), and passes 1/4 of the gradient to each pixel', () => {
    const x = tf.randomNormal([2, 28, 28, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
    const pool = adaptivePool([28, 28], [14, 14])!;
    const worst = tf.max(tf.abs(tf.sub(applyAdaptivePool(x, pool), tf.avgPool(x, 2, 2, 'valid')))).dataSync()[0]!;
    assert.ok(worst < 1e-5, `differs by ${worst}`);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(applyAdaptivePool(t as tf.Tensor4D, pool)))(x);
    assert.ok(Array.from(grad.dataSync()).every((g) => Math.abs(g - 0.25) < 1e-6));
    assert.equal(adaptivePool([7, 7], [7, 7]), null, 'the same size needs no pooling');
    assert.throws(() => adaptivePool([7, 7], [14, 14]), /shrinks/);
    disposeAdaptivePool(pool);
  });

  it("compares attention maps at the smaller size: a teacher's map that is the student's enlarged twice has the student's attention", () => {
    const student = tf.randomNormal([2, 3, 5, 4], 0, 1, 'float32', 7) as tf.Tensor4D;
    // Every pixel repeated over a 2×2 block, with twice the channels (the same ones twice).
    const teacher = tf.concat([tf.image.resizeNearestNeighbor(student, [6, 10]), tf.image.resizeNearestNeighbor(student, [6, 10])], -1) as tf.Tensor4D;
    const pool = { student: null, teacher: adaptivePool([6, 10], [3, 5]) };
    assert.ok(attentionTransferLoss([student], [teacher], [pool]).dataSync()[0]! < 1e-10);
    // Pooling the energy, not the features: a map kept as √(channel mean of its squares) pools to the same attention.
    const kept = tf.sqrt(tf.mean(tf.square(teacher), -1, true)) as tf.Tensor4D;
    const worst = tf.max(tf.abs(tf.sub(attentionMap(kept, pool.teacher), attentionMap(teacher, pool.teacher)))).dataSync()[0]!;
    assert.ok(worst < 1e-6, `differs by ${worst}`);
    // Another teacher map is told apart.
    assert.ok(attentionTransferLoss([student], [tf.randomNormal([2, 6, 10, 8], 0, 1, 'float32', 8) as tf.Tensor4D], [pool]).dataSync()[0]! > 1e-4);
    disposeAdaptivePool(pool.teacher);
  });
});
