import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { TrainerProgressEvent } from '../../electron/contract/events';
import { applyRunEvent, emptyRunView, laneFraction, runTitle } from '../../renderer/src/lib/run-view';

const progress = (phase: TrainerProgressEvent['phase'], epoch: number, step: number, method?: string): TrainerProgressEvent => ({ type: 'progress', phase, epoch, epochs: 4, step, steps: 10, loss: 1, accuracy: 0.5, imgPerSec: 1, etaSec: 1, lr: 0.05, ...(method ? { method } : {}) });

describe("the window's title and the lanes' bars", () => {
  it('name the lane training now and how far it is, and go back to the app name once the run is over', () => {
    const view = emptyRunView('r1', presetConfig('quick'));
    assert.equal(runTitle(view), 'training · Distill Studio', 'before the first event');
    applyRunEvent(view, { type: 'phase', phase: 'teacher', status: 'start', model: 'mlp-800x2' });
    applyRunEvent(view, progress('teacher', 2, 5));
    assert.equal(runTitle(view), '37% · Teacher · Distill Studio');
    applyRunEvent(view, { type: 'phase', phase: 'teacher', status: 'done', model: 'mlp-800x2' });
    applyRunEvent(view, { type: 'phase', phase: 'student', status: 'start', model: 'mlp-30x2' });
    applyRunEvent(view, progress('student', 1, 2));
    assert.equal(runTitle(view), '5% · KD student · Distill Studio');
    view.status = 'completed';
    assert.equal(runTitle(view), 'Distill Studio');
    assert.equal(runTitle(null), 'Distill Studio');
  });

  it("title a study's lanes as its rows: + KD where KD's soft term is on the entry, a seed's repeat after its entry", () => {
    const quick = presetConfig('quick');
    const withWeight = { ...quick, methodOptions: { ...quick.methodOptions, crd: { ...quick.methodOptions.crd, kdWeight: 1 } } };
    const titles = (config: typeof quick, entries: string[]) => emptyRunView('s1', config, entries).lanes.map((l) => l.title);
    assert.deepEqual(titles(quick, ['baseline', 'sp', 'sp+kd', 'init+kd']), ['Teacher', 'Student alone', 'SP', 'SP + KD', 'Teacher init + KD (Hinton)']);
    // --kd-weight alone puts the term on every method that has it, as the study's table says.
    assert.deepEqual(titles(withWeight, ['crd', 'kd']), ['Teacher', 'CRD + KD', 'KD (Hinton)']);
    // Beside a crd+kd entry the plain one trains without it.
    assert.deepEqual(titles(withWeight, ['crd', 'crd+kd']), ['Teacher', 'CRD', 'CRD + KD']);
    const view = emptyRunView('s2', withWeight, ['crd']);
    applyRunEvent(view, { type: 'phase', phase: 'student', status: 'start', model: 'mlp-30x2', method: 'crd#2' });
    assert.equal(view.lanes.at(-1)!.title, 'CRD + KD (seed 2)');
  });

  it("fill a sweep's bar over all its cells, and a finished or loaded lane's whole", () => {
    const view = emptyRunView('r2', { ...presetConfig('auto'), sweepTemperatures: [2, 4], sweepAlphas: [0.5, 0.9] });
    const sweep = view.lanes.find((l) => l.key === 'sweep')!;
    assert.equal(laneFraction(view, sweep), 0);
    applyRunEvent(view, { type: 'sweep-cell', cell: 1, cells: 5, temperature: 2, alpha: 0.5, valAccuracy: 0.9, seconds: 1 });
    applyRunEvent(view, progress('student', 3, 0, 'sweep'));
    // One cell of five done (the grid's four and a finalist), the second half through: (1 + 0.5) / 5.
    assert.equal(laneFraction(view, sweep), 0.3);
    assert.equal(runTitle(view), '30% · T × α sweep · Distill Studio');
    applyRunEvent(view, { type: 'phase', phase: 'teacher', status: 'loaded', model: 'mlp-800x2' });
    assert.equal(laneFraction(view, view.lanes.find((l) => l.key === 'teacher')!), 1);
  });
});
