import type * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bestSweepCell, SweepResultSchema, sweepCellScore, type SweepCellEvent, type SweepResult } from '../../contract/events';
import type { RunConfig } from '../../contract/run-config';
import { limitSplit } from '../data/dataset';
import { DistillInputError, throwIfAborted } from '../errors';
import { getMethod } from '../methods/registry';
import { buildModel } from '../models/registry';
import { trainPhase } from '../train/trainer';
import { teacherSource, type PhaseContext } from './phases';

/** The run's config with KD's T and α set to a sweep cell's. */
export function withKdCell(config: RunConfig, temperature: number, alpha: number): RunConfig {
  return { ...config, methodOptions: { ...config.methodOptions, kd: { ...config.methodOptions.kd, temperature, alpha } } };
}

/** A sweep needs held-out images to score on and KD to tune: refused before anything trains. */
export function checkSweepFits(config: RunConfig): void {
  if (config.validationSplit <= 0) throw new DistillInputError('the T × α sweep is scored on a validation split: add --validation-split (0.1 holds out a tenth of the training images)');
  if (config.method !== 'kd') throw new DistillInputError(`the sweep chooses KD's T and α: use --method kd (not ${config.method})`);
}

const SWEEP_FILE = 'sweep.json';

/**
 * Finds KD's T and α on the validation split: for every cell of the grid, the run's student
 * from the same seed, trained a few epochs with KD(T, α) on the first training images, and
 * scored on the validation split (never the test split). The teacher's logits are computed once
 * and shared by every cell. The result is kept in the run folder, so a resumed run skips it.
 */
export async function sweepKd(ctx: PhaseContext, teacher: tf.LayersModel | null): Promise<SweepResult> {
  const { config, dataset, emit } = ctx;
  const saved = await readFile(join(ctx.folder.dir, SWEEP_FILE), 'utf8').then((text) => SweepResultSchema.safeParse(JSON.parse(text)), () => null);
  if (saved?.success) return saved.data;
  const validation = dataset.validation;
  if (!validation) throw new DistillInputError('the sweep needs a validation split (--validation-split)');
  const started = performance.now();
  const train = limitSplit(dataset.train, config.sweepImages, dataset.shape);
  const kd = getMethod('kd');
  const grid = config.sweepTemperatures.flatMap((temperature) => config.sweepAlphas.map((alpha) => ({ temperature, alpha })));
  const cells: Array<Omit<SweepCellEvent, 'type' | 'cells'>> = [];
  await emit({ type: 'phase', phase: 'student', status: 'start', model: config.student, method: 'sweep', detail: `T × α sweep: ${grid.length} cell${grid.length === 1 ? '' : 's'} of ${config.sweepEpochs} epoch(s) on ${train.count.toLocaleString('en-US')} training images, scored on ${validation.count.toLocaleString('en-US')} validation images` });
  for (const [i, { temperature, alpha }] of grid.entries()) {
    throwIfAborted(ctx.signal);
    const cellStart = performance.now();
    const cellConfig = withKdCell(config, temperature, alpha);
    const student = buildModel(config.student, { inputShape: dataset.shape, classes: dataset.classNames.length, seed: config.seed, dropout: config.studentDropout });
    const prepared = kd.prepare({ student, teacher, config: cellConfig });
    try {
      const outcome = await trainPhase({
        phase: 'student',
        method: `sweep T=${temperature} α=${alpha}`,
        model: student,
        train,
        // Scored on the validation split: the test split makes no choice.
        test: validation,
        shape: dataset.shape,
        epochs: config.sweepEpochs,
        jitter: config.studentJitter,
        flip: config.flip,
        recipe: cellConfig,
        loss: prepared.loss,
        teacher: teacherSource(ctx, teacher, []),
        signal: ctx.signal,
        onProgress: (event) => void emit(event, false),
      });
      const diverged = !Number.isFinite(outcome.evaluation?.loss ?? 0) || (outcome.evaluation?.accuracy ?? 0) <= 1.5 / dataset.classNames.length;
      const cell = { cell: i + 1, temperature, alpha, valAccuracy: outcome.evaluation?.accuracy ?? 0, ...(diverged ? { diverged } : {}), seconds: (performance.now() - cellStart) / 1000 };
      cells.push(cell);
      await emit({ type: 'sweep-cell', cells: grid.length, ...cell });
    } finally {
      prepared.dispose();
      student.dispose();
    }
  }
  // Ties go to the smaller T, then the smaller α (the milder setting), as the grid lists them.
  const best = bestSweepCell(cells)!;
  const result: SweepResult = {
    temperatures: config.sweepTemperatures,
    alphas: config.sweepAlphas,
    cells,
    best: { temperature: best.temperature, alpha: best.alpha, valAccuracy: best.valAccuracy },
    epochs: config.sweepEpochs,
    images: train.count,
    validationImages: validation.count,
    student: config.student,
    seconds: (performance.now() - started) / 1000,
  };
  await writeFile(join(ctx.folder.dir, SWEEP_FILE), JSON.stringify(result));
  await emit({ type: 'phase', phase: 'student', status: 'done', model: config.student, method: 'sweep', detail: describeSweepChoice(result) });
  return result;
}

export function describeSweepChoice(sweep: SweepResult): string {
  const sorted = [...sweep.cells].sort((a, b) => sweepCellScore(b) - sweepCellScore(a));
  const runnerUp = sorted[1];
  const diverged = sweep.cells.filter((c) => c.diverged);
  const unstable = diverged.length ? `; ${diverged.length} cell${diverged.length > 1 ? 's' : ''} did not train (${diverged.map((c) => `T = ${c.temperature}, α = ${c.alpha}`).join('; ')}: at chance or a loss that is not a number): a lower --lr lets large T·α train` : '';
  if (sweep.cells.length === 1) return `T = ${sweep.best.temperature}, α = ${sweep.best.alpha}: the only cell asked for (validation ${(sweep.best.valAccuracy * 100).toFixed(2)}%${unstable})`;
  return `T = ${sweep.best.temperature}, α = ${sweep.best.alpha}: the best of ${sweep.cells.length} cells on the validation split (${(sweep.best.valAccuracy * 100).toFixed(2)}%${runnerUp && !runnerUp.diverged ? `; next T = ${runnerUp.temperature}, α = ${runnerUp.alpha} at ${(runnerUp.valAccuracy * 100).toFixed(2)}%` : ''}${unstable})`;
}
