import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRESET_IDS, presetConfig } from '../../electron/contract/catalogue';
import { describeRestartMeans, keptRestart } from '../../electron/engine/runs/restarts';
import { applyRunEvent, emptyRunView } from '../../renderer/src/lib/run-view';

describe('restarts: each student trained with several seeds, the best on validation kept', () => {
  it('keeps the best validation accuracy, the earliest seed on a tie, and the first when none is known', () => {
    assert.equal(keptRestart([0.882, 0.885, 0.883]), 1);
    assert.equal(keptRestart([0.89, 0.89, 0.88]), 0, 'a tie keeps the earlier seed');
    assert.equal(keptRestart([0.88, 0.89, 0.89]), 1);
    assert.equal(keptRestart([null, 0.5, null]), 1);
    assert.equal(keptRestart([null, null]), 0);
  });

  it('says what the seeds averaged, with the paired mean gain', () => {
    const student = { seeds: [1, 2, 3], valAccuracies: [0.892, 0.8917, 0.8923], accuracies: [0.8895, 0.8882, 0.8901], kept: 3 };
    const baseline = { seeds: [1, 2, 3], valAccuracies: [0.8823, 0.885, 0.8832], accuracies: [0.8856, 0.8847, 0.8821], kept: 2 };
    // Seed-by-seed gains +0.39, +0.35 and +0.80 points: mean +0.51, standard error 0.14.
    assert.equal(describeRestartMeans(student, baseline), "over seeds 1–3, the distilled students scored 88.93% on test on average and the students alone 88.41%: a mean gain of +0.51 ± 0.14 points (each run's own gain compares the two kept)");
  });

  it("draws a run's restarts dashed in their lane's colour, titled by seed", () => {
    const view = emptyRunView('r', { ...presetConfig('auto'), sweep: false, restarts: 3 });
    const started = (phase: 'student' | 'baseline', method?: string) => ({ type: 'phase' as const, phase, status: 'start' as const, model: 'mlp-30x2', ...(method ? { method } : {}) });
    for (const [phase, method] of [['student'], ['student', 'dist'], ['student', 'dist#2'], ['baseline'], ['baseline', 'baseline#2']] as const) applyRunEvent(view, started(phase, method));
    const lane = (key: string) => view.lanes.find((l) => l.key === key)!;
    assert.equal(lane('dist#2').title, 'DIST student (seed 2)');
    assert.equal(lane('baseline#2').title, 'Student alone (seed 2)');
    assert.equal(lane('dist#2').color, lane('dist').color);
    assert.equal(lane('baseline#2').color, lane('baseline').color);
  });

  it('is off in every preset: it is asked for with --restarts', () => {
    for (const id of PRESET_IDS) assert.equal(presetConfig(id).restarts, 1, id);
  });
});
