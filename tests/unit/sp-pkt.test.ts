import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import { pktLoss, similarityDistributions } from '../../electron/engine/losses/pkt';
import { normalizedGram, similarityPreservingLoss } from '../../electron/engine/losses/similarity-preserving';
import { getMethod } from '../../electron/engine/methods/registry';
import { buildModel } from '../../electron/engine/models/registry';
import { forwardWithFeatures } from '../../electron/engine/runs/teacher-source';
import { useCpuBackend } from '../helpers/backend';
import { pythonModulesMissing, SYSTEM_PYTHON } from '../helpers/fixtures';

before(useCpuBackend);

const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
/** Deterministic features that are not all alike: n rows of width d, some negative (as features before a ReLU can be). */
const features = (n: number, d: number, seed: number) => Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(seed * 13.7 + i * 3.1 + j * 1.9) * (1 + ((i + j) % 3))));
const value = (t: tf.Scalar) => t.dataSync()[0]!;

const torchMissing = pythonModulesMissing(['torch'], 'python3-torch');
if (torchMissing) console.log(`# SP and PKT against PyTorch skipped: ${torchMissing}`);

const LOSSES = { sp: similarityPreservingLoss, pkt: pktLoss } as const;

describe('SP and PKT losses', () => {
  it("match mdistiller's, and their gradients, computed by PyTorch", { skip: torchMissing ?? false }, () => {
    const student = features(6, 5, 1);
    const teacher = features(6, 7, 2);
    const script = fileURLToPath(new URL('../fixtures/torch/sp_pkt_reference.py', import.meta.url));
    const reference = JSON.parse(execFileSync(SYSTEM_PYTHON, [script], { input: JSON.stringify({ student, teacher }) }).toString()) as Record<keyof typeof LOSSES, { value: number; grad: number[] }>;
    const [s, t] = [tf.tensor2d(student), tf.tensor2d(teacher)];
    for (const [name, loss] of Object.entries(LOSSES) as Array<[keyof typeof LOSSES, (typeof LOSSES)[keyof typeof LOSSES]]>) {
      const ours = value(loss(s, t));
      assert.ok(reference[name].value > 1e-4, `${name}: the features differ enough for the check to mean something`);
      assert.ok(close(ours, reference[name].value), `${name}: ${ours} vs ${reference[name].value}`);
      const grad = tf.grad((x: tf.Tensor) => loss(x, t))(s).dataSync();
      grad.forEach((g, i) => assert.ok(close(g, reference[name].grad[i]!, 1e-3), `${name}: ∂/∂s[${i}] ${g} vs ${reference[name].grad[i]}`));
    }
  });

  it('are zero for a student whose features are the teacher scaled and rotated, and not for unrelated ones', () => {
    const teacher = tf.tensor2d(features(8, 3, 3));
    // A rotation of the 3 teacher dimensions, then widened to 4: inner products between images, and so cosines, are kept.
    const turn = tf.tensor2d([[Math.cos(0.7), -Math.sin(0.7), 0, 0], [Math.sin(0.7), Math.cos(0.7), 0, 0], [0, 0, 1, 0]]);
    const student = tf.mul(tf.matMul(teacher, turn), 3.5);
    const other = tf.tensor2d(features(8, 4, 9));
    for (const [name, loss] of Object.entries(LOSSES)) {
      assert.ok(value(loss(student, teacher)) < 1e-7, `${name}: ${value(loss(student, teacher))}`);
      assert.ok(value(loss(other, teacher)) > 1e-4, `${name}: unrelated features are far apart (${value(loss(other, teacher))})`);
    }
  });

  it('compare flattened maps, and keep unit Gram rows and similarity distributions', () => {
    const map = tf.tensor4d(features(5, 12, 4).flat(), [5, 2, 2, 3]);
    const flat = tf.reshape(map, [5, 12]);
    const teacher = tf.tensor2d(features(5, 6, 5));
    assert.ok(close(value(similarityPreservingLoss(map, teacher)), value(similarityPreservingLoss(flat, teacher)), 1e-6), 'a map is its flattened vector');
    const rows = tf.norm(normalizedGram(map), 2, 1).arraySync() as number[];
    rows.forEach((r) => assert.ok(close(r, 1, 1e-5), `row length ${r}`));
    const distributions = similarityDistributions(teacher).arraySync();
    distributions.forEach((row) => {
      assert.ok(close(row.reduce((a, b) => a + b, 0), 1, 1e-5));
      assert.ok(row.every((p) => p >= 0));
    });
  });

  it('stay finite on an all-zero embedding (a dead ReLU layer) and on a batch of one image', () => {
    const zero = tf.zeros([4, 5]);
    const teacher = tf.tensor2d(features(4, 6, 6));
    for (const [name, loss] of Object.entries(LOSSES)) {
      assert.ok(Number.isFinite(value(loss(zero, teacher))), `${name} on zeros`);
      assert.ok(tf.grad((x: tf.Tensor) => loss(x, teacher))(zero).dataSync().every(Number.isFinite), `${name}: gradient on zeros`);
      const one = tf.tensor2d([features(1, 5, 7)[0]!]);
      assert.ok(Number.isFinite(value(loss(one, tf.tensor2d([features(1, 6, 8)[0]!])))), `${name} on one image`);
    }
  });
});

describe('SP and PKT methods', () => {
  const shape = { inputShape: [8, 8, 1] as [number, number, number], classes: 3, seed: 5, dropout: 0 };

  for (const [id, loss, described] of [['sp', similarityPreservingLoss, /similarities between embeddings dense.*\(8\) ← .*\(32\), weight 3000, warm-up 3 epochs$/], ['pkt', pktLoss, /similarity distributions between embeddings dense.*\(8\) ← .*\(32\), weight 30000, warm-up 3 epochs$/]] as const) {
    it(`${id}: trains a narrower student's embeddings towards the teacher's relations`, () => {
      const teacher = buildModel('mlp-32x1', shape);
      const student = buildModel('mlp-8x1', { ...shape, seed: 6 });
      const config = presetConfig('quick');
      const prepared = getMethod(id).prepare({ student, teacher, config });
      assert.match(prepared.description, described);
      const x = tf.randomUniform([32, 8, 8, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
      const labels = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32');
      const studentForward = forwardWithFeatures(student, prepared.studentFeatureLayers);
      const teacherOut = forwardWithFeatures(teacher, prepared.teacherFeatureLayers)(x, false);
      const relation = () => tf.tidy(() => value(loss(studentForward(x, false).features[0]!, teacherOut.features[0]!)));
      const start = relation();
      const optimizer = tf.train.adam(0.01);
      for (let step = 0; step < 40; step++) {
        optimizer.minimize(() => {
          const out = studentForward(x, true);
          // Past SP's warm-up: the term at its full weight.
          return prepared.loss({ studentLogits: out.logits, labels, teacherLogits: teacherOut.logits, studentFeatures: out.features, teacherFeatures: teacherOut.features, epoch: 4, progress: 3, epochs: 5 });
        }, false, student.trainableWeights.map((w) => w.read() as tf.Variable));
      }
      const end = relation();
      assert.ok(end < start * 0.7, `the relation term fell from ${start} to ${end}`);
    });
  }

  it("ramps SP's term up over its warm-up: nothing but cross-entropy at the first step, half its weight halfway", () => {
    const teacher = buildModel('mlp-32x1', shape);
    const student = buildModel('mlp-8x1', { ...shape, seed: 6 });
    const config = presetConfig('quick');
    const prepared = getMethod('sp').prepare({ student, teacher, config });
    const x = tf.randomUniform([16, 8, 8, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
    const labels = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32');
    const s = forwardWithFeatures(student, prepared.studentFeatureLayers)(x, false);
    const t = forwardWithFeatures(teacher, prepared.teacherFeatureLayers)(x, false);
    const at = (progress: number) => value(prepared.loss({ studentLogits: s.logits, labels, teacherLogits: t.logits, studentFeatures: s.features, teacherFeatures: t.features, epoch: 1, progress, epochs: 5 }));
    const ce = value(tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), s.logits) as tf.Scalar);
    const term = config.methodOptions.sp.weight * value(similarityPreservingLoss(s.features[0]!, t.features[0]!));
    assert.ok(term > 1e-3, `the term is not negligible (${term})`);
    assert.ok(close(at(0), ce, 1e-5), `${at(0)} vs ${ce}`);
    assert.ok(close(at(1.5), ce + term / 2, 1e-4), `${at(1.5)} vs ${ce + term / 2}`);
    assert.ok(close(at(4), ce + term, 1e-4), `${at(4)} vs ${ce + term}`);
  });

  it('refuses a student with no hidden layer, naming the method', () => {
    const flatStudent = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 })] });
    assert.throws(() => getMethod('pkt').prepare({ student: flatStudent, teacher: buildModel('mlp-32x1', shape), config: presetConfig('quick') }), /the student .* has no hidden layer before its classifier: PKT compares embeddings/);
  });
});
