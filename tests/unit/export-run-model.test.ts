import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { ModelReport, RunResult, StudyResult } from '../../electron/contract/events';
import { DistillInputError } from '../../electron/engine/errors';
import { buildModelCard, modelCardMarkdown } from '../../electron/engine/export/model-card';
import { runModel } from '../../electron/engine/export/run-model';
import type { ModelMetadata } from '../../electron/engine/runs/model-io';
import type { StoredRun } from '../../electron/engine/runs/store';

const report = (name: string, accuracy: number): ModelReport => ({ name, accuracy, testLoss: 0.3, params: 100, bytes: 400, latencyMs: 0.05, confusion: [] });
const row = (method: string, accuracy: number) => ({ method, label: method, accuracy, gain: null, seconds: 1, params: 25, detail: '' });
const stored = (extra: Partial<StoredRun>): StoredRun => ({ id: 'r1', dir: '/runs/r1', kind: 'run', status: { status: 'completed' } as StoredRun['status'], config: presetConfig('quick'), result: null, study: null, metrics: [], notes: null, ...extra });
const study: StudyResult = {
  type: 'study', runId: 'r1', teacher: report('mlp-800x2', 0.97), student: 'mlp-30x2',
  rows: [row('baseline', 0.9), row('kd', 0.92), row('init+dkd', 0.93)],
  backend: { name: 'cpu', device: 'test', reason: 'test' }, outDir: '/runs/r1', seconds: 3,
};

describe('which model of a run an export takes', () => {
  it("a study's student by its method: its folder, that method (and start) on the card, the student alone beside it", () => {
    const model = runModel(stored({ study }), 'student', 'init+dkd');
    assert.equal(model.dir, join('/runs/r1', 'init-dkd'));
    assert.equal(model.role, 'student');
    assert.deepEqual([model.config.method, model.config.initFromTeacher], ['dkd', true]);
    assert.deepEqual([model.reports.teacher?.accuracy, model.reports.student?.accuracy, model.reports.baseline?.accuracy], [0.97, 0.93, 0.9]);
    const alone = runModel(stored({ study }), 'baseline');
    assert.deepEqual([alone.dir, alone.role, alone.reports.student, alone.reports.baseline?.accuracy], [join('/runs/r1', 'baseline'), 'baseline', null, 0.9]);
    assert.equal(runModel(stored({ study }), 'teacher').dir, join('/runs/r1', 'teacher'));
  });

  it('refuses a study student without a method, a method the study did not train, and a method for a plain run', () => {
    assert.throws(() => runModel(stored({ study }), 'student'), (e: unknown) => e instanceof DistillInputError && /say which method's student to export \(--method kd; its methods: baseline, kd, init\+dkd\)/.test(e.message));
    assert.throws(() => runModel(stored({ study }), 'student', 'fitnet'), /study r1 has no "fitnet" student/);
    assert.throws(() => runModel(stored({ study: { ...study, rows: [...study.rows, row('../x', 0.5)] } }), 'student', '../x'), /has no "\.\.\/x" student/);
    assert.throws(() => runModel(stored({}), 'student', 'kd'), /run r1 is not a study/);
    assert.throws(() => runModel(stored({ study }), 'teacher', 'kd'), /one teacher for every method: leave out the method/);
    assert.equal(runModel(stored({}), 'student').dir, join('/runs/r1', 'student'));
  });
});

describe("a model card's method", () => {
  const metadata: ModelMetadata = { architecture: 'mlp-30x2', dataset: 'mnist', classNames: ['a', 'b'], inputShape: [28, 28, 1], preprocessing: 'pixels / 255', output: 'logits' };
  const cardOf = (run: StoredRun, method: string) => {
    const model = runModel(run, 'student', method);
    return buildModelCard({ version: 't', format: 'tfjs', role: model.role, metadata, config: model.config, reports: model.reports, exportedAccuracy: null }, 1).training!;
  };

  it("says what each of a study's entries trained with: `sp+kd` KD's soft term at its T and no α, its plain twin neither", () => {
    const quick = presetConfig('quick');
    const atT2 = { ...quick, methodOptions: { ...quick.methodOptions, kd: { ...quick.methodOptions.kd, temperature: 2 } } };
    const run = stored({ config: atT2, study: { ...study, rows: [row('baseline', 0.9), row('sp', 0.91), row('sp+kd', 0.92)] } });
    const plusKd = cardOf(run, 'sp+kd');
    assert.deepEqual([plusKd.method, plusKd.methodLabel, plusKd.temperature, plusKd.alpha], ['sp', 'SP + KD', 2, null]);
    const plain = cardOf(run, 'sp');
    assert.deepEqual([plain.method, plain.methodLabel, plain.temperature, plain.alpha], ['sp', 'SP', null, null]);
    // KD reads both; DKD its T only (it weighs its terms itself).
    const kd = cardOf(stored({ config: atT2, study: { ...study, rows: [row('kd', 0.9), row('dkd', 0.9)] } }), 'kd');
    assert.deepEqual([kd.methodLabel, kd.temperature, kd.alpha], ['KD (Hinton)', 2, quick.methodOptions.kd.alpha]);
    const dkd = cardOf(stored({ config: atT2, study: { ...study, rows: [row('kd', 0.9), row('dkd', 0.9)] } }), 'dkd');
    assert.deepEqual([dkd.temperature, dkd.alpha], [2, null]);
  });
});

describe("a model card's epochs", () => {
  it('says which epoch a validation split kept and where early stopping ended it, for the teacher and the exported student', () => {
    const result: RunResult = {
      type: 'result', runId: 'r1', status: 'completed', teacher: report('mlp-800x2', 0.9), student: report('mlp-30x2', 0.8886), baseline: report('mlp-30x2', 0.8856), kdGain: 0.003,
      backend: { name: 'wasm', device: 'test', reason: 'test' }, outDir: '/runs/r1', seconds: 1,
      selection: { teacher: { bestEpoch: 17, stoppedEarly: 25, epochs: 60 }, student: { bestEpoch: 16, stoppedEarly: 24, epochs: 40 }, baseline: { bestEpoch: 38, stoppedEarly: null, epochs: 40 } },
    };
    const card = (role: 'student' | 'baseline' | 'teacher') => {
      const model = runModel(stored({ config: presetConfig('auto'), result }), role);
      const metadata: ModelMetadata = { architecture: 'mlp-30x2', dataset: 'fashion', classNames: ['a', 'b'], inputShape: [28, 28, 1], preprocessing: 'pixels / 255', output: 'logits' };
      return modelCardMarkdown(buildModelCard({ version: 't', format: 'tfjs', role: model.role, metadata, config: model.config, reports: model.reports, ...(model.kept ? { kept: model.kept } : {}), exportedAccuracy: null }, 1));
    };
    assert.match(card('student'), /- Epochs: teacher at most 60 \(kept epoch 17 of 25, the best on the validation split\), student at most 40 \(kept epoch 16 of 24, the best on the validation split\); seed 1\./);
    assert.match(card('baseline'), /student 40 \(kept epoch 38 of 40, the best on the validation split\)/);
    assert.match(card('teacher'), /- Epochs: teacher at most 60 \(kept epoch 17 of 25[^)]*\), students 40; seed 1\./);
  });
});
