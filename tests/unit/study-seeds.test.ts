import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distillationAdvice, seedsNoise, studyMethodAsRun } from '../../electron/contract/advice';
import { formatSeedsGain, gainName, laneTitle, seedLabel } from '../../electron/contract/display';
import type { ModelReport, StudyResult } from '../../electron/contract/events';
import { studySeeds, summariseSeeds } from '../../electron/engine/runs/study-seeds';
import { presetConfig } from '../../electron/contract/catalogue';
import { applyRunEvent, emptyRunView } from '../../renderer/src/lib/run-view';

const close = (actual: number | null, expected: number, what: string) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} against ${expected}`);

describe('a study over several seeds', () => {
  it('gives the gain as the mean of seed-by-seed differences, with its standard error', () => {
    const alone = [{ seed: 1, accuracy: 0.8856 }, { seed: 2, accuracy: 0.8823 }, { seed: 3, accuracy: 0.8771 }];
    const kd = [{ seed: 1, accuracy: 0.8889 }, { seed: 2, accuracy: 0.8916 }, { seed: 3, accuracy: 0.8854 }];
    const summary = summariseSeeds(kd, alone);
    assert.deepEqual(summary.seeds, [1, 2, 3]);
    assert.deepEqual(summary.accuracies, [0.8889, 0.8916, 0.8854]);
    close(summary.meanAccuracy, (0.8889 + 0.8916 + 0.8854) / 3, 'mean accuracy');
    // Seed-by-seed gains +0.33, +0.93 and +0.83 points.
    const gains = [0.0033, 0.0093, 0.0083];
    const mean = (0.0033 + 0.0093 + 0.0083) / 3;
    close(summary.meanGain, mean, 'mean gain');
    close(summary.gainStdErr, Math.sqrt(gains.reduce((s, g) => s + (g - mean) ** 2, 0) / 2 / 3), 'standard error');
    // Paired by seed, not by position: the same runs listed in another order give the same gain.
    close(summariseSeeds(kd, [...alone].reverse()).meanGain, mean, 'paired by seed');
    // Without the student alone there is no gain; with one seed, no standard error.
    assert.deepEqual([summariseSeeds(kd, null).meanGain, summariseSeeds(kd, null).gainStdErr], [null, null]);
    assert.equal(summariseSeeds(kd.slice(0, 1), alone).gainStdErr, null);
  });

  it('names its seeds, lanes and folders after the first seed', () => {
    assert.deepEqual(studySeeds(7, 3), [7, 8, 9]);
    assert.equal(seedLabel('init+kd', 1, 1), 'init+kd', 'the first seed keeps the entry’s own lane');
    assert.equal(seedLabel('init+kd', 2, 1), 'init+kd#2');
    assert.equal(laneTitle('init+kd#2'), 'Teacher init + KD (seed 2)');
    assert.equal(laneTitle('baseline#3'), 'Student alone (seed 3)');
    assert.equal(formatSeedsGain({ meanGain: 0.00533, gainStdErr: 0.0014 }), '+0.53 ± 0.14');
    assert.equal(formatSeedsGain({ meanGain: -0.001, gainStdErr: null }), '-0.10');
    assert.equal(formatSeedsGain({ meanGain: null, gainStdErr: null }), '–');
  });

  it('draws a seed\'s repeat in its entry\'s colour, and each entry in its own', () => {
    const view = emptyRunView('r', presetConfig('quick'), ['baseline', 'kd', 'fitnet']);
    const started = (method: string) => ({ type: 'phase' as const, phase: 'student' as const, status: 'start' as const, model: 'mlp-30x2', method });
    for (const method of ['baseline', 'kd', 'fitnet', 'baseline#2', 'kd#2', 'fitnet#2']) applyRunEvent(view, started(method));
    const color = (key: string) => view.lanes.find((l) => l.key === key)!.color;
    assert.equal(new Set(['baseline', 'kd', 'fitnet'].map(color)).size, 3);
    for (const entry of ['baseline', 'kd', 'fitnet']) assert.equal(color(`${entry}#2`), color(entry), entry);
    assert.equal(view.lanes.find((l) => l.key === 'fitnet#2')!.title, 'FitNets (seed 2)');
  });

  it('judges a mean gain by the seeds’ 95 % interval, and says so', () => {
    assert.equal(seedsNoise(1, 0.01), null);
    close(seedsNoise(3, 0.001), 0.0043, 'three seeds: t = 4.30');
    close(seedsNoise(9, 0.0014), 2.31 * 0.0014, 'nine seeds: t = 2.31');
    const report = (accuracy: number): ModelReport => ({ name: 'mlp-30x2', accuracy, testLoss: 0, params: 24_790, bytes: 0, latencyMs: 0, confusion: [[9000, 1000], [1000, 9000]] });
    const run = { teacher: { ...report(0.9), name: 'mlp-800x2' }, student: report(0.8889), baseline: report(0.8856), kdGain: 0.0033, sweep: undefined };
    // One run: +0.33 is within the ±0.6 noise of 20,000 test images, and the advice points at seeds.
    const single = distillationAdvice(run);
    assert.match(single[0]!.message, /The KD gain, \+0\.33 points, is within noise/);
    assert.ok(single[0]!.suggestions.some((s) => /--seeds 5/.test(s)), single[0]!.suggestions.join(' | '));
    // Nine seeds with a mean of +0.53 ± 0.14: beyond their interval (±0.32).
    const seeded = distillationAdvice({ ...run, seeds: { count: 9, meanGain: 0.0053, gainStdErr: 0.0014 } });
    assert.equal(seeded[0]!.level, 'good');
    assert.match(seeded[0]!.message, /\+0\.53 points over the student alone \(the mean KD gain over 9 seeds\), beyond the noise \(±0\.32 points is the 95 % interval of the mean over 9 seeds\)/);
    // Three seeds, the same mean, a wider spread: within.
    const wide = distillationAdvice({ ...run, seeds: { count: 3, meanGain: 0.0053, gainStdErr: 0.003 } });
    assert.match(wide[0]!.message, /The mean KD gain over 3 seeds, \+0\.53 points, is within noise .*these seeds cannot tell/);
    assert.deepEqual(wide[0]!.suggestions.at(-1), 'more seeds, to narrow the interval');
    // The gain is named by the method the student was kept with: the race's DIST, a study row's DKD.
    assert.match(distillationAdvice({ ...run, studentMethod: 'dist' })[0]!.message, /^The DIST gain, \+0\.33 points, is within noise/);
    assert.match(distillationAdvice({ ...run, studentMethod: 'dkd', seeds: { count: 3, meanGain: 0.0053, gainStdErr: 0.003 } })[0]!.message, /^The mean DKD gain over 3 seeds/);
    assert.equal(gainName('init+kd'), 'Teacher init + KD gain');
  });

  it('hands a study row’s seeds to the advice through studyMethodAsRun', () => {
    const confusion = [[5, 0], [0, 5]];
    const row = (method: string, accuracy: number, seeds?: StudyResult['rows'][number]['seeds']) => ({ method, label: method, accuracy, gain: 0, seconds: 1, params: 10, detail: '', confusion, ...(seeds ? { seeds } : {}) });
    const study = {
      type: 'study',
      runId: 'r',
      teacher: null,
      student: 'mlp-30x2',
      rows: [row('baseline', 0.8, summariseSeeds([{ seed: 1, accuracy: 0.8 }], null)), row('kd', 0.81, { seeds: [1, 2], accuracies: [0.81, 0.82], meanAccuracy: 0.815, meanGain: 0.01, gainStdErr: 0.002 })],
      backend: { name: 'cpu', device: 'cpu', reason: '' },
      outDir: '/tmp/r',
      seconds: 1,
    } as StudyResult;
    assert.deepEqual(studyMethodAsRun(study, 'kd')!.seeds, { count: 2, meanGain: 0.01, gainStdErr: 0.002 });
    assert.equal(studyMethodAsRun(study, 'baseline')!.seeds, undefined, 'no gain to judge without a standard error');
    // A study of one seed whose gain is in the noise is run again with more seeds per method: --from-run takes a run, not a study.
    const oneSeed = { ...study, rows: [row('baseline', 0.8), row('kd', 0.81)] } as StudyResult;
    const suggestions = distillationAdvice(studyMethodAsRun(oneSeed, 'kd')!)[0]!.suggestions;
    assert.ok(suggestions.some((s) => s.includes('the study again with several seeds per method (`--seeds 5`')), suggestions.join(' | '));
    assert.ok(!suggestions.some((s) => s.includes('--from-run')), suggestions.join(' | '));
  });
});
