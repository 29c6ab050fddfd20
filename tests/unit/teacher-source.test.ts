import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { DatasetSplit, ImageDataset } from '../../electron/engine/data/dataset';
import { buildModel } from '../../electron/engine/models/registry';
import type { PhaseContext } from '../../electron/engine/runs/phases';
import { forwardWithFeatures, teacherSource } from '../../electron/engine/runs/teacher-source';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

const shape: [number, number, number] = [6, 6, 1];
const count = 300;
const split: DatasetSplit = { count, images: Uint8Array.from({ length: count * 36 }, (_, i) => (i * 37 + (i >> 5)) % 256), labels: Uint8Array.from({ length: count }, (_, i) => i % 3) };
const dataset: ImageDataset = { name: 'tiny', format: 'test', shape, classNames: ['a', 'b', 'c'], train: split, test: split };
const contextFor = (overrides: Partial<PhaseContext['config']> = {}) => ({ config: { ...presetConfig('quick'), ...overrides }, dataset }) as unknown as PhaseContext;
const maxDifference = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

describe("the run's own teacher as a source of outputs", () => {
  it('computes the vectors its methods read once over the training split, and gives what a forward pass gives', async () => {
    const teacher = buildModel('mlp-16x2', { inputShape: shape, classes: 3, seed: 3, dropout: 0 });
    const ctx = contextFor();
    const source = teacherSource(ctx, teacher, ['dense_2']);
    assert.deepEqual([...ctx.teacherFeatures!.keys()], ['dense_2']);
    assert.deepEqual(ctx.teacherFeatures!.get('dense_2')!.shape, [count, 16]);
    assert.deepEqual(ctx.teacherLogits!.shape, [count, 3]);
    // Images 5, 290 and 17 of the split, looked up by index, against the teacher run on them.
    const indices = Int32Array.of(5, 290, 17);
    const x = tf.tidy(() => tf.div(tf.tensor4d(Array.from(indices).flatMap((i) => Array.from(split.images.subarray(i * 36, (i + 1) * 36))), [3, ...shape]), 255)) as tf.Tensor4D;
    const looked = await source.outputsFor(x, indices);
    const run = forwardWithFeatures(teacher, ['dense_2'])(x, false);
    assert.ok(maxDifference(looked.features[0]!, run.features[0]!) < 1e-5, 'the same embedding');
    assert.ok(maxDifference(looked.logits, run.logits) < 1e-5, 'the same logits');
    assert.ok(tf.max(tf.abs(run.features[0]!)).dataSync()[0]! > 1e-3, 'an embedding that is not all zeros');
    // A second student reading the same layer reuses it.
    const cached = ctx.teacherFeatures!.get('dense_2');
    teacherSource(ctx, teacher, ['dense_2']);
    assert.equal(ctx.teacherFeatures!.get('dense_2'), cached);
  });

  it('runs the teacher on each batch for maps, and for augmented images', async () => {
    const convnet = buildModel('lenet5@0.5', { inputShape: [28, 28, 1], classes: 3, seed: 3, dropout: 0 });
    const mapped = { ...contextFor(), dataset: { ...dataset, shape: [28, 28, 1], train: { count: 2, images: new Uint8Array(2 * 784), labels: Uint8Array.of(0, 1) } } } as PhaseContext;
    const mapSource = teacherSource(mapped, convnet, ['conv_2']);
    assert.equal(mapped.teacherFeatures, undefined);
    const blank = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    assert.equal((await mapSource.outputsFor(blank, Int32Array.of(0, 1))).features[0]!.shape.length, 4, 'a map, run on the batch');
    const teacher = buildModel('mlp-16x2', { inputShape: shape, classes: 3, seed: 3, dropout: 0 });
    const jittered = contextFor({ studentJitter: 2 });
    teacherSource(jittered, teacher, ['dense_2']);
    assert.equal(jittered.teacherFeatures, undefined, 'shifted images change what the teacher gives');
    assert.equal(jittered.teacherLogits, undefined);
  });
});
