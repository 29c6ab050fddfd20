import { describeAgainstTeacher, distilledBy, shownMethod, formatBytes, formatCount, formatDuration, formatPercent, formatPoints, formatSeedsGain, gainName, studentTitle, studyAgainstTeacher } from '../contract/display';
import { classGainBeyondNoise, compareClasses, distillationAdvice } from '../contract/advice';
import type { RunResult, StudyResult } from '../contract/events';
import type { RunConfig } from '../contract/run-config';
import { table } from './table';

/** A run's comparison table, as `distill run` prints it; `method` is the run's, unless the result says which the student was kept with. */
export function formatResult(result: RunResult, method = 'kd', methodOptions?: RunConfig['methodOptions']): string {
  // Titles name KD's soft term where a feature method added it ("SP + KD student").
  const shown = shownMethod(result.studentMethod ?? method, methodOptions) ?? method;
  const studentLabel = studentTitle(shown);
  const rows: string[][] = [];
  const add = (role: string, report: RunResult['teacher']) => {
    if (!report) return;
    rows.push([role, report.name, formatCount(report.params), formatBytes(report.bytes), formatPercent(report.accuracy), `${report.latencyMs.toFixed(2)} ms`]);
  };
  add('teacher', result.teacher);
  add(studentLabel, result.student);
  add('student alone', result.baseline);
  const lines = [table(['', 'model', 'params', 'size', 'test accuracy', 'latency/image'], rows)];
  if (result.kdGain !== null) lines.push(`\n${gainName(shown)} over the student alone: ${formatPoints(result.kdGain)} points`);
  if (result.teacher && result.student) {
    lines.push(`the student is ${describeAgainstTeacher(result.teacher, result.student)}`);
  }
  lines.push(...classLines(result, shown));
  if (result.choices?.length) lines.push('', 'what the recipe chose:', ...result.choices.map((choice) => `  · ${choice}`));
  for (const advice of distillationAdvice({ ...result, studentMethod: result.studentMethod ?? method, methodOptions })) {
    lines.push('', `${advice.level === 'warning' ? 'warning' : 'good'}: ${advice.message}`, ...advice.suggestions.map((s) => `  try: ${s}`));
  }
  lines.push('', `backend ${result.backend.name} · ${formatDuration(result.seconds, true)}${resumedNote(result.resumed)} · saved in ${result.outDir}`);
  return lines.join('\n');
}

/** The classes distillation helped and hurt most, one line each (the app shows the whole table). */
function classLines(result: RunResult, method: string): string[] {
  const rows = compareClasses(result);
  const name = (c: number) => result.classNames?.[c] ?? String(c);
  const list = (mark: 'helped' | 'hurt') =>
    rows
      .filter((r) => r.mark === mark)
      .sort((a, b) => (mark === 'helped' ? b.gain! - a.gain! : a.gain! - b.gain!))
      .map((r) => `${name(r.classIndex)} ${formatPoints(r.gain!)} (${formatPercent(r.baseline!)} → ${formatPercent(r.student!)}${classGainBeyondNoise(r) ? '' : `; within noise, ±${(r.noise! * 100).toFixed(2)}`})`)
      .join(', ');
  const lines = [];
  if (list('helped')) lines.push(`${distilledBy(method)} helped most on: ${list('helped')}`);
  if (list('hurt')) lines.push(`${distilledBy(method)} hurt most on: ${list('hurt')}`);
  return lines;
}

/** A study's table, as `distill study` prints it. */
export function formatStudy(result: StudyResult): string {
  const seeds = result.rows[0]?.seeds?.seeds;
  // With several seeds: the first seed's accuracy and gain (its saved students), then the means.
  const seedColumns = seeds ? [`mean of ${seeds.length} seeds`, 'mean gain ± s.e.'] : [];
  const rows = result.rows.map((row) => [
    row.method,
    row.label,
    formatPercent(row.accuracy),
    row.gain === null ? '–' : formatPoints(row.gain),
    ...(row.seeds ? [formatPercent(row.seeds.meanAccuracy), formatSeedsGain(row.seeds)] : seeds ? ['–', '–'] : []),
    formatDuration(row.seconds, true),
  ]);
  const firstSeed = seeds ? `, seed ${seeds[0]}` : '';
  const teacher = result.teacher ? `teacher ${result.teacher.name}: ${formatPercent(result.teacher.accuracy)}\n` : '';
  const against = studyAgainstTeacher(result);
  return `${teacher}student ${result.student}\n\n${table(['method', '', `test accuracy${firstSeed}`, `gain (points)${firstSeed}`, ...seedColumns, 'training time'], rows, [1])}\n${against ? `\nthe student is ${against}\n` : ''}\nbackend ${result.backend.name} · ${formatDuration(result.seconds, true)}${resumedNote(result.resumed)} · saved in ${result.outDir}`;
}

/** A study's table, or a run's, whose distilled student is titled by the method it was kept with (DIST, when the race kept it). */
export const formatStudyOrRun = (result: RunResult | StudyResult, config: Pick<RunConfig, 'method' | 'methodOptions'>) => (result.type === 'study' ? formatStudy(result) : formatResult(result, config.method, config.methodOptions));

export const resumedNote = (times: number | undefined) => (times ? ` · resumed ${times === 1 ? 'once' : `${times} times`}` : '');
