import { UploadIdSchema, type RunSummary } from './api';
import { formatPercent, formatPoints } from './display';

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

/** One run as a row of History, the same in the app and in `distill runs`. */
export interface HistoryCells {
  dataset: string;
  /** `mlp-800x2 → mlp-30x2`, the teacher's path shortened. */
  models: string;
  /** `study of 6 × 2 seeds`, a method other than KD, or null. */
  tag: string | null;
  teacher: string;
  /** The distilled student's accuracy; a study's best distilled row as `best …`. */
  student: string;
  alone: string;
  /** The distilled student's gain over the student alone in points (that row's in a study), or –. */
  gain: string;
}

export function historyCells(run: Pick<RunSummary, 'config' | 'result' | 'study'>): HistoryCells {
  const { config, result, study } = run;
  const seeds = study?.rows[0]?.seeds;
  const tag = study ? `study of ${study.rows.length}${seeds ? ` × ${seeds.seeds.length} seeds` : ''}` : config.method !== 'kd' ? config.method : null;
  const teacher = result?.teacher ?? study?.teacher ?? null;
  // A study's best distilled student: the student alone is what the others are measured against.
  const distilled = study?.rows.filter((row) => row.method !== 'baseline') ?? [];
  const bestRow = distilled.reduce<(typeof distilled)[number] | null>((best, row) => (best === null || row.accuracy > best.accuracy ? row : best), null);
  const gain = result ? result.kdGain : (bestRow?.gain ?? null);
  const alone = result ? result.baseline : (study?.rows.find((row) => row.method === 'baseline') ?? null);
  return {
    dataset: shortPath(config.dataset, 1),
    models: `${shortPath(config.teacher)} → ${config.student}`,
    tag,
    teacher: teacher ? formatPercent(teacher.accuracy) : '–',
    student: result?.student ? formatPercent(result.student.accuracy) : bestRow ? `best ${formatPercent(bestRow.accuracy)}` : '–',
    alone: alone ? formatPercent(alone.accuracy) : '–',
    gain: gain === null ? '–' : formatPoints(gain),
  };
}
