import { basename, resolve } from 'node:path';
import { runLabel } from '../../contract/history';
import { shellWord } from '../../contract/command-line';
import { commandLinesOfRun, DistillInputError, hostQuoting, readRun, runInterrupted } from '../../engine';
import { parseFlags } from '../args';
import { formatEnded } from './resume';

export const SHOW_USAGE = 'distill show RUN_DIR [--json]';

/**
 * A finished run, study or sweep shown again as it ended: the same table and advice, or with
 * `--json` the same result line as `--json` printed then; then the commands that train it again.
 * Reads the folder; writes nothing.
 */
export async function showCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' } }, SHOW_USAGE);
  if (positionals.length !== 1) throw new DistillInputError(`usage: ${SHOW_USAGE}`);
  const dir = resolve(positionals[0]!);
  const run = await readRun(dir, basename(dir));
  if (!run) throw new DistillInputError(`${positionals[0]}: not a run folder (no readable config.json and status.json)`);
  const result = run.study ?? run.result;
  if (!result) {
    const status = (await runInterrupted(run)) ? 'interrupted' : run.status.status;
    if (status === 'running') throw new DistillInputError(`run ${run.id} is still training in another process: its results come when it ends`);
    throw new DistillInputError(`run ${run.id} has not completed (${status}${run.status.error ? `: ${run.status.error}` : ''}), so it has no results to show: \`distill resume ${shellWord(positionals[0]!, hostQuoting())}\` goes on with it`);
  }
  // A run someone named or wrote notes on shows them first (`distill note`).
  const notes = run.notes ? `${runLabel(run.id, run.notes)}\n${run.notes.note ? `${run.notes.note}\n` : ''}\n` : '';
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  // The commands that train it again (a run on the machine it ran on: its paths are this machine's).
  const commands = await commandLinesOfRun(run);
  const again = commands ? `\n\nto train it again:\n  ${commands.again}${commands.onItsTeacher ? `\non its saved teacher, without training that again:\n  ${commands.onItsTeacher}` : ''}` : '';
  process.stdout.write(`${notes}${await formatEnded(result, run.config, run.dir)}${again}\n`);
  return 0;
}
