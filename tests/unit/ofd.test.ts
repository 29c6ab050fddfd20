import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { RunConfig } from '../../electron/contract/run-config';
import { crossEntropyLoss } from '../../electron/engine/losses/cross-entropy';
import { ofdMargins } from '../../electron/engine/losses/ofd';
import type { LossInputs } from '../../electron/engine/methods/method';
import { getMethod } from '../../electron/engine/methods/registry';
import { buildModel } from '../../electron/engine/models/registry';
import { useCpuBackend } from '../helpers/backend';
import { pythonModulesMissing, SYSTEM_PYTHON } from '../helpers/fixtures';
import { close, closeSet, filled, nchw, torchKernel } from '../helpers/torch-reference';

before(useCpuBackend);

const value = (t: tf.Tensor) => t.dataSync()[0]!;

const torchMissing = pythonModulesMissing(['torch'], 'python3-torch');
if (torchMissing) console.log(`# OFD against PyTorch skipped: ${torchMissing}`);

const shape = { inputShape: [28, 28, 1] as [number, number, number], classes: 3, seed: 5, dropout: 0 };
/** The batch norms before the ResNet teacher's stage-ending ReLUs, given scales and shifts of both signs and one channel whose negative values are rarer than 1 in 1,000. */
const NORMS = ['s1b3_bn2', 's2b3_bn2', 's3b3_bn2'];
function teacherWithNorms(): { teacher: tf.LayersModel; gammas: number[][]; betas: number[][] } {
  // As in a run, where the check's models came first: this teacher's variables are named `s1b3_bn2/gamma_1`, not `…/gamma`.
  buildModel('resnet20@0.25', shape).dispose();
  const teacher = buildModel('resnet20@0.25', shape);
  const gammas: number[][] = [];
  const betas: number[][] = [];
  NORMS.forEach((name, level) => {
    const layer = teacher.getLayer(name);
    const [, , mean, variance] = layer.getWeights();
    const channels = mean!.shape[0]!;
    const gamma = Array.from({ length: channels }, (_, c) => (c % 3 === 1 ? -1 : 1) * (0.3 + 0.2 * c + 0.1 * level));
    const beta = Array.from({ length: channels }, (_, c) => (c === 0 ? 4 : Math.cos(c + level) * 0.8));
    layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), mean!, variance!]);
    gammas.push(gamma);
    betas.push(beta);
  });
  return { teacher, gammas, betas };
}
function prepared(teacher: tf.LayersModel, options: Partial<RunConfig['methodOptions']['ofd']> = {}) {
  const quick = presetConfig('quick');
  const config: RunConfig = { ...quick, methodOptions: { ...quick.methodOptions, ofd: { ...quick.methodOptions.ofd, weight: 1, ...options } } };
  return getMethod('ofd').prepare({ student: buildModel('resnet20@0.125', { ...shape, seed: 6 }), teacher, config });
}
/** The pair's three stages for a batch of 3: the student's 2, 4 and 8 channels, the teacher's 4, 8 and 16, both before their ReLU. */
function inputs(seed: number): LossInputs {
  return {
    studentLogits: filled([3, 3], seed + 9) as tf.Tensor2D,
    labels: tf.tensor1d([0, 2, 1], 'int32'),
    teacherLogits: null,
    studentFeatures: [filled([3, 28, 28, 2], seed), filled([3, 14, 14, 4], seed + 1), filled([3, 7, 7, 8], seed + 2)],
    teacherFeatures: [filled([3, 28, 28, 4], seed + 3), filled([3, 14, 14, 8], seed + 4), filled([3, 7, 7, 16], seed + 5)],
    epoch: 3,
    progress: 2,
    epochs: 5,
  };
}

describe('OFD', () => {
  it("matches mdistiller's margins, connectors and partial L2 loss, and their gradients, computed by PyTorch", { skip: torchMissing ?? false }, () => {
    const { teacher, gammas, betas } = teacherWithNorms();
    const method = prepared(teacher);
    // Both sides before their ReLU: the blocks' additions.
    assert.deepEqual([method.studentFeatureLayers, method.teacherFeatureLayers], [['s1b3_add', 's2b3_add', 's3b3_add'], ['s1b3_add', 's2b3_add', 's3b3_add']]);
    const batch = inputs(1);
    const kernels = [0, 3, 6].map((i) => method.extraVariables[i]!);
    const script = fileURLToPath(new URL('../fixtures/torch/ofd_reference.py', import.meta.url));
    const reference = JSON.parse(execFileSync(SYSTEM_PYTHON, [script], { input: JSON.stringify({ students: batch.studentFeatures.map(nchw), teachers: batch.teacherFeatures.map(nchw), kernels: kernels.map(torchKernel), gammas, betas }), maxBuffer: 64 * 1024 * 1024 }).toString()) as {
      margins: number[][]; loss: number; grad_students: number[][][][][]; grad_kernels: number[][][][][];
    };
    gammas.forEach((gamma, level) => {
      const ours = Array.from(ofdMargins(tf.tensor1d(gamma), tf.tensor1d(betas[level]!)).dataSync());
      ours.forEach((m, c) => assert.ok(close(m, reference.margins[level]![c]!, 1e-4), `margin ${level}.${c}: ${m} vs ${reference.margins[level]![c]}`));
    });
    assert.ok(close(reference.margins[0]![0]!, -3 * 0.3), "a channel seldom negative takes −3γ");
    const ce = value(crossEntropyLoss(batch.labels, batch.studentLogits));
    const ours = value(method.loss(batch)) - ce;
    assert.ok(reference.loss > 1, 'a loss large enough for the check to mean something');
    assert.ok(close(ours, reference.loss), `loss ${ours} vs ${reference.loss}`);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => method.loss({ ...batch, studentFeatures: [a, b, c] }))(batch.studentFeatures as [tf.Tensor, tf.Tensor, tf.Tensor]);
    grads.forEach((grad, level) => closeSet((nchw(grad) as number[][][][]).flat(3), reference.grad_students[level]!.flat(3), `level ${level} ∂/∂x`));
    const { grads: kernelGrads } = tf.variableGrads(() => method.loss(batch) as tf.Scalar, kernels);
    kernels.forEach((kernel, level) => closeSet((torchKernel(kernelGrads[kernel.name]!) as number[][][][]).flat(3), reference.grad_kernels[level]!.flat(3), `level ${level} ∂/∂kernel`));
    method.dispose();
    teacher.dispose();
  });

  it('learns its connectors with the student, lowers its term, and ramps it in', () => {
    const { teacher } = teacherWithNorms();
    const method = prepared(teacher, { warmup: 1 });
    assert.match(method.description, /^partial L2 between s1b3_add \(28×28×2\) ← s1b3_add \(28×28×4\), s2b3_add \(14×14×4\) ← s2b3_add \(14×14×8\), s3b3_add \(7×7×8\) ← s3b3_add \(7×7×16\) \(the teacher's maps before their ReLU, clipped at their margins\), through 1×1 connectors, weight 1, warm-up 1 epoch$/);
    const batch = inputs(2);
    const ce = value(crossEntropyLoss(batch.labels, batch.studentLogits));
    assert.ok(close(value(method.loss({ ...batch, progress: 0 })), ce, 1e-6), 'nothing but cross-entropy at the first step of the warm-up');
    const term = () => value(method.loss(batch)) - ce;
    const start = term();
    const optimizer = tf.train.adam(0.05);
    for (let step = 0; step < 30; step++) optimizer.minimize(() => method.loss(batch) as tf.Scalar, false, method.extraVariables);
    const end = term();
    assert.ok(end < start * 0.8, `the OFD term fell from ${start} to ${end}`);
    method.dispose();
    teacher.dispose();
  });

  it('refuses, naming the layer, a teacher without a batch norm and ReLU of its own at the end of a stage, and an imported teacher', () => {
    const config = presetConfig('quick');
    assert.throws(() => getMethod('ofd').prepare({ student: buildModel('lenet5@0.5', shape), teacher: buildModel('lenet5', shape), config }), /OFD needs the teacher's stage maps before a ReLU that follows a batch norm \(ResNet, VGG\); lenet5's conv_1 has none/);
    const teacherTensors = { layers: [{ name: 'relu_1', shape: [28, 28, 8] }], embedding: null };
    assert.throws(() => getMethod('ofd').prepare({ student: buildModel('lenet5@0.5', shape), teacher: null, teacherTensors, config: { ...config, methodOptions: { ...config.methodOptions, ofd: { ...config.methodOptions.ofd, featurePairs: 'conv_1:relu_1' } } } }), /OFD reads the batch norms before the teacher's ReLUs, which an imported teacher does not give/);
  });
});
