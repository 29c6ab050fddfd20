import type { RunResult } from '../../contract/events';
import { getMethod } from '../../engine/methods/registry';
import { runDistillation } from '../../engine/runs/pipeline';
import { parseFlags } from '../args';
import { configFromFlags, RUN_FLAGS, RUN_FLAGS_USAGE } from '../run-flags';
import { createRunView } from '../run-view';
import { formatBytes, formatPercent, formatSeconds, table } from '../format';

export const RUN_USAGE = `distill run ${RUN_FLAGS_USAGE}`;

export async function runCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, RUN_FLAGS);
  const config = configFromFlags(values);
  const view = createRunView(values.json === true);
  try {
    const result = await runDistillation({ config, outDir: values.out, runsRoot: values['runs-dir'], signal, onEvent: view.onEvent });
    view.done(values.json ? JSON.stringify(result) : formatResult(result, config.method === 'kd' ? 'KD student' : `${getMethod(config.method).label} student`));
    return 0;
  } finally {
    view.stop();
  }
}

export function formatResult(result: RunResult, studentLabel = 'KD student'): string {
  const rows: string[][] = [];
  const add = (role: string, report: RunResult['teacher']) => {
    if (!report) return;
    rows.push([role, report.name, report.params.toLocaleString('en-US'), formatBytes(report.bytes), formatPercent(report.accuracy), `${report.latencyMs.toFixed(2)} ms`]);
  };
  add('teacher', result.teacher);
  add(studentLabel, result.student);
  add('student alone', result.baseline);
  const lines = [table(['', 'model', 'params', 'size', 'test accuracy', 'latency/image'], rows)];
  if (result.kdGain !== null) {
    const points = result.kdGain * 100;
    lines.push(`\nKD gain over the student alone: ${points >= 0 ? '+' : ''}${points.toFixed(2)} points`);
  }
  if (result.teacher && result.student) {
    lines.push(`student is ${(result.teacher.params / result.student.params).toFixed(1)}× smaller than the teacher`);
  }
  lines.push(`backend ${result.backend.name} · ${formatSeconds(result.seconds)} · saved in ${result.outDir}`);
  return lines.join('\n');
}
