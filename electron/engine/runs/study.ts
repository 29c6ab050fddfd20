import type * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseStudyEntry, STUDY_ENTRY_FORMS, STUDY_SEEDS, studyEntryMethodOptions } from '../../contract/catalogue';
import type { ModelReport, StudyResult, StudyRow } from '../../contract/events';
import type { Method, RunConfig } from '../../contract/run-config';
import { DistillInputError, throwIfAborted } from '../errors';
import { getMethod } from '../methods/registry';
import { withRunFolder, type RunOptions } from './pipeline';
import { STUDY_PLAN } from './store';
import { obtainTeacher, trainStudent, type TrainedStudent } from './phases';
import { timeInTurns } from './side-by-side-latency';
import { seedLabel, studyEntryTitle } from '../../contract/display';
import { studySeeds, summariseSeeds } from './study-seeds';

/** What a study's plan file (STUDY_PLAN, in its folder) holds: the entries it trains and with how many seeds, for a resume. */
export const StudyPlanSchema = z.object({ methods: z.string(), seeds: STUDY_SEEDS.schema.optional() });

export interface StudyEntry {
  /** As written: `kd`, `init+kd`, `sp+kd`, … */
  name: string;
  method: Method;
  initFromTeacher: boolean;
  /** Whether the entry adds KD's soft term to its method (`sp+kd`): see studyEntryMethodOptions. */
  kdTerm: boolean;
}

/** `baseline,kd,fitnet,at,dkd,init+kd,sp+kd` → entries; an unknown name is an input error. */
export function parseStudyMethods(spec: string): StudyEntry[] {
  const names = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new DistillInputError('--methods: name at least one method');
  const entries = names.map((name) => {
    const parts = parseStudyEntry(name);
    if (!parts) throw new DistillInputError(`--methods: unknown method "${name}" (${STUDY_ENTRY_FORMS})`);
    return { name, ...parts };
  });
  const dup = entries.find((e, i) => entries.findIndex((f) => f.name === e.name) !== i);
  if (dup) throw new DistillInputError(`--methods: "${dup.name}" is listed twice`);
  return entries;
}

/**
 * A study trains every method at the options given: a sweep belongs before it, on its own. It
 * compares methods and seeds itself, so a preset's race of KD against DIST and its restarts
 * (auto's) are off in it.
 */
export function studyConfig(config: RunConfig): RunConfig {
  if (config.sweep) throw new DistillInputError('a study compares methods at the options given: find T and α first with `distill sweep`, then pass them with --temperature and --alpha (and --no-sweep after --preset auto)');
  return { ...config, tryDist: false, restarts: 1 };
}

/**
 * Trains every method on the same teacher (trained or loaded once), data, seed and recipe,
 * and reports one table. The student alone comes first when asked for, so gains can be given.
 * With `seeds` above 1, every method trains again with the next seeds, and each row adds the
 * mean over seeds (summariseSeeds).
 */
export async function runStudy(options: RunOptions & { methods: StudyEntry[]; seeds?: number }): Promise<StudyResult> {
  const entries = [...options.methods].sort((a, b) => Number(b.method === 'baseline' && !b.initFromTeacher) - Number(a.method === 'baseline' && !a.initFromTeacher));
  const withTeacher = entries.some((e) => getMethod(e.method).needsTeacher || e.initFromTeacher);
  return withRunFolder(
    { ...options, withTeacher },
    async (ctx, backend, started) => {
      let teacher: tf.LayersModel | null = null;
      let teacherReport: ModelReport | null = null;
      const rows: StudyRow[] = [];
      /** Where an entry's student is saved in the study's folder: `init-kd`, and `init-kd-seed2` for another seed. */
      const folderOf = (entry: StudyEntry, seed = ctx.config.seed) => join(ctx.folder.dir, entry.name.replace(/\+/g, '-') + (seed === ctx.config.seed ? '' : `-seed${seed}`));
      const seeds = studySeeds(ctx.config.seed, options.seeds ?? 1);
      // Where an entry says `sp+kd`, KD's soft term is on it and off its plain twin.
      const optionsOf = (entry: StudyEntry) => studyEntryMethodOptions(ctx.config.methodOptions, entries.map((e) => e.name), entry.name);
      // What a resume needs to train the same entries: the config alone does not list them.
      if (!options.resume) await writeFile(join(ctx.folder.dir, STUDY_PLAN), JSON.stringify({ methods: entries.map((e) => e.name).join(','), seeds: seeds.length }) + '\n');
      try {
        if (withTeacher) {
          const obtained = await obtainTeacher(ctx);
          teacher = obtained.model;
          teacherReport = obtained.report;
        }
        // Seed by seed, every entry: a study cancelled part way has whole tables for its first seeds.
        const trainedBy = new Map<string, Array<{ seed: number; trained: TrainedStudent }>>(entries.map((e) => [e.name, []]));
        for (const seed of seeds) {
          for (const entry of entries) {
            throwIfAborted(ctx.signal);
            const method = getMethod(entry.method);
            const phase = method.needsTeacher ? 'student' : 'baseline';
            const config = { ...ctx.config, seed, methodOptions: optionsOf(entry) };
            const trained = await trainStudent(ctx, { method, teacher, phase, label: seedLabel(entry.name, seed, ctx.config.seed), initFromTeacher: entry.initFromTeacher, saveTo: folderOf(entry, seed), config });
            trainedBy.get(entry.name)!.push({ seed, trained });
          }
        }
        // Each row is its first seed's student (the one saved as the entry's), timed over every seed.
        const accuraciesOf = (entry: string) => trainedBy.get(entry)!.map(({ seed, trained }) => ({ seed, accuracy: trained.report.accuracy }));
        for (const entry of entries) {
          const { report, description } = trainedBy.get(entry.name)![0]!.trained;
          rows.push({
            method: entry.name,
            // CRD with KD's soft term added (`crd+kd`, or --kd-weight) is "CRD + KD" in the table, as Tian et al. name it.
            label: studyEntryTitle(entry.name, entries.map((e) => e.name), ctx.config.methodOptions),
            accuracy: report.accuracy,
            gain: null,
            seconds: trainedBy.get(entry.name)!.reduce((sum, { trained }) => sum + trained.seconds, 0),
            params: report.params,
            detail: description,
            confusion: report.confusion,
            latencyMs: report.latencyMs,
            ...(seeds.length > 1 ? { seeds: summariseSeeds(accuraciesOf(entry.name), trainedBy.has('baseline') ? accuraciesOf('baseline') : null) } : {}),
          });
        }
        // The teacher and a student timed in turns, as a run's are; every row is the same
        // architecture, so the first row's student times them all, replacing each row's own figure.
        if (teacher && teacherReport && entries[0]) {
          const { ms: [teacherMs, studentMs], busy } = await timeInTurns(ctx, [teacher], [folderOf(entries[0])]);
          teacherReport = { ...teacherReport, latencyMs: teacherMs!, timedWhileBusy: busy };
          for (const row of rows) Object.assign(row, { latencyMs: studentMs!, timedWhileBusy: busy });
        }
      } finally {
        teacher?.dispose();
      }
      const alone = rows.find((r) => r.method === 'baseline');
      for (const row of rows) row.gain = alone ? row.accuracy - alone.accuracy : null;
      const result: StudyResult = {
        type: 'study',
        runId: ctx.folder.id,
        teacher: teacherReport,
        student: ctx.config.student,
        rows,
        classNames: ctx.dataset.classNames,
        backend,
        outDir: ctx.folder.dir,
        seconds: (performance.now() - started) / 1000,
      };
      const resumed = await ctx.folder.resumeCount();
      if (resumed) result.resumed = resumed;
      return result;
    },
    async (folder, result) => {
      await writeFile(join(folder.dir, 'study.json'), JSON.stringify(result, null, 2) + '\n');
      await folder.setStatus('completed');
    },
    entries.map((e) => getMethod(e.method)),
  );
}
