import type * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCountOf, formatPercent } from '../../contract/display';
import { randomStartFinalists, rankSweepCells, SweepResultSchema, sweepChoice, type RunEvent, type SweepCellEvent, type SweepResult } from '../../contract/events';
import { withKdCell } from '../../contract/best-cell';
import { limitSplit } from '../data/dataset';
import { DistillInputError, throwIfAborted } from '../errors';
import type { PreparedMethod } from '../methods/method';
import { getMethod } from '../methods/registry';
import { initFromTeacher } from '../methods/init-from-teacher';
import { buildModel } from '../models/registry';
import { trainPhase } from '../train/trainer';
import type { PhaseContext } from './phases';
import { intermediateArchitectures, selectInSteps, startFromTeacher } from './selection-steps';
import { teacherSource } from './teacher-source';

const SWEEP_FILE = 'sweep.json';

type SweepCell = SweepResult['cells'][number];
type Split = PhaseContext['dataset']['train'];

type PlannedCell = Pick<SweepCell, 'cell' | 'temperature' | 'alpha' | 'init'>;

const sweepStudent = (ctx: PhaseContext) => buildModel(ctx.config.student, { inputShape: ctx.dataset.shape, classes: ctx.dataset.classNames.length, seed: ctx.config.seed, dropout: ctx.config.studentDropout });

/** Whether to try the teacher's weights as the start: asked for (`--no-sweep-from-teacher` says no), and they can seed the student (weight selection, or layers of the same shapes); a run that already starts from them has nothing to compare. */
function teacherCanSeed(ctx: PhaseContext, teacher: tf.LayersModel | null): boolean {
  if (!teacher || ctx.config.initFromTeacher || !ctx.config.sweepFromTeacher) return false;
  const probe = sweepStudent(ctx);
  try {
    return initFromTeacher(probe, teacher).copied.length > 0;
  } finally {
    probe.dispose();
  }
}

/**
 * A run that starts every cell from the teacher's weights (`--init-from-teacher`) with selection
 * steps takes the steps once, with KD at the run's own T and α, and starts every cell from the
 * last width: each cell's own steps would cost more than the grid, and cells cut in one go would
 * be ranked from a start the student will not have. Null when there are no widths in between.
 */
async function sharedSteppedStart(ctx: PhaseContext, teacher: tf.LayersModel): Promise<tf.LayersModel | null> {
  const probe = sweepStudent(ctx);
  try {
    const stepped = await selectInSteps(ctx, { student: probe, teacher, method: getMethod('kd'), config: ctx.config, phase: 'student', label: 'sweep steps' });
    return stepped?.source ?? null;
  } finally {
    probe.dispose();
  }
}

/** Where every cell starts in a sweep from the teacher's weights: "; every cell starts from the teacher's weights, pruned once through mlp-32x1 → mlp-16x1 (an epoch each, KD at T = 4, α = 0.5)". */
function sweptFromTeacherText(ctx: PhaseContext, teacher: tf.LayersModel): string {
  const probe = sweepStudent(ctx);
  try {
    const widths = intermediateArchitectures(ctx.config.student, probe, teacher, ctx.config.selectionSteps);
    const { temperature, alpha } = ctx.config.methodOptions.kd;
    return `; every cell starts from the teacher's weights${widths ? `, pruned once through ${widths.join(' → ')} (an epoch each, KD at T = ${temperature}, α = ${alpha})` : ''}`;
  } finally {
    probe.dispose();
  }
}

/** One short KD run with T and α from the run's seed (or from the teacher's weights: `start`, the shared steps' last width, when there is one), scored on the validation split. */
async function trainSweepCell(ctx: PhaseContext, teacher: tf.LayersModel | null, start: tf.LayersModel | null, train: Split, { cell, temperature, alpha, init }: PlannedCell): Promise<SweepCell> {
  const { config, dataset } = ctx;
  const started = performance.now();
  const cellConfig = withKdCell(config, temperature, alpha);
  const student = sweepStudent(ctx);
  const lane = `sweep T=${temperature} α=${alpha}${init ? ' from the teacher' : ''}`;
  // The seeded finalist starts as the student will: through the selection steps, with KD at its
  // T and α. A run that starts every cell from the teacher's weights shares one pass of steps.
  let prepared: PreparedMethod | null = null;
  try {
    if (teacher && init) await startFromTeacher(ctx, { student, teacher, method: getMethod('kd'), config: cellConfig, phase: 'student', label: lane });
    else if (teacher && config.initFromTeacher) initFromTeacher(student, start ?? teacher);
    prepared = getMethod('kd').prepare({ student, teacher, config: cellConfig });
    const outcome = await trainPhase({
      phase: 'student',
      method: lane,
      model: student,
      train,
      // Scored on the validation split: the test split makes no choice.
      test: dataset.validation!,
      shape: dataset.shape,
      epochs: config.sweepEpochs,
      jitter: config.studentJitter,
      jitterShare: config.jitterShare,
      flip: config.flip,
      recipe: cellConfig,
      loss: prepared.loss,
      teacher: teacherSource(ctx, teacher, []),
      signal: ctx.signal,
      onProgress: (event) => void ctx.emit(event, false),
    });
    const diverged = !Number.isFinite(outcome.evaluation?.loss ?? 0) || (outcome.evaluation?.accuracy ?? 0) <= 1.5 / dataset.classNames.length;
    return { cell, temperature, alpha, ...(init ? { init } : {}), valAccuracy: outcome.evaluation?.accuracy ?? 0, ...(diverged ? { diverged } : {}), seconds: (performance.now() - started) / 1000 };
  } finally {
    prepared?.dispose();
    student.dispose();
  }
}

/** The grid's best cells that trained, best first, as many as the run asks to train again (none when fewer than two would). */
export function sweepFinalists(cells: readonly SweepCell[], wanted: number): SweepCell[] {
  const ranked = rankSweepCells(cells.filter((c) => !c.diverged));
  return wanted >= 2 && ranked.length >= 2 ? ranked.slice(0, wanted) : [];
}

/**
 * The second round as far as it is known: the finalists, then, once they have all trained, the
 * best of them again from the teacher's weights when the teacher can give them (`withInit`), so
 * that the choice between a random start and the teacher's weights is made on the validation
 * split too, at the T and α the second round found best.
 */
export function sweepRoundTwo(cells: readonly SweepCell[], finals: readonly SweepCell[], wanted: number, withInit: boolean): PlannedCell[] {
  const finalists: PlannedCell[] = sweepFinalists(cells, wanted).map(({ cell, temperature, alpha }) => ({ cell, temperature, alpha }));
  if (!withInit || finalists.length === 0 || finals.length < finalists.length) return finalists;
  const [best] = rankSweepCells(finals.slice(0, finalists.length).filter((c) => !c.diverged));
  return best ? [...finalists, { cell: best.cell, temperature: best.temperature, alpha: best.alpha, init: true }] : finalists;
}

/**
 * How many cells the sweep trains in all, as far as is known: while the grid trains, every
 * finalist and the seeded one; then only as many finalists as trained grid cells allow, and the
 * seeded one only while it may still come (it does not when every finalist did not train).
 */
export function plannedSweepCells(gridCells: number, wanted: number, withInit: boolean, cells: readonly SweepCell[], finals: readonly SweepCell[]): number {
  if (cells.length < gridCells) return gridCells + wanted + (withInit && wanted > 0 ? 1 : 0);
  const finalists = sweepFinalists(cells, wanted).length;
  const seeded = withInit && finalists > 0 && (finals.length < finalists || sweepRoundTwo(cells, finals, wanted, withInit).length > finalists);
  return gridCells + finalists + (seeded ? 1 : 0);
}

type GridCell = { temperature: number; alpha: number; init?: boolean };
const sameCell = (a: GridCell, b: GridCell) => a.temperature === b.temperature && a.alpha === b.alpha && Boolean(a.init) === Boolean(b.init);
const asCell = ({ cell, temperature, alpha, init, valAccuracy, diverged, seconds }: SweepCellEvent): SweepCell => ({ cell, temperature, alpha, ...(init ? { init } : {}), valAccuracy, ...(diverged ? { diverged } : {}), seconds });

/**
 * The cells a cancelled or interrupted sweep finished, read back from the run's events: the
 * grid's cells in order while each is the grid's next one, then the finalists in the order the
 * finished grid ranks them. Anything out of step (another grid, a line lost) ends what is kept,
 * and the sweep trains the rest again.
 */
export function sweepCellsDone(events: readonly RunEvent[], grid: readonly GridCell[], roundTwo: (cells: SweepCell[], finals: SweepCell[]) => PlannedCell[]): { cells: SweepCell[]; finals: SweepCell[] } {
  const recorded = events.filter((e): e is SweepCellEvent => e.type === 'sweep-cell');
  const cells: SweepCell[] = [];
  for (const event of recorded.filter((e) => e.round !== 2)) {
    const next = grid[cells.length];
    if (!next || event.cell !== cells.length + 1 || !sameCell(event, next)) break;
    cells.push(asCell(event));
  }
  const finals: SweepCell[] = [];
  if (cells.length < grid.length) return { cells, finals };
  for (const event of recorded.filter((e) => e.round === 2)) {
    const next = roundTwo(cells, finals)[finals.length];
    if (!next || event.cell !== next.cell || !sameCell(event, next)) break;
    finals.push(asCell(event));
  }
  return { cells, finals };
}

/**
 * Finds KD's T and α on the validation split by successive halving: for every cell of the grid,
 * the run's student from the same seed, trained a few epochs with KD(T, α) on the first training
 * images and scored on the validation split (never the test split); then the best few cells
 * again, the same epochs, on every training image, and the best of those is the choice. The
 * teacher's logits are computed once and shared by every cell. The result is kept in the run
 * folder, so a resumed run skips it; a sweep stopped part-way keeps the cells it finished.
 */
export async function sweepKd(ctx: PhaseContext, teacher: tf.LayersModel | null): Promise<SweepResult> {
  const { config, dataset, emit } = ctx;
  const saved = await readFile(join(ctx.folder.dir, SWEEP_FILE), 'utf8').then((text) => SweepResultSchema.safeParse(JSON.parse(text)), () => null);
  if (saved?.success) return saved.data;
  const validation = dataset.validation;
  if (!validation) throw new DistillInputError('the sweep needs a validation split (--validation-split)');
  const started = performance.now();
  const train = limitSplit(dataset.train, config.sweepImages, dataset.shape);
  const grid = config.sweepTemperatures.flatMap((temperature) => config.sweepAlphas.map((alpha) => ({ temperature, alpha })));
  // A second round on the same images would repeat the first, cell for cell; one finalist would choose nothing.
  const wanted = train.count < dataset.train.count ? Math.min(config.sweepFinalists, grid.length) : 0;
  const finalRound = wanted >= 2 ? wanted : 0;
  const withInit = finalRound > 0 && teacherCanSeed(ctx, teacher);
  const roundTwo = (cells: SweepCell[], finals: SweepCell[]) => sweepRoundTwo(cells, finals, finalRound, withInit);
  const planned = (cells: SweepCell[], finals: SweepCell[]) => plannedSweepCells(grid.length, finalRound, withInit, cells, finals);
  const finalsText = finalRound ? `, then the best ${finalRound} again on all ${dataset.train.count.toLocaleString('en-US')}${withInit ? ", and the best of those from the teacher's weights" : ''}` : '';
  const done = sweepCellsDone(await ctx.folder.readMetrics(), grid, roundTwo);
  const keptCount = done.cells.length + done.finals.length;
  const plannedAtResume = planned(done.cells, done.finals);
  const keptText = keptCount ? `; ${keptCount} of ${plannedAtResume} cells trained before the run was resumed` : '';
  await emit({ type: 'phase', phase: 'student', status: 'start', model: config.student, method: 'sweep', detail: `T × α sweep: ${grid.length} cell${grid.length === 1 ? '' : 's'} of ${formatCountOf(config.sweepEpochs, 'epoch')} on ${train.count.toLocaleString('en-US')} training images${finalsText}, scored on ${validation.count.toLocaleString('en-US')} validation images${teacher && config.initFromTeacher ? sweptFromTeacherText(ctx, teacher) : ''}${keptText}` });
  // Shown again for the live views; metrics.jsonl holds them already.
  for (const cell of done.cells) await emit({ type: 'sweep-cell', cells: plannedAtResume, ...cell, kept: true }, false);
  for (const cell of done.finals) await emit({ type: 'sweep-cell', cells: plannedAtResume, ...cell, round: 2, kept: true }, false);
  const cells = [...done.cells];
  const finals = [...done.finals];
  // Taken only when a cell is left to train: a resumed sweep that finished its cells skips them.
  const shared: { start?: Promise<tf.LayersModel | null> } = {};
  const start = () => (teacher && config.initFromTeacher && config.selectionSteps > 0 ? (shared.start ??= sharedSteppedStart(ctx, teacher)) : Promise.resolve(null));
  try {
    for (const { temperature, alpha } of grid.slice(cells.length)) {
      throwIfAborted(ctx.signal);
      const cell = await trainSweepCell(ctx, teacher, await start(), train, { cell: cells.length + 1, temperature, alpha });
      cells.push(cell);
      await emit({ type: 'sweep-cell', cells: planned(cells, []), ...cell });
    }
    for (let finalist = roundTwo(cells, finals)[finals.length]; finalist; finalist = roundTwo(cells, finals)[finals.length]) {
      throwIfAborted(ctx.signal);
      const cell = await trainSweepCell(ctx, teacher, await start(), dataset.train, finalist);
      finals.push(cell);
      await emit({ type: 'sweep-cell', cells: planned(cells, finals), ...cell, round: 2 });
    }
  } finally {
    (await shared.start?.catch(() => null))?.dispose();
  }
  const best = sweepChoice(cells, finals)!;
  const result: SweepResult = {
    temperatures: config.sweepTemperatures,
    alphas: config.sweepAlphas,
    cells,
    ...(finals.length ? { finals: { images: dataset.train.count, cells: finals } } : {}),
    best: { temperature: best.temperature, alpha: best.alpha, valAccuracy: best.valAccuracy, ...(best.init ? { init: best.init } : {}) },
    epochs: config.sweepEpochs,
    images: train.count,
    validationImages: validation.count,
    student: config.student,
    // A resumed sweep counts the time its kept cells took before.
    seconds: (performance.now() - started) / 1000 + [...done.cells, ...done.finals].reduce((sum, c) => sum + c.seconds, 0),
  };
  await writeFile(join(ctx.folder.dir, SWEEP_FILE), JSON.stringify(result));
  await emit({ type: 'phase', phase: 'student', status: 'done', model: config.student, method: 'sweep', detail: describeSweepChoice(result) });
  return result;
}

const FROM_TEACHER = "the student started from the teacher's weights";
// seeded: the cells compared include starts from the teacher's weights, so a cell without one says it started at random (else "next" can read as the chosen cell again).
const cellName = (c: Pick<SweepCell, 'temperature' | 'alpha' | 'init'>, seeded = false) => `T = ${c.temperature}, α = ${c.alpha}${c.init ? ` (${FROM_TEACHER})` : seeded ? ' from a random start' : ''}`;
const cellText = (c: Pick<SweepCell, 'temperature' | 'alpha' | 'valAccuracy' | 'init'>, seeded = false) => `${cellName(c, seeded)} at ${formatPercent(c.valAccuracy)}`;

export function describeSweepChoice(sweep: SweepResult): string {
  const sorted = rankSweepCells(sweep.cells);
  const runnerUp = sorted[1];
  const diverged = sweep.cells.filter((c) => c.diverged);
  const unstable = diverged.length ? `; ${diverged.length} cell${diverged.length > 1 ? 's' : ''} did not train (${diverged.map((c) => `T = ${c.temperature}, α = ${c.alpha}`).join('; ')}: at chance or a loss that is not a number): a lower --lr lets large T·α train` : '';
  const chosen = cellName(sweep.best);
  if (sweep.cells.length === 1) return `${chosen}: the only cell asked for (validation ${formatPercent(sweep.best.valAccuracy)}${unstable})`;
  const finalsFailed = sweep.finals && sweep.finals.cells.every((c) => c.diverged) ? `; its ${randomStartFinalists(sweep.finals.cells)} best cells did not train on all ${sweep.finals.images.toLocaleString('en-US')} training images, so this round chose` : '';
  if (sweep.finals && !finalsFailed) {
    const [, next] = rankSweepCells(sweep.finals.cells);
    const leader = sorted[0]!;
    const changed = leader.temperature !== sweep.best.temperature || leader.alpha !== sweep.best.alpha;
    const fromTeacher = sweep.finals.cells.some((c) => c.init);
    const seeded = fromTeacher ? ", and the best of them again from the teacher's weights," : '';
    return `${chosen}: the best of the grid's ${randomStartFinalists(sweep.finals.cells)} best cells trained again${seeded} on all ${sweep.finals.images.toLocaleString('en-US')} training images (validation ${formatPercent(sweep.best.valAccuracy)}${next ? `; next ${cellText(next, fromTeacher)}` : ''}); the grid of ${sweep.cells.length} cells on ${sweep.images.toLocaleString('en-US')} images ${changed ? `had put ${cellText(leader)} first` : 'had put it first too'}${unstable}`;
  }
  return `${chosen}: the best of ${sweep.cells.length} cells on the validation split (${formatPercent(sweep.best.valAccuracy)}${runnerUp && !runnerUp.diverged ? `; next ${cellText(runnerUp)}` : ''}${unstable}${finalsFailed})`;
}
