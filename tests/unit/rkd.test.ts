import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import { pairwiseDistances, rkdAngleLoss, rkdDistanceLoss, rkdLoss, tripletAngles } from '../../electron/engine/losses/rkd';
import { embeddingLayer } from '../../electron/engine/methods/layer-pairing';
import { getMethod } from '../../electron/engine/methods/registry';
import { forwardWithFeatures } from '../../electron/engine/runs/teacher-source';
import { buildModel } from '../../electron/engine/models/registry';
import { useCpuBackend } from '../helpers/backend';
import { pythonModulesMissing, SYSTEM_PYTHON } from '../helpers/fixtures';

before(useCpuBackend);

const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
/** Deterministic embeddings that are not all alike: n rows of width d. */
const embeddings = (n: number, d: number, seed: number) => Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(seed * 13.7 + i * 3.1 + j * 1.9) * (1 + ((i + j) % 3))));

const torchMissing = pythonModulesMissing(['torch'], 'python3-torch');
if (torchMissing) console.log(`# RKD against PyTorch skipped: ${torchMissing}`);

describe('RKD loss', () => {
  it("matches mdistiller's distance and angle terms, and their gradient, computed by PyTorch", { skip: torchMissing ?? false }, () => {
    const student = embeddings(6, 5, 1);
    const teacher = embeddings(6, 7, 2);
    const script = fileURLToPath(new URL('../fixtures/torch/rkd_reference.py', import.meta.url));
    const reference = JSON.parse(execFileSync(SYSTEM_PYTHON, [script], { input: JSON.stringify({ student, teacher }) }).toString()) as { distance: number; angle: number; grad: number[][] };
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    assert.ok(close(rkdDistanceLoss(s, t).dataSync()[0]!, reference.distance), `distance ${rkdDistanceLoss(s, t).dataSync()[0]} vs ${reference.distance}`);
    assert.ok(close(rkdAngleLoss(s, t).dataSync()[0]!, reference.angle), `angle ${rkdAngleLoss(s, t).dataSync()[0]} vs ${reference.angle}`);
    assert.ok(reference.distance > 1e-3 && reference.angle > 1e-3, 'the embeddings differ enough for the check to mean something');
    const grad = tf.grad((x: tf.Tensor) => rkdLoss(x, t, { distanceWeight: 25, angleWeight: 50 }))(s).arraySync() as number[][];
    grad.forEach((row, i) => row.forEach((g, j) => assert.ok(close(g, reference.grad[i]![j]!, 1e-3), `∂/∂s[${i}][${j}]: ${g} vs ${reference.grad[i]![j]}`)));
  });

  it('is zero for a student whose embeddings are the teacher scaled, shifted and rotated', () => {
    const teacher = tf.tensor2d(embeddings(8, 2, 3));
    const turn = tf.tensor2d([[Math.cos(0.7), -Math.sin(0.7)], [Math.sin(0.7), Math.cos(0.7)]]);
    const student = tf.add(tf.mul(tf.matMul(teacher, turn), 3.5), tf.tensor1d([4, -2]));
    assert.ok(rkdLoss(student, teacher, { distanceWeight: 25, angleWeight: 50 }).dataSync()[0]! < 1e-8);
    const other = tf.tensor2d(embeddings(8, 2, 9));
    assert.ok(rkdLoss(other, teacher, { distanceWeight: 25, angleWeight: 50 }).dataSync()[0]! > 0.1, 'unrelated embeddings are far apart');
  });

  it('keeps distances and gradients finite when two images have the same embedding', () => {
    const rows = embeddings(5, 4, 4);
    rows[3] = [...rows[1]!];
    const s = tf.tensor2d(rows);
    const d = pairwiseDistances(s).arraySync();
    assert.equal(d[2]![2], 0);
    assert.ok(d[1]![3]! < 1e-5 && d[0]![1]! > 0.1);
    const angles = tripletAngles(s).arraySync();
    assert.deepEqual([angles.length, angles[0]!.length, angles[0]![0]!.length], [5, 5, 5]);
    // From image 1, image 3 is no direction at all (and back): those angles are 0, the rest are cosines.
    for (let k = 0; k < 5; k++) assert.deepEqual([angles[1]![3]![k], angles[3]![1]![k], angles[1]![k]![3]].map((c) => Math.abs(c!)), [0, 0, 0]);
    assert.ok(angles.flat(2).every((c) => Math.abs(c) <= 1 + 1e-4));
    assert.ok(Math.abs(angles[0]![2]![2]! - 1) < 1e-4, 'a direction with itself');
    const grad = tf.grad((x: tf.Tensor) => rkdLoss(x, tf.tensor2d(embeddings(5, 6, 5)), { distanceWeight: 25, angleWeight: 50 }))(s).dataSync();
    assert.ok(grad.every(Number.isFinite), 'no NaN or infinity');
    assert.ok(grad.some((g) => Math.abs(g) > 1e-6));
  });

  it("stays finite on an epoch's last batch of one or two images", () => {
    for (const n of [1, 2, 3]) {
      const teacher = tf.tensor2d(embeddings(n, 6, 6));
      const loss = (x: tf.Tensor) => rkdLoss(x, teacher, { distanceWeight: 25, angleWeight: 50 });
      const s = tf.tensor2d(embeddings(n, 4, 7));
      assert.ok(Number.isFinite(loss(s).dataSync()[0]!), `loss on ${n}`);
      assert.ok(tf.grad(loss)(s).dataSync().every(Number.isFinite), `gradient on ${n}`);
    }
    assert.equal(rkdLoss(tf.tensor2d([[1, 2]]), tf.tensor2d([[3, 4, 5]]), { distanceWeight: 25, angleWeight: 50 }).dataSync()[0], 0, 'one image has no relations');
  });
});

describe('RKD method', () => {
  const shape = { inputShape: [8, 8, 1] as [number, number, number], classes: 3, seed: 5, dropout: 0 };

  it("pairs the layers the classifiers read: an MLP's last hidden layer, a convnet's pooled features", () => {
    assert.deepEqual(embeddingLayer(buildModel('mlp-16x2', shape), 'the student').shape, [16]);
    const resnet = buildModel('resnet20@0.25', { ...shape, inputShape: [16, 16, 3] });
    const pooled = embeddingLayer(resnet, 'the teacher');
    assert.equal(pooled.shape.length, 1);
    assert.match(resnet.getLayer(pooled.name).getClassName(), /GlobalAveragePooling2D/);
    const dropped = buildModel('mlp-16x2', { ...shape, dropout: 0.5 });
    assert.equal(dropped.getLayer(embeddingLayer(dropped, 'the student').name).getClassName(), 'Dense', 'looks past dropout');
    const softmax = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 6, name: 'hidden' }), tf.layers.dense({ units: 3 }), tf.layers.softmax()] });
    assert.equal(embeddingLayer(softmax, 'the teacher').name, 'hidden', "an imported teacher's trailing softmax is looked through");
    assert.throws(() => embeddingLayer(tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 })] }), 'the student'), /the student .* has no hidden layer before its classifier/);
  });

  it("trains a narrower student's embeddings towards the teacher's geometry", () => {
    const teacher = buildModel('mlp-32x1', shape);
    const student = buildModel('mlp-8x1', { ...shape, seed: 6 });
    const config = presetConfig('quick');
    const prepared = getMethod('rkd').prepare({ student, teacher, config });
    assert.match(prepared.description, /dense.*\(8\) ← .*\(32\), weights 25 and 50/);
    const x = tf.randomUniform([32, 8, 8, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const labels = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32');
    const studentForward = forwardWithFeatures(student, prepared.studentFeatureLayers);
    const teacherOut = forwardWithFeatures(teacher, prepared.teacherFeatureLayers)(x, false);
    const relation = () => tf.tidy(() => rkdLoss(studentForward(x, false).features[0]!, teacherOut.features[0]!, config.methodOptions.rkd).dataSync()[0]!);
    const before = relation();
    const optimizer = tf.train.adam(0.01);
    for (let step = 0; step < 40; step++) {
      optimizer.minimize(() => {
        const out = studentForward(x, true);
        return prepared.loss({ studentLogits: out.logits, labels, teacherLogits: teacherOut.logits, studentFeatures: out.features, teacherFeatures: teacherOut.features, epoch: 1, progress: 0, epochs: 1 });
      }, false, student.trainableWeights.map((w) => w.read() as tf.Variable));
    }
    const after = relation();
    assert.ok(after < before * 0.7, `the relational term fell from ${before} to ${after}`);
  });
});
