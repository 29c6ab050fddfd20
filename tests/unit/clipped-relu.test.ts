import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { reluLayer } from '../../electron/engine/models/clipped-relu';
import { createRng } from '../../electron/engine/random';
import { useCpuBackend } from '../helpers/backend';

type Layer = ReturnType<typeof tf.layers.reLU>;

/** Output and input gradient of a layer for a weighted sum, and the kernels the gradient ran. */
async function outputAndGradient(layer: Layer, x: number[], w: number[]) {
  const xt = tf.tensor1d(x);
  const wt = tf.tensor1d(w);
  const y = layer.apply(xt) as tf.Tensor;
  const info = await tf.profile(() => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a) as tf.Tensor, wt)))(xt));
  // + 0 turns −0 into 0: dy·0 keeps dy's sign where tfjs selects a zero.
  const result = { y: Array.from(await y.data(), (v) => v + 0), dx: Array.from(await (info.result as tf.Tensor).data(), (v) => v + 0), kernels: info.kernels.filter((k) => tf.getKernel(k.name, 'cpu')).length };
  tf.dispose([xt, wt, y, info.result as tf.Tensor]);
  return result;
}

describe('ReLU with a maximum (ReLU6), gradient as a difference of steps', () => {
  before(useCpuBackend);

  it("gives tfjs-layers' output and gradient, at 0 and at the maximum exactly too, in fewer kernels", async () => {
    const rng = createRng(17);
    const x = [-1, 0, 1e-7, 3, 6, 6.000001, 7, ...Array.from({ length: 40 }, () => rng() * 10 - 2)];
    const w = x.map(() => rng() * 2 - 1);
    for (const maxValue of [6, 1.5]) {
      const stock = await outputAndGradient(tf.layers.reLU({ maxValue }), x, w);
      const ours = await outputAndGradient(reluLayer({ maxValue }), x, w);
      assert.deepEqual(ours.y, stock.y, `max ${maxValue}: output`);
      assert.deepEqual(ours.dx, stock.dx, `max ${maxValue}: gradient`);
      assert.ok(ours.kernels < stock.kernels, `max ${maxValue}: ${ours.kernels} kernels against tfjs-layers' ${stock.kernels}`);
    }
    const plain = await outputAndGradient(reluLayer({}), x, w);
    assert.deepEqual(plain.y, x.map((v) => Math.fround(Math.max(v, 0))), 'no maximum: a plain ReLU');
  });

  it('keeps the class name ReLU and its configuration, so a saved model loads in plain TensorFlow.js', () => {
    const layer = reluLayer({ maxValue: 6, name: 'relu6' });
    assert.equal(layer.getClassName(), 'ReLU');
    assert.deepEqual(tf.layers.reLU(layer.getConfig()).getConfig(), layer.getConfig());
  });
});
