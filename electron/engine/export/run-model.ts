import { join } from 'node:path';
import type { ModelRole } from '../../contract/api';
import { parseStudyEntry, studyEntryMethodOptions } from '../../contract/catalogue';
import type { StudyRow } from '../../contract/events';
import type { RunConfig } from '../../contract/run-config';
import { DistillInputError } from '../errors';
import type { StoredRun } from '../runs/store';
import type { CardKept, CardReport } from './model-card';

/** One model of a run folder, as an export needs it: its folder, the card's role and the run's facts. */
export interface RunModel {
  dir: string;
  role: ModelRole;
  config: RunConfig;
  reports: Record<ModelRole, CardReport | null>;
  /** The epochs kept where a validation split chose them (a run's, not a study's). */
  kept?: CardKept;
}

/**
 * A run's teacher, distilled student or student alone; a study's teacher, or the student of one of
 * its methods (`method`: a row of the study, `kd`, `init+kd`, `baseline`, …), saved in the folder of
 * that name (`init-kd`) with the study's config set to that method for the model card.
 */
export function runModel(run: StoredRun, role: ModelRole, method?: string): RunModel {
  if (!run.study) {
    if (method) throw new DistillInputError(`run ${run.id} is not a study: its ${role} is the one model of that role (leave out the method)`);
    const reports = { teacher: run.result?.teacher ?? null, student: run.result?.student ?? null, baseline: run.result?.baseline ?? null };
    // With restarts the student kept may be another seed's: the card names the seed it trained with.
    const keptSeed = role === 'teacher' ? undefined : run.result?.restarts?.[role]?.kept;
    const selection = run.result?.selection;
    const kept: CardKept = { ...(selection?.teacher ? { teacher: selection.teacher } : {}), ...(role !== 'teacher' && selection?.[role] ? { model: selection[role] } : {}) };
    return { dir: join(run.dir, role), role, config: keptSeed === undefined ? run.config : { ...run.config, seed: keptSeed }, reports, kept };
  }
  const { study } = run;
  if (role === 'teacher' && method) throw new DistillInputError(`study ${run.id} has one teacher for every method: leave out the method`);
  if (role === 'teacher') return { dir: join(run.dir, 'teacher'), role, config: run.config, reports: { teacher: study.teacher, student: null, baseline: null } };
  const entry = method ?? (role === 'baseline' ? 'baseline' : undefined);
  const names = study.rows.map((r) => r.method).join(', ');
  if (!entry) throw new DistillInputError(`run ${run.id} is a study: say which method's student to export (--method ${study.rows.find((r) => r.method !== 'baseline')?.method ?? 'kd'}; its methods: ${names})`);
  const row = study.rows.find((r) => r.method === entry);
  // The entry's pattern keeps the folder name inside the run folder, whatever a caller passed.
  const parts = parseStudyEntry(entry);
  if (!row || !parts) throw new DistillInputError(`study ${run.id} has no "${entry}" student (its methods: ${names})`);
  const asReport = (r: StudyRow): CardReport => ({ name: study.student, accuracy: r.accuracy, params: r.params });
  const own = asReport(row);
  const alone = study.rows.find((r) => r.method === 'baseline');
  const isAlone = entry === 'baseline';
  return {
    dir: join(run.dir, entry.replace(/\+/g, '-')),
    role: isAlone ? 'baseline' : 'student',
    // The card says what this entry trained with: `sp` beside `sp+kd` added no soft term.
    config: { ...run.config, method: parts.method, initFromTeacher: parts.initFromTeacher, methodOptions: studyEntryMethodOptions(run.config.methodOptions, study.rows.map((r) => r.method), entry) },
    reports: {
      teacher: study.teacher,
      student: isAlone ? null : own,
      baseline: isAlone ? own : alone ? asReport(alone) : null,
    },
  };
}
