import { join } from 'node:path';
import type { RunCommandLines } from '../../contract/api';
import { bestCellRunConfig } from '../../contract/best-cell';
import { formatResizes, type RunSettingKey } from '../../contract/catalogue';
import { commandLineOf, shellLine, type ShellQuoting } from '../../contract/command-line';
import type { SweepResult } from '../../contract/events';
import type { RunConfig } from '../../contract/run-config';
import { datasetFormatOf } from '../data/load';
import { teacherIsSaved } from './phases';
import type { StoredRun } from './store';
import { readRunPlan } from './run-plan';
import { runTeacherOf } from './teacher-info';

/** How commands are quoted for this machine's shell (a run's paths are this machine's, so the commands are for it). */
export const hostQuoting = (): ShellQuoting => (process.platform === 'win32' ? 'windows' : 'posix');

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
  const trainedHere = loaded ? null : await onSavedTeacher(run.config, run.dir);
  const onItsTeacher = trainedHere ? commandLineOf(trainedHere, kind, true, idle) : null;
  // The app's commands write into its own runs folder, so that the run shows (and is followed) in its History.
  const where = options.runsDir ? ['--runs-dir', options.runsDir] : [];
  const best = kind.command === 'sweep' && run.result?.sweep && !run.result.sweep.cells.every((c) => c.diverged) ? run.result.sweep.best : null;
  return {
    again: shellLine([...again, ...where], hostQuoting()),
    onItsTeacher: onItsTeacher ? shellLine([...onItsTeacher, ...where], hostQuoting()) : null,
    ...(best ? { bestCell: await bestCellCommandOf(run.dir, run.config, best, options) } : {}),
  };
}

/**
 * A config on the teacher a run folder saved (`teacher/`, or the .onnx file kept there), fed as
 * that run declared it: a teacher it trained as the app feeds its own models, whatever idle input
 * settings its config carried. Null where the folder holds no teacher.
 */
async function onSavedTeacher(config: RunConfig, runDir: string): Promise<RunConfig | null> {
  const saved = await runTeacherOf(join(runDir, 'teacher'));
  return saved ? { ...config, teacher: saved.teacher, ...saved.declaration } : null;
}

/**
 * A finished sweep's suggestion, as the shell command for it: the full run with its best cell
 * and every other setting of the sweep, on the teacher the sweep saved. Null where no teacher
 * was saved or no preset and flags can say the settings.
 */
export async function bestCellCommandOf(sweepDir: string, sweepConfig: RunConfig, best: SweepResult['best'], options: { runsDir?: string } = {}): Promise<string | null> {
  const config = await onSavedTeacher(bestCellRunConfig(sweepConfig, best), sweepDir);
  const words = config && commandLineOf(config, { command: 'run' }, true, await settingsIdleForDataset(config.dataset));
  return words ? shellLine([...words, ...(options.runsDir ? ['--runs-dir', options.runsDir] : [])], hostQuoting()) : null;
}
