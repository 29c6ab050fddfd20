import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { batchNormalization } from '../../electron/engine/models/batch-norm';
import { createRng } from '../../electron/engine/random';
import { assertClose } from '../helpers/compare';
import { useCpuBackend } from '../helpers/backend';

type Layer = ReturnType<typeof tf.layers.batchNormalization>;

/** One training-mode call: y, the gradients for x, γ and β, and the moving statistics afterwards. */
function trainingCall(layer: Layer, x: number[], w: number[], shape: number[]) {
  return tf.tidy(() => {
    const input = tf.variable(tf.tensor(x, shape));
    let y: tf.Tensor | undefined;
    const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => {
      y = tf.keep(layer.apply(input, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(y, tf.tensor(w, shape)));
    }, [input, gamma!, beta!]);
    const [movingMean, movingVariance] = layer.getWeights().slice(2);
    const out = [y!, grads[input.name]!, grads[gamma!.name]!, grads[beta!.name]!, movingMean!, movingVariance!, layer.apply(input, { training: false }) as tf.Tensor];
    return out.map((t) => t.dataSync() as Float32Array);
  });
}

function countKernels(layer: Layer, shape: number[]): Promise<number> {
  const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  const x = tf.variable(tf.randomNormal(shape));
  return tf
    .profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor), [x, gamma!, beta!]);
      tf.dispose(Object.values(grads));
      return value;
    })
    .then((info) => {
      tf.dispose([info.result as tf.Tensor, x]);
      // Identity and Reshape move no data; scopes (a custom gradient's) are not kernels.
      return info.kernels.filter((k) => !['Identity', 'Reshape'].includes(k.name) && tf.getKernel(k.name, 'cpu') !== undefined).length;
    });
}

describe('batch normalization in training with a written-out gradient', () => {
  before(useCpuBackend);

  it("matches tfjs-layers' BatchNormalization: output, gradients for x, γ and β, moving statistics (4-D and 2-D)", () => {
    const rng = createRng(11);
    for (const shape of [[3, 5, 4, 6], [9, 7]]) {
      const channels = shape.at(-1)!;
      const size = shape.reduce((a, b) => a * b, 1);
      // An offset and scale per channel, so the statistics are far from 0 and 1.
      const x = Array.from({ length: size }, (_, i) => 3 * (i % channels) - 4 + (1 + (i % channels)) * (rng() * 2 - 1));
      const w = Array.from({ length: size }, () => rng() * 2 - 1);
      const weights = [0, 1, 2, 3].map((k) => tf.tensor1d(Array.from({ length: channels }, () => (k === 3 ? 0.5 + rng() : rng() * 2 - 1))));
      const [stock, ours] = [tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }), batchNormalization({ momentum: 0.9, epsilon: 1e-5 })].map((layer) => {
        layer.apply(tf.zeros(shape));
        layer.setWeights(weights);
        return trainingCall(layer, x, w, shape);
      });
      tf.dispose(weights);
      ['y', 'd/dx', 'd/dγ', 'd/dβ', 'moving mean', 'moving variance', 'inference output'].forEach((part, i) => assertClose(stock![i]!, ours![i]!, `${shape.join('×')} ${part}`, 1e-5));
    }
  });

  it('runs far fewer kernels per training step than autodiff through tf.moments', async () => {
    const shape = [2, 4, 4, 8];
    const counts: number[] = [];
    // One at a time: tfjs keeps a single active profile.
    for (const layer of [tf.layers.batchNormalization({ momentum: 0.9 }), batchNormalization({ momentum: 0.9 })]) {
      layer.apply(tf.zeros(shape));
      counts.push(await countKernels(layer, shape));
    }
    const [stock, ours] = counts;
    assert.ok(ours! <= stock! * 0.5, `${ours} kernels against tfjs-layers' ${stock}`);
  });

  it('keeps the class name BatchNormalization, so a saved model loads in plain TensorFlow.js', () => {
    const layer = batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: 'bn' });
    assert.equal(layer.getClassName(), 'BatchNormalization');
    assert.deepEqual(tf.layers.batchNormalization(layer.getConfig()).getConfig(), layer.getConfig());
  });
});
