import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { attentionMap, attentionTransferLoss } from '../../electron/engine/losses/attention';
import { crossEntropyLoss } from '../../electron/engine/losses/cross-entropy';
import { dkdLoss, dkdTerms } from '../../electron/engine/losses/dkd';
import { distLoss, meanPearson } from '../../electron/engine/losses/dist';
import { hintLoss } from '../../electron/engine/losses/hint';
import { softTargetKl } from '../../electron/engine/losses/hinton-kd';
import { createRegressor } from '../../electron/engine/methods/fitnet';
import { describeInit, initFromTeacher } from '../../electron/engine/methods/init-from-teacher';
import { defaultAttentionPairs, defaultHintPair, describePairs, parsePairs, stageOutputs, checkPairShapes } from '../../electron/engine/methods/layer-pairing';
import { fitnetMethod } from '../../electron/engine/methods/fitnet';
import { atMethod } from '../../electron/engine/methods/at';
import { presetConfig } from '../../electron/contract/catalogue';
import { getMethod } from '../../electron/engine';
import { buildModel } from '../../electron/engine/models/registry';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const mnist = { inputShape: [28, 28, 1] as [number, number, number], classes: 10, seed: 3, dropout: 0 };

describe('DKD', () => {
  const s = () => tf.tensor2d([[1, 2, 0.5, -1], [0.3, -0.2, 2.5, 1.0], [3, 0, 0, 0]]);
  const t = () => tf.tensor2d([[2, 4, -1, 0], [-0.5, 0, 5, 1], [1, 2, 0.5, 0.2]]);
  const y = () => tf.tensor1d([1, 2, 0], 'int32');

  it('decomposes KD as TCKD + (1 − p_t)·NCKD for every example (Zhao et al., eq. 3)', () => {
    for (const T of [1, 4]) {
      const { tckd, nckd, teacherTarget } = dkdTerms(s(), t(), y(), T);
      const [a, b, p] = [tckd.arraySync(), nckd.arraySync(), teacherTarget.arraySync()];
      for (let i = 0; i < 3; i++) {
        const kd = softTargetKl(s().slice([i, 0], [1, 4]) as tf.Tensor2D, t().slice([i, 0], [1, 4]) as tf.Tensor2D, T).dataSync()[0]! * T * T;
        assert.ok(close(a[i]! + (1 - p[i]!) * b[i]!, kd), `T=${T} example ${i}: ${a[i]} + (1 − ${p[i]})·${b[i]} vs KD ${kd}`);
        assert.ok(a[i]! > 0 && b[i]! > 0);
      }
    }
  });

  it('is cross-entropy alone during warm-up 0, and CE + α·TCKD + β·NCKD after it', () => {
    const ce = crossEntropyLoss(y(), s());
    const cold = dkdLoss(s(), t(), y(), ce, { temperature: 4, alpha: 1, beta: 8, warmup: 0 }).dataSync()[0]!;
    assert.ok(close(cold, ce.dataSync()[0]!));
    const { tckd, nckd } = dkdTerms(s(), t(), y(), 4);
    const want = ce.dataSync()[0]! + 2 * tf.mean(tckd).dataSync()[0]! + 3 * tf.mean(nckd).dataSync()[0]!;
    assert.ok(close(dkdLoss(s(), t(), y(), ce, { temperature: 4, alpha: 2, beta: 3, warmup: 1 }).dataSync()[0]!, want));
  });

  it('names its warm-up in its description only when it has one, as KD does, and a ramp longer than the run', () => {
    const lenet = buildModel('lenet5', mnist);
    const quick = presetConfig('quick');
    const describeWith = (warmup: number) => getMethod('dkd').prepare({ student: lenet, teacher: lenet, config: { ...quick, methodOptions: { ...quick.methodOptions, dkd: { alpha: 1, beta: 8, warmup } } } }).description;
    assert.match(describeWith(3), /β = 8, T = 4, warm-up 3 epochs$/);
    assert.match(describeWith(0), /β = 8, T = 4$/);
    // quick trains 5 epochs: a longer ramp never reaches the terms' full weight, and says so.
    assert.match(describeWith(8), /β = 8, T = 4, warm-up 8 epochs \(longer than the 5 trained: the ramp ends at 63 %\)$/);
  });
});

describe('DIST', () => {
  const s = () => tf.tensor2d([[1, 2, 0.5, -1], [0.3, -0.2, 2.5, 1.0], [3, 0, 0, 0]]);
  const t = () => tf.tensor2d([[2, 4, -1, 0], [-0.5, 0, 5, 1], [1, 2, 0.5, 0.2]]);
  const y = () => tf.tensor1d([1, 2, 0], 'int32');
  const softmax = (row: number[], T: number) => {
    const e = row.map((v) => Math.exp(v / T));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  const pearson = (a: number[], b: number[]) => {
    const ma = a.reduce((x, v) => x + v, 0) / a.length;
    const mb = b.reduce((x, v) => x + v, 0) / b.length;
    let cov = 0, va = 0, vb = 0;
    a.forEach((v, i) => { cov += (v - ma) * (b[i]! - mb); va += (v - ma) ** 2; vb += (b[i]! - mb) ** 2; });
    return cov / Math.sqrt(va * vb);
  };

  it('correlates rows or columns: 1 for an affine copy, −1 for a mirrored one', () => {
    const a = tf.tensor2d([[1, 2, 4], [0, 3, 1]]);
    assert.ok(close(meanPearson(a, tf.add(tf.mul(a, 3), 2) as tf.Tensor2D, 1).dataSync()[0]!, 1));
    assert.ok(close(meanPearson(a, tf.neg(a) as tf.Tensor2D, 0).dataSync()[0]!, -1));
  });

  it('is α·T²·[β·(1 − ρ per image) + γ·(1 − ρ per class)] + (1 − α)·CE, computed here by hand', () => {
    const T = 2, alpha = 0.7, beta = 1.5, gamma = 0.5;
    const ps = (s().arraySync() as number[][]).map((r) => softmax(r, T));
    const pt = (t().arraySync() as number[][]).map((r) => softmax(r, T));
    const inter = 1 - ps.reduce((sum, row, i) => sum + pearson(row, pt[i]!), 0) / ps.length;
    const column = (m: number[][], c: number) => m.map((row) => row[c]!);
    const intra = 1 - [0, 1, 2, 3].reduce((sum, c) => sum + pearson(column(ps, c), column(pt, c)), 0) / 4;
    const ce = crossEntropyLoss(y(), s()).dataSync()[0]!;
    const want = alpha * T * T * (beta * inter + gamma * intra) + (1 - alpha) * ce;
    assert.ok(close(distLoss(s(), t(), y(), { temperature: T, alpha, interWeight: beta, intraWeight: gamma }).dataSync()[0]!, want));
  });

  it('has no relation term when the student predicts what the teacher does, and is cross-entropy at α = 0', () => {
    // Only float32 rounding and the 1e-8 guard in the correlation's denominator are left.
    const same = distLoss(t(), t(), y(), { temperature: 4, alpha: 1, interWeight: 1, intraWeight: 1 }).dataSync()[0]!;
    assert.ok(Math.abs(same) < 1e-3, `relation term ${same} for identical predictions`);
    const ce = crossEntropyLoss(y(), s()).dataSync()[0]!;
    assert.ok(close(distLoss(s(), t(), y(), { temperature: 4, alpha: 0, interWeight: 1, intraWeight: 1 }).dataSync()[0]!, ce));
  });

  it('keeps its gradient finite when a class has the same probability for every image of the batch', () => {
    const same = tf.tensor2d([[1, 2, 0.5, -1], [1, 2, 0.5, -1], [1, 2, 0.5, -1]]);
    const grad = tf.grad((x: tf.Tensor) => distLoss(x as tf.Tensor2D, t(), y(), { temperature: 8, alpha: 0.9, interWeight: 1, intraWeight: 1 }))(same);
    assert.ok((grad.dataSync() as Float32Array).every(Number.isFinite), `gradient ${grad.dataSync()}`);
  });

  it("pulls the student's logits towards the teacher's ranking", () => {
    const student = tf.variable(s());
    const loss = () => distLoss(student as unknown as tf.Tensor2D, t(), y(), { temperature: 1, alpha: 1, interWeight: 1, intraWeight: 1 });
    const before = loss().dataSync()[0]!;
    const optimizer = tf.train.sgd(1);
    for (let step = 0; step < 50; step++) optimizer.minimize(loss);
    assert.ok(loss().dataSync()[0]! < before / 2, `loss ${before} did not halve`);
    const argmax = tf.argMax(student, 1).arraySync();
    assert.deepEqual(argmax, tf.argMax(t(), 1).arraySync());
  });
});

describe('attention transfer', () => {
  it('maps features to the L2-normalised channel mean of squares', () => {
    // 1 example, 2×1 spatial, 2 channels: squares mean per position = (1+9)/2 = 5 and (4+0)/2 = 2.
    const map = attentionMap(tf.tensor4d([1, 3, 2, 0], [1, 2, 1, 2])).arraySync()[0]!;
    const norm = Math.hypot(5, 2);
    assert.ok(close(map[0]!, 5 / norm) && close(map[1]!, 2 / norm), String(map));
  });

  it('is zero for the same maps at any scale and positive for different ones', () => {
    const f = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    assert.ok(attentionTransferLoss([f], [tf.mul(f, 3) as tf.Tensor4D]).dataSync()[0]! < 1e-9);
    const g = tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 6) as tf.Tensor4D;
    assert.ok(attentionTransferLoss([f], [g]).dataSync()[0]! > 1e-4);
  });
});

describe('FitNets hints', () => {
  it('is half the mean squared error', () => {
    assert.ok(close(hintLoss(tf.tensor([1, 2, 3]), tf.tensor([1, 0, 0])).dataSync()[0]!, 0.5 * (4 + 9) / 3));
  });

  it('builds a dense regressor for vectors and a 1×1 conv for maps', () => {
    const dense = createRegressor({ student: { name: 's', shape: [30] }, teacher: { name: 't', shape: [64] } }, 1);
    assert.deepEqual(dense.kernel.shape, [30, 64]);
    assert.deepEqual(dense.apply(tf.ones([5, 30])).shape, [5, 64]);
    const conv = createRegressor({ student: { name: 's', shape: [10, 10, 6] }, teacher: { name: 't', shape: [10, 10, 16] } }, 1);
    assert.deepEqual(conv.kernel.shape, [1, 1, 6, 16]);
    assert.deepEqual(conv.apply(tf.ones([2, 10, 10, 6])).shape, [2, 10, 10, 16]);
  });
});

describe('layer pairing', () => {
  it('finds LeNet-5 stage outputs and pairs them for attention transfer', () => {
    const lenet = buildModel('lenet5', mnist);
    assert.deepEqual(stageOutputs(lenet).map((l) => `${l.name} ${l.shape.join('×')}`), ['conv_1 28×28×6', 'conv_2 10×10×16']);
    assert.deepEqual(defaultAttentionPairs(lenet, buildModel('lenet5', mnist)).map((p) => `${p.student.name}:${p.teacher.name}`), ['conv_1:conv_1', 'conv_2:conv_2']);
    // Across families, lined up by size: LeNet-5's 28- and 10-px maps with a ResNet's 28- and 14-px stages.
    const resnet = buildModel('resnet20@0.25', mnist);
    assert.deepEqual(defaultAttentionPairs(lenet, resnet).map((p) => `${p.student.name}:${p.teacher.name}`), ['conv_1:stage_1', 'conv_2:stage_2']);
    assert.deepEqual(defaultAttentionPairs(resnet, buildModel('resnet56@0.25', mnist)).map((p) => `${p.student.name}:${p.teacher.name}`), ['stage_1:stage_1', 'stage_2:stage_2', 'stage_3:stage_3']);
  });

  it('guides the middle hidden layer of MLPs', () => {
    const pairs = defaultHintPair(buildModel('mlp-30x2', mnist), buildModel('mlp-100x3', mnist));
    assert.deepEqual(pairs.map((p) => `${p.student.name} ${p.student.shape} ← ${p.teacher.name} ${p.teacher.shape}`), ['dense_1 30 ← dense_2 100']);
  });

  it('explains what cannot be paired', () => {
    const mlp = buildModel('mlp-30x2', mnist);
    const lenet = buildModel('lenet5', mnist);
    assert.throws(() => defaultAttentionPairs(mlp, lenet), /attention transfer needs convolutional feature maps in both models; mlp-30x2 has none/);
    assert.throws(() => parsePairs('dense_9:conv_1', mlp, lenet), /the student has no layer "dense_9" \(feature layers: dense_1, dense_2\)/);
    assert.throws(() => checkPairShapes(parsePairs('dense_1:conv_1', mlp, lenet), 'FitNets'), /one is a vector, the other a feature map/);
  });

  it("ramps attention transfer's β up over its warm-up, step by step", () => {
    const lenet = buildModel('lenet5', mnist);
    const config = presetConfig('quick');
    const prepared = atMethod.prepare({ student: lenet, teacher: lenet, config: { ...config, methodOptions: { ...config.methodOptions, at: { ...config.methodOptions.at, warmup: 2 } } } });
    assert.match(prepared.description, /β = 1000, warm-up 2 epochs$/);
    const [s1, s2, t1, t2] = [1, 2, 3, 4].map((seed, i) => tf.randomNormal(i % 2 === 0 ? [2, 28, 28, 6] : [2, 10, 10, 16], 0, 1, 'float32', seed));
    const lossAt = (progress: number) => prepared.loss({ studentLogits: tf.zeros([2, 10]), labels: tf.tensor1d([1, 2], 'int32'), teacherLogits: null, studentFeatures: [s1!, s2!], teacherFeatures: [t1!, t2!], epoch: 1, epochs: 4, progress }).dataSync()[0]!;
    const ce = Math.log(10);
    assert.ok(Math.abs(lossAt(0) - ce) < 1e-5, 'cross-entropy alone at the start');
    const full = lossAt(3) - ce;
    assert.ok(full > 0 && Math.abs(lossAt(1) - ce - full / 2) < 1e-4 * full, 'half of β halfway through the warm-up');
    prepared.dispose();
  });

  it("ramps KD's α up from 0 over its warm-up, DIST's over its own, and FitNets' from the end of its hints", () => {
    const lenet = buildModel('lenet5', mnist);
    const quick = presetConfig('quick');
    const config = { ...quick, methodOptions: { ...quick.methodOptions, kd: { temperature: 4, alpha: 0.8, warmup: 2 }, dist: { ...quick.methodOptions.dist, warmup: 2 }, fitnet: { ...quick.methodOptions.fitnet, hintEpochs: 1 } } };
    const studentLogits = () => tf.tensor2d([[1, 2, 0.5, -1], [0.3, -0.2, 2.5, 1.0]]);
    const teacherLogits = () => tf.tensor2d([[2, 4, -1, 0], [-0.5, 0, 5, 1]]);
    const labels = () => tf.tensor1d([1, 2], 'int32');
    const ce = crossEntropyLoss(labels(), studentLogits()).dataSync()[0]!;
    const kl = softTargetKl(studentLogits(), teacherLogits(), 4).dataSync()[0]! * 16;
    const options = { temperature: 4, interWeight: 1, intraWeight: 1 };
    const relation = (alpha: number) => distLoss(studentLogits(), teacherLogits(), labels(), { ...options, alpha }).dataSync()[0]!;
    const cases = [
      { method: getMethod('kd'), start: 0, want: (a: number) => a * kl + (1 - a) * ce, words: /T = 4, α = 0\.8, warm-up 2 epochs$/ },
      { method: getMethod('dist'), start: 0, want: relation, words: /γ = 1, warm-up 2 epochs$/ },
      { method: fitnetMethod, start: 1, want: (a: number) => a * kl + (1 - a) * ce, words: /then KD \(T = 4, α = 0\.8, warm-up 2 epochs\)$/ },
    ];
    for (const { method, start, want, words } of cases) {
      const prepared = method.prepare({ student: lenet, teacher: lenet, config });
      assert.match(prepared.description, words);
      const lossAt = (progress: number) => prepared.loss({ studentLogits: studentLogits(), labels: labels(), teacherLogits: teacherLogits(), studentFeatures: [], teacherFeatures: [], epoch: Math.floor(progress) + 1, epochs: 6, progress }).dataSync()[0]!;
      assert.ok(close(lossAt(start), ce), `${prepared.description}: cross-entropy alone as the warm-up starts`);
      assert.ok(close(lossAt(start + 1), want(0.4)), `${prepared.description}: half of α halfway through`);
      assert.ok(close(lossAt(start + 3), want(0.8)), `${prepared.description}: all of α after it`);
      prepared.dispose?.();
    }
    const none = getMethod('kd').prepare({ student: lenet, teacher: lenet, config: { ...config, methodOptions: { ...config.methodOptions, kd: { temperature: 4, alpha: 0.8, warmup: 0 } } } });
    assert.doesNotMatch(none.description, /warm-up/);
    // DIST's ramp is its own: KD's at 0 leaves it in place.
    assert.match(getMethod('dist').prepare({ student: lenet, teacher: lenet, config: { ...config, methodOptions: { ...config.methodOptions, kd: { temperature: 4, alpha: 0.8, warmup: 0 } } } }).description, /γ = 1, warm-up 2 epochs$/);
    assert.ok(close(none.loss({ studentLogits: studentLogits(), labels: labels(), teacherLogits: teacherLogits(), studentFeatures: [], teacherFeatures: [], epoch: 1, epochs: 6, progress: 0 }).dataSync()[0]!, 0.8 * kl + 0.2 * ce), 'no warm-up: all of α from the first step');
  });

  it('compares maps of different sizes pooled to the smaller, and trains through the pooling', () => {
    const lenet = buildModel('lenet5', mnist);
    const pairs = parsePairs('conv_1:conv_2', lenet, lenet);
    checkPairShapes(pairs, 'AT');
    assert.equal(describePairs(pairs), 'conv_1 (28×28×6) ← conv_2 (10×10×16) (compared pooled to 10×10)');
    const config = presetConfig('quick');
    for (const [method, options] of [[atMethod, { at: { ...config.methodOptions.at, featurePairs: 'conv_1:conv_2' } }], [fitnetMethod, { fitnet: { ...config.methodOptions.fitnet, featurePairs: 'conv_1:conv_2', hintEpochs: 1 } }]] as const) {
      const prepared = method.prepare({ student: lenet, teacher: lenet, config: { ...config, methodOptions: { ...config.methodOptions, ...options } } });
      const student = tf.randomNormal([2, 28, 28, 6], 0, 1, 'float32', 1);
      const teacher = tf.randomNormal([2, 10, 10, 16], 0, 1, 'float32', 2);
      const loss = prepared.loss({ studentLogits: tf.zeros([2, 10]), labels: tf.tensor1d([1, 2], 'int32'), teacherLogits: tf.zeros([2, 10]), studentFeatures: [student], teacherFeatures: [teacher], epoch: 1, epochs: 2, progress: 1 });
      assert.ok(Number.isFinite(loss.dataSync()[0]!) && loss.dataSync()[0]! > 0, `${prepared.description}: ${loss.dataSync()[0]}`);
      // The gradient reaches every pixel of the larger map through the pooling.
      const grad = tf.grad((x: tf.Tensor) => prepared.loss({ studentLogits: tf.zeros([2, 10]), labels: tf.tensor1d([1, 2], 'int32'), teacherLogits: tf.zeros([2, 10]), studentFeatures: [x], teacherFeatures: [teacher], epoch: 1, epochs: 2, progress: 1 }))(student);
      assert.deepEqual(grad.shape, [2, 28, 28, 6]);
      assert.ok(Array.from(grad.abs().sum([0, 3]).dataSync()).every((v) => v > 0), 'a pixel without gradient');
      const tensors = tf.memory().numTensors;
      prepared.dispose();
      assert.ok(tf.memory().numTensors < tensors, 'its pooling matrices are released');
      tf.dispose([student, teacher, loss, grad]);
    }
  });
});

describe('weight initialisation from the teacher', () => {
  const weightsOf = (model: tf.LayersModel, layer: string) => model.getLayer(layer).getWeights().map((w) => Array.from(w.dataSync()));

  it('copies layers by shape in order and leaves the rest at their initial values', () => {
    const teacher = buildModel('mlp-64x2', { ...mnist, seed: 11 });
    const student = buildModel('mlp-64x3', mnist);
    const fresh = buildModel('mlp-64x3', mnist);
    const report = initFromTeacher(student, teacher);
    assert.deepEqual(report.copied.map((c) => `${c.student}←${c.teacher}`), ['dense_1←dense_1', 'dense_2←dense_2', 'logits←logits']);
    assert.deepEqual(report.kept, ['dense_3']);
    for (const layer of ['dense_1', 'dense_2', 'logits']) assert.deepEqual(weightsOf(student, layer), weightsOf(teacher, layer), layer);
    assert.deepEqual(weightsOf(student, 'dense_3'), weightsOf(fresh, 'dense_3'));
    assert.notDeepEqual(weightsOf(fresh, 'dense_1'), weightsOf(teacher, 'dense_1'));
  });

  it('copies nothing when no shapes agree and the student is no narrower copy of the teacher, and says so', () => {
    const student = buildModel('mlp-30x3', mnist);
    const before = student.getWeights().map((w) => Array.from(w.dataSync()));
    const report = initFromTeacher(student, buildModel('mlp-64x2', mnist));
    assert.equal(report.copied.length, 0);
    assert.match(describeInit(report), /^nothing copied/);
    assert.deepEqual(student.getWeights().map((w) => Array.from(w.dataSync())), before);
  });

  it('a narrower MLP of the same depth is the teacher pruned to its strongest units (weight selection): same logits as the teacher with the other units cut off', () => {
    const teacher = buildModel('mlp-64x2', { ...mnist, seed: 11 });
    const student = buildModel('mlp-16x2', mnist);
    const report = initFromTeacher(student, teacher);
    assert.deepEqual(report.copied.map((c) => [c.student, c.selected?.units, c.selected?.of]), [['dense_1', 16, 64], ['dense_2', 16, 64], ['logits', undefined, undefined]]);
    assert.match(describeInit(report), /^weight selection: .*dense_1 ← dense_1 \(16 of 64 units\), dense_2 ← dense_2 \(16 of 64 units\), logits ← logits/);
    // The teacher with every unit the student did not keep silenced (its outgoing weights zeroed)
    // computes exactly the student's function.
    const k2 = teacher.getLayer('dense_2').getWeights()[0]!;
    const k3 = teacher.getLayer('logits').getWeights()[0]!;
    const strongest = (k: tf.Tensor) => (tf.tidy(() => k.square().sum(1).arraySync()) as number[]).map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 16).map(([, i]) => i);
    const tensorsBefore = tf.memory().numTensors;
    initFromTeacher(buildModel('mlp-16x2', mnist), teacher);
    assert.equal(tf.memory().numTensors - tensorsBefore, 6, 'only the new student\'s six weights stay: nothing leaks');
    const keep1 = new Set(strongest(k2));
    const keep2 = new Set(strongest(k3));
    const pruned = buildModel('mlp-64x2', { ...mnist, seed: 11 });
    const mask = (k: tf.Tensor, keep: Set<number>) => tf.tidy(() => k.mul(tf.tensor2d(Array.from({ length: k.shape[0]! }, (_, i) => Array(k.shape[1]).fill(keep.has(i) ? 1 : 0)))));
    pruned.getLayer('dense_2').setWeights([mask(k2, keep1), teacher.getLayer('dense_2').getWeights()[1]!]);
    pruned.getLayer('logits').setWeights([mask(k3, keep2), teacher.getLayer('logits').getWeights()[1]!]);
    const x = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 3);
    const expected = (pruned.predict(x) as tf.Tensor).arraySync() as number[][];
    const actual = (student.predict(x) as tf.Tensor).arraySync() as number[][];
    actual.flat().forEach((v, i) => assert.ok(Math.abs(v - expected.flat()[i]!) < 1e-4, `logit ${i}: ${v} vs ${expected.flat()[i]}`));
    assert.ok(new Set(expected.flat()).size > 1, 'the logits are not trivially constant');
  });
});
