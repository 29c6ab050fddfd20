import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { METHOD_CATALOGUE, METHOD_IDS, inAppWords, presetConfig } from '../../electron/contract/catalogue';
import { recipeConflicts } from '../../electron/contract/recipe-rules';
import { ensembleModel, ensembleSize, seedingModel } from '../../electron/engine/models/ensemble';
import { applyRunEvent, emptyRunView } from '../../renderer/src/lib/run-view';
import { selectTeacherWeights } from '../../electron/engine/methods/weight-selection';
import { buildModel } from '../../electron/engine/models/registry';
import { saveEnsembleOfTeachers } from '../../electron/engine/runs/ensemble-folder';
import { loadModelFolder, saveModelFolder } from '../../electron/engine/runs/model-io';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

const shape: [number, number, number] = [12, 12, 1];
const build = (name: string, seed: number) => buildModel(name, { inputShape: shape, classes: 4, seed, dropout: 0.1 });
const maxDifference = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
const metadata = { architecture: 'test', inputShape: shape, classNames: ['a', 'b', 'c', 'd'], output: 'logits' as const, preprocessing: 'pixels / 255', dataset: 'test' };

describe('an ensemble of teachers as one model', () => {
  // A Sequential (the MLP, LeNet-5) and a functional graph with residual additions (ResNet).
  for (const name of ['mlp-16x2', 'lenet5@0.5', 'resnet20@0.25']) {
    it(`averages the logits of its members (${name}), saved and loaded back as an ordinary model folder`, async () => {
      const members = [build(name, 1), build(name, 2), build(name, 3)];
      const ensemble = await ensembleModel(members, `${name} ×3`);
      const x = tf.randomUniform([5, ...shape], 0, 1, 'float32', 7);
      const logits = members.map((m) => m.predict(x) as tf.Tensor);
      const mean = tf.div(tf.addN(logits), 3);
      assert.ok(maxDifference(logits[0]!, logits[1]!) > 1e-3, 'members that differ');
      assert.ok(maxDifference(ensemble.predict(x) as tf.Tensor, mean) < 1e-5, 'the mean of the members');
      const dir = await mkdtemp(join(tmpdir(), 'ensemble-'));
      await saveModelFolder(ensemble, dir, metadata);
      const loaded = (await loadModelFolder(dir)).model;
      assert.ok(maxDifference(loaded.predict(x) as tf.Tensor, mean) < 1e-5, 'the same after a save and a load');
      assert.equal(ensembleSize(loaded), 3);
      assert.equal(ensembleSize(members[0]!), 1, 'one model is no ensemble');
      // The first member, as weight selection sees it: its own logits.
      assert.ok(maxDifference(seedingModel(loaded).predict(x) as tf.Tensor, logits[0]!) < 1e-5);
      assert.equal(seedingModel(members[0]!), members[0], 'a single teacher seeds the student itself');
    });
  }

  it("seeds a narrower student with its first member's strongest units, as that member alone would", async () => {
    const members = [build('mlp-40x2', 1), build('mlp-40x2', 2)];
    const ensemble = await ensembleModel(members, 'mlp-40x2 ×2');
    const fromEnsemble = build('mlp-10x2', 5);
    const fromFirst = build('mlp-10x2', 5);
    const report = selectTeacherWeights(fromEnsemble, seedingModel(ensemble));
    assert.ok(report, 'weight selection applies to the first member');
    selectTeacherWeights(fromFirst, members[0]!);
    const x = tf.randomUniform([3, ...shape], 0, 1, 'float32', 9);
    assert.ok(maxDifference(fromEnsemble.predict(x) as tf.Tensor, fromFirst.predict(x) as tf.Tensor) < 1e-6);
    assert.equal(selectTeacherWeights(build('mlp-10x2', 5), ensemble), null, 'the averaged graph itself is no wider copy of the student');
  });

  it('refuses members that take other images or predict other classes', async () => {
    const other = buildModel('mlp-16x2', { inputShape: shape, classes: 3, seed: 1, dropout: 0 });
    await assert.rejects(ensembleModel([build('mlp-16x2', 1), other], 'mixed'), /predict the same classes/);
    await assert.rejects(ensembleModel([build('mlp-16x2', 1)], 'one'), /two members or more/);
  });
});

describe('an ensemble in the recipe and the run view', () => {
  it("refuses every method that reads the teacher's layers, by the catalogue, and no other", () => {
    for (const method of METHOD_IDS) {
      const conflicts = recipeConflicts({ ...presetConfig('quick'), ensemble: 3, method }).filter((c) => c.includes('--ensemble'));
      const readsLayers = METHOD_CATALOGUE[method].needsTeacher && METHOD_CATALOGUE[method].teacherLayers !== 'none';
      assert.equal(conflicts.length, readsLayers ? 1 : 0, method);
      assert.equal(recipeConflicts({ ...presetConfig('quick'), ensemble: 1, method }).filter((c) => c.includes('--ensemble')).length, 0, `${method} with one teacher`);
    }
    const [conflict] = recipeConflicts({ ...presetConfig('quick'), ensemble: 3, method: 'at' });
    assert.equal(conflict, "with --ensemble 3 the student learns the average of the teachers' logits, and at reads the teacher's layers: use --method kd, dkd or dist, or --ensemble 1");
    assert.equal(inAppWords(conflict!), "with “teachers in the ensemble” 3 the student learns the average of the teachers' logits, and at reads the teacher's layers: use “distillation method” kd, dkd or dist, or “teachers in the ensemble” 1");
  });

  it("draws each later teacher dashed in the teacher's colour, titled by its seed", () => {
    const view = emptyRunView('r', { ...presetConfig('quick'), ensemble: 3 });
    for (const method of [undefined, 'teacher#2', 'teacher#3']) applyRunEvent(view, { type: 'phase', phase: 'teacher', status: 'start', model: 'mlp-800x2', ...(method ? { method } : {}) });
    const lane = (key: string) => view.lanes.find((l) => l.key === key)!;
    assert.deepEqual(view.lanes.map((l) => l.key), ['teacher', 'teacher#2', 'teacher#3', 'student', 'baseline'], 'the teachers together, before the students');
    assert.deepEqual(['teacher', 'teacher#2', 'teacher#3'].map((key) => lane(key).title), ['Teacher', 'Teacher (seed 2)', 'Teacher (seed 3)']);
    assert.equal(lane('teacher#3').color, lane('teacher').color);
    // The first teacher's kept epoch, then the ensemble made: the lane is the ensemble's, which kept no one epoch.
    applyRunEvent(view, { type: 'phase', phase: 'teacher', status: 'done', model: 'mlp-800x2', selection: { bestEpoch: 5, stoppedEarly: null, epochs: 8 } });
    assert.equal(lane('teacher').selection?.bestEpoch, 5);
    applyRunEvent(view, { type: 'phase', phase: 'teacher', status: 'done', model: 'mlp-800x2 ×3', detail: 'an ensemble of 3 mlp-800x2' });
    assert.deepEqual([lane('teacher').model, lane('teacher').selection], ['mlp-800x2 ×3', undefined]);
  });
});

describe('distill ensemble: teachers saved before, joined into one folder', () => {
  it('averages teachers of different architectures that take the same images, and refuses what cannot join', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ensemble-folder-'));
    const mlp = build('mlp-16x2', 1);
    const lenet = build('lenet5@0.5', 2);
    await saveModelFolder(mlp, join(root, 'mlp'), { ...metadata, architecture: 'mlp-16x2' });
    await saveModelFolder(lenet, join(root, 'lenet'), { ...metadata, architecture: 'lenet5@0.5' });
    const saved = await saveEnsembleOfTeachers([join(root, 'mlp'), join(root, 'lenet')], join(root, 'both'));
    assert.equal(saved.name, 'mlp-16x2 + lenet5@0.5');
    assert.deepEqual(saved.members.map((m) => m.name), ['mlp-16x2', 'lenet5@0.5']);
    assert.equal(saved.params, saved.members[0]!.params + saved.members[1]!.params);
    const loaded = await loadModelFolder(join(root, 'both'));
    assert.equal(loaded.metadata?.architecture, 'mlp-16x2 + lenet5@0.5');
    assert.deepEqual(loaded.metadata?.classNames, metadata.classNames);
    const x = tf.randomUniform([4, ...shape], 0, 1, 'float32', 5);
    const mean = tf.div(tf.add(mlp.predict(x) as tf.Tensor, lenet.predict(x) as tf.Tensor), 2);
    assert.ok(maxDifference(loaded.model.predict(x) as tf.Tensor, mean) < 1e-5);

    await saveModelFolder(build('mlp-16x2', 3), join(root, 'other-classes'), { ...metadata, classNames: ['w', 'x', 'y', 'z'] });
    await saveModelFolder(build('mlp-16x2', 3), join(root, 'other-pixels'), { ...metadata, normalization: { mean: [0.5], std: [0.25] } });
    const refusal = (sources: string[], out = join(root, 'new')) => saveEnsembleOfTeachers(sources, out).then(() => 'joined', (error: Error) => error.message);
    assert.match(await refusal([join(root, 'mlp'), join(root, 'other-classes')]), /take the same images and predict the same classes: .*other-classes predicts other classes than .*mlp \(w, x, y, z… against a, b, c, d…\)/);
    assert.match(await refusal([join(root, 'mlp'), join(root, 'other-pixels')]), /other-pixels takes its pixels normalised otherwise than .*mlp \(mean 0\.5, std 0\.25 against pixels \/ 255 alone\): they were trained on other data$/);
    assert.match(await refusal([join(root, 'mlp'), join(root, 'teacher.onnx')]), /teacher\.onnx: an ONNX teacher cannot join an ensemble/);
    assert.match(await refusal([join(root, 'mlp')]), /^an ensemble joins 2 to 10 teachers; 1 given$/);
    assert.match(await refusal([join(root, 'mlp'), join(root, 'lenet')], join(root, 'both')), /both exists: the ensemble is written to a new folder/);
    assert.equal(await refusal([join(root, 'mlp'), join(root, 'lenet')]), 'joined');
  });
});
