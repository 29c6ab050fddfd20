import type * as tf from '@tensorflow/tfjs';
import { formatPercent } from '../../contract/display';
import type { RunConfig } from '../../contract/run-config';
import { getMethod } from '../methods/registry';
import { trainStudent, type PhaseContext, type TrainedStudent } from './phases';
import { swapModelFolder } from './store';
import { withKdCell } from '../../contract/best-cell';

/**
 * DIST's temperature in the race: KD's (the sweep's choice), at most 2. DIST matches correlations
 * of the softened probabilities, and a high T flattens what it matches: on five Fashion-MNIST
 * teachers of `mlp-800x2` → `mlp-30x2`, DIST at T = 2 beat DIST at the sweep's T by +1.41 and
 * +0.54 points (T = 8), +0.18, +0.23 and +0.02 (T = 4), means over 3–8 student seeds (README).
 */
export const DIST_RACE_MAX_TEMPERATURE = 2;

/** The config DIST trains with in the race: KD's α and start, KD's T capped at DIST_RACE_MAX_TEMPERATURE. */
export function distRaceConfig(config: RunConfig): RunConfig {
  const { temperature, alpha } = config.methodOptions.kd;
  return withKdCell(config, Math.min(temperature, DIST_RACE_MAX_TEMPERATURE), alpha);
}

/**
 * The distilled student trained again with DIST (Huang et al. 2022) at KD's α and start and its
 * own T (distRaceConfig); whichever scores higher on the validation split becomes the run's
 * student (a tie keeps KD). The other stays in the run folder under its method's name
 * (`student-kd`, `student-dist`), and config.json names the method kept (and DIST's T), so the
 * card, History, a resume and `study --from-run` agree.
 */
export async function raceDist(ctx: PhaseContext, teacher: tf.LayersModel | null, kd: TrainedStudent, initFromTeacher: boolean): Promise<{ trained: TrainedStudent; choice: string; kept: 'kd' | 'dist' }> {
  const distConfig = distRaceConfig(ctx.config);
  const dist = await trainStudent(ctx, { method: getMethod('dist'), teacher, phase: 'student', label: 'dist', initFromTeacher, saveTo: ctx.folder.modelDir('student-dist'), config: distConfig });
  const [kdT, distT] = [ctx.config.methodOptions.kd.temperature, distConfig.methodOptions.kd.temperature];
  // A run resumed after DIST was kept has DIST's T in its config: KD's, if it was higher, is not known.
  const keptBefore = ctx.config.method === 'dist' && distT === DIST_RACE_MAX_TEMPERATURE;
  const settings = keptBefore ? `the same α and start, DIST at T = ${distT}` : kdT === distT ? 'the same T, α and start' : `the same α and start, DIST at T = ${distT} (KD's T = ${kdT})`;
  const score = (accuracy: number | null) => (accuracy === null ? 'unknown' : formatPercent(accuracy));
  const scores = `validation ${score(kd.valAccuracy)} with KD, ${score(dist.valAccuracy)} with DIST`;
  if (kd.valAccuracy === null || dist.valAccuracy === null || dist.valAccuracy <= kd.valAccuracy) {
    return { trained: kd, kept: 'kd', choice: `distilled student: KD kept over DIST at ${settings} (${scores}); the DIST student is in student-dist` };
  }
  await swapModelFolder(ctx.folder.modelDir('student'), ctx.folder.modelDir('student-kd'), ctx.folder.modelDir('student-dist'));
  if (ctx.config.method !== 'dist') {
    ctx.config = { ...distConfig, method: 'dist' };
    await ctx.folder.updateConfig(ctx.config);
  }
  return { trained: dist, kept: 'dist', choice: `distilled student: DIST kept over KD at ${settings} (${scores}); the KD student is in student-kd` };
}
