import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { describeInit, initFromTeacher } from '../../electron/engine/methods/init-from-teacher';
import { buildModel } from '../../electron/engine/models/registry';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);
const mnist = { inputShape: [28, 28, 1] as [number, number, number], classes: 10, dropout: 0, seed: 1 };
const cifar = { inputShape: [32, 32, 3] as [number, number, number], classes: 10, dropout: 0, seed: 1 };
const weighted = (model: tf.LayersModel) => model.layers.filter((l) => l.weights.length > 0);

/** Every teacher weight random (variances positive), so that each unit's bias or batch-norm offset tells which unit a student copy came from. */
function randomise(model: tf.LayersModel, seed: number): void {
  for (const [i, layer] of weighted(model).entries()) {
    layer.setWeights(layer.getWeights().map((w, j) => tf.tidy(() => {
      const r = tf.randomNormal(w.shape, 0, 0.3, 'float32', seed * 100 + i * 10 + j);
      return layer.getClassName() === 'BatchNormalization' && j === 3 ? r.abs().add(0.5) : r;
    })));
  }
}

/** Which teacher unit each student unit holds, found by its offset (bias, or the batch norm's beta after a bias-free convolution): the selection read back from the result. */
function keptUnits(student: tf.LayersModel, teacher: tf.LayersModel): Array<number[] | null> {
  const s = weighted(student);
  const t = weighted(teacher);
  return s.map((layer, i) => {
    if (layer.getClassName() === 'BatchNormalization') return null;
    const offsetOf = (layers: tf.layers.Layer[]) => {
      const own = layers[i]!.getWeights()[1];
      return Array.from((own ?? layers[i + 1]!.getWeights()[1]!).dataSync());
    };
    const teacherOffsets = offsetOf(t);
    return offsetOf(s).map((v) => teacherOffsets.indexOf(v));
  });
}

/** The teacher with every unit the student did not keep silenced: the inputs it feeds into the next layer zeroed. */
function silenceUnkept(teacher: tf.LayersModel, kept: Array<number[] | null>): void {
  let keep: Set<number> | null = null;
  let of = 0;
  for (const [i, layer] of weighted(teacher).entries()) {
    const kind = layer.getClassName();
    if (kind === 'BatchNormalization') continue;
    const [kernel, ...rest] = layer.getWeights();
    if (keep) {
      const k = kernel!;
      const inputs = k.shape[k.rank - 2]!;
      const rowKept = Array.from({ length: inputs }, (_, r) => (keep!.has(r % of) ? 1 : 0));
      const shape = k.rank === 4 ? [1, 1, inputs, 1] : [inputs, 1];
      layer.setWeights([tf.tidy(() => k.mul(tf.tensor(rowKept, shape))), ...rest]);
    }
    keep = new Set(kept[i]!);
    of = kernel!.shape[kernel!.rank - 1]!;
  }
}

function logits(model: tf.LayersModel, x: tf.Tensor): number[][] {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync() as number[][]);
}

/** The student's logits on random images equal those of the teacher with every unit the student did not keep silenced (the teacher is changed). */
function assertStudentIsPrunedTeacher(student: tf.LayersModel, teacher: tf.LayersModel, kept: Array<number[] | null>, images: number): void {
  const x = tf.randomUniform([images, ...student.inputs[0]!.shape.slice(1) as number[]], 0, 1, 'float32', 7);
  const studentLogits = logits(student, x);
  silenceUnkept(teacher, kept);
  const prunedLogits = logits(teacher, x);
  x.dispose();
  for (const [r, row] of studentLogits.entries()) row.forEach((v, c) => assert.ok(Math.abs(v - prunedLogits[r]![c]!) < 1e-3, `image ${r}, class ${c}: ${v} vs ${prunedLogits[r]![c]}`));
}

/** A teacher with random weights and a fresh student initialised from it; nothing may leak. */
function selectPair(teacherName: string, studentName: string, options: typeof mnist, randomSeed: number) {
  const teacher = buildModel(teacherName, { ...options, seed: 11 });
  randomise(teacher, randomSeed);
  const student = buildModel(studentName, { ...options, seed: 3 });
  const tensorsBefore = tf.memory().numTensors;
  const report = initFromTeacher(student, teacher);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'setWeights replaces the student\'s weights: nothing leaks');
  return { teacher, student, report };
}

describe('weight selection for a narrower convnet', () => {
  it('lenet5@0.5 starts as lenet5 pruned to its strongest channels and units, through pooling and the flatten', () => {
    const { teacher, student, report } = selectPair('lenet5', 'lenet5@0.5', mnist, 5);
    assert.deepEqual(report.copied.map((c) => [c.student, c.selected?.units, c.selected?.of, c.selected?.channels]), [
      ['conv_1', 3, 6, true], ['conv_2', 8, 16, true], ['fc_1', 60, 120, false], ['fc_2', 42, 84, false], ['logits', undefined, undefined, undefined],
    ]);
    assert.equal(report.kept.length, 0);
    assert.match(describeInit(report), /^weight selection: .*conv_1 ← conv_1 \(3 of 6 channels\), conv_2 ← conv_2 \(8 of 16 channels\), fc_1 ← fc_1 \(60 of 120 units\)/);

    const kept = keptUnits(student, teacher);
    assert.ok(kept.every((k) => k === null || (k.every((u) => u >= 0) && new Set(k).size === k.length)), 'each student unit is a distinct teacher unit');
    // conv_1 keeps the channels with the most squared weight leaving them in conv_2.
    const outgoing = tf.tidy(() => teacher.getLayer('conv_2').getWeights()[0]!.square().sum([0, 1, 3]).arraySync() as number[]);
    const strongest = outgoing.map((v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([, c]) => c).sort();
    assert.deepEqual([...kept[0]!].sort(), strongest);

    assertStudentIsPrunedTeacher(student, teacher, kept, 4);
  });

  it('carries batch norm with its channels (VGG): the student computes the pruned teacher', () => {
    const { teacher, student, report } = selectPair('vgg11@0.25', 'vgg11@0.125', cifar, 9);
    assert.ok(report.copied.some((c) => c.student === 'bn_1') && report.copied.find((c) => c.student === 'conv_1')?.selected?.units === 8);
    assertStudentIsPrunedTeacher(student, teacher, keptUnits(student, teacher), 2);
  });

  it('looks through dropout: a teacher trained with dropout seeds a student without (Hinton\'s mlp-1200x2 → mlp-800x2)', () => {
    const teacher = buildModel('lenet5', { ...mnist, dropout: 0.5, seed: 11 });
    randomise(teacher, 2);
    assert.ok(teacher.layers.some((l) => l.getClassName() === 'Dropout'));
    const student = buildModel('lenet5@0.5', mnist);
    const report = initFromTeacher(student, teacher);
    assert.equal(report.copied.find((c) => c.student === 'fc_1')?.selected?.units, 60);
    assertStudentIsPrunedTeacher(student, teacher, keptUnits(student, teacher), 2);
    const mlp = initFromTeacher(buildModel('mlp-16x2', mnist), buildModel('mlp-64x2', { ...mnist, dropout: 0.5 }));
    assert.deepEqual(mlp.copied.map((c) => c.selected?.units), [16, 16, undefined]);
  });

  it('a shallower VGG or MLP takes the first layers of each stage of the teacher, and its last', () => {
    const { teacher, student, report } = selectPair('vgg13@0.25', 'vgg11@0.125', cifar, 3);
    // vgg13 has two convolutions in every stage; vgg11 one in the first two stages, two in the others.
    assert.deepEqual(report.copied.filter((c) => c.selected || c.student === 'logits').map((c) => `${c.student}←${c.teacher}`), ['conv_1←conv_1', 'conv_2←conv_3', 'conv_3←conv_5', 'conv_4←conv_6', 'conv_5←conv_7', 'conv_6←conv_8', 'conv_7←conv_9', 'conv_8←conv_10', 'logits←logits']);
    assert.deepEqual(report.copied.find((c) => c.student === 'conv_2')?.selected, { units: 16, of: 32, channels: true });
    // Each student channel is a distinct teacher channel of the convolution it came from (its batch norm's β tells which).
    for (const [s, t] of [['bn_2', 'bn_3'], ['bn_8', 'bn_10']] as const) {
      const beta = (l: tf.layers.Layer) => Array.from(l.getWeights()[1]!.dataSync());
      const from = beta(student.getLayer(s)).map((v) => beta(teacher.getLayer(t)).indexOf(v));
      assert.ok(from.every((c) => c >= 0) && new Set(from).size === from.length, `${s} ← ${t}: ${from}`);
    }
    const mlp = initFromTeacher(buildModel('mlp-16x2', mnist), buildModel('mlp-64x3', mnist));
    assert.deepEqual(mlp.copied.map((c) => [c.student, c.teacher, c.selected?.units]), [['dense_1', 'dense_1', 16], ['dense_2', 'dense_2', 16], ['logits', 'logits', undefined]]);
  });

  it('leaves a pair that is not a narrower copy to the copy by shape: a wider student, a deeper one, another graph', () => {
    const teacher = buildModel('lenet5@0.5', { ...mnist, seed: 11 });
    const wider = initFromTeacher(buildModel('lenet5', mnist), teacher);
    assert.ok(wider.copied.every((c) => !c.selected));
    const vgg = initFromTeacher(buildModel('vgg13@0.125', cifar), buildModel('vgg11@0.25', cifar));
    assert.ok(vgg.copied.every((c) => !c.selected), 'a deeper student: no selection');
    const resnet = initFromTeacher(buildModel('resnet20@0.5', small), buildModel('resnet18@0.25', small));
    assert.ok(resnet.copied.every((c) => !c.selected), 'another graph (four stages against three): no selection');
  });
});

/** For each batch norm of the student, which channels of the teacher's batch norm of the same name it holds (found by β). */
function keptByBatchNorm(student: tf.LayersModel, teacher: tf.LayersModel): Map<string, number[]> {
  const kept = new Map<string, number[]>();
  for (const layer of student.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const beta = (l: tf.layers.Layer) => Array.from(l.getWeights()[1]!.dataSync());
    const teacherBeta = beta(teacher.getLayer(layer.name));
    kept.set(layer.name, beta(layer).map((v) => teacherBeta.indexOf(v)));
  }
  return kept;
}

/** Zeroes γ and β of every teacher batch norm outside the channels its student twin kept: those channels then carry 0 everywhere after it. */
function silenceByBatchNorm(teacher: tf.LayersModel, kept: Map<string, number[]>): void {
  for (const [name, channels] of kept) {
    const layer = teacher.getLayer(name);
    const [gamma, beta, ...moving] = layer.getWeights();
    const mask = tf.tensor1d(Array.from({ length: gamma!.shape[0]! }, (_, c) => (channels.includes(c) ? 1 : 0)));
    layer.setWeights([gamma!.mul(mask), beta!.mul(mask), ...moving]);
    mask.dispose();
  }
}

function assertSameLogits(student: tf.LayersModel, teacher: tf.LayersModel, images: number): void {
  const x = tf.randomUniform([images, ...student.inputs[0]!.shape.slice(1) as number[]], 0, 1, 'float32', 7);
  const [a, b] = [logits(student, x), logits(teacher, x)];
  x.dispose();
  const scale = Math.max(1, ...b.flat().map(Math.abs));
  for (const [r, row] of a.entries()) row.forEach((v, c) => assert.ok(Math.abs(v - b[r]![c]!) < 1e-4 * scale, `image ${r}, class ${c}: ${v} vs ${b[r]![c]}`));
}

const small = { inputShape: [8, 8, 3] as [number, number, number], classes: 10, dropout: 0, seed: 1 };

describe('weight selection for residual networks', () => {
  it('resnet20@0.5 keeps one choice of channels per residual stream and computes the pruned resnet20', () => {
    const { teacher, student, report } = selectPair('resnet20', 'resnet20@0.5', small, 4);
    assert.equal(report.kept.length, 0);
    assert.deepEqual(report.copied.filter((c) => c.selected).map((c) => [c.student, c.selected!.units, c.selected!.of]).slice(0, 3), [['stem_conv', 8, 16], ['s1b1_conv1', 8, 16], ['s1b1_conv2', 8, 16]]);
    assert.match(describeInit(report), /^weight selection: .*copied stem_conv ← stem_conv \(8 of 16 channels\), stem_bn ← stem_bn, .* … \d+ more layers …, logits ← logits \([\d,]+ parameters\)/);
    const kept = keptByBatchNorm(student, teacher);
    assert.ok([...kept.values()].every((k) => k.every((c) => c >= 0) && new Set(k).size === k.length), 'each student channel is a distinct teacher channel');
    // Everything added into a stream keeps the same channels: the stem and each block's second batch norm in stage 1, the shortcut and the second batch norms in stage 2.
    const same = (names: string[]) => names.forEach((n) => assert.deepEqual(kept.get(n), kept.get(names[0]!), n));
    same(['stem_bn', 's1b1_bn2', 's1b2_bn2', 's1b3_bn2']);
    same(['s2b1_shortcut_bn', 's2b1_bn2', 's2b2_bn2', 's2b3_bn2']);
    assert.notDeepEqual(kept.get('s1b1_bn1'), kept.get('stem_bn'), 'a block\'s inner channels are chosen on their own');
    silenceByBatchNorm(teacher, kept);
    assertSameLogits(student, teacher, 3);
  });

  it('resnet20@0.5 from resnet56 keeps the first three blocks of each stage (layer selection) as well as the strongest channels', () => {
    const { teacher, student, report } = selectPair('resnet56', 'resnet20@0.5', small, 8);
    const teachers = report.copied.map((c) => c.teacher);
    assert.ok(teachers.includes('s1b3_conv2') && teachers.includes('s2b1_shortcut') && teachers.includes('s3b3_bn2'));
    assert.ok(!teachers.some((t) => /^s\db[4-9]_/.test(t)), 'blocks 4–9 of each stage are left out');
    assert.ok(report.copied.every((c) => c.student === c.teacher), 'each student layer takes the teacher layer of its name');
    const kept = keptByBatchNorm(student, teacher);
    // The left-out blocks add nothing (their last batch norm silenced), so the stream passes through them unchanged.
    const leftOut = teacher.layers.filter((l) => /^s\db[4-9]_bn2$/.test(l.name)).map((l) => [l.name, []] as [string, number[]]);
    assert.equal(leftOut.length, 18);
    silenceByBatchNorm(teacher, new Map([...kept, ...leftOut]));
    assertSameLogits(student, teacher, 3);
  });

  it('mobilenetv2@0.5 carries its channels through the depthwise convolutions', () => {
    const { teacher, student, report } = selectPair('mobilenetv2', 'mobilenetv2@0.5', small, 6);
    assert.ok(report.copied.some((c) => c.student === 'b2_1_dw' && !c.selected), 'a depthwise convolution carries its input\'s channels');
    assert.equal(report.copied.find((c) => c.student === 'b2_1_expand')?.selected?.units, 48);
    const kept = keptByBatchNorm(student, teacher);
    assert.deepEqual(kept.get('b2_1_dw_bn'), kept.get('b2_1_expand_bn'));
    silenceByBatchNorm(teacher, kept);
    assertSameLogits(student, teacher, 2);
  });
});
