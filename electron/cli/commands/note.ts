import { basename, resolve } from 'node:path';
import { RunNotesSchema } from '../../contract/api';
import { DistillInputError, readRun, writeRunNotes } from '../../engine';
import { parseFlags } from '../args';

export const NOTE_USAGE = 'distill note RUN_DIR [--name TEXT] [--note TEXT] [--json]';

/**
 * A run's name and notes, as the app's Results screen edits them: with `--name` or `--note` it
 * keeps them (a flag left out keeps what was there; an empty one clears it), without either it
 * prints them. `distill runs` and `distill compare` show the name beside the run's id.
 */
export async function noteCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { name: { type: 'string' }, note: { type: 'string' }, json: { type: 'boolean' } }, NOTE_USAGE);
  if (positionals.length !== 1) throw new DistillInputError(`usage: ${NOTE_USAGE}`);
  const dir = resolve(positionals[0]!);
  const run = await readRun(dir, basename(dir));
  if (!run) throw new DistillInputError(`${positionals[0]}: not a run folder (no readable config.json and status.json)`);
  let notes = run.notes ?? { name: '', note: '' };
  if (values.name !== undefined || values.note !== undefined) {
    const asked = RunNotesSchema.safeParse({ name: values.name ?? notes.name, note: values.note ?? notes.note });
    if (!asked.success) {
      const issue = asked.error.issues[0]!;
      throw new DistillInputError(`--${String(issue.path[0])}: ${issue.message}`);
    }
    notes = await writeRunNotes(dir, asked.data);
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ runId: run.id, ...notes })}\n`);
  else if (!notes.name && !notes.note) process.stdout.write(`run ${run.id} has no name or notes (\`${NOTE_USAGE}\` gives them)\n`);
  else process.stdout.write(`run ${run.id}${notes.name ? `: ${notes.name}` : ''}\n${notes.note ? `\n${notes.note}\n` : ''}`);
  return 0;
}
