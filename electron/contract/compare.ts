import type { RunSummary } from './api';
import { describeValue, idleTeacherSettings, METHOD_CATALOGUE, METHOD_IDS, needsMet, optionsInEffect, RUN_SETTINGS, TEACHER_INPUT_SETTINGS, TEACHER_TRAINING_SETTINGS, type MethodId } from './catalogue';
import { formatPercent, formatPercentOrDash, formatPoints, formatSweepCell } from './display';
import { runOutcome, shortPath, teacherLabel } from './history';
import type { RunConfig } from './run-config';

const TEACHER_SIDE: readonly string[] = [...TEACHER_INPUT_SETTINGS, ...TEACHER_TRAINING_SETTINGS];

/** One row of a comparison of runs: the app's Compare table and `distill compare` print the same rows. */
export interface SettingDifference {
  key: string;
  label: string;
  /** Each run's value, as help text shows values. */
  values: string[];
}

/**
 * The settings in which runs differ, labelled from the catalogue: run settings, then the options
 * of each run's method and those it reads (a run's other methods' options never mattered to it, so they are left out).
 * A setting that acted on nothing in a run shows as –: the plateau's patience on a cosine schedule,
 * an imported teacher's input settings where the run trained its teacher, and the teacher's
 * training settings where it loaded one.
 */
export function configDifferences(runs: Array<Pick<RunSummary, 'config' | 'teacherLoaded' | 'result' | 'study'>>): SettingDifference[] {
  const rows: SettingDifference[] = [];
  // One run, or none yet (while they load), differs from nothing.
  if (runs.length < 2) return rows;
  const configs = runs.map((run) => run.config);
  const idle = runs.map((run) => idleTeacherSettings(run.teacherLoaded) as readonly string[]);
  for (const [key, option] of Object.entries(RUN_SETTINGS)) {
    const values = configs.map((c, i) => (!idle[i]!.includes(key) && needsMet(option, c, idle[i]) ? describeValue(c[key as keyof RunConfig], option) : '–'));
    if (new Set(values).size === 1) continue;
    // The teacher row says where each run's teacher came from: a setting idle in a run only because
    // of that (the teacher's own, or one that acts through them, as the jitter's share does), at
    // its default where it acted, adds nothing to it.
    const byTeacher = TEACHER_SIDE.includes(key) || configs.some((c, i) => needsMet(option, c) !== needsMet(option, c, idle[i]));
    const defaultValue = describeValue(option.default, option);
    if (byTeacher && values.every((value) => value === '–' || value === defaultValue)) continue;
    // A teacher folder or dataset path by its last parts, and an earlier run's teacher by its
    // architecture and that run, as History lists them, unless that hides the difference.
    const short = key === 'teacher' ? runs.map((run) => teacherLabel(run.config.teacher, (run.result?.teacher ?? run.study?.teacher)?.name)) : option.kind === 'string' ? values.map((value) => shortPath(value)) : values;
    rows.push({ key, label: option.label, values: new Set(short).size > 1 ? short : values });
  }
  // Each run's method, and the methods whose options it reads as it stood (DIST reads KD's T; CRD
  // too, once KD's soft term is on), in the catalogue's order.
  const reads = configs.map((c) => optionsInEffect(c.method, c.methodOptions));
  const owners = new Set(configs.flatMap((c, i) => [c.method, ...reads[i]!.map((o) => o.method)]));
  for (const method of METHOD_IDS.filter((id) => owners.has(id))) {
    for (const [key, option] of Object.entries(METHOD_CATALOGUE[method as MethodId].options)) {
      const values = configs.map((c, i) => (c.method === method || reads[i]!.some((o) => o.method === method && o.key === key) ? describeValue((c.methodOptions[method as MethodId] as Record<string, unknown>)[key], option) : '–'));
      if (new Set(values).size > 1) rows.push({ key: `${method}.${key}`, label: `${METHOD_CATALOGUE[method as MethodId].label}: ${option.label}`, values });
    }
  }
  return rows;
}

/**
 * What each run came to, as rows beside its settings: the T and α a sweep found (only when one
 * of them swept), the teacher, the distilled student (a study's best distilled method, named),
 * the student alone and the gain in points.
 */
export function comparisonResults(runs: Array<Pick<RunSummary, 'result' | 'study'>>): SettingDifference[] {
  const outcomes = runs.map((run) => runOutcome(run));
  const sweep: SettingDifference[] = runs.some((run) => run.result?.sweep)
    ? [{ key: 'sweep', label: 'T and α the sweep found', values: runs.map((run) => (run.result?.sweep ? `${formatSweepCell(run.result.sweep.best)} (${formatPercent(run.result.sweep.best.valAccuracy)} on validation)` : '–')) }]
    : [];
  return [
    ...sweep,
    { key: 'teacher', label: 'teacher', values: outcomes.map((o) => formatPercentOrDash(o.teacher)) },
    { key: 'student', label: 'distilled student', values: outcomes.map((o) => `${formatPercentOrDash(o.student)}${o.best ? ` (best: ${o.best.label})` : ''}`) },
    { key: 'alone', label: 'student alone', values: outcomes.map((o) => formatPercentOrDash(o.alone)) },
    { key: 'gain', label: 'gain over the student alone (points)', values: outcomes.map((o) => (o.gain === null ? '–' : formatPoints(o.gain))) },
  ];
}
