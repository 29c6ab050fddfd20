import { resolve } from 'node:path';
import { historyCells, historyMatches } from '../../contract/history';
import { shellWord } from '../../contract/command-line';
import { checkRunsFolder, hostQuoting, listRuns, runInterrupted } from '../../engine';
import { parseFlags } from '../args';
import { table } from '../table';

export const RUNS_USAGE = 'distill runs [--runs-dir DIR] [--filter WORDS] [--json]';

/**
 * The runs under a folder, newest first, as the app's History lists them. A run left `running`
 * by a process that has ended shows as interrupted (`distill resume` goes on with it); listing
 * writes nothing.
 */
export async function runsCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { 'runs-dir': { type: 'string' }, filter: { type: 'string' }, json: { type: 'boolean' } });
  const root = resolve(values['runs-dir'] ?? 'runs');
  await checkRunsFolder(root);
  const listed = await Promise.all(
    (await listRuns(root)).map(async (run) => {
      const status = (await runInterrupted(run)) ? 'interrupted' : run.status.status;
      const cells = historyCells(run);
      // `--filter`: only the runs whose row holds every word (the app's History filter).
      const shown = historyMatches({ runId: run.id, status, config: run.config, result: run.result, study: run.study, notes: run.notes ?? undefined }, values.filter ?? '', cells);
      return shown ? [{ runId: run.id, dir: run.dir, kind: run.kind, status, error: run.status.error, updatedAt: run.status.updatedAt, name: run.notes?.name ?? '', note: run.notes?.note ?? '', ...cells }] : [];
    }),
  );
  const rows = listed.flat();
  if (values.json) {
    for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(values.filter ? `no run in ${root} matches '${values.filter}'\n` : `no runs in ${root}\n`);
    return 0;
  }
  // A name column only where someone named a run (`distill note`, the app's Results).
  const named = rows.some((r) => r.name);
  const cells = rows.map((r) => [r.runId, ...(named ? [r.name] : []), r.status, r.dataset, r.tag ? `${r.models} (${r.tag})` : r.models, r.teacher, r.student, r.alone, r.gain]);
  // Where to go from the list: the newest completed run as the example.
  const done = rows.find((r) => r.status === 'completed');
  const next = done ? ` (\`distill show ${shellWord(done.dir, hostQuoting())}\` prints a run again; \`distill compare DIR DIR…\` sets runs side by side)` : '';
  const header = ['run', ...(named ? ['name'] : []), 'status', 'dataset', 'teacher → student', 'teacher', 'distilled', 'alone', 'gain'];
  process.stdout.write(`${table(header, cells, named ? [1, 2, 3, 4] : [1, 2, 3])}\n\nin ${root}${next}\n`);
  return 0;
}
