import type * as tf from '@tensorflow/tfjs';
import type { ModelReport, Phase } from '../../contract/events';
import { measureLatenciesSideBySideMs, type SideBySideTiming } from '../train/evaluate';
import { loadModelFolder } from './model-io';
import type { PhaseContext } from './phases';

type Reports = Record<Phase, ModelReport | null>;

/**
 * Once every model of a run exists, the teacher (when this app runs it as a LayersModel), the
 * kept student and the student alone are timed again, in turns, and their reports take those
 * figures. Each phase timed its model when it ended, minutes apart and under whatever load the
 * machine had then (on two busy cores the same student read 0.05 and 0.41 ms), so the speed-up a
 * run reports could compare a quiet timing with a busy one. An imported ONNX or GraphModel
 * teacher runs in its own runtime and keeps its own timing.
 */
export async function timeSideBySide(ctx: PhaseContext, teacher: tf.LayersModel | null, reports: Reports): Promise<Reports> {
  const inMemory = teacher && reports.teacher ? [teacher] : [];
  const saved = (['student', 'baseline'] as const).filter((phase) => reports[phase]);
  const phases: Phase[] = [...(inMemory.length ? ['teacher' as const] : []), ...saved];
  if (phases.length < 2) return reports;
  const timing = await timeInTurns(ctx, inMemory, saved.map((phase) => ctx.folder.modelDir(phase)));
  const updated = { ...reports };
  for (const [i, phase] of phases.entries()) updated[phase] = { ...reports[phase]!, latencyMs: timing.ms[i]!, timedWhileBusy: timing.busy };
  return updated;
}

/**
 * Milliseconds per image for `models` (in memory) and then the models saved in `dirs`, timed in
 * turns (measureLatenciesSideBySideMs), in that order, and whether the machine was too busy for
 * the timings to settle. The models loaded here are disposed.
 */
export async function timeInTurns(ctx: PhaseContext, models: tf.LayersModel[], dirs: string[]): Promise<SideBySideTiming> {
  const loaded: tf.LayersModel[] = [];
  try {
    for (const dir of dirs) loaded.push((await loadModelFolder(dir)).model);
    return await measureLatenciesSideBySideMs([...models, ...loaded], ctx.dataset.shape);
  } finally {
    for (const model of loaded) model.dispose();
  }
}
