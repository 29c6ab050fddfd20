import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { RunConfig } from '../../electron/contract/run-config';
import { crossEntropyLoss } from '../../electron/engine/losses/cross-entropy';
import { drawNegatives } from '../../electron/engine/methods/crd';
import type { LossInputs } from '../../electron/engine/methods/method';
import { getMethod } from '../../electron/engine/methods/registry';
import { buildModel } from '../../electron/engine/models/registry';
import { useCpuBackend } from '../helpers/backend';
import { pythonModulesMissing, SYSTEM_PYTHON } from '../helpers/fixtures';

before(useCpuBackend);

const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const features = (n: number, d: number, seed: number) => Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(seed * 13.7 + i * 3.1 + j * 1.9) * (1 + ((i + j) % 3))));
const value = (t: tf.Scalar) => t.dataSync()[0]!;
const rows = (t: tf.Tensor) => t.arraySync() as number[][];

const torchMissing = pythonModulesMissing(['torch'], 'python3-torch');
if (torchMissing) console.log(`# CRD against PyTorch skipped: ${torchMissing}`);

const shape = { inputShape: [4, 4, 1] as [number, number, number], classes: 3, seed: 5, dropout: 0 };
/** Students and teachers whose classifiers read 6 and 8 units; a memory of 12 images in 4 dimensions, 5 negatives. */
function prepareSmall(options: Partial<RunConfig['methodOptions']['crd']> = {}) {
  const quick = presetConfig('quick');
  const config: RunConfig = { ...quick, methodOptions: { ...quick.methodOptions, crd: { ...quick.methodOptions.crd, weight: 1, negatives: 5, temperature: 0.1, dimensions: 4, ...options } } };
  const prepared = getMethod('crd').prepare({ student: buildModel('mlp-6x1', shape), teacher: buildModel('mlp-8x1', { ...shape, seed: 6 }), config, trainImages: 12 });
  return { prepared, config };
}

function batchInputs(indices: number[], seed: number): LossInputs {
  return {
    studentLogits: tf.tensor2d(features(indices.length, 3, seed + 5)),
    labels: tf.tensor1d(indices.map((i) => i % 3), 'int32'),
    teacherLogits: null,
    studentFeatures: [tf.tensor2d(features(indices.length, 6, seed))],
    teacherFeatures: [tf.tensor2d(features(indices.length, 8, seed + 1))],
    epoch: 1,
    progress: 0,
    epochs: 1,
    indices: Int32Array.from(indices),
  };
}

describe('CRD', () => {
  it("matches RepDistiller's loss, gradients, normalisers and memory update, computed by PyTorch", { skip: torchMissing ?? false }, () => {
    const { prepared, config } = prepareSmall();
    const [kernelS, biasS, kernelT, biasT] = prepared.extraVariables as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const [memoryS, memoryT, normalisers] = prepared.stateVariables as [tf.Variable, tf.Variable, tf.Variable];
    const inputs = batchInputs([7, 2, 10], 1);
    const negatives = Array.from(drawNegatives(config.seed, inputs.indices!, 5, 12));
    const script = fileURLToPath(new URL('../fixtures/torch/crd_reference.py', import.meta.url));
    const given = {
      f_s: rows(inputs.studentFeatures[0]!), f_t: rows(inputs.teacherFeatures[0]!),
      // PyTorch's Linear keeps its weight as [out, in]: the kernel transposed.
      w_s: rows(tf.transpose(kernelS)), b_s: biasS.arraySync(), w_t: rows(tf.transpose(kernelT)), b_t: biasT.arraySync(),
      memory_v1: rows(memoryS), memory_v2: rows(memoryT),
      y: Array.from(inputs.indices!), idx: Array.from(inputs.indices!, (i) => [i, ...negatives]),
      T: 0.1, momentum: 0.5, n_data: 12,
    };
    const reference = JSON.parse(execFileSync(SYSTEM_PYTHON, [script], { input: JSON.stringify(given) }).toString()) as {
      loss: number; z: number[]; grad_f_s: number[][]; grad_w_s: number[][]; grad_w_t: number[][]; memory_v1: number[][]; memory_v2: number[][];
    };
    const ce = value(crossEntropyLoss(inputs.labels, inputs.studentLogits));
    const ours = value(prepared.loss(inputs)) - ce;
    assert.ok(reference.loss > 0.1, 'a loss large enough for the check to mean something');
    assert.ok(close(ours, reference.loss), `loss ${ours} vs ${reference.loss}`);

    const gradFeatures = tf.grad((x: tf.Tensor) => prepared.loss({ ...inputs, studentFeatures: [x] }))(inputs.studentFeatures[0]!);
    rows(gradFeatures).flat().forEach((g, i) => assert.ok(close(g, reference.grad_f_s.flat()[i]!, 1e-3), `∂/∂f_s[${i}] ${g} vs ${reference.grad_f_s.flat()[i]}`));
    const { grads } = tf.variableGrads(() => prepared.loss(inputs), [kernelS, kernelT]);
    rows(tf.transpose(grads[kernelS.name]!)).flat().forEach((g, i) => assert.ok(close(g, reference.grad_w_s.flat()[i]!, 1e-3), `∂/∂W_s[${i}] ${g} vs ${reference.grad_w_s.flat()[i]}`));
    rows(tf.transpose(grads[kernelT.name]!)).flat().forEach((g, i) => assert.ok(close(g, reference.grad_w_t.flat()[i]!, 1e-3), `∂/∂W_t[${i}] ${g} vs ${reference.grad_w_t.flat()[i]}`));

    // The update comes after the step, from the embeddings the step's loss saw.
    assert.deepEqual(Array.from(normalisers.dataSync()), [-1, -1], 'no Z before the first step is over');
    prepared.afterStep!();
    Array.from(normalisers.dataSync()).forEach((z, i) => assert.ok(close(z, reference.z[i]!, 1e-4), `Z[${i}] ${z} vs ${reference.z[i]}`));
    rows(memoryS).flat().forEach((m, i) => assert.ok(close(m, reference.memory_v1.flat()[i]!, 1e-4), `student memory[${i}] ${m} vs ${reference.memory_v1.flat()[i]}`));
    rows(memoryT).flat().forEach((m, i) => assert.ok(close(m, reference.memory_v2.flat()[i]!, 1e-4), `teacher memory[${i}] ${m} vs ${reference.memory_v2.flat()[i]}`));
    prepared.dispose();
  });

  it('keeps Z from the first step, updates only the batch\'s memory rows, and lowers its term as it trains', () => {
    const { prepared } = prepareSmall({ negatives: 8, temperature: 0.07 });
    const [memoryS, memoryT, normalisers] = prepared.stateVariables as [tf.Variable, tf.Variable, tf.Variable];
    assert.match(prepared.description, /^contrast between embeddings dense.* \(6\) ← dense.* \(8\) projected to 4, 8 negatives from a memory of 12 images, weight 1, τ = 0\.07, momentum 0\.5$/);
    const before = rows(memoryS);
    const teacherBefore = rows(memoryT);
    const first = batchInputs([0, 1, 2, 3], 2);
    prepared.loss(first);
    prepared.afterStep!();
    const z = Array.from(normalisers.dataSync());
    const after = rows(memoryS);
    after.forEach((row, i) => {
      if (i < 4) assert.ok(close(Math.hypot(...row), 1, 1e-5), `row ${i} is updated to unit length`);
      else assert.deepEqual(row, before[i], `row ${i}, not in the batch, is untouched`);
    });
    // Train the student's side (its features as a variable) and both projections for a while on two batches.
    const batches = [first, batchInputs([4, 5, 6, 7], 3)];
    const studentFeatures = batches.map((b) => tf.variable(b.studentFeatures[0]!));
    const optimizer = tf.train.adam(0.05);
    const term = (k: number) => value(prepared.loss({ ...batches[k]!, studentFeatures: [studentFeatures[k]!] })) - value(crossEntropyLoss(batches[k]!.labels, batches[k]!.studentLogits));
    const start = term(0);
    prepared.afterStep!();
    for (let step = 0; step < 60; step++) {
      const k = step % 2;
      optimizer.minimize(() => prepared.loss({ ...batches[k]!, studentFeatures: [studentFeatures[k]!] }), false, [...prepared.extraVariables, studentFeatures[k]!]);
      prepared.afterStep!();
    }
    const end = term(0);
    prepared.afterStep!();
    assert.ok(end < start - 0.5, `the contrastive term fell from ${start} to ${end}`);
    assert.deepEqual(Array.from(normalisers.dataSync()), z, 'Z is fixed by the first step');
    assert.deepEqual(rows(memoryT).slice(8), teacherBefore.slice(8), 'images no batch held keep their first memory');
    prepared.dispose();
  });

  it('draws the same negatives for the same batch and seed, uniform over the split', () => {
    const batch = Int32Array.from([3, 9, 4]);
    assert.deepEqual(drawNegatives(1, batch, 50, 20), drawNegatives(1, batch, 50, 20));
    assert.notDeepEqual(drawNegatives(1, batch, 50, 20), drawNegatives(2, batch, 50, 20));
    assert.notDeepEqual(drawNegatives(1, batch, 50, 20), drawNegatives(1, Int32Array.from([3, 9, 5]), 50, 20));
    const many = drawNegatives(7, batch, 20000, 20);
    assert.ok(many.every((i) => i >= 0 && i < 20));
    const counts = Array.from({ length: 20 }, (_, i) => many.filter((j) => j === i).length);
    assert.ok(Math.min(...counts) > 850 && Math.max(...counts) < 1150, `counts ${counts}`);
  });

  it('makes its memory only when a run trains, and refuses one too large for the backend, naming the flags', () => {
    const quick = presetConfig('quick');
    const models = () => ({ student: buildModel('mlp-6x1', shape), teacher: buildModel('mlp-8x1', shape) });
    const before = tf.memory().numBytes;
    const checked = getMethod('crd').prepare({ ...models(), config: quick, trainImages: 500_000 });
    assert.ok(tf.memory().numBytes - before < 10 * 1024 * 1024, 'a check allocates no memory of 500,000 images');
    assert.equal(checked.stateVariables!.length, 3);
    assert.deepEqual(checked.stateVariables![0]!.shape, [500_000, 128]);
    checked.dispose();
    assert.throws(() => getMethod('crd').prepare({ ...models(), config: quick, trainImages: 3_000_000 }), { name: 'DistillInputError', message: 'CRD remembers 3,000,000 training images in 128 dimensions for each model, 3072.0 MB, more than the 1073.7 MB it may take: use a smaller --crd-dim or --limit-train' });
  });

  it('refuses a student with no hidden layer before its classifier, naming the method', () => {
    const flat = tf.sequential({ layers: [tf.layers.dense({ inputShape: [16], units: 3 })] });
    assert.throws(() => getMethod('crd').prepare({ student: flat, teacher: buildModel('mlp-8x1', shape), config: presetConfig('quick'), trainImages: 12 }), /the student .* has no hidden layer before its classifier: CRD compares embeddings/);
  });
});
