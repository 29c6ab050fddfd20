import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildModel, findFamily } from '../../electron/engine/models/registry';
import { DistillInputError } from '../../electron/engine/errors';
import { measureLatencyMs, medianOf, quantileOf } from '../../electron/engine/train/evaluate';
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
  it('reads the lower quartile of timings spread over a quarter second, so a stretch slowed by another process does not count', async () => {
    assert.equal(medianOf([5, 1, 3]), 3);
    assert.equal(medianOf([4, 1, 3, 2]), 2.5);
    assert.equal(quantileOf([40, 10, 30, 20], 0.25), 10);
    assert.equal(quantileOf([5, 1, 3, 2, 4, 6, 7, 8], 0.25), 2);
    let calls = 0;
    // A stand-in model busy for 15 ms on its first 12 timed predictions (after 3 warm-up calls), as
    // when the CPU is taken for a while: more than half of the first 21 timings, so a median of
    // those would report the slow stretch.
    const model = { predict: () => ({ data: () => new Promise((done) => setTimeout(done, ++calls > 3 && calls <= 15 ? 15 : 0)), dispose: () => {} }) };
    const started = performance.now();
    const ms = await measureLatencyMs(model as unknown as tf.LayersModel, [2, 2, 1]);
    assert.ok(performance.now() - started >= 250, 'timings are spread over at least 250 ms');
    assert.ok(calls > 3 + 21, `it kept timing after the slow stretch (${calls} calls)`);
    assert.ok(ms < 10, `lower quartile ${ms} ms: the slow stretch (15 ms a call) is not what it reports`);
  });
});
