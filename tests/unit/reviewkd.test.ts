import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { RunConfig } from '../../electron/contract/run-config';
import { crossEntropyLoss } from '../../electron/engine/losses/cross-entropy';
import { hclPyramid, hierarchicalContextLoss } from '../../electron/engine/losses/hcl';
import type { LossInputs } from '../../electron/engine/methods/method';
import { getMethod } from '../../electron/engine/methods/registry';
import { buildModel } from '../../electron/engine/models/registry';
import { forwardWithFeatures } from '../../electron/engine/runs/teacher-source';
import { useCpuBackend } from '../helpers/backend';
import { pythonModulesMissing, SYSTEM_PYTHON } from '../helpers/fixtures';
import { close, closeSet, filled, nchw, torchKernel } from '../helpers/torch-reference';

before(useCpuBackend);

const value = (t: tf.Scalar) => t.dataSync()[0]!;

const torchMissing = pythonModulesMissing(['torch'], 'python3-torch');
if (torchMissing) console.log(`# ReviewKD against PyTorch skipped: ${torchMissing}`);

const shape = { inputShape: [28, 28, 1] as [number, number, number], classes: 3, seed: 5, dropout: 0 };
function prepared(options: Partial<RunConfig['methodOptions']['reviewkd']> = {}) {
  const quick = presetConfig('quick');
  const config: RunConfig = { ...quick, methodOptions: { ...quick.methodOptions, reviewkd: { ...quick.methodOptions.reviewkd, weight: 1, ...options } } };
  return getMethod('reviewkd').prepare({ student: buildModel('lenet5@0.5', { ...shape, seed: 6 }), teacher: buildModel('lenet5', shape), config });
}
/** The LeNet pair's three levels for a batch of 2: the two stages, then the embeddings. */
function inputs(seed: number): LossInputs {
  return {
    studentLogits: filled([4, 3], seed + 9) as tf.Tensor2D,
    labels: tf.tensor1d([0, 2, 1, 0], "int32"),
    teacherLogits: null,
    studentFeatures: [filled([4, 28, 28, 3], seed), filled([4, 10, 10, 8], seed + 1), filled([4, 42], seed + 2)],
    teacherFeatures: [filled([4, 28, 28, 6], seed + 3), filled([4, 10, 10, 16], seed + 4), filled([4, 84], seed + 5)],
    epoch: 3,
    progress: 2,
    epochs: 5,
  };
}

describe('ReviewKD', () => {
  it("matches mdistiller's fusions and hierarchical context loss, and their gradients, computed by PyTorch", { skip: torchMissing ?? false }, () => {
    const method = prepared();
    const batch = inputs(1);
    // Per level, shallow to deep: conv1, its batch norm, conv2, its batch norm, and (but for the deepest) the attention convolution.
    const variables = method.extraVariables;
    const modules = [0, 8, 16].map((start, level) => {
      const [conv1, gamma1, beta1, conv2, gamma2, beta2, attKernel, attBias] = variables.slice(start, level < 2 ? start + 8 : start + 6);
      return {
        conv1: torchKernel(conv1!), gamma1: gamma1!.arraySync(), beta1: beta1!.arraySync(), conv2: torchKernel(conv2!), gamma2: gamma2!.arraySync(), beta2: beta2!.arraySync(),
        ...(attKernel ? { att_kernel: torchKernel(attKernel), att_bias: attBias!.arraySync() } : {}),
      };
    });
    assert.equal(variables.length, 22);
    const script = fileURLToPath(new URL('../fixtures/torch/reviewkd_reference.py', import.meta.url));
    const reference = JSON.parse(execFileSync(SYSTEM_PYTHON, [script], { input: JSON.stringify({ students: batch.studentFeatures.map(nchw), teachers: batch.teacherFeatures.map(nchw), modules }), maxBuffer: 64 * 1024 * 1024 }).toString()) as {
      loss: number; grad_students: number[][][][][]; grad_conv1: number[][][][][];
    };
    const ce = value(crossEntropyLoss(batch.labels, batch.studentLogits));
    const ours = value(method.loss(batch)) - ce;
    assert.ok(reference.loss > 0.1, 'a loss large enough for the check to mean something');
    assert.ok(close(ours, reference.loss), `loss ${ours} vs ${reference.loss}`);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => method.loss({ ...batch, studentFeatures: [a, b, c] }))(batch.studentFeatures as [tf.Tensor, tf.Tensor, tf.Tensor]);
    grads.forEach((grad, level) => {
      const theirs = reference.grad_students[level]!.flat(3);
      closeSet((nchw(grad) as number[][][][]).flat(3), theirs, `level ${level} ∂/∂x`);
    });
    const conv1s = [variables[0]!, variables[8]!, variables[16]!];
    const { grads: kernelGrads } = tf.variableGrads(() => method.loss(batch), conv1s);
    conv1s.forEach((kernel, level) => {
      const theirs = reference.grad_conv1[level]!.flat(3);
      closeSet((torchKernel(kernelGrads[kernel.name]!) as number[][][][]).flat(3), theirs, `level ${level} ∂/∂conv1`);
    });
    method.dispose();
  });

  it('pairs the stages and the embeddings, learns its fusions with the student, and lowers its term', () => {
    const method = prepared({ warmup: 1 });
    assert.match(method.description, /^review of conv_1 \(28×28×3\) ← conv_1 \(28×28×6\), conv_2 \(10×10×8\) ← conv_2 \(10×10×16\), fc_2 \(42\) ← fc_2 \(84\) \(the teacher's stage maps after their ReLU, which its layers fuse\), through 3 attention-based fusions of 42 channels, weight 1, warm-up 1 epoch$/);
    const batch = inputs(2);
    const ce = value(crossEntropyLoss(batch.labels, batch.studentLogits));
    assert.ok(close(value(method.loss({ ...batch, progress: 0 })), ce, 1e-6), 'nothing but cross-entropy at the first step of the warm-up');
    const term = () => value(method.loss(batch)) - ce;
    const start = term();
    const optimizer = tf.train.adam(0.01);
    for (let step = 0; step < 30; step++) optimizer.minimize(() => method.loss(batch), false, method.extraVariables);
    const end = term();
    assert.ok(end < start * 0.8, `the review term fell from ${start} to ${end}`);
    method.dispose();
  });

  it("reads the teacher's stage maps before their last ReLU, as mdistiller's preact_feats, where the teacher has that ReLU as a layer", () => {
    const config = presetConfig('quick');
    const teacher = buildModel('resnet20@0.25', shape);
    const method = getMethod('reviewkd').prepare({ student: buildModel('lenet5@0.5', { ...shape, seed: 6 }), teacher, config });
    // ResNet's stages end in a ReLU after the addition: the addition is read, not the ReLU (the embedding stays the pooled map).
    assert.deepEqual(method.teacherFeatureLayers, ['s1b3_add', 's2b3_add', 'pool']);
    assert.match(method.description, /← s1b3_add \(28×28×4\), .* \(the teacher's stage maps before their ReLU\), through/);
    const images = filled([2, 28, 28, 1], 3) as tf.Tensor4D;
    const { features } = forwardWithFeatures(teacher, method.teacherFeatureLayers!)(images, false);
    const { features: after } = forwardWithFeatures(teacher, ['stage_1'])(images, false);
    // What the ReLU took away: negative values, and the stage output is exactly their ReLU.
    assert.ok(value(tf.min(features[0]!) as tf.Scalar) < 0, 'a map before its ReLU has negative values');
    assert.ok(value(tf.max(tf.abs(tf.sub(tf.relu(features[0]!), after[0]!))) as tf.Scalar) < 1e-6);
    method.dispose();
    // MobileNetV2's stages end linear: read as they are, and nothing said.
    const linear = getMethod('reviewkd').prepare({ student: buildModel('lenet5@0.5', { ...shape, seed: 6 }), teacher: buildModel('mobilenetv2@0.25', shape), config });
    assert.deepEqual(linear.teacherFeatureLayers!.slice(0, 2), ['stage_2', 'stage_3']);
    assert.doesNotMatch(linear.description, /ReLU/);
    linear.dispose();
  });

  it('weighs each pooled comparison half the one before, over the sum of the weights', () => {
    const a = filled([1, 8, 8, 2], 1) as tf.Tensor4D;
    const b = tf.zerosLike(a) as tf.Tensor4D;
    const mse = (x: tf.Tensor) => value(tf.mean(tf.square(x)) as tf.Scalar);
    // 8 px: full size, then 4, 2 and 1 with weights 1/2, 1/4, 1/8 over 1 + 7/8.
    const expected = (mse(a) + mse(tf.avgPool(a, 2, 2, 'valid')) / 2 + mse(tf.avgPool(a, 4, 4, 'valid')) / 4 + mse(tf.mean(a, [1, 2], true)) / 8) / (1 + 7 / 8);
    assert.ok(close(value(hierarchicalContextLoss([a], [b], [hclPyramid([8, 8])])), expected, 1e-5));
  });

  it('refuses an MLP, naming the method', () => {
    assert.throws(() => getMethod('reviewkd').prepare({ student: buildModel('mlp-30x2', shape), teacher: buildModel('lenet5', shape), config: presetConfig('quick') }), /review knowledge distillation needs convolutional feature maps in both models; mlp-30x2 has none/);
  });
});
