import type * as tf from '@tensorflow/tfjs';
import { formatPercent, formatSeedsGain, seedLabel } from '../../contract/display';
import type { Restarts } from '../../contract/events';
import type { DistillationMethod } from '../methods/method';
import { studySeeds, summariseSeeds } from './study-seeds';
import { trainStudent, type PhaseContext, type TrainedStudent } from './phases';
import { swapModelFolder } from './store';

/** Which restart a role keeps: the best validation accuracy, the earliest seed on a tie (the first seed when none has one). */
export function keptRestart(valAccuracies: Array<number | null>): number {
  let best = 0;
  valAccuracies.forEach((v, i) => {
    if (v !== null && (valAccuracies[best] === null || v > valAccuracies[best]!)) best = i;
  });
  return best;
}

/**
 * `--restarts N`: one role's student (`student` or `baseline`) trained again with seeds S+1 …
 * S+N−1: another data order, and another random start unless it starts from the teacher's
 * weights. The one best on the validation split is kept in the role's folder; the others stay
 * as `<role>-seed<s>` (the first seed's too, once another replaces it). The student alone gets as
 * many restarts as the distilled student, so the gain compares two "best of N" students, and the
 * run also reports what the seeds averaged (describeRestartMeans). A student started from the
 * teacher's weights varies less from seed to seed than one started at random, so the best of N
 * helps the student alone more: on Fashion-MNIST it narrowed the gain (README).
 * `lane` is the first seed's lane (`student`, `dist`, `baseline`); its restarts are `lane#seed`.
 */
export async function restartRole(
  ctx: PhaseContext,
  options: { role: 'student' | 'baseline'; lane: string; first: TrainedStudent; method: DistillationMethod; teacher: tf.LayersModel | null; initFromTeacher: boolean },
): Promise<{ trained: TrainedStudent; lane: string; restarts: Restarts; choice: string }> {
  const { role, lane, first } = options;
  const seeds = studySeeds(ctx.config.seed, ctx.config.restarts);
  const folder = (seed: number) => ctx.folder.modelDir(`${role}-seed${seed}`);
  // Seed S trained in the role's own lane and folder (the run without restarts); the others after it.
  const trained: TrainedStudent[] = [first];
  for (const seed of seeds.slice(1)) {
    const config = { ...ctx.config, seed };
    trained.push(await trainStudent(ctx, { method: options.method, teacher: options.teacher, phase: role, label: seedLabel(lane, seed, seeds[0]!), initFromTeacher: options.initFromTeacher, saveTo: folder(seed), config }));
  }
  const valAccuracies = trained.map((t) => t.valAccuracy);
  const k = keptRestart(valAccuracies);
  const keptSeed = seeds[k]!;
  if (k > 0) await swapModelFolder(ctx.folder.modelDir(role), folder(seeds[0]!), folder(keptSeed));
  const restarts: Restarts = { seeds, valAccuracies, accuracies: trained.map((t) => t.report.accuracy), kept: keptSeed };
  const scores = seeds.map((s, i) => `${s}: ${valAccuracies[i] === null ? 'unknown' : formatPercent(valAccuracies[i]!)}`).join(', ');
  const name = role === 'student' ? 'distilled student' : 'student alone';
  const others = seeds.filter((s) => s !== keptSeed).map((s) => `${role}-seed${s}`);
  const where = `${others.length > 1 ? 'the others are' : 'the other is'} in ${others.join(', ')}`;
  return {
    trained: trained[k]!,
    lane: seedLabel(lane, keptSeed, seeds[0]!),
    restarts,
    choice: `${name}: seed ${keptSeed} kept, the best on validation of ${seeds.length} seeds (${scores}); ${where}`,
  };
}

/** Both roles restarted: their means over the seeds, and the mean seed-by-seed gain ± its standard error, in words. */
export function describeRestartMeans(student: Restarts, baseline: Restarts): string {
  const byRole = (r: Restarts) => r.seeds.map((seed, i) => ({ seed, accuracy: r.accuracies[i]! }));
  const summary = summariseSeeds(byRole(student), byRole(baseline));
  const mean = (r: Restarts) => formatPercent(r.accuracies.reduce((sum, a) => sum + a, 0) / r.accuracies.length);
  const seeds = `seeds ${student.seeds[0]}–${student.seeds.at(-1)}`;
  return `over ${seeds}, the distilled students scored ${mean(student)} on test on average and the students alone ${mean(baseline)}: a mean gain of ${formatSeedsGain(summary)} points (each run's own gain compares the two kept)`;
}
