import type { RunConfig } from '../../contract/run-config';
import { DistillInputError } from '../errors';
import type { StoredRun } from './store';
import { runTeacherOf } from './teacher-info';

/**
 * A finished run measured again over seeds: its distilled student and the student alone on the
 * run's own teacher folder, data and recipe (seedsStudyOf). `distill study --from-run` and the
 * app's "Measure this gain over seeds" both start here, so neither sends a path it may not: the
 * run's own config says where its data and teacher are. `named` is how errors name the run.
 */
export async function studyOfRun(run: StoredRun, named: string): Promise<{ config: RunConfig; methods: string[] }> {
  if (!run.result) {
    throw new DistillInputError(`${named}: not a completed run (it is ${run.study ? 'a study' : run.status.status}); a completed run's students are what it measures again`);
  }
  // Its teacher, fed as the run declared it (one it trained, as the app feeds its own models, whatever idle input settings its config carried).
  const saved = await runTeacherOf(run.dir);
  if (!saved) throw new DistillInputError(`${named}: the run kept no teacher folder to train from`);
  return seedsStudyOf({ ...run.config, ...saved.declaration }, saved.teacher);
}

/**
 * The study's config and entries: the run's distilled student as an entry (`dist`, `init+kd`, …)
 * and the student alone, on `teacher`. The recipe's sweep, KD-or-DIST race and restarts are off
 * (the run already chose; the study's seeds replace its restarts), and the teacher's weights
 * start the student through the entry's `init+`, not the run-wide setting, so the student alone
 * starts at random as it did in the run.
 */
export function seedsStudyOf(config: RunConfig, teacher: string): { config: RunConfig; methods: string[] } {
  const entry = `${config.initFromTeacher ? 'init+' : ''}${config.method}`;
  return {
    config: { ...config, teacher, sweep: false, tryDist: false, restarts: 1, initFromTeacher: false },
    methods: config.method === 'baseline' ? ['baseline'] : ['baseline', entry],
  };
}
