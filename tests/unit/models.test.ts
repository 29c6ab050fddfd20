import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildModel, describeModel, findFamily, listModels } from '../../electron/engine/models/registry';
import { DistillInputError } from '../../electron/engine/errors';
import { externalTeacherLatencyMs, type ExternalTeacher } from '../../electron/engine/runs/external-teacher';
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

describe('model scale', () => {
  const big = { ...mnist, inputShape: [512, 512, 3] as [number, number, number] };

  it('refuses a model past 200 million parameters before building it', () => {
    const started = performance.now();
    const tensorsBefore = tf.memory().numTensors;
    // 786,432·8192 + 15 layers of 8192² ≈ 7,449 million: building it would allocate 30 GB.
    assert.throws(() => buildModel('mlp-8192x16', big), (error: Error) => error instanceof DistillInputError && /model "mlp-8192x16" would have about 7,449 million parameters on 512×512×3 images; the app builds models of up to 200 million/.test(error.message));
    // A convnet at width 4 is bounded by 16 times its width-1 count: resnet34 has 21.3 million.
    assert.throws(() => buildModel('resnet34@4', { ...mnist, inputShape: [32, 32, 3] }), /model "resnet34@4" would have about 341 million parameters/);
    assert.ok(performance.now() - started < 20_000, 'nothing that large was built');
    assert.equal(tf.memory().numTensors, tensorsBefore, 'the width-1 model counted is disposed');
    const wide = buildModel('resnet20@4', { ...mnist, inputShape: [32, 32, 3] });
    assert.ok(wide.countParams() > 4e6);
    wide.dispose();
  });

  it('lists the catalogue that fits the images, then the names typed', () => {
    const names = (models: Array<{ name: string }>) => models.map((m) => m.name);
    const onBig = names(listModels([256, 256, 3], 10));
    // On 256-pixel colour images mlp-1200x2 would take 236 million parameters, mlp-800x2 157 million.
    assert.ok(!onBig.includes('mlp-1200x2'), onBig.join(', '));
    assert.ok(onBig.includes('mlp-800x2') && onBig.includes('resnet20'));
    const withTyped = listModels(mnist.inputShape, 10, ['resnet20@0.25', 'mlp-100x2', 'mlp-30x2', 'mlp-100x2']);
    assert.deepEqual(names(withTyped).slice(-2), ['resnet20@0.25', 'mlp-100x2']);
    assert.equal(withTyped.find((m) => m.name === 'mlp-100x2')!.params, 784 * 100 + 100 + 100 * 100 + 100 + 100 * 10 + 10);
    assert.throws(() => listModels(mnist.inputShape, 10, ['resnet999']), /unknown model "resnet999"/);
    assert.throws(() => listModels(big.inputShape, 10, ['mlp-4096x2']), /model "mlp-4096x2" would have about 3,238 million parameters/);
    // Tiny images (a pixel CSV of 3×3): the convnets whose layers would shrink them below a pixel are left out, not an error.
    const onTiny = names(listModels([3, 3, 1], 2));
    assert.ok(onTiny.includes('mlp-30x2') && !onTiny.includes('lenet5'), onTiny.join(', '));
    assert.throws(() => buildModel('lenet5', { ...mnist, inputShape: [3, 3, 1] }), (e: Error) => e instanceof DistillInputError && /^lenet5 cannot take 3×3 images: its convolutions and pooling shrink them below one pixel \(use an MLP/.test(e.message));
  });

  it('measures a size once per name, image shape and class count (the pickers list them at every dataset)', () => {
    // Tensors take ids from one counter: building a model makes its weights, reading a size makes none.
    const nextTensorId = () => tf.tidy(() => tf.scalar(0).id);
    const tensorsMadeBy = (classes: number) => {
      const before = nextTensorId();
      describeModel('lenet5', [20, 20, 1], classes);
      return nextTensorId() - before - 1;
    };
    assert.ok(tensorsMadeBy(7) > 0, 'the first time builds the model');
    assert.equal(tensorsMadeBy(7), 0, 'the second time builds nothing');
    assert.ok(tensorsMadeBy(8) > 0, 'another class count is another size');
    const info = describeModel('lenet5', [20, 20, 1], 7);
    info.params = -1;
    assert.ok(describeModel('lenet5', [20, 20, 1], 7).params > 0, 'a caller cannot change what is remembered');
  });
});

describe('latency per image', () => {
  it('reads the fastest of timings spread over a quarter second, so calls slowed by another process do not count', async () => {
    assert.equal(medianOf([5, 1, 3]), 3);
    assert.equal(medianOf([4, 1, 3, 2]), 2.5);
    let calls = 0;
    // A stand-in model slowed (8 ms) on four timed predictions in five, as when another process
    // holds a core most of the time: the lower quartile, and the median, would both report 8 ms.
    const model = { predict: () => ({ data: () => new Promise((done) => setTimeout(done, ++calls > 3 && calls % 5 !== 0 ? 8 : 0)), dispose: () => {} }) };
    const started = performance.now();
    const ms = await measureLatencyMs(model as unknown as tf.LayersModel, [2, 2, 1], { minRuns: 21 });
    assert.ok(performance.now() - started >= 250, 'timings are spread over at least 250 ms');
    assert.ok(calls >= 3 + 21, `at least 21 timings (${calls - 3})`);
    assert.ok(ms < 5, `fastest ${ms} ms: the slowed calls (8 ms) are not what it reports`);
    // A model slow on every call is reported slow, and the timing stops after maxMs.
    const slow = { predict: () => ({ data: () => new Promise((done) => setTimeout(done, 30)), dispose: () => {} }) };
    const slowStarted = performance.now();
    const slowMs = await measureLatencyMs(slow as unknown as tf.LayersModel, [2, 2, 1], { minRuns: 1000, maxMs: 400 });
    assert.ok(slowMs >= 29, `a 30 ms model reads ${slowMs} ms`);
    assert.ok(performance.now() - slowStarted < 1000, 'it stops after maxMs even short of minRuns');
  });

  it('times an imported teacher one image at a time in its own runtime, as the students are timed', async () => {
    // A stand-in runtime that takes 3 ms a call whatever the batch: a per-image share of a
    // 256-image batch would read about 0.01 ms.
    const batches: number[] = [];
    const teacher = {
      name: 'stand-in.onnx',
      run: async (x: tf.Tensor4D) => {
        batches.push(x.shape[0]);
        const until = performance.now() + 3;
        while (performance.now() < until);
        return new Float32Array(10 * x.shape[0]);
      },
    } as unknown as ExternalTeacher;
    const sample = { count: 2, images: new Uint8Array(2 * 4), labels: Uint8Array.of(0, 1) };
    const declared = { teacherInputRange: '0-1', teacherNormalization: 'none', teacherMeanStd: null, teacherResize: false } as const;
    const ms = await externalTeacherLatencyMs(teacher, sample, [2, 2, 1], declared, { target: [2, 2, 1], mapping: { columns: [0, 1], byName: false, teacherNames: null } });
    assert.ok(ms >= 3, `a 3 ms teacher reads ${ms} ms`);
    assert.ok(batches.length >= 3 + 21 && batches.every((n) => n === 1), `one image a call (${batches.length} calls)`);
  });
});
