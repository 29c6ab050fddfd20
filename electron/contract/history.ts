import { UploadIdSchema, type RunSummary } from './api';
import type { Restarts, StudyRow } from './events';
import { formatPercentOrDash, formatPoints, formatSweepCell, seedLabel, shownMethod } from './display';

/**
 * A path as History shows it: its last `segments` parts (`runs/<id>/teacher` → `<id>/teacher`); a
 * model or dataset name stays as it is. A browser's upload is stored as `uploads/<upload id>/<name>`:
 * it shows as the name the person gave it, without the id (loose files as `uploaded files`).
 */
export function shortPath(value: string, segments = 2): string {
  const parts = value.split(/[\\/]/).filter(Boolean);
  const upload = parts.findIndex((part, i) => part === 'uploads' && UploadIdSchema.safeParse(parts[i + 1]).success);
  // Loose files (an IDX dataset's four) are the upload's folder itself: it has no name of its own.
  if (upload >= 0) return upload + 2 < parts.length ? `${parts.slice(upload + 2).join('/')} (uploaded)` : 'uploaded files';
  return parts.slice(-segments).join('/');
}

/** A run as a heading names it: its name and id where someone named it (`seed 2 (20261206-232918-398c)`), else its id. */
export const runLabel = (runId: string, notes: { name: string } | null | undefined) => (notes?.name ? `${notes.name} (${runId})` : runId);

/** One run as a row of History, the same in the app and in `distill runs`. */
export interface HistoryCells {
  dataset: string;
  /** `mlp-800x2 → mlp-30x2`, the teacher as teacherLabel names it. */
  models: string;
  /** `study of 6 × 2 seeds`, a sweep's best cell, a method other than KD, or null. */
  tag: string | null;
  teacher: string;
  /** The distilled student's accuracy; a study's best distilled row as `best …`. */
  student: string;
  alone: string;
  /** The distilled student's gain over the student alone in points (that row's in a study), or –. */
  gain: string;
}

/**
 * What a run or a study came to, as accuracies and a gain (fractions): the distilled student is a
 * study's best distilled row (the student alone is what the others are measured against, never its
 * best), named by `best`. History's cells and the comparison of runs both read it.
 */
export interface RunOutcome {
  teacher: number | null;
  student: number | null;
  /** A study's best distilled row: its entry (`init+kd`, the method its epochs are logged under) and label; null for a run. */
  best: { method: string; label: string } | null;
  alone: number | null;
  gain: number | null;
  /**
   * The `method` its epochs are logged under (metrics.jsonl), for its curves: the distilled
   * student's (a study's best entry; `dist` where a run's race kept DIST; `student#3` where a
   * restart was kept; none for a run's own student) and the student alone's (`baseline` in a
   * study, `baseline#2` for a restart kept).
   */
  lanes: { student: string | undefined; alone: string | undefined };
}

export function runOutcome({ result, study }: Pick<RunSummary, 'result' | 'study'>): RunOutcome {
  if (result) {
    // The pipeline's lane keys: a run's own student and student alone log their epochs unlabelled;
    // a restart kept in their place logs as `lane#seed`.
    const laneOf = (lane: string, own: string, restarts: Restarts | undefined) => {
      const key = restarts ? seedLabel(lane, restarts.kept, restarts.seeds[0]!) : lane;
      return key === own ? undefined : key;
    };
    const lanes = {
      student: laneOf(result.studentMethod === 'dist' ? 'dist' : 'student', 'student', result.restarts?.student),
      alone: laneOf('baseline', 'baseline', result.restarts?.baseline),
    };
    return { teacher: result.teacher?.accuracy ?? null, student: result.student?.accuracy ?? null, best: null, alone: result.baseline?.accuracy ?? null, gain: result.kdGain, lanes };
  }
  const rows = study?.rows ?? [];
  const best = rows.filter((row) => row.method !== 'baseline').reduce<StudyRow | null>((a, row) => (a === null || row.accuracy > a.accuracy ? row : a), null);
  const alone = rows.find((row) => row.method === 'baseline') ?? null;
  return { teacher: study?.teacher?.accuracy ?? null, student: best?.accuracy ?? null, best: best ? { method: best.method, label: best.label } : null, alone: alone?.accuracy ?? null, gain: best?.gain ?? null, lanes: { student: best?.method, alone: 'baseline' } };
}

/**
 * The teacher as History names it: a model name as it is; a teacher loaded from an earlier run's
 * folder (`<run id>/teacher`, or the .onnx file kept there) by the architecture its report names and
 * that run (`mlp-800x2 from 20261203-162520-7448`), which says more than the folder; any other
 * file or folder by its shortened path.
 */
export function teacherLabel(teacher: string, reportName: string | undefined): string {
  const parts = teacher.split(/[\\/]/).filter(Boolean);
  const at = parts.lastIndexOf('teacher');
  // A run folder as the app and the CLI name them (newRunId), not any folder that holds a `teacher`.
  const fromRun = at >= 1 && /^\d{8}-\d{6}-[0-9a-f]{4}$/.test(parts[at - 1]!) && (at === parts.length - 1 || (at === parts.length - 2 && /\.onnx$/i.test(parts.at(-1)!)));
  return fromRun && reportName ? `${reportName} from ${parts[at - 1]}` : shortPath(teacher);
}

export function historyCells(run: Pick<RunSummary, 'config' | 'result' | 'study'>): HistoryCells {
  const { config, result, study } = run;
  const seeds = study?.rows[0]?.seeds;
  // "Find T and α for me" trains no student: its row says what it found instead.
  const sweep = result?.sweep && !result.student ? result.sweep.best : null;
  const tag = study
    ? `study of ${study.rows.length}${seeds ? ` × ${seeds.seeds.length} seeds` : ''}`
    : sweep
      ? `sweep found ${formatSweepCell(sweep)}`
      : config.method !== 'kd' ? (shownMethod(config.method, config.methodOptions) ?? config.method) : null;
  const outcome = runOutcome(run);
  return {
    dataset: shortPath(config.dataset, 1),
    models: `${teacherLabel(config.teacher, (result?.teacher ?? study?.teacher)?.name)} → ${config.student}`,
    tag,
    teacher: formatPercentOrDash(outcome.teacher),
    student: outcome.best !== null ? `best ${formatPercentOrDash(outcome.student)}` : formatPercentOrDash(outcome.student),
    alone: formatPercentOrDash(outcome.alone),
    gain: outcome.gain === null ? '–' : formatPoints(outcome.gain),
  };
}

/**
 * Whether a run's History row holds every word of a filter, in any case: its id, status, name and
 * notes, dataset, teacher → student, tag (a study, a sweep's find, a method other than KD, `sp+kd` where KD's soft term was added). The
 * app's History filter and `distill runs --filter` both ask it.
 */
export function historyMatches(run: Pick<RunSummary, 'config' | 'result' | 'study' | 'notes'> & { runId: string; status: string }, filter: string, cells?: HistoryCells): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  cells ??= historyCells(run);
  const text = [run.runId, run.status, run.notes?.name, run.notes?.note, cells.dataset, cells.models, shortPath(run.config.teacher), cells.tag, run.config.method].filter(Boolean).join(' ').toLowerCase();
  return words.every((word) => text.includes(word));
}
