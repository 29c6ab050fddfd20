import assert from 'node:assert/strict';
import { cp, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { RunEventSchema, RunResultSchema, type EpochEndEvent, type RunEvent } from '../../electron/contract/events';
import { DIST_RACE_MAX_TEMPERATURE } from '../../electron/engine/runs/dist-race';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

const SMALL = ['--teacher', 'mlp-64x1', '--student', 'mlp-16x1', '--limit-train', '3000', '--limit-test', '1000', '--backend', 'cpu', '--json'];
const GRID = ['--sweep-temperatures', '2,4', '--sweep-alphas', '0.5,0.9', '--sweep-epochs', '1', '--sweep-images', '500'];

const parse = (stdout: string) => {
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
  return { events: lines.slice(0, -1).map((l) => RunEventSchema.parse(l)), result: RunResultSchema.parse(lines.at(-1)) };
};

let root: string;
before(async () => {
  root = await tempDir('recipe-');
});

describe('the auto recipe and the sweep', () => {
  it('distill sweep: one line per cell, the best cell in the result and in config.json', async () => {
    const { code, stdout, stderr } = await runCli(['sweep', ...SMALL, '--teacher-epochs', '3', ...GRID, '--out', join(root, 'sweep')]);
    assert.equal(code, 0, stderr);
    const { events, result } = parse(stdout);
    const cellEvents = events.filter((e): e is Extract<RunEvent, { type: 'sweep-cell' }> => e.type === 'sweep-cell');
    const cells = cellEvents.filter((e) => e.round === undefined);
    assert.deepEqual(cells.map((c) => [c.temperature, c.alpha]), [[2, 0.5], [2, 0.9], [4, 0.5], [4, 0.9]]);
    assert.ok(cellEvents.every((e) => e.cells === 8), 'every cell event counts the 4 grid cells, the 3 finalists and the finalist from the teacher\'s weights');
    // Successive halving: the grid's best 3 on 500 images train again on all 2,700, then the best
    // of them from the teacher's weights (an app MLP teacher can seed a narrower MLP), and the best of those is chosen.
    const finals = cellEvents.filter((e) => e.round === 2);
    const ranked = [...cells].sort((a, b) => b.valAccuracy - a.valAccuracy || a.cell - b.cell).slice(0, 3);
    assert.deepEqual(finals.map((c) => [c.temperature, c.alpha, c.init]), [...ranked.map((c) => [c.temperature, c.alpha, undefined]), [ranked[0]!.temperature, ranked[0]!.alpha, true]]);
    assert.equal(result.sweep!.finals!.images, 2700);
    assert.deepEqual(result.sweep!.finals!.cells.map((c) => c.valAccuracy), finals.map((c) => c.valAccuracy));
    const best = finals.reduce((a, b) => (b.valAccuracy > a.valAccuracy || (b.valAccuracy === a.valAccuracy && b.cell < a.cell) ? b : a));
    assert.deepEqual(result.sweep!.best, { temperature: best.temperature, alpha: best.alpha, valAccuracy: best.valAccuracy, ...(best.init ? { init: true } : {}) });
    assert.equal(result.sweep!.validationImages, 300, 'a tenth of 3,000 training images');
    const choice = events.find((e) => e.type === 'phase' && e.method === 'sweep' && e.status === 'done');
    assert.match(choice?.type === 'phase' ? (choice.detail ?? '') : '', /the best of the grid's 3 best cells trained again, and the best of them again from the teacher's weights, on all 2,700 training images \(validation \d+\.\d\d%; next T = \d, α = 0\.\d( from a random start| \(the student started from the teacher's weights\))? at \d+\.\d\d%\); the grid of 4 cells on 500 images (had put it first too|had put T = \d, α = 0\.\d at \d+\.\d\d% first)/);
    assert.equal(result.student, null);
    const config = JSON.parse(await readFile(join(root, 'sweep', 'config.json'), 'utf8'));
    assert.deepEqual([config.methodOptions.kd.temperature, config.methodOptions.kd.alpha, config.initFromTeacher], [best.temperature, best.alpha, best.init === true]);
  });

  it('distill sweep: a cell that does not train (too high a learning rate) is marked, never chosen, and the choice says why', async () => {
    const { code, stdout, stderr } = await runCli(['sweep', ...SMALL, '--teacher', join(root, 'sweep', 'teacher'), ...GRID, '--lr', '100', '--out', join(root, 'sweep-lr100')]);
    assert.equal(code, 0, stderr);
    const { events, result } = parse(stdout);
    const cells = events.filter((e): e is Extract<RunEvent, { type: 'sweep-cell' }> => e.type === 'sweep-cell');
    assert.ok(cells.every((c) => c.valAccuracy <= 0.15 && c.diverged === true), JSON.stringify(cells));
    const choice = events.find((e) => e.type === 'phase' && e.method === 'sweep' && e.status === 'done');
    assert.match(choice?.type === 'phase' ? (choice.detail ?? '') : '', /4 cells did not train \(T = 2, α = 0\.5; .*\): a lower --lr lets large T·α train/);
    assert.equal(result.sweep!.cells.length, 4);
    assert.equal(result.sweep!.finals, undefined, 'no cell trained, so none is a finalist');
    const text = await runCli(['sweep', ...SMALL.filter((a) => a !== '--json'), '--teacher', join(root, 'sweep', 'teacher'), ...GRID, '--lr', '100', '--out', join(root, 'sweep-lr100-text')]);
    assert.match(text.stdout, /T = 2 +did not train +did not train/);
    assert.match(text.stdout, /no cell trained at this learning rate: run the sweep again with a lower --lr/);
    // The same sweep at the default rate: every cell trains and none is marked.
    const sane = parse((await runCli(['sweep', ...SMALL, '--teacher', join(root, 'sweep', 'teacher'), ...GRID, '--sweep-epochs', '4', '--no-sweep-from-teacher', '--out', join(root, 'sweep-again')])).stdout);
    assert.ok(sane.result.sweep!.cells.every((c) => !c.diverged && c.valAccuracy > 0.3), JSON.stringify(sane.result.sweep!.cells));
    // --no-sweep-from-teacher: random starts only, so no finalist from the teacher's weights.
    assert.deepEqual(sane.result.sweep!.finals!.cells.map((c) => c.init), [undefined, undefined, undefined]);
    assert.ok(sane.events.filter((e) => e.type === 'sweep-cell').every((e) => e.type === 'sweep-cell' && e.cells === 7));
    // Its text: the finalists' second scores, and the choice scored on every image.
    const saneText = await runCli(['sweep', ...SMALL.filter((a) => a !== '--json'), '--teacher', join(root, 'sweep', 'teacher'), ...GRID, '--out', join(root, 'sweep-text')]);
    assert.match(saneText.stdout, /the best 3 again, 1 epoch on all 2,700 training images: T = \d, α = 0\.\d: \d+\.\d\d% · /);
    assert.match(saneText.stdout, /best: T = \d, α = 0\.\d(, the student started from the teacher's weights)? \(\d+\.\d\d% on all 2,700 training images\)/);
    assert.equal(/teacher's weights \(/.test(saneText.stdout), saneText.stdout.includes('--init-from-teacher'), 'the full run it suggests starts where the choice did');
    // Swept from the teacher's weights throughout: every cell starts there, none is offered again, and the suggested run keeps that start.
    const seededText = await runCli(['sweep', ...SMALL.filter((a) => a !== '--json'), '--teacher', join(root, 'sweep', 'teacher'), ...GRID, '--init-from-teacher', '--out', join(root, 'sweep-seeded')]);
    assert.equal(seededText.code, 0, seededText.stderr);
    assert.doesNotMatch(seededText.stdout, /from the teacher's weights: \d/);
    assert.match(seededText.stdout, /the full run with it, on this teacher:\n {2}distill run --preset quick --teacher \S+\/sweep-seeded\/teacher .*--init-from-teacher /);
  });

  it('--preset auto (with --restarts 3): choices on the validation split only, best weights kept, early stopping, and every choice reported', async () => {
    const args = ['run', '--preset', 'auto', ...SMALL, '--teacher-epochs', '30', '--teacher-patience', '2', '--plateau-patience', '1', '--epochs', '4', ...GRID, '--restarts', '3', '--out', join(root, 'auto')];
    const { code, stdout, stderr } = await runCli(args, { timeoutMs: 300_000 });
    assert.equal(code, 0, stderr);
    const { events, result } = parse(stdout);
    const epochs = events.filter((e): e is EpochEndEvent => e.type === 'epoch' && e.method === undefined);
    assert.ok(epochs.every((e) => e.valAccuracy !== undefined), 'every epoch is scored on the validation split');
    // The teacher stopped 2 epochs after its best and kept that epoch's weights: its test accuracy is that epoch's.
    const teacherEpochs = epochs.filter((e) => e.phase === 'teacher');
    const bestTeacher = teacherEpochs.reduce((a, b) => (b.valAccuracy! > a.valAccuracy! ? b : a));
    assert.ok(teacherEpochs.length < 30, `early stopping: ${teacherEpochs.length} epochs`);
    assert.equal(teacherEpochs.at(-1)!.epoch - bestTeacher.epoch, 2);
    assert.equal(result.teacher!.accuracy, bestTeacher.testAccuracy);
    assert.deepEqual(result.selection!.teacher, { bestEpoch: bestTeacher.epoch, stoppedEarly: teacherEpochs.at(-1)!.epoch, epochs: 30 }, 'the result keeps what the advice reads');
    // Each student trained with 3 seeds (restarts) and kept the seed best on validation, at its best epoch.
    const allEpochs = events.filter((e): e is EpochEndEvent => e.type === 'epoch');
    const firstLane = { student: result.studentMethod === 'dist' ? 'dist' : undefined, baseline: undefined };
    for (const phase of ['student', 'baseline'] as const) {
      const restarts = result.restarts![phase]!;
      assert.deepEqual(restarts.seeds, [1, 2, 3]);
      const laneOf = (seed: number) => (seed === 1 ? firstLane[phase] : `${firstLane[phase] ?? phase}#${seed}`);
      const bestOf = (seed: number) => allEpochs.filter((e) => e.phase === phase && e.method === laneOf(seed)).reduce((a, b) => (b.valAccuracy! > a.valAccuracy! ? b : a));
      assert.deepEqual(restarts.valAccuracies, restarts.seeds.map((seed) => bestOf(seed).valAccuracy), `${phase}: each seed's best validation score`);
      assert.equal(restarts.valAccuracies[restarts.seeds.indexOf(restarts.kept)], Math.max(...restarts.valAccuracies.map((v) => v!)), `${phase}: the seed kept is the best on validation`);
      assert.equal(result[phase]!.accuracy, bestOf(restarts.kept).testAccuracy, `${phase} keeps its best seed's best validation epoch`);
    }
    assert.equal(result.sweep!.cells.length, 4);
    const choices = result.choices!.join('\n');
    assert.match(choices, /300 training images held out as the validation split/);
    assert.match(choices, new RegExp(`T = ${result.sweep!.best.temperature}, α = ${result.sweep!.best.alpha}( \\(the student started from the teacher's weights\\))?: the best of the grid's 3 best cells trained again, and the best of them again from the teacher's weights, on all 2,700 training images`));
    // When the sweep chose the teacher's weights, the distilled student starts from them (weight selection) and the student alone does not.
    const starts = events.filter((e) => e.type === 'phase' && e.status === 'start' && (e.phase === 'student' || e.phase === 'baseline') && e.method === undefined).map((e) => (e.type === 'phase' ? e.detail ?? '' : ''));
    assert.equal(starts.length, 2);
    assert.equal(/init from teacher: weight selection in 1 step: mlp-32x1 \(\d+\.\d\d %\) on the validation split, .*; weight selection/.test(starts[0]!), result.sweep!.best.init === true, `auto prunes mlp-64x1 to mlp-16x1 through mlp-32x1: ${starts[0]}`);
    assert.doesNotMatch(starts[1]!, /init from teacher/);
    // The sweep's seeded finalist starts as the student does, through mlp-32x1: two trainings begin in its lane, the step's and its own.
    const seededLane = events.filter((e) => e.type === 'progress' && / from the teacher$/.test(e.method ?? ''));
    const trainingsBegun = seededLane.filter((e) => e.type === 'progress' && e.epoch === 1 && e.step === 1).length;
    assert.equal(trainingsBegun, result.sweep!.finals!.cells.some((c) => c.init) ? 2 : 0, 'the seeded finalist takes the selection step first');
    assert.equal(/distilled student: started from the teacher's weights, as the sweep chose \(weight selection/.test(choices), result.sweep!.best.init === true, choices);
    assert.match(choices, /teacher: kept epoch \d+'s weights, the best on the validation split; stopped early after epoch \d+ of 30/);
    const config = JSON.parse(await readFile(join(root, 'auto', 'config.json'), 'utf8'));
    // The T of the student kept: the sweep's for KD, at most 2 for DIST (the race's cap).
    const keptT = result.studentMethod === 'dist' ? Math.min(result.sweep!.best.temperature, DIST_RACE_MAX_TEMPERATURE) : result.sweep!.best.temperature;
    assert.equal(config.methodOptions.kd.temperature, keptT, 'the card and a resume see the chosen T');
    // The exported student's card says how it started.
    const exported = await runCli(['export', join(root, 'auto'), '--role', 'student', '--format', 'tfjs', '--out', join(root, 'auto-export')]);
    assert.equal(exported.code, 0, exported.stderr);
    const card = JSON.parse(await readFile(join(root, 'auto-export', 'model-card.json'), 'utf8'));
    assert.deepEqual([card.training.temperature, card.training.startedFromTeacher], [keptT, result.sweep!.best.init === true]);
    // The text view says what was chosen and whether distillation paid off.
    // Without finalists the grid's short round chooses on its own.
    const text = await runCli(['run', '--preset', 'auto', ...SMALL.filter((a) => a !== '--json'), '--teacher-epochs', '3', '--epochs', '2', ...GRID, '--sweep-finalists', '0', '--out', join(root, 'auto-text')], { timeoutMs: 300_000 });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /T = \d, α = 0\.\d: the best of 4 cells on the validation split/);
    assert.match(text.stdout, /what the recipe chose:\n {2}· 300 training images held out/);
    assert.match(text.stdout, /(warning|good): (The|Distillation)/);
  });

  it('--selection-steps 8: the student is selected from the last of the widths in between (each cut keeping half), each pruned from the one before and trained an epoch', async () => {
    const flags = [...SMALL.map((a) => (a === 'mlp-16x1' ? 'mlp-8x1' : a)), '--teacher-epochs', '1', '--epochs', '1', '--validation-split', '0.2', '--init-from-teacher'];
    const stepped = await runCli(['run', ...flags, '--selection-steps', '8', '--out', join(root, 'stepped')]);
    assert.equal(stepped.code, 0, stepped.stderr);
    const { events } = parse(stepped.stdout);
    const starts = events.filter((e): e is Extract<RunEvent, { type: 'phase' }> => e.type === 'phase' && e.status === 'start');
    const student = starts.find((e) => e.phase === 'student')!;
    // mlp-64x1 → mlp-8x1 is a ratio of 8: three cuts of a half, through 32 and 16 units, not eight.
    assert.match(student.detail ?? '', /weight selection in 2 steps: mlp-32x1 \(\d+\.\d\d %\) → mlp-16x1 \(\d+\.\d\d %\) on the validation split, one epoch each with KD \(Hinton\), then mlp-8x1 from the last; weight selection: .*dense_1 ← dense_1 \(8 of 16 units\)/);
    assert.doesNotMatch(starts.find((e) => e.phase === 'baseline')!.detail ?? '', /steps/, 'the student alone starts at random');
    // Each step reports its progress in the student's lane, before the student's own first epoch.
    const firstStudentEpoch = events.findIndex((e) => e.type === 'epoch' && e.phase === 'student');
    const stepProgress = events.slice(0, firstStudentEpoch).filter((e) => e.type === 'progress' && e.phase === 'student' && e.epochs === 1);
    assert.ok(stepProgress.length >= 2, `progress from both steps (${stepProgress.length} events)`);
    // The same run in one cut, on the same teacher: the steps changed the student it starts from.
    const oneCut = await runCli(['run', ...flags.filter((a, i, all) => a !== '--teacher-epochs' && all[i - 1] !== '--teacher-epochs'), '--teacher', join(root, 'stepped', 'teacher'), '--out', join(root, 'one-cut')]);
    assert.equal(oneCut.code, 0, oneCut.stderr);
    const oneCutStart = parse(oneCut.stdout).events.find((e): e is Extract<RunEvent, { type: 'phase' }> => e.type === 'phase' && e.phase === 'student' && e.status === 'start');
    assert.match(oneCutStart?.detail ?? '', /weight selection: .*dense_1 ← dense_1 \(8 of 64 units\)/);
    assert.doesNotMatch(oneCutStart?.detail ?? '', /steps/);
    const weights = (run: string) => readFile(join(root, run, 'student', 'weights.bin'));
    assert.notDeepEqual(await weights('stepped'), await weights('one-cut'));
    const config = JSON.parse(await readFile(join(root, 'stepped', 'config.json'), 'utf8')) as { selectionSteps: number };
    assert.equal(config.selectionSteps, 8);
    // A sweep whose every cell starts from the teacher's weights takes the steps once, before its
    // first cell, and starts all cells from the last width.
    const sweepFlags = [...SMALL.map((a) => (a === 'mlp-16x1' ? 'mlp-8x1' : a)), '--validation-split', '0.2', '--init-from-teacher'];
    const swept = await runCli(['sweep', ...sweepFlags, '--teacher', join(root, 'stepped', 'teacher'), '--selection-steps', '8', ...GRID, '--sweep-finalists', '0', '--out', join(root, 'stepped-sweep')]);
    assert.equal(swept.code, 0, swept.stderr);
    const sweptEvents = parse(swept.stdout).events;
    const firstCell = sweptEvents.findIndex((e) => e.type === 'sweep-cell');
    const widths = sweptEvents.flatMap((e, i) => (e.type === 'progress' && e.via ? [{ i, via: e.via, method: e.method }] : []));
    assert.ok(widths.length >= 2 && widths.every((w) => w.i < firstCell && w.method === 'sweep steps'), 'the steps train before the first cell, in the sweep\'s lane');
    assert.deepEqual(widths.map((w) => w.via).filter((via, i, all) => via !== all[i - 1]), ['mlp-32x1', 'mlp-16x1'], 'each width once, not once per cell');
    assert.equal(sweptEvents.filter((e) => e.type === 'sweep-cell').length, 4);
    const sweepStart = sweptEvents.find((e) => e.type === 'phase' && e.method === 'sweep' && e.status === 'start');
    assert.match(sweepStart?.type === 'phase' ? (sweepStart.detail ?? '') : '', /; every cell starts from the teacher's weights, pruned once through mlp-32x1 → mlp-16x1 \(an epoch each, KD at T = \d+, α = [\d.]+\)$/);
  });

  it('refuses settings that need a validation split, or KD, with one line', async () => {
    // A saved model folder outside any run (a teacher from elsewhere) takes an imported teacher's input settings.
    await cp(join(root, 'sweep', 'teacher'), join(root, 'loose-teacher'), { recursive: true });
    const cases: Array<[string[], RegExp]> = [
      [['--sweep'], /the T × α sweep is scored on a validation split: add --validation-split/],
      [['--schedule', 'plateau'], /--schedule plateau cuts the rate on validation plateaus: add --validation-split/],
      [['--teacher-patience', '3'], /--teacher-patience stops on validation accuracy: add --validation-split/],
      [['--restarts', '3'], /--restarts keeps each student's best seed on a validation split: add --validation-split/],
      [['--restarts', '11'], /invalid restarts 11: must be at most 10/],
      [['--selection-steps', '9'], /invalid selection-steps 9: must be at most 8/],
      [['--sweep', '--validation-split', '0.1', '--method', 'dkd'], /the sweep chooses KD's T and α: use --method kd \(not dkd\), or --no-sweep$/m],
      [['--sweep-alphas', '0.5,1.5'], /invalid sweep-alphas 1\.5: must be at most 1/],
      // The sweep's grid without the sweep would change nothing.
      [['--sweep-temperatures', '2,4', '--validation-split', '0.1'], /--sweep-temperatures changes nothing without --sweep: add --sweep, or use --preset auto, which turns it on/],
      [['--preset', 'auto', '--no-sweep', '--no-sweep-from-teacher'], /--no-sweep-from-teacher changes nothing without --sweep/],
      [['--teacher', join(root, 'sweep', 'teacher'), '--teacher-epochs', '5'], /--teacher-epochs changes nothing with a saved teacher: .*sweep\/teacher is loaded, not trained \(drop --teacher-epochs\)/],
      [['--plateau-patience', '2'], /--plateau-patience changes nothing without --schedule plateau: add --schedule plateau, or use --preset auto, which uses it/],
      [['--teacher', join(root, 'loose-teacher'), '--teacher-mean-std', '0.1/0.3'], /--teacher-mean-std changes nothing without --teacher-normalization custom: add --teacher-normalization custom$/m],
      // A teacher an earlier run trained takes images as the app feeds its own models.
      [['--teacher', join(root, 'sweep', 'teacher'), '--teacher-mean-std', '0.1/0.3'], /--teacher-mean-std says how an imported teacher takes its images, but this teacher \(.*sweep\/teacher\) was trained by its run and takes them as this app feeds its own models: drop it$/m],
      // How a teacher takes its images is for a saved or imported one, not one trained here.
      [['--teacher-normalization', 'none'], /--teacher-normalization changes nothing with a teacher trained here: it says how a saved or imported teacher \(a model folder or an \.onnx file\) takes its images, and mlp-64x1 is trained on this app's own \(drop --teacher-normalization\)$/m],
      // Refused before the teacher trains, rather than reported as "nothing copied" after it.
      [['--student', 'lenet5', '--init-from-teacher'], /--init-from-teacher: mlp-64x1 cannot seed lenet5: no teacher layer has the shapes of a student layer, so nothing would be copied\. Pick a narrower student of the teacher's family \(such as mlp-32x1\), or drop --init-from-teacher/],
    ];
    const study = await runCli(['study', '--methods', 'kd,baseline', ...SMALL, '--sweep', '--validation-split', '0.1', '--out', join(root, 'bad-study')]);
    assert.equal(study.code, 2, study.stderr);
    assert.match(study.stderr, /a study runs no sweep, so it takes no --sweep: find T and α with `distill sweep` first/);
    for (const [flags, pattern] of cases) {
      const { code, stderr } = await runCli(['run', ...SMALL, ...flags, '--out', join(root, `bad-${cases.findIndex((c) => c[0] === flags)}`)]);
      assert.equal(code, 2, stderr);
      assert.match(stderr, pattern);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      await assert.rejects(stat(join(root, `bad-${cases.findIndex((c) => c[0] === flags)}`)), 'no run folder is made');
    }
  });
});
