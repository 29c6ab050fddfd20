import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classGainBeyondNoise, compareClasses, distillationAdvice, gainNoise, perClassAccuracy } from '../../electron/contract/advice';
import { formatResult } from '../../electron/cli/result-text';
import { describeAgainstTeacher, studentLaneMethod, studyAgainstTeacher } from '../../electron/contract/display';
import { bestSweepCell, sweepChoice, type ModelReport, type RunEvent, type StudyResult, type SweepResult } from '../../electron/contract/events';
import { carveValidation } from '../../electron/engine/data/validation';
import { groupMistakes, topThree } from '../../electron/engine/runs/mistakes';
import { sameArchitectureLatency } from '../../electron/engine/runs/phases';
import { describeSweepChoice, plannedSweepCells, sweepCellsDone, sweepFinalists, sweepRoundTwo } from '../../electron/engine/runs/sweep';
import { describeEvent } from '../../electron/cli/progress-printer';
import { PlateauCuts } from '../../electron/engine/train/schedule';
import { configDifferences } from '../../electron/contract/compare';
import { historyCells, runOutcome, shortPath } from '../../renderer/src/lib/display';
import { studyOverrides, studyRecipeNote } from '../../renderer/src/lib/study-form';
import { applyRunEvent, emptyRunView, keptEpochText, mayStopEarly } from '../../renderer/src/lib/run-view';
import { presetConfig } from '../../electron/contract/catalogue';

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
    assert.deepEqual(levels(report([0.5, 0.5]), report([0.9, 0.89])), [
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
    // The app shows each as "Try …." and the CLI as "try: …": a noun phrase or a gerund, never a bare verb ("Try find T and α").
    for (const s of distillationAdvice(run).flatMap((a) => a.suggestions)) assert.doesNotMatch(s, /^(train|find|use|let|make|pick) /, s);
  });

  it('points at the student, not the teacher, when a teacher far ahead of the student alone teaches it nothing', () => {
    const suggestions = (teacher: ModelReport, student: ModelReport, baseline: ModelReport) =>
      distillationAdvice({ teacher, student, baseline, kdGain: student.accuracy - baseline.accuracy, sweep: undefined }).flatMap((a) => a.suggestions);
    const larger = (s: string[]) => s.some((x) => x.startsWith('a larger student'));
    const better = (s: string[]) => s.some((x) => x.startsWith('a better teacher'));
    // Worse with KD: a teacher 10 points ahead is not the fix; one 1 point ahead may be.
    const farWorse = suggestions(report([0.95, 0.95]), report([0.5, 0.5]), report([0.85, 0.85]));
    assert.ok(larger(farWorse) && !better(farWorse), farWorse.join('; '));
    const nearWorse = suggestions(report([0.86, 0.86]), report([0.5, 0.5]), report([0.85, 0.85]));
    assert.ok(better(nearWorse) && !larger(nearWorse), nearWorse.join('; '));
    // Within noise: the larger student joins the suggestions only for a teacher far ahead.
    assert.ok(larger(suggestions(report([0.95, 0.95]), report([0.86, 0.86]), report([0.85, 0.85]))));
    assert.ok(!larger(suggestions(report([0.86, 0.86]), report([0.86, 0.86]), report([0.85, 0.85]))));
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
  });
});

describe('what a run says the sweep chose', () => {
  const sweepOf = (cells: Array<[number, number, number, boolean?]>): SweepResult => {
    const rows = cells.map(([temperature, alpha, valAccuracy, diverged], i) => ({ cell: i + 1, temperature, alpha, valAccuracy, diverged, seconds: 1 }));
    const best = bestSweepCell(rows)!;
    return { temperatures: [], alphas: [], cells: rows, best: { temperature: best.temperature, alpha: best.alpha, valAccuracy: best.valAccuracy }, epochs: 3, images: 100, validationImages: 10, student: 's', seconds: 1 };
  };

  it('names the best cell and the runner-up, the cells that did not train, and a single cell as the only one asked for', () => {
    assert.equal(describeSweepChoice(sweepOf([[2, 0.5, 0.8], [4, 0.9, 0.85], [8, 0.9, 0.1, true]])),
      'T = 4, α = 0.9: the best of 3 cells on the validation split (85.00%; next T = 2, α = 0.5 at 80.00%; 1 cell did not train (T = 8, α = 0.9: at chance or a loss that is not a number): a lower --lr lets large T·α train)');
    assert.equal(describeSweepChoice(sweepOf([[2, 0.5, 0.8283]])), 'T = 2, α = 0.5: the only cell asked for (validation 82.83%)');
  });

  it('takes the best cells that trained as finalists, earlier cells first on a tie, and none when fewer than two would run', () => {
    const { cells } = sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.85], [4, 0.3, 0.9, true], [8, 0.3, 0.8]]);
    assert.deepEqual(sweepFinalists(cells, 3).map((c) => c.temperature), [2, 1, 8]);
    assert.deepEqual(sweepFinalists(cells, 10).map((c) => c.temperature), [2, 1, 8]);
    assert.deepEqual(sweepFinalists(cells, 1), []);
    assert.deepEqual(sweepFinalists(sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.1, true]]).cells, 3), []);
    // The choice: the best finalist (ties to the earlier grid cell), else the grid's best.
    const final = (cell: number, valAccuracy: number, diverged?: boolean) => ({ ...cells[cell - 1]!, valAccuracy, ...(diverged ? { diverged } : {}) });
    assert.equal(sweepChoice(cells, [final(2, 0.9), final(1, 0.95), final(4, 0.95)])!.temperature, 1);
    assert.equal(sweepChoice(cells, [])!.temperature, 2);
    assert.equal(sweepChoice(cells, [final(2, 0.1, true), final(1, 0.1, true)])!.temperature, 2);
  });

  it('counts the cells it will train as far as it knows: no finalist that cannot come', () => {
    const { cells } = sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.85], [4, 0.3, 0.9, true], [8, 0.3, 0.1, true]]);
    const final = (cell: number, valAccuracy: number, diverged?: boolean) => ({ ...cells[cell - 1]!, valAccuracy, ...(diverged ? { diverged } : {}) });
    assert.equal(plannedSweepCells(4, 3, true, cells.slice(0, 2), []), 8, 'while the grid trains: 3 finalists and the seeded one');
    assert.equal(plannedSweepCells(4, 3, true, cells, []), 7, 'two cells did not train: 2 finalists and the seeded one');
    assert.equal(plannedSweepCells(4, 3, false, cells, []), 6);
    assert.equal(plannedSweepCells(4, 3, true, cells, [final(2, 0.86)]), 7);
    assert.equal(plannedSweepCells(4, 3, true, cells, [final(2, 0.86), final(1, 0.87)]), 7, 'the seeded finalist is planned');
    assert.equal(plannedSweepCells(4, 3, true, cells, [final(2, 0.1, true), final(1, 0.1, true)]), 6, 'every finalist diverged: no seeded one');
    const twoBad = sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.1, true], [4, 0.3, 0.1, true]]).cells;
    assert.equal(plannedSweepCells(3, 3, true, twoBad, []), 3, 'one cell trained: no second round at all');
  });

  it('a resumed sweep keeps the cells it finished, in grid order, then the finalists in rank order, and nothing out of step', () => {
    const grid = [{ temperature: 1, alpha: 0.5 }, { temperature: 2, alpha: 0.5 }, { temperature: 4, alpha: 0.5 }];
    const event = (cell: number, valAccuracy: number, round?: 2): RunEvent => ({ type: 'sweep-cell', cells: 5, cell, ...grid[cell - 1]!, valAccuracy, seconds: 1, ...(round ? { round } : {}) });
    const other: RunEvent = { type: 'phase', phase: 'teacher', status: 'done', model: 't' };
    type Cells = Parameters<typeof sweepRoundTwo>[0];
    const top2 = (cells: Cells, finals: Cells) => sweepRoundTwo(cells, finals, 2, false);
    const none = (cells: Cells, finals: Cells) => sweepRoundTwo(cells, finals, 0, true);
    // Part of the grid: kept, no finals yet.
    const part = sweepCellsDone([other, event(1, 0.5), event(2, 0.7)], grid, top2);
    assert.deepEqual(part.cells.map((c) => c.cell), [1, 2]);
    assert.deepEqual(part.finals, []);
    assert.equal('cells' in part.cells[0]! || 'type' in part.cells[0]!, false, 'kept as cells, not as events');
    // The whole grid and the first finalist (cell 2, the best): kept.
    const finals = sweepCellsDone([event(1, 0.5), event(2, 0.7), event(3, 0.6), event(2, 0.8, 2)], grid, top2);
    assert.deepEqual([finals.cells.length, finals.finals.map((c) => c.cell)], [3, [2]]);
    // A finalist out of rank order, a cell out of grid order, or another grid: what follows is trained again.
    assert.deepEqual(sweepCellsDone([event(1, 0.5), event(2, 0.7), event(3, 0.6), event(3, 0.8, 2)], grid, top2).finals, []);
    assert.deepEqual(sweepCellsDone([event(2, 0.7), event(1, 0.5)], grid, top2).cells, []);
    assert.deepEqual(sweepCellsDone([event(1, 0.5), { ...event(2, 0.7), alpha: 0.9 } as RunEvent], grid, top2).cells.map((c) => c.cell), [1]);
    // No second round asked for: a finalist line is not kept.
    assert.deepEqual(sweepCellsDone([event(1, 0.5), event(2, 0.7), event(3, 0.6), event(2, 0.8, 2)], grid, none).finals, []);
  });

  it('the app shows each cell once when a resumed sweep replays the cells the stored run already holds', () => {
    const view = emptyRunView('r', presetConfig('auto'));
    const cell = (n: number, round?: 2) => ({ type: 'sweep-cell' as const, cell: n, cells: 6, temperature: n, alpha: 0.5, valAccuracy: 0.5 + n / 100, seconds: 1, ...(round ? { round } : {}) });
    for (const event of [cell(1), cell(2), cell(1, 2)]) applyRunEvent(view, event);
    for (const event of [cell(1), cell(2), { ...cell(1, 2), kept: true as const }, cell(3), cell(3, 2)]) applyRunEvent(view, event);
    assert.deepEqual(view.sweepCells.map((c) => c.cell), [1, 2, 3]);
    assert.deepEqual(view.sweepFinals.map((c) => c.cell), [1, 3]);
  });

  it('offers the best finalist again from the teacher\'s weights when the teacher can give them, and chooses it only when it scores higher', () => {
    const { cells } = sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.85], [4, 0.3, 0.9, true], [8, 0.3, 0.8]]);
    const final = (cell: number, valAccuracy: number, init?: true) => ({ ...cells[cell - 1]!, valAccuracy, ...(init ? { init } : {}) });
    const finalists = [{ cell: 2, temperature: 2, alpha: 0.3 }, { cell: 1, temperature: 1, alpha: 0.3 }];
    assert.deepEqual(sweepRoundTwo(cells, [final(2, 0.9)], 2, true), finalists, 'the seeded finalist waits for the others');
    // It is the best of the second round, not of the grid: cell 1 overtook cell 2 on every image.
    assert.deepEqual(sweepRoundTwo(cells, [final(2, 0.86), final(1, 0.88)], 2, true), [...finalists, { cell: 1, temperature: 1, alpha: 0.3, init: true }]);
    assert.deepEqual(sweepRoundTwo(cells, [final(2, 0.9), final(1, 0.85)], 2, true).at(-1), { ...finalists[0], init: true });
    assert.deepEqual(sweepRoundTwo(cells, [final(2, 0.9), final(1, 0.85)], 2, false).map((c) => c.cell), [2, 1]);
    assert.deepEqual(sweepRoundTwo(cells, [], 0, true), [], 'no second round, no seeded finalist');
    assert.equal(sweepChoice(cells, [final(2, 0.9), final(1, 0.85), final(2, 0.9, true)])!.init, undefined, 'a tie goes to the random start');
    assert.equal(sweepChoice(cells, [final(2, 0.9), final(1, 0.85), final(2, 0.91, true)])!.init, true);
    // A resume keeps the seeded finalist only in its place, after the others.
    const grid = cells.map(({ temperature, alpha }) => ({ temperature, alpha }));
    const asEvent = (c: ReturnType<typeof final>): RunEvent => ({ type: 'sweep-cell', cells: 7, ...c, round: 2 });
    const events: RunEvent[] = [...cells.map((c): RunEvent => ({ type: 'sweep-cell', cells: 7, ...c })), asEvent(final(2, 0.9)), asEvent(final(1, 0.85)), asEvent(final(2, 0.91, true))];
    assert.deepEqual(sweepCellsDone(events, grid, (c, f) => sweepRoundTwo(c, f, 2, true)).finals.map((c) => [c.cell, c.init]), [[2, undefined], [1, undefined], [2, true]]);
    assert.deepEqual(sweepCellsDone(events, grid, (c, f) => sweepRoundTwo(c, f, 2, false)).finals.map((c) => c.cell), [2, 1], 'a seeded line the run did not plan is not kept');
    const overtaken = [...events.slice(0, -3), asEvent(final(2, 0.8)), asEvent(final(1, 0.85))];
    assert.equal(sweepCellsDone([...overtaken, asEvent(final(1, 0.9, true))], grid, (c, f) => sweepRoundTwo(c, f, 2, true)).finals.length, 3);
    assert.equal(sweepCellsDone([...overtaken, asEvent(final(2, 0.9, true))], grid, (c, f) => sweepRoundTwo(c, f, 2, true)).finals.length, 2, 'a seeded line for another finalist than the best is trained again');
    // The words: the choice names the start, and the printer marks the finalist.
    const seeded: SweepResult = { ...sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.85], [4, 0.3, 0.9, true], [8, 0.3, 0.8]]), finals: { images: 54000, cells: [final(2, 0.9), final(1, 0.85), final(2, 0.91, true)] }, best: { temperature: 2, alpha: 0.3, valAccuracy: 0.91, init: true } };
    assert.equal(describeSweepChoice(seeded),
      "T = 2, α = 0.3 (the student started from the teacher's weights): the best of the grid's 2 best cells trained again, and the best of them again from the teacher's weights, on all 54,000 training images (validation 91.00%; next T = 2, α = 0.3 from a random start at 90.00%); the grid of 4 cells on 100 images had put it first too; 1 cell did not train (T = 4, α = 0.3: at chance or a loss that is not a number): a lower --lr lets large T·α train");
    assert.match(describeEvent(asEvent(final(2, 0.91, true)))!, /^sweep finalist: T = 2, α = 0\.3, from the teacher's weights, on every training image → validation 91\.00%/);
    // The app keeps the seeded finalist beside the random one with the same cell.
    const view = emptyRunView('r', presetConfig('auto'));
    for (const event of events) applyRunEvent(view, event);
    assert.deepEqual(view.sweepFinals.map((c) => [c.cell, c.init]), [[2, undefined], [1, undefined], [2, true]]);
  });

  it("names a --try-dist run's lanes by what trained in them: KD's entrant and DIST's, whichever was kept", () => {
    const titles = (method: 'kd' | 'dist') => emptyRunView('r', { ...presetConfig('auto'), method }).lanes.map((l) => [l.key, l.title]);
    const want = [['teacher', 'Teacher'], ['sweep', 'T × α sweep'], ['student', 'KD student'], ['dist', 'DIST student'], ['baseline', 'Student alone']];
    assert.deepEqual(titles('kd'), want);
    assert.deepEqual(titles('dist'), want, 'after DIST was kept, config.json says dist; the student lane is still KD');
    assert.deepEqual(emptyRunView('r', { ...presetConfig('auto'), tryDist: false }).lanes.map((l) => l.key), ['teacher', 'sweep', 'student', 'baseline']);
    // The CLI's lines name the student the same way: a --method dist run's is DIST's, a race's student lane KD's.
    const start: RunEvent = { type: 'phase', phase: 'student', status: 'start', model: 'mlp-30x2' };
    assert.equal(describeEvent(start, studentLaneMethod({ method: 'dist' })), 'DIST student mlp-30x2: training');
    assert.equal(describeEvent(start, studentLaneMethod({ method: 'dist', tryDist: true })), 'KD student mlp-30x2: training');
    assert.equal(describeEvent(start), 'KD student mlp-30x2: training');
    assert.equal(emptyRunView('r', { ...presetConfig('quick'), method: 'dist' }).lanes.find((l) => l.key === 'student')?.title, 'DIST student');
  });

  it('prints a finalist as one, not under its grid number', () => {
    const event = { type: 'sweep-cell' as const, cell: 5, cells: 15, temperature: 2, alpha: 0.6, valAccuracy: 0.8887, seconds: 44 };
    assert.match(describeEvent(event)!, /^sweep 5\/15: T = 2, α = 0\.6 → validation 88\.87%/);
    assert.match(describeEvent({ ...event, round: 2 })!, /^sweep finalist: T = 2, α = 0\.6 on every training image → validation 88\.87%/);
  });

  it('says when the finalists on every image overturned the short round, and when they agreed', () => {
    const grid = sweepOf([[2, 0.6, 0.8365], [8, 0.6, 0.8377], [4, 0.6, 0.8355], [1, 0.3, 0.8065]]);
    const finals = [{ cell: 2, temperature: 8, alpha: 0.6, valAccuracy: 0.88, seconds: 1 }, { cell: 1, temperature: 2, alpha: 0.6, valAccuracy: 0.8887, seconds: 1 }, { cell: 3, temperature: 4, alpha: 0.6, valAccuracy: 0.8877, seconds: 1 }];
    const overturned: SweepResult = { ...grid, finals: { images: 54000, cells: finals }, best: { temperature: 2, alpha: 0.6, valAccuracy: 0.8887 } };
    assert.equal(describeSweepChoice(overturned),
      "T = 2, α = 0.6: the best of the grid's 3 best cells trained again on all 54,000 training images (validation 88.87%; next T = 4, α = 0.6 at 88.77%); the grid of 4 cells on 100 images had put T = 8, α = 0.6 at 83.77% first");
    const agreed: SweepResult = { ...overturned, finals: { images: 54000, cells: [{ ...finals[0]!, valAccuracy: 0.89 }, finals[1]!] }, best: { temperature: 8, alpha: 0.6, valAccuracy: 0.89 } };
    const failed: SweepResult = { ...grid, finals: { images: 54000, cells: finals.map((c) => ({ ...c, valAccuracy: 0.1, diverged: true })) } };
    assert.match(describeSweepChoice(failed), /^T = 8, α = 0\.6: the best of 4 cells on the validation split \(83\.77%; .*; its 3 best cells did not train on all 54,000 training images, so this round chose\)$/);
    assert.match(describeSweepChoice(agreed), /^T = 8, α = 0\.6: the best of the grid's 2 best cells .*\(validation 89\.00%; next T = 2, α = 0\.6 at 88\.87%\); the grid of 4 cells on 100 images had put it first too$/);
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
  it('lists only the settings that differ, labelled from the catalogue, with the method options each run used', () => {
    const a = presetConfig('quick');
    const b = { ...presetConfig('quick'), epochs: 9, methodOptions: { ...a.methodOptions, kd: { ...a.methodOptions.kd, temperature: 2 } } };
    const c = { ...presetConfig('quick'), method: 'baseline' as const };
    assert.deepEqual(configDifferences([a, b]).map((d) => [d.label, d.values]), [['student epochs', ['5', '9']], ['KD (Hinton): temperature T', ['4', '2']]]);
    const withBaseline = configDifferences([a, c]);
    assert.deepEqual(withBaseline.find((d) => d.key === 'method')?.values, ['kd', 'baseline']);
    // The student alone never used T: it shows as –, not as a difference of values.
    assert.deepEqual(withBaseline.find((d) => d.key === 'kd.temperature')?.values, ['4', '–']);
    // A setting that acted on nothing in either run is no difference: the plateau's patience on cosine schedules.
    const d = { ...presetConfig('quick'), plateauPatience: 7 };
    assert.deepEqual(configDifferences([a, d]), []);
    const e = { ...presetConfig('quick'), schedule: 'plateau' as const, validationSplit: 0.1, plateauPatience: 7 };
    assert.deepEqual(configDifferences([d, e]).find((row) => row.key === 'plateauPatience')?.values, ['–', '7']);
    // On/off settings read as their labels do, also where the flag turns them off (--no-baseline, --no-sweep-from-teacher).
    const f = { ...presetConfig('auto'), trainBaseline: false, sweepFromTeacher: false };
    const onOff = configDifferences([presetConfig('auto'), f]);
    assert.deepEqual(onOff.find((row) => row.key === 'trainBaseline')?.values, ['on', 'off']);
    assert.deepEqual(onOff.find((row) => row.key === 'sweepFromTeacher')?.values, ['on', 'off']);
    // Weight selection's steps act while the sweep tries the teacher's start (or the student starts there).
    assert.deepEqual(onOff.find((row) => row.key === 'selectionSteps')?.values, ['8', '–']);
    // Before the runs load (or with one), nothing differs: no row of every setting with no values.
    assert.deepEqual(configDifferences([]), []);
    assert.deepEqual(configDifferences([a]), []);
  });

  it("shows a teacher folder or dataset path by its last parts, as History does, unless that hides the difference", () => {
    const a = { ...presetConfig('quick'), teacher: '/srv/runs/20261203-162520-7448/teacher', dataset: '/home/me/data/fashion' };
    const b = { ...presetConfig('quick'), teacher: 'mlp-800x2', dataset: '/home/me/data/fashion' };
    const c = { ...presetConfig('quick'), teacher: '/mnt/b/runs/x/teacher' };
    const d = { ...presetConfig('quick'), teacher: '/mnt/a/runs/x/teacher' };
    assert.deepEqual(configDifferences([a, b]).map((row) => [row.key, row.values]), [['teacher', ['20261203-162520-7448/teacher', 'mlp-800x2']]]);
    assert.deepEqual(configDifferences([c, d]).find((row) => row.key === 'teacher')?.values, ['/mnt/b/runs/x/teacher', '/mnt/a/runs/x/teacher']);
    // A browser's upload shows by the name it was given, not the server's upload id.
    const e = { ...presetConfig('quick'), teacher: '/srv/work/uploads/6667314fe087f943/my-teacher' };
    assert.deepEqual(configDifferences([e, b]).find((row) => row.key === 'teacher')?.values, ['my-teacher (uploaded)', 'mlp-800x2']);
    assert.equal(shortPath('/srv/work/uploads/55352d23c50d3f22/export/model.onnx'), 'export/model.onnx (uploaded)');
    assert.equal(shortPath('/home/me/uploads/not-an-id/model.onnx'), 'not-an-id/model.onnx');
    assert.equal(shortPath('/srv/work/uploads/1f4922e55f8fe9b8', 1), 'uploaded files');
    assert.equal(shortPath('/srv/work/uploads/1f4922e55f8fe9b8/fashion', 1), 'fashion (uploaded)');
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
