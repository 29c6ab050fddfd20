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
  const saved = await savedTeacherOf(run.dir);
  const onItsTeacher = !loaded && saved ? commandLineOf(saved(run.config), kind, true, idle) : null;
  const bestCell = kind.command === 'sweep' && run.result?.sweep ? bestCellWords(run.config, run.result.sweep, saved, idle) : null;
  // The app's commands write into its own runs folder, so that the run shows (and is followed) in its History.
  const line = (words: string[]) => shellLine([...words, ...(options.runsDir ? ['--runs-dir', options.runsDir] : [])], hostQuoting());
  return { again: line(again), onItsTeacher: onItsTeacher ? line(onItsTeacher) : null, ...(kind.command === 'sweep' ? { bestCell: bestCell ? line(bestCell) : null } : {}) };
}

/**
 * The teacher a run folder saved (`teacher/`, or the .onnx file kept there) as a change to a
 * config: that teacher, fed as the run declared it (one it trained as the app feeds its own
 * models, whatever idle input settings its config carried). Null where the folder holds none.
 */
async function savedTeacherOf(runDir: string): Promise<((config: RunConfig) => RunConfig) | null> {
  const saved = await runTeacherOf(join(runDir, 'teacher'));
  return saved ? (config) => ({ ...config, teacher: saved.teacher, ...saved.declaration }) : null;
}

/** The best cell's full run as words after `distill`; null where no cell trained, no teacher was saved, or no preset and flags can say the settings. */
function bestCellWords(sweepConfig: RunConfig, sweep: SweepResult, saved: ((config: RunConfig) => RunConfig) | null, idle: readonly RunSettingKey[]): string[] | null {
  if (!saved || sweep.cells.every((c) => c.diverged)) return null;
  return commandLineOf(saved(bestCellRunConfig(sweepConfig, sweep.best)), { command: 'run' }, true, idle);
}

/**
 * A finished sweep's suggestion, as the shell command for it: the full run with its best cell
 * and every other setting of the sweep, on the teacher the sweep saved. Null where no cell
 * trained, no teacher was saved, or no preset and flags can say the settings.
 */
export async function bestCellCommandOf(sweepDir: string, sweepConfig: RunConfig, sweep: SweepResult, options: { runsDir?: string } = {}): Promise<string | null> {
  const words = bestCellWords(sweepConfig, sweep, await savedTeacherOf(sweepDir), await settingsIdleForDataset(sweepConfig.dataset));
  return words ? shellLine([...words, ...(options.runsDir ? ['--runs-dir', options.runsDir] : [])], hostQuoting()) : null;
}
