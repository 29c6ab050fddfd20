import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import { nstLoss, nstStageLoss } from '../../electron/engine/losses/nst';
import { pairPooling } from '../../electron/engine/methods/layer-pairing';
import { getMethod } from '../../electron/engine/methods/registry';
import { buildModel } from '../../electron/engine/models/registry';
import { forwardWithFeatures } from '../../electron/engine/runs/teacher-source';
import { useCpuBackend } from '../helpers/backend';
import { pythonModulesMissing, SYSTEM_PYTHON } from '../helpers/fixtures';

before(useCpuBackend);

const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
/** A deterministic NHWC map that is not all alike, some values negative. */
const map = (shape: [number, number, number, number], seed: number) => tf.tensor4d(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 7.3 + i * 1.7) * (1 + (i % 4))), shape);
const value = (t: tf.Scalar) => t.dataSync()[0]!;

const torchMissing = pythonModulesMissing(['torch'], 'python3-torch');
if (torchMissing) console.log(`# NST against PyTorch skipped: ${torchMissing}`);

describe('NST loss', () => {
  it("matches mdistiller's for maps of different sizes and channel counts, and its gradient, computed by PyTorch", { skip: torchMissing ?? false }, () => {
    const student = map([2, 4, 4, 3], 1);
    const teacher = map([2, 2, 2, 5], 2);
    const nchw = (x: tf.Tensor4D) => tf.transpose(x, [0, 3, 1, 2]).arraySync();
    const script = fileURLToPath(new URL('../fixtures/torch/nst_reference.py', import.meta.url));
    const reference = JSON.parse(execFileSync(SYSTEM_PYTHON, [script], { input: JSON.stringify({ student: nchw(student), teacher: nchw(teacher) }) }).toString()) as { loss: number; grad: number[][][][] };
    const pooling = pairPooling({ student: { name: 's', shape: [4, 4, 3] }, teacher: { name: 't', shape: [2, 2, 5] } });
    const ours = value(nstStageLoss(student, teacher, pooling));
    assert.ok(reference.loss > 1e-3, 'the maps differ enough for the check to mean something');
    assert.ok(close(ours, reference.loss), `${ours} vs ${reference.loss}`);
    const grad = tf.transpose(tf.grad((x: tf.Tensor) => nstStageLoss(x as tf.Tensor4D, teacher, pooling))(student), [0, 3, 1, 2]).arraySync() as number[][][][];
    grad.flat(3).forEach((g, i) => assert.ok(close(g, reference.grad.flat(3)[i]!, 1e-3), `∂/∂s[${i}]: ${g} vs ${reference.grad.flat(3)[i]}`));
  });

  it("is zero for the teacher's own channels, scaled and reordered, and not for unrelated ones", () => {
    const teacher = map([3, 3, 3, 4], 3);
    const reordered = tf.mul(tf.gather(teacher, [2, 0, 3, 1], 3), 2.5) as tf.Tensor4D;
    assert.ok(Math.abs(value(nstLoss([reordered], [teacher]))) < 1e-6, `${value(nstLoss([reordered], [teacher]))}`);
    assert.ok(value(nstLoss([map([3, 3, 3, 2], 4)], [teacher])) > 1e-3);
    // A channel that never fires has no direction: finite, with a finite gradient.
    const dead = tf.concat([tf.zeros([3, 3, 3, 1]), map([3, 3, 3, 1], 5)], 3) as tf.Tensor4D;
    assert.ok(tf.grad((x: tf.Tensor) => nstLoss([x as tf.Tensor4D], [teacher]))(dead).dataSync().every(Number.isFinite));
  });
});

describe('NST method', () => {
  it("pairs the stage outputs as attention transfer does, and trains the student's channels towards the teacher's", () => {
    const shape = { inputShape: [28, 28, 1] as [number, number, number], classes: 3, seed: 5, dropout: 0 };
    const teacher = buildModel('lenet5', shape);
    const student = buildModel('lenet5@0.5', { ...shape, seed: 6 });
    const config = presetConfig('quick');
    const prepared = getMethod('nst').prepare({ student, teacher, config });
    assert.match(prepared.description, /^channel patterns conv_1 \(28×28×3\) ← conv_1 \(28×28×6\), conv_2 \(10×10×8\) ← conv_2 \(10×10×16\), weight 50, warm-up 1 epoch$/);
    const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const labels = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32');
    const studentForward = forwardWithFeatures(student, prepared.studentFeatureLayers);
    const teacherOut = forwardWithFeatures(teacher, prepared.teacherFeatureLayers)(x, false);
    const term = () => tf.tidy(() => value(nstLoss(studentForward(x, false).features as tf.Tensor4D[], teacherOut.features as tf.Tensor4D[])));
    const inputs = (progress: number) => {
      const out = studentForward(x, true);
      return { studentLogits: out.logits, labels, teacherLogits: teacherOut.logits, studentFeatures: out.features, teacherFeatures: teacherOut.features, epoch: 1, progress, epochs: 5 };
    };
    const ce = tf.tidy(() => value(tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), studentForward(x, false).logits) as tf.Scalar));
    assert.ok(close(value(prepared.loss(inputs(0))), ce, 1e-5), 'nothing but cross-entropy at the first step of the warm-up');
    const start = term();
    const optimizer = tf.train.adam(0.01);
    for (let step = 0; step < 30; step++) optimizer.minimize(() => prepared.loss(inputs(2)), false, student.trainableWeights.map((w) => w.read() as tf.Variable));
    const end = term();
    assert.ok(end < start * 0.7, `the NST term fell from ${start} to ${end}`);
    prepared.dispose();
  });

  it('refuses an MLP, naming the method', () => {
    const shape = { inputShape: [28, 28, 1] as [number, number, number], classes: 3, seed: 5, dropout: 0 };
    assert.throws(() => getMethod('nst').prepare({ student: buildModel('mlp-30x2', shape), teacher: buildModel('lenet5', shape), config: presetConfig('quick') }), /neuron selectivity transfer needs convolutional feature maps in both models; mlp-30x2 has none/);
  });
});
