import { BACKEND_IDS } from '../../contract/catalogue';
import type { RunResult, StudyResult } from '../../contract/events';
import type { RunConfig } from '../../contract/run-config';
import { shownMethod, studentLaneMethod } from '../../contract/display';
import { formatStudyOrRun } from '../result-text';
import { formatSweep } from './sweep';
import { bestCellCommandOf, DistillInputError, resumableRun, resumeRun, selectBackend } from '../../engine';
import { choiceFlag, parseFlags, threadsFlag } from '../args';
import { createProgressPrinter } from '../progress-printer';
import { refuseIdleThreads } from '../run-flags';

export const RESUME_USAGE = `distill resume RUN_DIR [--backend ${BACKEND_IDS.join('|')}] [--threads N] [--json]`;

/** What a run, study or sweep (in `dir`) prints when it ends, from its result: a `distill sweep` run its grid, with no students, and the full run it suggests. */
export async function formatEnded(result: RunResult | StudyResult, config: RunConfig, dir: string): Promise<string> {
  if (result.type === 'result' && result.sweep && !result.student && !result.baseline) return formatSweep(result, await bestCellCommandOf(dir, config, result.sweep));
  return formatStudyOrRun(result, config);
}

/** Goes on with a failed, cancelled or interrupted run from its last checkpoints. */
export async function resumeCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags(args, { backend: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' } }, RESUME_USAGE);
  if (positionals.length !== 1) throw new DistillInputError(`usage: ${RESUME_USAGE}`);
  const run = await resumableRun(positionals[0]!);
  const request = choiceFlag('backend', values.backend, BACKEND_IDS) ?? run.config.backend;
  const threads = threadsFlag(values.threads);
  refuseIdleThreads(threads, request, 'the run would resume');
  const backend = await selectBackend(request, { threads: threads ?? run.config.threads });
  const printer = createProgressPrinter(values.json === true, shownMethod(studentLaneMethod(run.config), run.config.methodOptions));
  try {
    const result = await resumeRun({ dir: run.dir, backend, signal, onEvent: printer.onEvent });
    printer.done(values.json ? JSON.stringify(result) : await formatEnded(result, run.config, run.dir));
    return 0;
  } finally {
    printer.stop();
  }
}
