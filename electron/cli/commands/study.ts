import { DEFAULT_STUDY, describeFlag, METHOD_IDS, STUDY_SEEDS, STUDY_VARIANTS } from '../../contract/catalogue';
import { formatStudy } from '../result-text';
import { checkRunConfig, DistillInputError, getMethod, parseStudyMethods, runStudy, selectBackend, studyConfig } from '../../engine';
import { parseFlags } from '../args';
import { createProgressPrinter } from '../progress-printer';
import { configFromFlags, optionFromFlag, RUN_FLAGS, runFlagsUsage } from '../run-flags';

const STUDY_METHODS = [...METHOD_IDS, ...STUDY_VARIANTS.map((v) => v.id)].join(',');
const STUDY_FLAGS: typeof RUN_FLAGS = { ...RUN_FLAGS, methods: { type: 'string' }, [STUDY_SEEDS.flag]: { type: 'string' } };
export const STUDY_USAGE = `distill study --methods ${STUDY_METHODS} [${describeFlag(STUDY_SEEDS)}] ${runFlagsUsage(['method', 'try-dist'])}`;

/** Every method on the same teacher, student, data, seed and recipe; one table. */
export async function studyCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, STUDY_FLAGS);
  if (values.method) throw new DistillInputError('study takes --methods (several), not --method');
  if (values['try-dist']) throw new DistillInputError('study compares methods itself: add dist to --methods instead of --try-dist');
  const methods = parseStudyMethods((values.methods as string | undefined) ?? DEFAULT_STUDY);
  const seeds = optionFromFlag(STUDY_SEEDS, values[STUDY_SEEDS.flag]) ?? STUDY_SEEDS.default;
  const config = studyConfig(configFromFlags(values));
  await checkRunConfig(config, methods.map((entry) => getMethod(entry.method)));
  const backend = await selectBackend(config.backend, { threads: config.threads });
  const printer = createProgressPrinter(values.json === true);
  try {
    const result = await runStudy({ config, backend, methods, seeds, outDir: values.out as string | undefined, runsRoot: values['runs-dir'] as string | undefined, signal, onEvent: printer.onEvent });
    printer.done(values.json ? JSON.stringify(result) : formatStudy(result));
    return 0;
  } finally {
    printer.stop();
  }
}
