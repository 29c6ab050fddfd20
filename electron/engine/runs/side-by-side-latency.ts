import type * as tf from '@tensorflow/tfjs';
import type { ModelReport, Phase, StudyRow } from '../../contract/events';
import { measureLatenciesSideBySideMs } from '../train/evaluate';
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
  const timed: { phase: Phase; model: tf.LayersModel; owned: boolean }[] = [];
  try {
    if (teacher && reports.teacher) timed.push({ phase: 'teacher', model: teacher, owned: false });
    for (const phase of ['student', 'baseline'] as const) {
      if (reports[phase]) timed.push({ phase, model: (await loadModelFolder(ctx.folder.modelDir(phase))).model, owned: true });
    }
    if (timed.length < 2) return reports;
    const latencies = await measureLatenciesSideBySideMs(timed.map((t) => t.model), ctx.dataset.shape);
    const updated = { ...reports };
    for (const [i, { phase }] of timed.entries()) updated[phase] = { ...reports[phase]!, latencyMs: latencies[i]! };
    return updated;
  } finally {
    for (const t of timed) if (t.owned) t.model.dispose();
  }
}

/**
 * A study's teacher and its student timed in turns, as a run's are (above). Every row of a study is
 * the same architecture, so the first row's model times them all; each row's figure from the end
 * of its own phase is replaced. `studentDir` is where that row's student was saved.
 */
export async function timeStudySideBySide(ctx: PhaseContext, teacher: tf.LayersModel, teacherReport: ModelReport, studentDir: string, rows: StudyRow[]): Promise<ModelReport> {
  const { model } = await loadModelFolder(studentDir);
  try {
    const [teacherMs, studentMs] = await measureLatenciesSideBySideMs([teacher, model], ctx.dataset.shape);
    for (const row of rows) row.latencyMs = studentMs!;
    return { ...teacherReport, latencyMs: teacherMs! };
  } finally {
    model.dispose();
  }
}
