import { formatCountOf, formatPercent } from '../../contract/display';
import { randomStartFinalists, type RunResult, type SweepResult } from '../../contract/events';
import { bestCellCommandOf, checkRunConfig, DistillInputError, runSweep, selectBackend } from '../../engine';
import { parseFlags } from '../args';
import { methodsOfRun } from '../../contract/command-line';
import { createProgressPrinter } from '../progress-printer';
import { configFromFlags, refuseIdleImageSize, refuseUnreadMethodFlags, RUN_FLAGS } from '../run-flags';
import { describeFlag, optionsUnder, RUN_SETTINGS } from '../../contract/catalogue';
import { resumedNote } from '../result-text';
import { table } from '../table';

// The validation split it scores on, then the settings the catalogue puts under the sweep.
const SWEEP_OPTIONS = [RUN_SETTINGS.validationSplit, ...optionsUnder('sweep')];
export const SWEEP_USAGE = `distill sweep ${SWEEP_OPTIONS.map((option) => `[${describeFlag(option)}]`).join(' ')}\n            [every run flag but --method, --sweep, --epochs, --no-baseline]`;

/**
 * "Find T and α for me": the teacher, then a short KD run per T × α cell scored on the
 * validation split (a tenth of the training images unless --validation-split says otherwise).
 * JSON Lines with --json (one per cell), ending with the run's result (the grid and the best cell).
 */
export async function sweepCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, RUN_FLAGS);
  if (values.method) throw new DistillInputError('the sweep tunes KD (--method kd); drop --method');
  // The sweep sets these itself: its cells train for --sweep-epochs, and it trains no student alone.
  for (const [flag, instead] of [['epochs', 'use --sweep-epochs for the epochs of each cell'], ['sweep', 'the sweep is what this command runs'], ['no-sweep', 'the sweep is what this command runs'], ['no-baseline', 'the sweep trains no student alone']] as const) {
    if (values[flag] !== undefined) throw new DistillInputError(`sweep takes no --${flag}: ${instead}`);
  }
  const config = await configFromFlags(values, { method: 'kd', sweep: true });
  await refuseIdleImageSize(values, config.dataset);
  refuseUnreadMethodFlags(values, methodsOfRun(config).map((method) => ({ method, methodOptions: config.methodOptions })), 'sweep', () => null);
  if (values['validation-split'] === undefined && config.validationSplit === 0) config.validationSplit = 0.1;
  await checkRunConfig(config);
  const backend = await selectBackend(config.backend, { threads: config.threads });
  const printer = createProgressPrinter(values.json === true);
  try {
    const result = await runSweep({ config, backend, outDir: values.out as string | undefined, runsRoot: values['runs-dir'] as string | undefined, signal, onEvent: printer.onEvent });
    const runsDir = values['runs-dir'] as string | undefined;
    printer.done(values.json ? JSON.stringify(result) : formatSweep(result, await bestCellCommandOf(result.outDir, config, result.sweep!, runsDir ? { runsDir } : {})));
    return 0;
  } finally {
    printer.stop();
  }
}

/** The grid as a table (T down, α across), the best cell, and the command that uses it (bestCellCommandOf: every setting of the sweep but its choice, on its saved teacher). */
export function formatSweep(result: RunResult, bestCellCommand: string | null): string {
  const sweep = result.sweep as SweepResult;
  const cell = (t: number, a: number) => sweep.cells.find((c) => c.temperature === t && c.alpha === a);
  const rows = sweep.temperatures.map((t) => [`T = ${t}`, ...sweep.alphas.map((a) => {
    const found = cell(t, a);
    const mark = t === sweep.best.temperature && a === sweep.best.alpha ? ' ★' : '';
    return found ? (found.diverged ? 'did not train' : `${formatPercent(found.valAccuracy)}${mark}`) : '–';
  })]);
  return [
    result.teacher ? `teacher ${result.teacher.name}: ${formatPercent(result.teacher.accuracy)} on the test split` : '',
    `validation accuracy of ${sweep.student} after ${formatCountOf(sweep.epochs, 'epoch')} on ${sweep.images.toLocaleString('en-US')} training images (${sweep.validationImages.toLocaleString('en-US')} validation images):`,
    table(['', ...sweep.alphas.map((a) => `α = ${a}`)], rows),
    ...(sweep.finals
      ? [`the best ${randomStartFinalists(sweep.finals.cells)} again, ${formatCountOf(sweep.epochs, 'epoch')} on all ${sweep.finals.images.toLocaleString('en-US')} training images: ${sweep.finals.cells.map((c) => `T = ${c.temperature}, α = ${c.alpha}${c.init ? " from the teacher's weights" : ''}: ${c.diverged ? 'did not train' : formatPercent(c.valAccuracy)}`).join(' · ')}`]
      : []),
    ...(sweep.cells.every((c) => c.diverged)
      ? ['no cell trained at this learning rate: run the sweep again with a lower --lr']
      : [
        `best: T = ${sweep.best.temperature}, α = ${sweep.best.alpha}${sweep.best.init ? ", the student started from the teacher's weights" : ''} (${formatPercent(sweep.best.valAccuracy)}${sweep.finals ? ` on all ${sweep.finals.images.toLocaleString('en-US')} training images` : ''})`,
        ...(bestCellCommand ? [`the full run with it, on this teacher:\n  ${bestCellCommand}`] : []),
        ]),
    `saved in ${result.outDir}${resumedNote(result.resumed)}`,
  ].filter(Boolean).join('\n');
}
