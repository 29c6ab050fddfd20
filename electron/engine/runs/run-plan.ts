import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunCommandKind } from '../../contract/command-line';
import { DistillInputError } from '../errors';
import { STUDY_PLAN } from './store';
import { parseStudyMethods, StudyPlanSchema } from './study';
import { SWEEP_PLAN } from './sweep-run';

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * What a run folder trains, from the plan it wrote when it started (finished or not): a study
 * with its entries and seeds, a sweep on its own, or a run. A resume goes on with it; the
 * commands that train it again start from it. A study plan that does not parse is an error naming it.
 */
export async function readRunPlan(dir: string): Promise<RunCommandKind> {
  if (existsSync(join(dir, SWEEP_PLAN))) return { command: 'sweep' };
  const plan = await readFile(join(dir, STUDY_PLAN), 'utf8').catch(() => null);
  if (plan === null) return { command: 'run' };
  const studyPlan = StudyPlanSchema.safeParse(parseJsonOrNull(plan));
  if (!studyPlan.success) throw new DistillInputError(`${join(dir, STUDY_PLAN)} is not a study plan: ${studyPlan.error.issues[0]?.message ?? 'unreadable'}`);
  return { command: 'study', entries: parseStudyMethods(studyPlan.data.methods), seeds: studyPlan.data.seeds ?? 1 };
}
