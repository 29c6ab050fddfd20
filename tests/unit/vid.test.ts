import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import { initialLogScale, vidLoss } from '../../electron/engine/losses/vid';
import { getMethod } from '../../electron/engine/methods/registry';
import { buildModel } from '../../electron/engine/models/registry';
import { forwardWithFeatures } from '../../electron/engine/runs/teacher-source';
import { useCpuBackend } from '../helpers/backend';
import { pythonModulesMissing, SYSTEM_PYTHON } from '../helpers/fixtures';

before(useCpuBackend);

const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const map = (shape: [number, number, number, number], seed: number) => tf.tensor4d(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 7.3 + i * 1.7) * (1 + (i % 4))), shape);
const value = (t: tf.Scalar) => t.dataSync()[0]!;

const torchMissing = pythonModulesMissing(['torch'], 'python3-torch');
if (torchMissing) console.log(`# VID against PyTorch skipped: ${torchMissing}`);

describe('VID loss', () => {
  it("matches mdistiller's, and its gradients for the mean and the variances, computed by PyTorch", { skip: torchMissing ?? false }, () => {
    const mean = map([2, 3, 3, 4], 1);
    const teacher = map([2, 3, 3, 4], 2);
    const logScale = tf.tensor1d([0.3, -1.2, 2.0, initialLogScale(5)]);
    const nchw = (x: tf.Tensor4D) => tf.transpose(x, [0, 3, 1, 2]).arraySync();
    const script = fileURLToPath(new URL('../fixtures/torch/vid_reference.py', import.meta.url));
    const reference = JSON.parse(execFileSync(SYSTEM_PYTHON, [script], { input: JSON.stringify({ mean: nchw(mean), teacher: nchw(teacher), log_scale: logScale.arraySync() }) }).toString()) as { loss: number; grad_mean: number[][][][]; grad_log_scale: number[] };
    assert.ok(close(value(vidLoss(mean, teacher, logScale)), reference.loss), `${value(vidLoss(mean, teacher, logScale))} vs ${reference.loss}`);
    const [gradMean, gradScale] = tf.grads((m: tf.Tensor, s: tf.Tensor) => vidLoss(m as tf.Tensor4D, teacher, s as tf.Tensor1D))([mean, logScale]);
    (tf.transpose(gradMean!, [0, 3, 1, 2]).arraySync() as number[][][][]).flat(3).forEach((g, i) => assert.ok(close(g, reference.grad_mean.flat(3)[i]!, 1e-3), `∂/∂μ[${i}]: ${g} vs ${reference.grad_mean.flat(3)[i]}`));
    (gradScale!.arraySync() as number[]).forEach((g, i) => assert.ok(close(g, reference.grad_log_scale[i]!, 1e-3), `∂/∂s[${i}]: ${g} vs ${reference.grad_log_scale[i]}`));
  });

  it("starts each channel's variance at the one asked for, and is lowest where the mean is the teacher's", () => {
    assert.ok(close(value(tf.softplus(tf.scalar(initialLogScale(5))) as tf.Scalar) + 1e-5, 5, 1e-6));
    const teacher = map([2, 3, 3, 2], 3);
    const scale = tf.fill([2], initialLogScale(5)) as tf.Tensor1D;
    assert.ok(value(vidLoss(teacher, teacher, scale)) < value(vidLoss(map([2, 3, 3, 2], 4), teacher, scale)));
  });
});

describe('VID method', () => {
  it('pairs the stage outputs, learns its regressors and variances with the student, and lowers the term', () => {
    const shape = { inputShape: [28, 28, 1] as [number, number, number], classes: 3, seed: 5, dropout: 0 };
    const teacher = buildModel('lenet5', shape);
    const student = buildModel('lenet5@0.5', { ...shape, seed: 6 });
    const config = presetConfig('quick');
    const prepared = getMethod('vid').prepare({ student, teacher, config });
    assert.match(prepared.description, /^Gaussians for conv_1 \(28×28×3\) ← conv_1 \(28×28×6\), conv_2 \(10×10×8\) ← conv_2 \(10×10×16\), weight 1, initial variance 5, warm-up 1 epoch$/);
    // Per pair: three 1×1 convolutions (kernel and bias each) and one variance per teacher channel.
    assert.equal(prepared.extraVariables.length, 2 * 3 * 2 + 2);
    assert.deepEqual(prepared.extraVariables.slice(-2).map((v) => v.shape), [[6], [16]]);
    const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const labels = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32');
    const studentForward = forwardWithFeatures(student, prepared.studentFeatureLayers);
    const teacherOut = forwardWithFeatures(teacher, prepared.teacherFeatureLayers)(x, false);
    const inputs = (progress: number) => {
      const out = studentForward(x, true);
      return { studentLogits: out.logits, labels, teacherLogits: teacherOut.logits, studentFeatures: out.features, teacherFeatures: teacherOut.features, epoch: 1, progress, epochs: 5 };
    };
    const ce = tf.tidy(() => value(tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), studentForward(x, false).logits) as tf.Scalar));
    assert.ok(close(value(prepared.loss(inputs(0))), ce, 1e-5), 'nothing but cross-entropy at the first step of the warm-up');
    const term = () => tf.tidy(() => value(prepared.loss(inputs(2))) - value(crossEntropyOf()));
    const crossEntropyOf = () => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), studentForward(x, false).logits) as tf.Scalar;
    const start = term();
    const varianceBefore = prepared.extraVariables.at(-1)!.dataSync()[0]!;
    const optimizer = tf.train.adam(0.01);
    const trainables = [...student.trainableWeights.map((w) => w.read() as tf.Variable), ...prepared.extraVariables];
    for (let step = 0; step < 30; step++) optimizer.minimize(() => prepared.loss(inputs(2)), false, trainables);
    const end = term();
    assert.ok(end < start - 0.05, `the VID term fell from ${start} to ${end}`);
    assert.notEqual(prepared.extraVariables.at(-1)!.dataSync()[0], varianceBefore, 'the variances learn');
    prepared.dispose();
  });

  it('refuses an MLP, naming the method', () => {
    const shape = { inputShape: [28, 28, 1] as [number, number, number], classes: 3, seed: 5, dropout: 0 };
    assert.throws(() => getMethod('vid').prepare({ student: buildModel('mlp-30x2', shape), teacher: buildModel('lenet5', shape), config: presetConfig('quick') }), /variational information distillation needs convolutional feature maps in both models; mlp-30x2 has none/);
  });
});
