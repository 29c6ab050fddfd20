import { basename, resolve } from 'node:path';
import { BACKEND_IDS, DEFAULT_STUDY, describeFlag, KD_TERM_SUFFIX, METHOD_IDS, RUN_SETTINGS, STUDY_SEEDS, studyEntryMethodOptions } from '../../contract/catalogue';
import type { RunConfig } from '../../contract/run-config';
import { formatStudy } from '../result-text';
import { checkRunConfig, DistillInputError, getMethod, parseStudyMethods, readRun, runStudy, selectBackend, studyConfig, studyOfRun, type StudyEntry } from '../../engine';
import { choiceFlag, parseFlags, threadsFlag } from '../args';
import { createProgressPrinter } from '../progress-printer';
import { configFromFlags, flagsUnder, optionFromFlag, refuseIdleImageSize, refuseIdleThreads, refuseUnreadMethodFlags, RUN_FLAGS, runFlagsUsage, type FlagValues } from '../run-flags';

// Every method, then the two forms of entry built on them (help says which methods take +kd).
const STUDY_METHODS = [...METHOD_IDS, 'init+<method>', `<method>${KD_TERM_SUFFIX}`].join(',');
const STUDY_FLAGS: typeof RUN_FLAGS = { ...RUN_FLAGS, methods: { type: 'string' }, [STUDY_SEEDS.flag]: { type: 'string' }, 'from-run': { type: 'string' } };
/** What may go with --from-run: the run gives everything else. */
const FROM_RUN_FLAGS = ['from-run', 'methods', STUDY_SEEDS.flag, 'backend', 'threads', 'out', 'runs-dir', 'json'];
export const STUDY_USAGE = [
  `distill study --methods ${STUDY_METHODS} [${describeFlag(STUDY_SEEDS)}] ${runFlagsUsage(['method', 'try-dist', 'restarts', 'sweep', ...flagsUnder('sweep')])}`,
  `distill study --from-run RUN_DIR [${describeFlag(STUDY_SEEDS)}] [--methods M,…] [--backend B] [--threads N] [--out DIR] [--runs-dir DIR] [--json]`,
].join('\n');

/** Every method on the same teacher, student, data, seed and recipe; one table. */
export async function studyCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, STUDY_FLAGS);
  if (values.method) throw new DistillInputError('study takes --methods (several), not --method');
  if (values['try-dist']) throw new DistillInputError('study compares methods itself: add dist to --methods instead of --try-dist');
  if (values.restarts !== undefined) throw new DistillInputError('study trains seeds itself: --seeds N gives every method N seeds and their mean, instead of --restarts');
  const sweepFlag = ['sweep', ...flagsUnder('sweep')].find((flag) => values[flag] !== undefined);
  if (sweepFlag) throw new DistillInputError(`a study runs no sweep, so it takes no --${sweepFlag}: find T and α with \`distill sweep\` first, then pass them with --temperature and --alpha`);
  const seeds = optionFromFlag(STUDY_SEEDS, values[STUDY_SEEDS.flag]) ?? STUDY_SEEDS.default;
  const fromRun = typeof values['from-run'] === 'string' ? await fromRunFlags(values['from-run'], values) : null;
  const methods = fromRun?.methods ?? parseStudyMethods((values.methods as string | undefined) ?? DEFAULT_STUDY);
  // An `init+` entry starts from the teacher's weights, where weight selection's steps act; a study runs no sweep to try that start.
  const startsFromTeacher = methods.some((entry) => entry.initFromTeacher);
  const steps = RUN_SETTINGS.selectionSteps.flag;
  if (!fromRun && values[steps] !== undefined && !startsFromTeacher && values[RUN_SETTINGS.initFromTeacher.flag] !== true) {
    throw new DistillInputError(`--${steps} changes nothing in a study whose students all start at random: add an init+ method to --methods (init+kd), or --${RUN_SETTINGS.initFromTeacher.flag}, or drop --${steps}`);
  }
  const config = studyConfig(fromRun?.config ?? await configFromFlags(values, {}, startsFromTeacher ? { initFromTeacher: true } : {}));
  if (!fromRun) await refuseIdleImageSize(values, config.dataset);
  const names = methods.map((entry) => entry.name);
  const trains = methods.map((entry) => ({ method: entry.method, methodOptions: studyEntryMethodOptions(config.methodOptions, names, entry.name) }));
  refuseUnreadMethodFlags(values, trains, 'study', (method) => `add ${method} to --methods`);
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

/**
 * `--from-run RUN_DIR`: the run's distilled student and the student alone (or `--methods`) on the
 * run's own teacher, data and recipe (seedsStudyOf), as the Results screen's "Measure this gain
 * over seeds" does. Only where to compute and where to write may change.
 */
async function fromRunFlags(dir: string, values: FlagValues): Promise<{ config: RunConfig; methods: StudyEntry[] }> {
  const extra = Object.keys(values).filter((flag) => values[flag] !== undefined && !FROM_RUN_FLAGS.includes(flag));
  if (extra.length) throw new DistillInputError(`--from-run takes the run's recipe: drop --${extra[0]} (with it go only ${FROM_RUN_FLAGS.slice(1).map((f) => `--${f}`).join(', ')})`);
  const run = await readRun(resolve(dir), basename(resolve(dir)));
  if (!run) throw new DistillInputError(`--from-run ${dir}: not a run folder (no readable config.json and status.json)`);
  const study = await studyOfRun(run, `--from-run ${dir}`);
  const config: RunConfig = {
    ...study.config,
    ...(values.backend === undefined ? {} : { backend: choiceFlag('backend', values.backend as string, BACKEND_IDS)! }),
    ...(values.threads === undefined ? {} : { threads: threadsFlag(values.threads as string) }),
  };
  if (values.threads !== undefined) refuseIdleThreads(config.threads, config.backend, 'the study would train');
  return { config, methods: parseStudyMethods((values.methods as string | undefined) ?? study.methods.join(',')) };
}
