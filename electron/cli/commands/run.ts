import { DEFAULT_PRESET, OWN_DATA_PRESET, ownDataPresetChoice } from '../../contract/catalogue';
import { shownMethod, studentLaneMethod } from '../../contract/display';
import { formatStudyOrRun } from '../result-text';
import { checkRunConfig, runDistillation, selectBackend } from '../../engine';
import { parseFlags } from '../args';
import { methodsOfRun } from '../../contract/command-line';
import { configFromFlags, refuseIdleImageSize, refuseUnreadMethodFlags, RUN_FLAGS, runFlagsUsage } from '../run-flags';
import { createProgressPrinter } from '../progress-printer';

export const RUN_USAGE = `distill run ${runFlagsUsage()}`;

export async function runCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, RUN_FLAGS);
  const config = await configFromFlags(values);
  await refuseIdleImageSize(values, config.dataset);
  refuseUnreadMethodFlags(values, methodsOfRun(config).map((method) => ({ method, methodOptions: config.methodOptions })), 'run', (method) => `use --method ${method}`);
  await checkRunConfig(config);
  // The app turns to auto for such a dataset; the CLI keeps its default and says what it would gain.
  if (values.preset === undefined && config.dataset !== 'mnist' && values.json !== true) process.stderr.write(`note: with no --preset this run takes ${DEFAULT_PRESET}, which was tuned on MNIST; ${ownDataPresetChoice()}: add --preset ${OWN_DATA_PRESET} for this dataset\n`);
  const backend = await selectBackend(config.backend, { threads: config.threads });
  const printer = createProgressPrinter(values.json === true, shownMethod(studentLaneMethod(config), config.methodOptions));
  try {
    const result = await runDistillation({ config, backend, outDir: values.out as string | undefined, runsRoot: values['runs-dir'] as string | undefined, signal, onEvent: printer.onEvent });
    printer.done(values.json ? JSON.stringify(result) : formatStudyOrRun(result, config));
    return 0;
  } finally {
    printer.stop();
  }
}
