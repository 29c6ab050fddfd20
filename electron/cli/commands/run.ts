import { studentTitle } from '../../contract/display';
import { formatResult } from '../result-text';
import { checkRunConfig, runDistillation, selectBackend } from '../../engine';
import { parseFlags } from '../args';
import { configFromFlags, methodsOfRun, refuseIdleImageSize, refuseUnreadMethodFlags, RUN_FLAGS, runFlagsUsage } from '../run-flags';
import { createProgressPrinter } from '../progress-printer';

export const RUN_USAGE = `distill run ${runFlagsUsage()}`;

export async function runCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, RUN_FLAGS);
  const config = configFromFlags(values);
  await refuseIdleImageSize(values, config.dataset);
  refuseUnreadMethodFlags(values, methodsOfRun(config), 'run', (method) => `use --method ${method}`);
  await checkRunConfig(config);
  const backend = await selectBackend(config.backend, { threads: config.threads });
  const printer = createProgressPrinter(values.json === true);
  try {
    const result = await runDistillation({ config, backend, outDir: values.out as string | undefined, runsRoot: values['runs-dir'] as string | undefined, signal, onEvent: printer.onEvent });
    printer.done(values.json ? JSON.stringify(result) : formatResult(result, studentTitle(result.studentMethod ?? config.method)));
    return 0;
  } finally {
    printer.stop();
  }
}
