import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunCommandLines } from '../../contract/api';
import { formatResizes, type RunSettingKey } from '../../contract/catalogue';
import { commandLineOf, shellLine, type RunCommandKind } from '../../contract/command-line';
import { datasetFormatOf } from '../data/load';
import { teacherIsSaved } from './phases';
import type { StoredRun } from './store';
import { parseStudyMethods } from './study';

/** What command made a completed run: a study with its entries and seeds, a sweep on its own, or a run. */
function commandKind(run: StoredRun): RunCommandKind | null {
  if (run.study) return { command: 'study', entries: parseStudyMethods(run.study.rows.map((row) => row.method).join(',')), seeds: run.study.rows[0]?.seeds?.seeds.length ?? 1 };
  if (!run.result) return null;
  return run.result.sweep && !run.result.student && !run.result.baseline ? { command: 'sweep' } : { command: 'run' };
}

/**
 * A completed run as the shell commands that train it again: as it was and, where it trained its
 * teacher here (and saved it), on that teacher, which is then loaded instead of trained (the
 * seeds and the split are the same, so its students come out the same). Null for a run not
 * completed, or one whose settings no preset and flags can say.
 */
export async function commandLinesOfRun(run: StoredRun): Promise<RunCommandLines | null> {
  const kind = commandKind(run);
  if (!kind) return null;
  // `--image-size` is refused for a dataset whose images keep their size (IDX, CIFAR).
  const format = await datasetFormatOf(run.config.dataset).catch(() => null);
  const idle: RunSettingKey[] = format !== null && !formatResizes(format) ? ['imageSize'] : [];
  const again = commandLineOf(run.config, kind, teacherIsSaved(run.config), idle);
  if (!again) return null;
  const savedTeacher = join(run.dir, 'teacher');
  const trainedHere = !teacherIsSaved(run.config) && (await stat(savedTeacher).catch(() => null))?.isDirectory() === true;
  const onItsTeacher = trainedHere ? commandLineOf({ ...run.config, teacher: savedTeacher }, kind, true, idle) : null;
  return { again: shellLine(again), onItsTeacher: onItsTeacher ? shellLine(onItsTeacher) : null };
}
