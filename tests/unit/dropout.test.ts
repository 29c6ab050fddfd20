import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildModel } from '../../electron/engine/models/registry';
import { dropout } from '../../electron/engine/models/dropout';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

const maskOf = (layer: tf.layers.Layer) => tf.tidy(() => Array.from((layer.apply(tf.ones([4, 64]), { training: true }) as tf.Tensor).dataSync()).map((v) => (v === 0 ? 0 : 1)).join(''));

describe('dropout', () => {
  it('draws a new mask at every training call, the same sequence for the same seed, and passes inputs through at inference', () => {
    const layer = dropout({ rate: 0.5, seed: 11 });
    const masks = [maskOf(layer), maskOf(layer), maskOf(layer)];
    assert.equal(new Set(masks).size, 3, 'each step drops other units (tfjs-layers\' own Dropout repeats one mask when seeded)');
    const again = dropout({ rate: 0.5, seed: 11 });
    assert.deepEqual([maskOf(again), maskOf(again), maskOf(again)], masks, 'a seeded run is reproducible');
    const dropped = masks.join('').split('').filter((bit) => bit === '0').length / (3 * 256);
    assert.ok(dropped > 0.4 && dropped < 0.6, `about half the units dropped (${dropped})`);
    const x = tf.ones([2, 64]);
    assert.deepEqual(Array.from((layer.apply(x) as tf.Tensor).dataSync()), Array.from(x.dataSync()));
    assert.equal(layer.getClassName(), 'Dropout', 'saved models keep the stock class name');
  });

  it('the MLP teacher of hinton-mnist trains with changing masks', () => {
    const model = buildModel('mlp-64x1', { inputShape: [4, 4, 1], classes: 10, seed: 2, dropout: 0.5 });
    const x = tf.ones([8, 4, 4, 1]);
    const outputs = [0, 1].map(() => tf.tidy(() => Array.from((model.apply(x, { training: true }) as tf.Tensor).dataSync())));
    assert.notDeepEqual(outputs[0], outputs[1]);
    model.dispose();
  });
});
