import { basename, resolve } from 'node:path';
import { comparisonResults, configDifferences } from '../../contract/compare';
import { runLabel } from '../../contract/history';
import { DistillInputError, readRun, runInterrupted, teacherIsSaved, type StoredRun } from '../../engine';
import { parseFlags } from '../args';
import { table } from '../table';

export const COMPARE_USAGE = 'distill compare RUN_DIR RUN_DIR… [--json]';

async function completedRun(dir: string): Promise<StoredRun> {
  const run = await readRun(resolve(dir), basename(resolve(dir)));
  if (!run) throw new DistillInputError(`${dir}: not a run folder (no readable config.json and status.json)`);
  if (run.status.status !== 'completed') throw new DistillInputError(`run ${run.id} has not completed (${(await runInterrupted(run)) ? 'interrupted' : run.status.status}): only completed runs are compared`);
  return run;
}

/**
 * Two or more finished runs, studies or sweeps side by side, as the app's Compare under History:
 * only the settings that differ, then what each came to. Reads the folders; writes nothing.
 */
export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' } }, COMPARE_USAGE);
  if (positionals.length < 2) throw new DistillInputError(`compare needs two runs or more: ${COMPARE_USAGE}`);
  const runs = await Promise.all(positionals.map(completedRun));
  const settings = configDifferences(runs.map((run) => ({ ...run, teacherLoaded: teacherIsSaved(run.config) })));
  const results = comparisonResults(runs);
  if (values.json) {
    process.stdout.write(JSON.stringify({ runs: runs.map((run) => run.id), settings, results }) + '\n');
    return 0;
  }
  const rows = [...settings, ...results].map((row) => [row.label, ...row.values]);
  const texts = runs.map((_, i) => i + 1);
  process.stdout.write(`${table(['', ...runs.map((run) => runLabel(run.id, run.notes))], rows, texts)}\n${settings.length ? '' : '\nevery setting is the same\n'}`);
  return 0;
}
