import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { ModelReport, StudyResult } from '../../electron/contract/events';
import { DistillInputError } from '../../electron/engine/errors';
import { runModel } from '../../electron/engine/export/run-model';
import type { StoredRun } from '../../electron/engine/runs/store';

const report = (name: string, accuracy: number): ModelReport => ({ name, accuracy, testLoss: 0.3, params: 100, bytes: 400, latencyMs: 0.05, confusion: [] });
const row = (method: string, accuracy: number) => ({ method, label: method, accuracy, gain: null, seconds: 1, params: 25, detail: '' });
const stored = (extra: Partial<StoredRun>): StoredRun => ({ id: 'r1', dir: '/runs/r1', kind: 'run', status: { status: 'completed' } as StoredRun['status'], config: presetConfig('quick'), result: null, study: null, metrics: [], ...extra });
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
