import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildModel, findFamily } from '../../electron/engine/models/registry';
import { DistillInputError } from '../../electron/engine/errors';
import { measureLatencyMs, medianOf } from '../../electron/engine/train/evaluate';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

const mnist = { inputShape: [28, 28, 1] as [number, number, number], classes: 10, seed: 1, dropout: 0 };

describe('model registry', () => {
  it('builds models with the known parameter counts', () => {
    const known: Record<string, number> = {
      'mlp-1200x2': 2_395_210, // 784·1200+1200 + 1200·1200+1200 + 1200·10+10
      'mlp-800x2': 1_276_810,
      'mlp-30x2': 24_790,
      'mlp-100x1': 79_510,
      lenet5: 61_706,
      // conv 3@5×5 (78), conv 8@5×5×3 (608), fc 200→60 (12,060), 60→42 (2,562), 42→10 (430)
      'lenet5@0.5': 15_738,
    };
    for (const [name, params] of Object.entries(known)) {
      const model = buildModel(name, mnist);
      assert.equal(model.countParams(), params, name);
      model.dispose();
    }
  });

  it('outputs one logit per class for a batch of images', () => {
    for (const name of ['mlp-30x2', 'lenet5']) {
      const model = buildModel(name, { ...mnist, classes: 7 });
      const y = model.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor;
      assert.deepEqual(y.shape, [3, 7], name);
      tf.dispose([y]);
      model.dispose();
    }
  });

  it('gives identical initial weights for the same seed and different ones otherwise', () => {
    const weights = (seed: number) => {
      const model = buildModel('mlp-30x2', { ...mnist, seed });
      const values = Array.from(model.getWeights()[0]!.dataSync());
      model.dispose();
      return values;
    };
    assert.deepEqual(weights(3), weights(3));
    assert.notDeepEqual(weights(3), weights(4));
  });

  it('adds dropout only when asked, and keeps inference deterministic', () => {
    const model = buildModel('mlp-30x2', { ...mnist, dropout: 0.5 });
    assert.equal(model.layers.filter((l) => l.getClassName() === 'Dropout').length, 3);
    const x = tf.ones([1, 28, 28, 1]);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (model.predict(x) as tf.Tensor).dataSync();
    assert.deepEqual(Array.from(a), Array.from(b));
    model.dispose();
  });

  it('rejects unknown names and out-of-range MLPs with an input error', () => {
    for (const name of ['resnet999', 'mlp-0x2', 'mlp-10x99', 'mlp-12']) {
      assert.equal(findFamily(name), null, name);
      assert.throws(() => buildModel(name, mnist), DistillInputError);
    }
  });
});

describe('latency per image', () => {
  it('is the median of its timings, so a few calls slowed by another process do not count', async () => {
    assert.equal(medianOf([5, 1, 3]), 3);
    assert.equal(medianOf([4, 1, 3, 2]), 2.5);
    let calls = 0;
    // A stand-in model whose 4th, 8th, 12th and 16th timed predictions wait 500 ms (after 3 warm-up calls).
    const model = { predict: () => ({ data: () => new Promise((done) => setTimeout(done, [7, 11, 15, 19].includes(++calls) ? 500 : 0)), dispose: () => {} }) };
    const ms = await measureLatencyMs(model as unknown as tf.LayersModel, [2, 2, 1], 21);
    assert.equal(calls, 24);
    assert.ok(ms < 50, `median ${ms} ms: the four slow calls (a mean of at least 95 ms) are not what it reports`);
  });
});
