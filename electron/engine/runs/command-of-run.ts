import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunCommandLines } from '../../contract/api';
import { formatResizes, type RunSettingKey } from '../../contract/catalogue';
import { commandLineOf, shellLine } from '../../contract/command-line';
import { datasetFormatOf } from '../data/load';
import { teacherIsSaved } from './phases';
import type { StoredRun } from './store';
import { readRunPlan } from './run-plan';

/** Settings a run's dataset makes act on nothing: `--image-size` for one whose images keep their size (IDX, CIFAR), which the CLI refuses. */
export async function settingsIdleForDataset(dataset: string): Promise<RunSettingKey[]> {
  const format = await datasetFormatOf(dataset).catch(() => null);
  return format !== null && !formatResizes(format) ? ['imageSize'] : [];
}

/**
 * A run as the shell commands that train it (again): as it was and, where it trained its
 * teacher here (and saved it), on that teacher, which is then loaded instead of trained (the
 * seeds and the split are the same, so its students come out the same). Null for a folder whose
 * plan does not parse, or a run whose settings no preset and flags can say. With `runsDir` (the
 * app's), the commands write their runs there.
 */
export async function commandLinesOfRun(run: StoredRun, options: { runsDir?: string } = {}): Promise<RunCommandLines | null> {
  const kind = await readRunPlan(run.dir).catch(() => null);
  if (!kind) return null;
  const idle = await settingsIdleForDataset(run.config.dataset);
  const loaded = teacherIsSaved(run.config);
  const again = commandLineOf(run.config, kind, loaded, idle);
  if (!again) return null;
  const savedTeacher = join(run.dir, 'teacher');
  const trainedHere = !loaded && (await stat(savedTeacher).catch(() => null))?.isDirectory() === true;
  const onItsTeacher = trainedHere ? commandLineOf({ ...run.config, teacher: savedTeacher }, kind, true, idle) : null;
  // The app's commands write into its own runs folder, so that the run shows (and is followed) in its History.
  const where = options.runsDir ? ['--runs-dir', options.runsDir] : [];
  return { again: shellLine([...again, ...where]), onItsTeacher: onItsTeacher ? shellLine([...onItsTeacher, ...where]) : null };
}
