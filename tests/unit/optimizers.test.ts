import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { axpby } from '../../electron/engine/ops/axpby';
import { createRng } from '../../electron/engine/random';
import { createOptimizer, disposeOptimizer, isOptimizerOf, MomentumSgd, setLearningRate } from '../../electron/engine/train/optimizers';
import { useCpuBackend } from '../helpers/backend';
import { assertClose } from '../helpers/compare';

describe('momentum SGD with one axpby per update', () => {
  before(useCpuBackend);

  it('axpby computes a·x + b·y, as one kernel where one is registered and composed where shapes differ', async () => {
    const x = tf.tensor2d([[1, -2], [3, 0.5]]);
    const y = tf.tensor2d([[4, 1], [-1, 2]]);
    const info = await tf.profile(() => axpby(0.5, x, -2, y));
    assert.deepEqual(Array.from(await (info.result as tf.Tensor).data()), [0.5 * 1 - 8, -1 - 2, 1.5 + 2, 0.25 - 4]);
    assert.deepEqual(info.kernels.map((k) => k.name), ['DistillAxpby']);
    const broadcast = axpby(2, x, 1, tf.tensor1d([10, 20]));
    assert.deepEqual(Array.from(await broadcast.data()), [12, 16, 16, 21]);
    tf.dispose([x, y, info.result as tf.Tensor, broadcast]);
  });

  it("takes the same steps as tfjs's MomentumOptimizer, through a learning-rate change, with half the kernels", async () => {
    const rng = createRng(8);
    const start = Array.from({ length: 12 }, () => rng() * 2 - 1);
    const target = tf.tensor2d(Array.from({ length: 12 }, () => rng()), [3, 4]);
    const run = async (optimizer: tf.Optimizer) => {
      const w = tf.variable(tf.tensor2d(start, [3, 4]));
      const b = tf.variable(tf.zeros([4]));
      const loss = () => tf.mean(tf.square(tf.sub(tf.add(tf.mul(w, w), b), target))) as tf.Scalar;
      let kernels = 0;
      for (let step = 0; step < 5; step++) {
        if (step === 3) setLearningRate(optimizer, 0.02);
        const { grads, value } = tf.variableGrads(loss);
        const info = await tf.profile(() => {
          optimizer.applyGradients(grads);
          return tf.scalar(0);
        });
        kernels = info.kernels.filter((k) => k.name !== 'ZerosLike').length;
        tf.dispose([value, info.result as tf.Tensor, ...Object.values(grads)]);
      }
      const weights = [Float32Array.from(await w.data()), Float32Array.from(await b.data())];
      tf.dispose([w, b]);
      disposeOptimizer(optimizer);
      return { weights, kernels };
    };
    const stock = await run(tf.train.momentum(0.1, 0.9));
    const ours = await run(createOptimizer({ optimizer: 'sgd', lr: 0.1, momentum: 0.9 }));
    assertClose(stock.weights[0]!, ours.weights[0]!, 'w after five steps', 1e-6);
    assertClose(stock.weights[1]!, ours.weights[1]!, 'b after five steps', 1e-6);
    assert.equal(ours.kernels * 2, stock.kernels, `${ours.kernels} kernels against tfjs's ${stock.kernels}`);
    target.dispose();
  });

  it('sets Adam\'s learning rate too (tfjs answers instanceof SGDOptimizer for every optimizer)', () => {
    const adam = createOptimizer({ optimizer: 'adam', lr: 0.001, momentum: 0.9 });
    assert.ok(adam instanceof tf.SGDOptimizer, 'tfjs\'s instanceof cannot tell optimizers apart');
    assert.ok(!isOptimizerOf(adam, tf.SGDOptimizer) && isOptimizerOf(adam, tf.AdamOptimizer));
    setLearningRate(adam, 0.0005);
    assert.equal((adam as unknown as { learningRate: number }).learningRate, 0.0005);
    const sgd = createOptimizer({ optimizer: 'sgd', lr: 0.1, momentum: 0.9 });
    assert.ok(isOptimizerOf(sgd, tf.SGDOptimizer) && isOptimizerOf(sgd, MomentumSgd));
    disposeOptimizer(adam);
    disposeOptimizer(sgd);
  });

  it('axpby takes its b factor times a one-element tensor (a learning rate as data), on every path', async () => {
    const x = tf.tensor1d([1, -2, 3]);
    const y = tf.tensor1d([4, 1, -1]);
    const s = tf.tensor1d([0.25]);
    const fused = axpby(0.5, x, -2, y, s);
    const composed = axpby(1, tf.tensor2d([[1, -2, 3]]), -2, y, s);
    assert.deepEqual(Array.from(await fused.data()), [0.5 - 2, -1 - 0.5, 1.5 + 0.5]);
    assert.deepEqual(Array.from(await composed.data()), [1 - 2, -2 - 0.5, 3 + 0.5]);
    tf.dispose([x, y, s, fused, composed]);
  });
});
