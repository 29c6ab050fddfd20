import type { RunResult } from '../../contract/events';
import { formatBytes, formatCount, formatDuration, formatPercent, formatPoints, studentTitle } from '../../contract/display';
import { checkRunConfig, runDistillation, selectBackend } from '../../engine';
import { parseFlags } from '../args';
import { configFromFlags, RUN_FLAGS, runFlagsUsage } from '../run-flags';
import { createProgressPrinter } from '../progress-printer';
import { table } from '../table';

export const RUN_USAGE = `distill run ${runFlagsUsage()}`;

export async function runCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, RUN_FLAGS);
  const config = configFromFlags(values);
  await checkRunConfig(config);
  const backend = await selectBackend(config.backend);
  const printer = createProgressPrinter(values.json === true);
  try {
    const result = await runDistillation({ config, backend, outDir: values.out as string | undefined, runsRoot: values['runs-dir'] as string | undefined, signal, onEvent: printer.onEvent });
    printer.done(values.json ? JSON.stringify(result) : formatResult(result, studentTitle(config.method)));
    return 0;
  } finally {
    printer.stop();
  }
}

export function formatResult(result: RunResult, studentLabel = 'KD student'): string {
  const rows: string[][] = [];
  const add = (role: string, report: RunResult['teacher']) => {
    if (!report) return;
    rows.push([role, report.name, formatCount(report.params), formatBytes(report.bytes), formatPercent(report.accuracy), `${report.latencyMs.toFixed(2)} ms`]);
  };
  add('teacher', result.teacher);
  add(studentLabel, result.student);
  add('student alone', result.baseline);
  const lines = [table(['', 'model', 'params', 'size', 'test accuracy', 'latency/image'], rows)];
  if (result.kdGain !== null) lines.push(`\nKD gain over the student alone: ${formatPoints(result.kdGain)} points`);
  if (result.teacher && result.student) {
    lines.push(`student is ${(result.teacher.params / result.student.params).toFixed(1)}× smaller than the teacher`);
  }
  lines.push(`backend ${result.backend.name} · ${formatDuration(result.seconds, true)} · saved in ${result.outDir}`);
  return lines.join('\n');
}
