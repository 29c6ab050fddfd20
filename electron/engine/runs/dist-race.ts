import type * as tf from '@tensorflow/tfjs';
import { access, rename, rm } from 'node:fs/promises';
import { formatPercent } from '../../contract/display';
import type { RunConfig } from '../../contract/run-config';
import type { ModelReport } from '../../contract/events';
import { DistillInputError } from '../errors';
import { getMethod } from '../methods/registry';
import { trainStudent, type PhaseContext } from './phases';

/** `--try-dist` chooses on the validation split, between KD and DIST only. */
export function checkTryDistFits(config: RunConfig): void {
  if (!config.tryDist) return;
  if (config.validationSplit <= 0) throw new DistillInputError('--try-dist keeps whichever of KD and DIST scores higher on a validation split: add --validation-split (0.1 holds out a tenth of the training images)');
  // A resumed run that DIST won says dist.
  if (config.method !== 'kd' && config.method !== 'dist') throw new DistillInputError(`--try-dist trains the distilled student with KD and with DIST: use --method kd (not ${config.method})`);
}

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * The distilled student trained again with DIST (Huang et al. 2022) at KD's T and α and the same
 * start; whichever scores higher on the validation split becomes the run's student (a tie keeps
 * KD). The other stays in the run folder under its method's name (`student-kd`, `student-dist`),
 * and config.json names the method kept, so the card, History and a resume agree.
 */
export async function raceDist(ctx: PhaseContext, teacher: tf.LayersModel | null, kd: { report: ModelReport; valAccuracy: number | null }, initFromTeacher: boolean): Promise<{ report: ModelReport; choice: string; kept: 'kd' | 'dist' }> {
  const dist = await trainStudent(ctx, { method: getMethod('dist'), teacher, phase: 'student', label: 'dist', initFromTeacher, saveTo: ctx.folder.modelDir('student-dist') });
  const score = (accuracy: number | null) => (accuracy === null ? 'unknown' : formatPercent(accuracy));
  const scores = `validation ${score(kd.valAccuracy)} with KD, ${score(dist.valAccuracy)} with DIST`;
  if (kd.valAccuracy === null || dist.valAccuracy === null || dist.valAccuracy <= kd.valAccuracy) {
    return { report: kd.report, kept: 'kd', choice: `distilled student: KD kept over DIST at the same T, α and start (${scores}); the DIST student is in student-dist` };
  }
  // Idempotent, so that a resume after any step of it ends the same way.
  const [student, keptKd, distDir] = [ctx.folder.modelDir('student'), ctx.folder.modelDir('student-kd'), ctx.folder.modelDir('student-dist')];
  if (!(await exists(keptKd))) await rename(student, keptKd);
  if (await exists(distDir)) {
    await rm(student, { recursive: true, force: true });
    await rename(distDir, student);
  }
  if (ctx.config.method !== 'dist') {
    ctx.config = { ...ctx.config, method: 'dist' };
    await ctx.folder.updateConfig(ctx.config);
  }
  return { report: dist.report, kept: 'dist', choice: `distilled student: DIST kept over KD at the same T, α and start (${scores}); the KD student is in student-kd` };
}
