import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classGainBeyondNoise, compareClasses, distillationAdvice, gainNoise, perClassAccuracy } from '../../electron/contract/advice';
import { formatResult } from '../../electron/cli/result-text';
import { describeAgainstTeacher, methodLabel, studyAgainstTeacher } from '../../electron/contract/display';
import type { ModelReport, StudyResult } from '../../electron/contract/events';
import { carveValidation } from '../../electron/engine/data/validation';
import { groupMistakes, topThree } from '../../electron/engine/runs/mistakes';
import { sameArchitectureLatency, teacherIsSaved } from '../../electron/engine/runs/phases';
import { PlateauCuts } from '../../electron/engine/train/schedule';
import { configDifferences } from '../../electron/contract/compare';
import { historyCells, runOutcome, shortPath } from '../../renderer/src/lib/display';
import { historyMatches, teacherLabel } from '../../electron/contract/history';
import { studyOverrides, studyRecipeNote } from '../../renderer/src/lib/study-form';
import { applyRunEvent, emptyRunView, keptEpochText, mayStopEarly } from '../../renderer/src/lib/run-view';
import { presetConfig } from '../../electron/contract/catalogue';
import type { RunConfig } from '../../electron/contract/run-config';

/** A report whose confusion matrix gives these per-class accuracies on 100 images per class. */
function report(perClass: number[]): ModelReport {
  const confusion = perClass.map((a, c) => perClass.map((_, j) => (j === c ? Math.round(a * 100) : j === (c + 1) % perClass.length ? 100 - Math.round(a * 100) : 0)));
  const accuracy = perClass.reduce((s, a) => s + Math.round(a * 100), 0) / (100 * perClass.length);
  return { name: 'm', accuracy, testLoss: 0, params: 1, bytes: 1, latencyMs: 0, confusion };
}

describe('latency of the two students', () => {
  it('is the faster timing for both when they are one architecture, and each its own otherwise', () => {
    const student = { ...report([0.9, 0.8]), latencyMs: 0.41 };
    const baseline = { ...report([0.9, 0.7]), latencyMs: 0.05 };
    const [s, b] = sameArchitectureLatency(student, baseline);
    assert.deepEqual([s.latencyMs, b.latencyMs, s.accuracy, b.accuracy], [0.05, 0.05, student.accuracy, baseline.accuracy]);
    const other = { ...baseline, name: 'mlp-16x1' };
    assert.deepEqual(sameArchitectureLatency(student, other).map((r) => r.latencyMs), [0.41, 0.05]);
  });

  it('says how much smaller and faster the student is than the teacher, or slower when it is', () => {
    assert.equal(describeAgainstTeacher({ params: 1_276_810, latencyMs: 0.09 }, { params: 24_790, latencyMs: 0.04 }), '51.5× smaller than the teacher and 2.3× faster per image');
    assert.equal(describeAgainstTeacher({ params: 1_276_810, latencyMs: 0.05 }, { params: 61_706, latencyMs: 0.2 }), '20.7× smaller than the teacher and 4.0× slower per image');
    assert.equal(describeAgainstTeacher({ params: 100, latencyMs: 0 }, { params: 10, latencyMs: 0.1 }), '10.0× smaller than the teacher', 'no speed without a timing');
    assert.equal(describeAgainstTeacher({ params: 61_706, latencyMs: 0.101 }, { params: 15_970, latencyMs: 0.098 }), '3.9× smaller than the teacher and about as fast per image', 'not 1.0× faster');
    assert.equal(describeAgainstTeacher({ params: 61_706, latencyMs: 0.098 }, { params: 15_970, latencyMs: 0.101 }), '3.9× smaller than the teacher and about as fast per image', 'not 1.0× slower');
    assert.equal(describeAgainstTeacher({ params: 61_706, latencyMs: 0.106 }, { params: 15_970, latencyMs: 0.1 }), '3.9× smaller than the teacher and 1.1× faster per image');
    assert.equal(
      describeAgainstTeacher({ params: 1_276_810, latencyMs: 0.24, timedWhileBusy: true }, { params: 24_790, latencyMs: 0.42, timedWhileBusy: true }),
      '51.5× smaller than the teacher and 1.8× slower per image (timed while other work held the cores, so the speed may be off)',
      'a timing that never settled says so',
    );
    // A study's rows share one architecture: the first stands for them all; a study saved before rows kept a timing gives the size alone.
    const teacher = { params: 1_276_810, latencyMs: 0.09 };
    assert.equal(studyAgainstTeacher({ teacher, rows: [{ params: 24_790, latencyMs: 0.03 }, { params: 24_790, latencyMs: 0.03 }] }), '51.5× smaller than the teacher and 3.0× faster per image');
    assert.equal(studyAgainstTeacher({ teacher, rows: [{ params: 24_790 }] }), '51.5× smaller than the teacher');
    assert.match(studyAgainstTeacher({ teacher: { ...teacher, timedWhileBusy: true }, rows: [{ params: 24_790, latencyMs: 0.03, timedWhileBusy: true }] })!, /3\.0× faster per image \(timed while other work held the cores/);
    assert.equal(studyAgainstTeacher({ teacher: null, rows: [{ params: 24_790, latencyMs: 0.03 }] }), null);
    assert.equal(studyAgainstTeacher({ teacher, rows: [] }), null);
  });
});

describe('a validation split carved from the training images', () => {
  it('holds out the share asked for, keeps every image exactly once, and is the same for the same seed', () => {
    const count = 1000;
    const images = Uint8Array.from({ length: count * 4 }, (_, i) => Math.floor(i / 4) % 251);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    const split = { count, images, labels };
    const a = carveValidation(split, 0.1, 7, [2, 2, 1]);
    const b = carveValidation(split, 0.1, 7, [2, 2, 1]);
    assert.equal(a.validation!.count, 100);
    assert.equal(a.train.count, 900);
    assert.deepEqual(a.validation!.labels, b.validation!.labels);
    // Each image's first byte identifies it (mod 251): together the parts are the whole split.
    const ids = (s: { images: Uint8Array; count: number }) => Array.from({ length: s.count }, (_, i) => s.images[i * 4]!);
    const all = [...ids(a.train), ...ids(a.validation!)].sort((x, y) => x - y);
    assert.deepEqual(all, ids(split).sort((x, y) => x - y));
    assert.notDeepEqual(carveValidation(split, 0.1, 8, [2, 2, 1]).validation!.labels, a.validation!.labels);
    assert.equal(carveValidation(split, 0, 7, [2, 2, 1]).validation, undefined);
  });
});

describe('the plateau schedule', () => {
  it('cuts the rate ×0.1 after `patience` epochs without a better validation accuracy, and starts counting again', () => {
    const cuts = new PlateauCuts(2);
    const factors = [0.5, 0.6, 0.6, 0.59, 0.61, 0.6, 0.6, 0.6].map((v) => (cuts.update(v), cuts.factor));
    assert.deepEqual(factors.map((f) => Number(f.toPrecision(3))), [1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01]);
  });
});

describe('the mistakes gallery', () => {
  it('sorts test images by which models got them right, and gives each model its three most probable classes', () => {
    const classes = 3;
    const labels = Uint8Array.of(0, 1, 2, 0);
    const rows = (predicted: number[]) => Float32Array.from(predicted.flatMap((p) => [0, 1, 2].map((c) => (c === p ? 5 : c))));
    const logits = { teacher: rows([0, 1, 0, 2]), student: rows([0, 0, 2, 1]), baseline: rows([1, 1, 1, 1]) };
    const groups = groupMistakes(logits, labels, classes);
    assert.deepEqual(groups['kd-fixed'], [0, 2]);
    assert.deepEqual(groups['kd-broke'], [1]);
    assert.deepEqual(groups['teacher-only'], [1]);
    assert.deepEqual(groups['all-wrong'], [3]);
    assert.deepEqual(groupMistakes({ student: logits.student }, labels, classes), {}, 'groups need their models');
    const top = topThree(logits.teacher, 0, classes);
    assert.deepEqual(top.map((t) => t.classIndex), [0, 2, 1]);
    assert.ok(Math.abs(top.reduce((s, t) => s + t.probability, 0) - 1) < 1e-6);
  });
});

describe('advice on a finished run', () => {
  it('warns when the teacher is not clearly better, when the gain is within noise, and when KD hurt; says so when it helped', () => {
    const teacher = report([0.9, 0.9]);
    const base = { teacher, sweep: undefined };
    const levels = (student: ModelReport, baseline: ModelReport) => distillationAdvice({ ...base, student, baseline, kdGain: student.accuracy - baseline.accuracy }).map((a) => `${a.level}: ${a.message.split(':')[0]}`);
    assert.deepEqual(levels(report([0.86, 0.86]), report([0.85, 0.85])), ['warning: The KD gain, +1.00 points, is within noise (±7.04 points is the noise on 200 test images)']);
    assert.deepEqual(levels(report([1, 1]), report([0.7, 0.7])), ['good: Distillation helped']);
    assert.deepEqual(levels(report([0.5, 0.5, 0.5, 0.5]), report([0.9, 0.89])), [
      'warning: The teacher (90.00%) is not clearly better than the student trained alone (89.50%)',
      'warning: Distillation made the student worse',
    ]);
    assert.ok(Math.abs(gainNoise(0.5, 0.5, 10000) - 0.01414) < 1e-4);
  });

  it('never suggests training longer a model that already stopped early, levelled off on the validation split', () => {
    const [teacher, student, baseline] = [report([0.98, 0.97]), report([0.97, 0.98]), report([0.97, 0.97])];
    const run = { teacher, student, baseline, kdGain: student.accuracy - baseline.accuracy, sweep: undefined };
    const longer = (s: string[]) => s.filter((x) => /longer/.test(x));
    assert.equal(longer(distillationAdvice(run).flatMap((a) => a.suggestions)).length, 2, 'without a record of how they trained, both are suggested');
    const stopped = { bestEpoch: 13, stoppedEarly: 21, epochs: 60 };
    const ranOut = { bestEpoch: 40, stoppedEarly: null, epochs: 40 };
    const auto = distillationAdvice({ ...run, selection: { teacher: stopped, student: stopped, baseline: stopped } }).flatMap((a) => a.suggestions);
    assert.deepEqual(longer(auto), [], auto.join('; '));
    assert.ok(auto.some((x) => x.endsWith('(this teacher trained until its validation accuracy stopped improving)')), auto.join('; '));
    // A student that used every epoch may still be improving.
    const oneRanOut = distillationAdvice({ ...run, selection: { teacher: stopped, student: ranOut, baseline: stopped } }).flatMap((a) => a.suggestions);
    assert.deepEqual(longer(oneRanOut), ['training the students longer (KD students keep improving after a plain one levels off)']);
    // The command to measure it over seeds names the run's folder as a shell reads it back, a space and all.
    const seeds = (outDir: string) => distillationAdvice({ ...run, outDir }).flatMap((a) => a.suggestions).find((x) => x.includes('--from-run'));
    assert.match(seeds('/runs/20261207-120000-aaaa') ?? '', /`distill study --from-run \/runs\/20261207-120000-aaaa --seeds 5`/);
    assert.match(seeds('/Users/bob/Library/Application Support/Distill Studio/runs/x') ?? '', /--from-run '\/Users\/bob\/Library\/Application Support\/Distill Studio\/runs\/x' --seeds 5/);
    // The app shows each as "Try …." and the CLI as "try: …": a noun phrase or a gerund, never a bare verb ("Try find T and α").
    for (const s of distillationAdvice(run).flatMap((a) => a.suggestions)) assert.doesNotMatch(s, /^(train|find|use|let|make|pick) /, s);
  });

  it('points at the student, not the teacher, when a teacher far ahead of the student alone teaches it nothing', () => {
    const suggestions = (teacher: ModelReport, student: ModelReport, baseline: ModelReport) =>
      distillationAdvice({ teacher, student, baseline, kdGain: student.accuracy - baseline.accuracy, sweep: undefined }).flatMap((a) => a.suggestions);
    const larger = (s: string[]) => s.some((x) => x.startsWith('a larger student'));
    const better = (s: string[]) => s.some((x) => x.startsWith('a better teacher'));
    // Worse with KD: a teacher 10 points ahead is not the fix; one 1 point ahead may be.
    const farWorse = suggestions(report([0.95, 0.95]), report([0.5, 0.5, 0.5, 0.5]), report([0.85, 0.85]));
    assert.ok(larger(farWorse) && !better(farWorse), farWorse.join('; '));
    const nearWorse = suggestions(report([0.86, 0.86]), report([0.5, 0.5, 0.5, 0.5]), report([0.85, 0.85]));
    assert.ok(better(nearWorse) && !larger(nearWorse), nearWorse.join('; '));
    // Within noise: the larger student joins the suggestions only for a teacher far ahead.
    assert.ok(larger(suggestions(report([0.95, 0.95]), report([0.86, 0.86]), report([0.85, 0.85]))));
    assert.ok(!larger(suggestions(report([0.86, 0.86]), report([0.86, 0.86]), report([0.85, 0.85]))));
  });

  it("offers the sweep of T and α for the methods that read them, and a method's own weights for those that do not", () => {
    const [teacher, student, baseline] = [report([0.95, 0.95]), report([0.5, 0.5, 0.5, 0.5]), report([0.85, 0.85])];
    const suggestions = (studentMethod: string | undefined) => distillationAdvice({ teacher, student, baseline, kdGain: student.accuracy - baseline.accuracy, sweep: undefined, studentMethod }).flatMap((a) => a.suggestions);
    for (const method of [undefined, 'kd', 'init+kd', 'dist', 'fitnet', 'dkd']) {
      const said = suggestions(method);
      const lower = method === 'dkd' ? "a lower T, or lower weights on DKD's own terms (`--dkd-alpha`, `--dkd-beta`), so the labels count for more" : 'a lower α (more weight on the labels) or a lower T';
      assert.ok(said.some((s) => s.startsWith('finding T and α for this data with the sweep')) && said.includes(lower), `${method}: ${said.join('; ')}`);
      // Each method with a warm-up (its own, or KD's it reads) is offered a longer one.
      const warmup = method === undefined ? null : method === 'dkd' ? 'dkd-warmup' : method === 'dist' ? 'dist-warmup' : 'kd-warmup';
      assert.deepEqual(said.filter((s) => s.startsWith('a longer warm-up')), warmup ? [`a longer warm-up (\`--${warmup} N\`), if the distilled student's loss rose as its warm-up ended`] : [], `${method}`);
    }
    const rkd = suggestions('rkd');
    assert.ok(rkd.some((s) => s.startsWith('KD or DIST on this pair, with T and α found by the sweep')), rkd.join('; '));
    assert.ok(rkd.includes("lower weights on RKD's own terms (`--rkd-distance`, `--rkd-angle`), so the labels count for more"), rkd.join('; '));
    assert.ok(!rkd.some((s) => /lower T/.test(s)));
    assert.ok(suggestions('init+at').includes("lower weights on Attention transfer's own terms (`--at-weight`), so the labels count for more"));
  });

  it("says a distilled student at chance did not train, and points at the method's warm-up and the rate rather than the teacher", () => {
    const [teacher, baseline] = [report([0.98, 0.98, 0.98, 0.98]), report([0.97, 0.97, 0.97, 0.97])];
    const stalled = report([0.25, 0.26, 0.25, 0.24]);
    const adviceFor = (studentMethod: string | undefined, student = stalled, alone: ModelReport | null = baseline) => distillationAdvice({ teacher, student, baseline: alone, kdGain: alone ? student.accuracy - alone.accuracy : null, sweep: undefined, studentMethod });
    const [only, ...rest] = adviceFor('kd');
    assert.deepEqual(rest, [], 'one warning, not also "made the student worse"');
    assert.equal(only!.message, 'The distilled student did not train: 25.00% on test, about chance (25.00% for 4 classes), where the student alone reached 97.00%. Its distillation term\'s first gradients were too large for this student at this learning rate.');
    assert.deepEqual(only!.suggestions, ['a longer warm-up (`--kd-warmup N`, "warm-up epochs" in the app), so that the first steps learn from the labels', 'a lower learning rate (`--lr`; the auto preset starts at 0.01)', 'a lower α (more weight on the labels) or a lower T']);
    // Each method's own warm-up: FitNets uses KD's, DIST, attention transfer and DKD their own; RKD has none.
    const warmupFlag = (method: string) => /`--([\w-]+) N`/.exec(adviceFor(method)[0]!.suggestions[0]!)?.[1] ?? null;
    assert.deepEqual(['dist', 'init+kd', 'fitnet', 'at', 'dkd', 'rkd'].map(warmupFlag), ['dist-warmup', 'kd-warmup', 'kd-warmup', 'at-warmup', 'dkd-warmup', null]);
    // SP with KD's soft term on top (--kd-weight): that term's weight and ramp are named too; without it, nothing of KD.
    const withTerm = distillationAdvice({ teacher, student: stalled, baseline, kdGain: stalled.accuracy - baseline.accuracy, sweep: undefined, studentMethod: 'sp', methodOptions: { sp: { kdWeight: 1 } } })[0]!;
    assert.deepEqual(withTerm.suggestions.slice(0, 2), ['a longer warm-up (`--sp-warmup N`, "warm-up epochs" in the app), so that the first steps learn from the labels', "a lower weight on KD's soft term (`--kd-weight W`, 1 here) or a longer ramp for it (`--kd-warmup N`): the two terms together can be too much for a student without batch norm at a high rate"]);
    const withoutTerm = distillationAdvice({ teacher, student: stalled, baseline, kdGain: stalled.accuracy - baseline.accuracy, sweep: undefined, studentMethod: 'sp', methodOptions: { sp: { kdWeight: 0 } } })[0]!;
    assert.ok(!withoutTerm.suggestions.some((line) => /kd-/.test(line)), withoutTerm.suggestions.join(' | '));
    // A student alone at chance too says nothing of the kind (the data or the rate are at fault for both); nor does a student that trained.
    assert.ok(!adviceFor('kd', stalled, report([0.26, 0.25, 0.25, 0.25])).some((a) => /did not train/.test(a.message)));
    assert.ok(!adviceFor('kd', report([0.6, 0.6, 0.6, 0.6])).some((a) => /did not train/.test(a.message)));
    assert.match(adviceFor('kd', stalled, null)[0]!.message, /^The distilled student did not train: 25\.00% on test, about chance \(25\.00% for 4 classes\)\. /);
    // Without a confusion matrix the classes are unknown: no claim about chance.
    assert.ok(!adviceFor('kd', { ...stalled, confusion: [] }).some((a) => /did not train/.test(a.message)));
  });

  it('compares the models class by class and marks where distillation helped and hurt most', () => {
    const rows = compareClasses({ teacher: report([0.9, 0.9, 0.9, 0.9, 0.9]), student: report([0.8, 0.5, 0.9, 0.7, 0.6]), baseline: report([0.7, 0.6, 0.9, 0.7, 0.5]) });
    assert.deepEqual(rows.map((r) => Number(r.gain!.toFixed(2))), [0.1, -0.1, 0, 0, 0.1]);
    assert.deepEqual(rows.map((r) => r.mark), ['helped', 'hurt', null, null, 'helped']);
    // Each class's noise is on its own 100 images (±12 points for 80 % against 70 %): these gains of 10 points are inside it.
    assert.ok(Math.abs(rows[0]!.noise! - gainNoise(0.8, 0.7, 100)) < 1e-12);
    assert.deepEqual(rows.map(classGainBeyondNoise), [false, false, false, false, false]);
    // 99 % against 70 % stands out of its ±9 points; −10 points on 50 % against 60 % does not (±14).
    const clear = compareClasses({ teacher: report([0.99, 0.9]), student: report([0.99, 0.5]), baseline: report([0.7, 0.6]) });
    assert.deepEqual(clear.map(classGainBeyondNoise), [true, false]);
    // The CLI lists them by name and says which of them are within noise.
    const text = formatResult({ type: 'result', runId: 'r', status: 'completed', teacher: report([0.99, 0.9]), student: report([0.99, 0.5]), baseline: report([0.7, 0.6]), kdGain: 0.095, backend: { name: 'cpu', device: 'test', reason: 'test' }, outDir: '/tmp/r', seconds: 1, classNames: ['Coat', 'Shirt'] });
    assert.match(text, /^KD helped most on: Coat \+29\.00 \(70\.00% → 99\.00%\)$/m);
    assert.match(text, /^KD hurt most on: Shirt -10\.00 \(60\.00% → 50\.00%; within noise, ±14\.00\)$/m);
    assert.deepEqual(perClassAccuracy(report([0.25, 0.75])), [0.25, 0.75]);
    // A student the race kept with DIST: its row, gain, per-class lines and advice all say DIST.
    const dist = formatResult({ type: 'result', runId: 'r', status: 'completed', teacher: report([0.99, 0.9]), student: report([0.99, 0.5]), baseline: report([0.7, 0.6]), kdGain: 0.095, studentMethod: 'dist', backend: { name: 'cpu', device: 'test', reason: 'test' }, outDir: '/tmp/r', seconds: 1, classNames: ['Coat', 'Shirt'] });
    assert.match(dist, /^DIST student\s+/m);
    assert.match(dist, /^DIST gain over the student alone: \+9\.50 points$/m);
    assert.match(dist, /^DIST helped most on: Coat/m);
    assert.doesNotMatch(dist, /\bKD (gain|helped|hurt)\b/);
    // SP with KD's soft term added (--kd-weight): titled "SP + KD" in the table, the gain, the class lines and the advice.
    const spResult = { type: 'result' as const, runId: 'r', status: 'completed' as const, teacher: report([0.99, 0.9]), student: report([0.99, 0.5]), baseline: report([0.7, 0.6]), kdGain: 0.095, backend: { name: 'cpu' as const, device: 'test', reason: 'test' }, outDir: '/tmp/r', seconds: 1, classNames: ['Coat', 'Shirt'] };
    const plusKd = formatResult(spResult, 'sp', { ...presetConfig('quick').methodOptions, sp: { ...presetConfig('quick').methodOptions.sp, kdWeight: 1 } });
    assert.match(plusKd, /^SP \+ KD student\s+/m);
    assert.match(plusKd, /^SP \+ KD gain over the student alone: \+9\.50 points$/m);
    assert.match(plusKd, /^SP \+ KD helped most on: Coat/m);
    assert.match(formatResult(spResult, 'sp', presetConfig('quick').methodOptions), /^SP gain over the student alone/m);
    assert.equal(methodLabel('init+sp+kd'), 'teacher init + SP + KD');
    assert.equal(methodLabel('init+kd'), 'teacher init + KD');
  });
});

describe('a study from the form', () => {
  it("turns the recipe's sweep, KD/DIST race and restarts off, and the Method screen says so", () => {
    const auto = presetConfig('auto');
    assert.deepEqual(studyOverrides(auto), { ...auto, sweep: false, tryDist: false, restarts: 1 });
    assert.match(studyRecipeNote(auto)!, /^The recipe's T × α sweep and race of KD against DIST do not run in a study/);
    assert.match(studyRecipeNote({ ...auto, restarts: 3 })!, /^The recipe's T × α sweep, race of KD against DIST and restarts do not run in a study/);
    assert.match(studyRecipeNote({ sweep: true, tryDist: false, restarts: 1 })!, /^The recipe's T × α sweep does not run/);
    assert.match(studyRecipeNote({ sweep: false, tryDist: false, restarts: 3 })!, /^The recipe's restarts do not run/);
    assert.equal(studyRecipeNote(presetConfig('quick')), null);
  });
});

describe('comparing runs', () => {
  // As the service lists them: whether each loaded its teacher is the engine's to say.
  const runsOf = (...configs: RunConfig[]) => configs.map((config) => ({ config, teacherLoaded: teacherIsSaved(config), result: null, study: null }));

  it('lists only the settings that differ, labelled from the catalogue, with the method options each run used', () => {
    const a = presetConfig('quick');
    const b = { ...presetConfig('quick'), epochs: 9, methodOptions: { ...a.methodOptions, kd: { ...a.methodOptions.kd, temperature: 2 } } };
    const c = { ...presetConfig('quick'), method: 'baseline' as const };
    assert.deepEqual(configDifferences(runsOf(a, b)).map((d) => [d.label, d.values]), [['student epochs', ['5', '9']], ['KD (Hinton): temperature T', ['4', '2']]]);
    const withBaseline = configDifferences(runsOf(a, c));
    assert.deepEqual(withBaseline.find((d) => d.key === 'method')?.values, ['kd', 'baseline']);
    // The student alone never used T: it shows as –, not as a difference of values.
    assert.deepEqual(withBaseline.find((d) => d.key === 'kd.temperature')?.values, ['4', '–']);
    // KD's T that another method reads: DIST always, CRD once its soft term is on (--kd-weight), – where it is off.
    const dist = (temperature: number): RunConfig => ({ ...a, method: 'dist', methodOptions: { ...a.methodOptions, kd: { ...a.methodOptions.kd, temperature } } });
    assert.deepEqual(configDifferences(runsOf(dist(4), dist(2))).map((row) => [row.label, row.values]), [['KD (Hinton): temperature T', ['4', '2']]]);
    const crd = (kdWeight: number, temperature: number): RunConfig => ({ ...a, method: 'crd', methodOptions: { ...a.methodOptions, kd: { ...a.methodOptions.kd, temperature }, crd: { ...a.methodOptions.crd, kdWeight } } });
    assert.deepEqual(configDifferences(runsOf(crd(1, 2), crd(0, 4))).map((row) => [row.label, row.values]), [['KD (Hinton): temperature T', ['2', '–']], ['KD (Hinton): warm-up epochs', ['1', '–']], ['CRD: plus KD: soft-term weight', ['1', '0']]]);
    // A setting that acted on nothing in either run is no difference: the plateau's patience on cosine schedules.
    const d = { ...presetConfig('quick'), plateauPatience: 7 };
    assert.deepEqual(configDifferences(runsOf(a, d)), []);
    const e = { ...presetConfig('quick'), schedule: 'plateau' as const, validationSplit: 0.1, plateauPatience: 7 };
    assert.deepEqual(configDifferences(runsOf(d, e)).find((row) => row.key === 'plateauPatience')?.values, ['–', '7']);
    // On/off settings read as their labels do, also where the flag turns them off (--no-baseline, --no-sweep-from-teacher).
    const f = { ...presetConfig('auto'), trainBaseline: false, sweepFromTeacher: false };
    const onOff = configDifferences(runsOf(presetConfig('auto'), f));
    assert.deepEqual(onOff.find((row) => row.key === 'trainBaseline')?.values, ['on', 'off']);
    assert.deepEqual(onOff.find((row) => row.key === 'sweepFromTeacher')?.values, ['on', 'off']);
    // Weight selection's steps act while the sweep tries the teacher's start (or the student starts there).
    assert.deepEqual(onOff.find((row) => row.key === 'selectionSteps')?.values, ['8', '–']);
    // Before the runs load (or with one), nothing differs: no row of every setting with no values.
    assert.deepEqual(configDifferences([]), []);
    assert.deepEqual(configDifferences(runsOf(a)), []);
  });

  it("shows a teacher folder or dataset path by its last parts, as History does, unless that hides the difference", () => {
    const a = { ...presetConfig('quick'), teacher: '/srv/runs/20261203-162520-7448/teacher', dataset: '/home/me/data/fashion' };
    const b = { ...presetConfig('quick'), teacher: 'mlp-800x2', dataset: '/home/me/data/fashion' };
    const c = { ...presetConfig('quick'), teacher: '/mnt/b/runs/x/teacher' };
    const d = { ...presetConfig('quick'), teacher: '/mnt/a/runs/x/teacher' };
    assert.deepEqual(configDifferences(runsOf(a, b)).map((row) => [row.key, row.values]), [['teacher', ['20261203-162520-7448/teacher', 'mlp-800x2']]]);
    assert.deepEqual(configDifferences(runsOf(c, d)).find((row) => row.key === 'teacher')?.values, ['/mnt/b/runs/x/teacher', '/mnt/a/runs/x/teacher']);
    // A browser's upload shows by the name it was given, not the server's upload id.
    const e = { ...presetConfig('quick'), teacher: '/srv/work/uploads/6667314fe087f943/my-teacher' };
    assert.deepEqual(configDifferences(runsOf(e, b)).find((row) => row.key === 'teacher')?.values, ['my-teacher (uploaded)', 'mlp-800x2']);
    assert.equal(shortPath('/srv/work/uploads/55352d23c50d3f22/export/model.onnx'), 'export/model.onnx (uploaded)');
    assert.equal(shortPath('/home/me/uploads/not-an-id/model.onnx'), 'not-an-id/model.onnx');
    assert.equal(shortPath('/srv/work/uploads/1f4922e55f8fe9b8', 1), 'uploaded files');
    assert.equal(shortPath('/srv/work/uploads/1f4922e55f8fe9b8/fashion', 1), 'fashion (uploaded)');
  });

  it("shows a teacher's input settings only where the run loaded its teacher, its training settings only where it trained it", () => {
    // A form can carry an imported teacher's settings into a run that trains its own: they fed nothing.
    const trainedIdle = { ...presetConfig('quick'), teacherNormalization: 'none' as const, teacherInputRange: '0-255' as const };
    assert.deepEqual(configDifferences(runsOf(trainedIdle, presetConfig('quick'))), []);
    // A sweep's best cell trains on the sweep's saved teacher: its training settings did nothing there.
    const sweep = { ...presetConfig('quick'), teacherNormalization: 'none' as const, teacherEpochs: 12, sweep: true };
    const bestCell = { ...presetConfig('quick'), teacher: '/srv/runs/20261203-162520-7448/teacher', teacherNormalization: 'imagenet' as const, teacherEpochs: 30 };
    const teacherReport = { ...report([0.9, 0.8]), name: 'mlp-800x2' };
    const rows = configDifferences([
      { config: sweep, teacherLoaded: false, result: null, study: null },
      { config: bestCell, teacherLoaded: true, result: { teacher: teacherReport } as never, study: null },
    ]);
    const valuesOf = (key: string) => rows.find((row) => row.key === key)?.values;
    assert.deepEqual(valuesOf('teacher'), ['mlp-800x2', 'mlp-800x2 from 20261203-162520-7448']);
    assert.deepEqual(valuesOf('teacherNormalization'), ['–', 'imagenet']);
    assert.deepEqual(valuesOf('teacherEpochs'), ['12', '–']);
    // Where one run's teacher did not take a setting and the other's took its default, the teacher row says it all.
    assert.equal(valuesOf('teacherInputRange'), undefined);
    assert.equal(valuesOf('teacherJitter'), undefined);
  });

  it("one History row for the app and distill runs: a study's best row, its seeds, a method other than KD", () => {
    const config = { ...presetConfig('quick'), teacher: '/home/me/runs/20261203-162520-7448/teacher', dataset: '/home/me/data/fashion' };
    const row = (method: string, accuracy: number, gain: number | null) => ({ method, accuracy, gain }) as StudyResult['rows'][number];
    // The best distilled row, not the student alone even where it leads.
    const study = { teacher: { accuracy: 0.9 }, rows: [row('baseline', 0.88, 0), row('kd', 0.85, -0.03), row('init+kd', 0.875, -0.005)] } as StudyResult;
    assert.deepEqual(historyCells({ config, result: null, study }), { dataset: 'fashion', models: '20261203-162520-7448/teacher → mlp-30x2', tag: 'study of 3', teacher: '90.00%', student: 'best 87.50%', alone: '88.00%', gain: '-0.50' });
    // The comparison of runs reads the same outcome: the best distilled row by its entry (its epochs' lane).
    const labelled = { ...study, rows: study.rows.map((r) => ({ ...r, label: r.method.toUpperCase() })) };
    assert.deepEqual(runOutcome({ result: null, study: labelled }), { teacher: 0.9, student: 0.875, best: { method: 'init+kd', label: 'INIT+KD' }, alone: 0.88, gain: -0.005, lanes: { student: 'init+kd', alone: 'baseline' } });
    // A run whose race kept DIST: its distilled curve is the DIST lane's.
    const raced = { teacher: null, student: { accuracy: 0.89 }, baseline: null, kdGain: null } as unknown as NonNullable<Parameters<typeof runOutcome>[0]['result']>;
    assert.deepEqual(runOutcome({ result: { ...raced, studentMethod: 'dist' }, study: null }).lanes, { student: 'dist', alone: undefined });
    assert.deepEqual(runOutcome({ result: raced, study: null }).lanes, { student: undefined, alone: undefined });
    // Restarts: the seed kept is the curve; the first seed's is the run's own lane.
    const restarts = (kept: number) => ({ seeds: [1, 2, 3], valAccuracies: [0.8, 0.9, 0.85], accuracies: [0.8, 0.9, 0.85], kept });
    assert.deepEqual(runOutcome({ result: { ...raced, studentMethod: 'dist', restarts: { student: restarts(3), baseline: restarts(2) } }, study: null }).lanes, { student: 'dist#3', alone: 'baseline#2' });
    assert.deepEqual(runOutcome({ result: { ...raced, restarts: { student: restarts(1), baseline: restarts(1) } }, study: null }).lanes, { student: undefined, alone: undefined });
    assert.deepEqual(runOutcome({ result: { ...raced, restarts: { student: restarts(2) } }, study: null }).lanes.student, 'student#2');
    // A method other than KD is the row's tag; SP with KD's soft term added reads sp+kd, and a filter finds it by either word.
    const sp = (kdWeight: number) => ({ ...config, method: 'sp' as const, methodOptions: { ...config.methodOptions, sp: { ...config.methodOptions.sp, kdWeight } } });
    assert.equal(historyCells({ config: sp(0), result: null, study: null }).tag, 'sp');
    assert.equal(historyCells({ config: sp(1), result: null, study: null }).tag, 'sp+kd');
    assert.ok(historyMatches({ config: sp(1), result: null, study: null, runId: 'r', status: 'completed' }, 'sp+kd'));
    // A teacher from an earlier run is named by its architecture and that run; with no report (a run stopped early), by its folder.
    const named = { ...study, teacher: { accuracy: 0.9, name: 'mlp-800x2' } } as StudyResult;
    assert.equal(historyCells({ config, result: null, study: named }).models, 'mlp-800x2 from 20261203-162520-7448 → mlp-30x2');
    assert.equal(teacherLabel('C:\\runs\\20261203-162520-7448\\teacher\\resnet.onnx', 'resnet18'), 'resnet18 from 20261203-162520-7448');
    assert.equal(teacherLabel('/models/teacher.onnx', 'resnet18'), 'models/teacher.onnx', 'a file brought by hand keeps its path');
    assert.equal(teacherLabel('/models/teacher/model.onnx', 'resnet18'), 'teacher/model.onnx', "a teacher folder outside a run's is a path");
    assert.equal(teacherLabel('mlp-800x2', 'mlp-800x2'), 'mlp-800x2');
    // The filter still finds the row by the teacher's folder.
    assert.ok(historyMatches({ config, result: null, study: named, runId: 'x', status: 'completed' }, '20261203-162520-7448/teacher'));
    // A study stopped before any row: no "best -Infinity%".
    assert.equal(historyCells({ config, result: null, study: { teacher: null, rows: [] } as unknown as StudyResult }).student, '–');
    assert.deepEqual(historyCells({ config: { ...config, method: 'dist' }, result: null, study: null }), { dataset: 'fashion', models: '20261203-162520-7448/teacher → mlp-30x2', tag: 'dist', teacher: '–', student: '–', alone: '–', gain: '–' });
    // A sweep trains no student: its tag is the cell it found; a run that swept and trained keeps its method's.
    const best = { temperature: 4, alpha: 0.9, valAccuracy: 0.8818, init: true as const };
    const result = { teacher: { accuracy: 0.9 }, student: null, baseline: null, kdGain: null, sweep: { best } } as unknown as NonNullable<Parameters<typeof historyCells>[0]['result']>;
    assert.equal(historyCells({ config, result, study: null }).tag, "sweep found T = 4, α = 0.9, from the teacher's weights");
    assert.equal(historyCells({ config: { ...config, method: 'dist' }, result: { ...result, student: { accuracy: 0.89 } } as typeof result, study: null }).tag, 'dist');
  });
});

describe('the ETA of a phase that may stop early', () => {
  it('is a bound where the phase has a validation split and early stopping, a forecast elsewhere', () => {
    const auto = presetConfig('auto');
    assert.equal(mayStopEarly(auto, 'teacher'), true);
    assert.equal(mayStopEarly(auto, 'student'), true);
    assert.equal(mayStopEarly(auto, 'student-dist'), true);
    assert.equal(mayStopEarly(auto, 'sweep'), false, 'sweep cells train their epochs in full');
    assert.equal(mayStopEarly({ ...auto, teacherPatience: null }, 'teacher'), false);
    assert.equal(mayStopEarly({ ...auto, validationSplit: 0 }, 'student'), false);
    assert.equal(mayStopEarly(presetConfig('quick'), 'teacher'), false);
  });
});

describe('a finished lane says which epoch it kept', () => {
  it('takes the selection from the phase event and words it', () => {
    const view = emptyRunView('r1', presetConfig('auto'));
    applyRunEvent(view, { type: 'phase', phase: 'teacher', status: 'start', model: 'mlp-800x2' });
    applyRunEvent(view, { type: 'phase', phase: 'teacher', status: 'done', model: 'mlp-800x2', selection: { bestEpoch: 17, stoppedEarly: 25, epochs: 60 } });
    const teacher = view.lanes.find((l) => l.key === 'teacher')!;
    assert.equal(teacher.state, 'done');
    assert.equal(keptEpochText(teacher.selection!), 'kept epoch 17 of 25, the best on the validation split (stopped early; at most 60)');
    assert.equal(keptEpochText({ bestEpoch: 38, stoppedEarly: null, epochs: 40 }), 'kept epoch 38 of 40, the best on the validation split');
  });

  it("keeps a selection step's progress off the lane's loss curve", () => {
    const view = emptyRunView('r1', presetConfig('auto'));
    const progress = { type: 'progress', phase: 'student', epoch: 1, epochs: 1, step: 10, steps: 844, loss: 6.5, accuracy: 0.7, imgPerSec: 1, etaSec: 1, lr: 0.01 } as const;
    applyRunEvent(view, { ...progress, via: 'mlp-415x2' });
    assert.equal(view.lanes.find((l) => l.key === 'student')?.latest?.via, 'mlp-415x2', 'the lane shows it is stepping');
    assert.equal(view.loss.length, 0);
    applyRunEvent(view, { ...progress, epochs: 40, loss: 0.4 });
    assert.deepEqual(view.loss.map((p) => p.y), [0.4]);
  });
});
