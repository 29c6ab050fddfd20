import type { StudyResult } from '../../contract/events';
import { DistillInputError } from '../../engine/errors';
import { parseStudyMethods, runStudy } from '../../engine/runs/study';
import { parseFlags } from '../args';
import { formatPercent, formatSeconds, table } from '../format';
import { configFromFlags, RUN_FLAGS, RUN_FLAGS_USAGE } from '../run-flags';
import { createRunView } from '../run-view';

export const STUDY_USAGE = `distill study --methods baseline,kd,fitnet,at,dkd[,init+kd] ${RUN_FLAGS_USAGE.replace('[--method kd|baseline|fitnet|at|dkd] ', '')}`;

/** Every method on the same teacher, student, data, seed and recipe; one table. */
export async function studyCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, { ...RUN_FLAGS, methods: { type: 'string' } });
  if (values.method) throw new DistillInputError('study takes --methods (several), not --method');
  const methods = parseStudyMethods(values.methods ?? 'baseline,kd,fitnet,at,dkd,init+kd');
  const config = configFromFlags(values);
  const view = createRunView(values.json === true);
  try {
    const result = await runStudy({ config, methods, outDir: values.out, runsRoot: values['runs-dir'], signal, onEvent: view.onEvent });
    view.done(values.json ? JSON.stringify(result) : formatStudy(result));
    return 0;
  } finally {
    view.stop();
  }
}

export function formatStudy(result: StudyResult): string {
  const rows = result.rows.map((row) => [
    row.method,
    row.label,
    formatPercent(row.accuracy),
    row.gain === null ? '–' : `${row.gain >= 0 ? '+' : ''}${(row.gain * 100).toFixed(2)}`,
    formatSeconds(row.seconds),
  ]);
  const teacher = result.teacher ? `teacher ${result.teacher.name}: ${formatPercent(result.teacher.accuracy)}\n` : '';
  return `${teacher}student ${result.student}\n\n${table(['method', '', 'test accuracy', 'gain (points)', 'training time'], rows)}\n\nbackend ${result.backend.name} · ${formatSeconds(result.seconds)} · saved in ${result.outDir}`;
}
