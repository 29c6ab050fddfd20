import { DistillInputError, RunCancelledError, StorageError } from '../engine';
import { BENCH_USAGE, benchCommand } from './commands/bench';
import { CHECK_TEACHER_USAGE, checkTeacherCommand } from './commands/check-teacher';
import { COMPARE_USAGE, compareCommand } from './commands/compare';
import { DATASETS_USAGE, datasetsCommand } from './commands/datasets';
import { ENSEMBLE_USAGE, ensembleCommand } from './commands/ensemble';
import { EXPORT_USAGE, exportCommand } from './commands/export';
import { MODELS_USAGE, modelsCommand } from './commands/models';
import { NOTE_USAGE, noteCommand } from './commands/note';
import { PREDICT_USAGE, predictCommand } from './commands/predict';
import { RESUME_USAGE, resumeCommand } from './commands/resume';
import { RUN_USAGE, runCommand } from './commands/run';
import { RUNS_USAGE, runsCommand } from './commands/runs';
import { SERVE_USAGE, serveCommand } from './commands/serve';
import { SHOW_USAGE, showCommand } from './commands/show';
import { STUDY_USAGE, studyCommand } from './commands/study';
import { SWEEP_USAGE, sweepCommand } from './commands/sweep';
import { appVersion } from '../server/renderer-dir';
import { catalogueHelp } from './help';

/** Each command's usage, for `distill COMMAND --help`; the catalogue's reference follows where the command takes its flags. */
export const COMMAND_USAGE: Record<string, string> = {
  run: RUN_USAGE,
  resume: RESUME_USAGE,
  study: STUDY_USAGE,
  sweep: SWEEP_USAGE,
  'check-teacher': CHECK_TEACHER_USAGE,
  ensemble: ENSEMBLE_USAGE,
  datasets: DATASETS_USAGE,
  runs: RUNS_USAGE,
  show: SHOW_USAGE,
  compare: COMPARE_USAGE,
  note: NOTE_USAGE,
  predict: PREDICT_USAGE,
  export: EXPORT_USAGE,
  bench: BENCH_USAGE,
  models: MODELS_USAGE,
  serve: SERVE_USAGE,
};

const USAGE = `Distill Studio — knowledge distillation from a teacher to a student classifier

${Object.values(COMMAND_USAGE).join('\n')}

distill COMMAND --help      that command's usage (and, for those that take them, every flag's reference)
distill help                every method, option, setting and preset
distill --version

Exit codes: 0 success, 2 bad input, 1 anything else, 130 cancelled.`;

/** Usage, then the catalogue's reference (methods, options, settings, presets). */
const HELP = `${USAGE}\n\n${catalogueHelp()}`;
const TAKES_CATALOGUE_FLAGS = ['run', 'study', 'sweep', 'check-teacher'];
const isHelpFlag = (arg: string) => arg === '--help' || arg === '-h';

/** Runs one CLI command; returns the exit code. Bad input is one line on stderr and exit 2. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const controller = new AbortController();
  // Ctrl-C and a polite kill (SIGTERM: systemd, docker stop, a job scheduler) both cancel the
  // run cleanly: its folder is marked cancelled, and the exit code says which signal it was.
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = signal;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (command !== undefined && Object.hasOwn(COMMAND_USAGE, command) && args.some(isHelpFlag)) {
      process.stdout.write(`${COMMAND_USAGE[command]}\n${TAKES_CATALOGUE_FLAGS.includes(command) ? `\n${catalogueHelp()}\n` : ''}`);
      return 0;
    }
    switch (command) {
      case 'run':
        return await runCommand(args, controller.signal);
      case 'resume':
        return await resumeCommand(args, controller.signal);
      case 'study':
        return await studyCommand(args, controller.signal);
      case 'sweep':
        return await sweepCommand(args, controller.signal);
      case 'check-teacher':
        return await checkTeacherCommand(args);
      case 'ensemble':
        return await ensembleCommand(args);
      case 'datasets':
        return await datasetsCommand(args, controller.signal);
      case 'runs':
        return await runsCommand(args);
      case 'show':
        return await showCommand(args);
      case 'compare':
        return await compareCommand(args);
      case 'note':
        return await noteCommand(args);
      case 'predict':
        return await predictCommand(args);
      case 'export':
        return await exportCommand(args, controller.signal);
      case 'bench':
        return await benchCommand(args);
      case 'models':
        return await modelsCommand(args);
      case 'serve':
        return await serveCommand(args, controller.signal);
      case '--version':
      case '-v':
        process.stdout.write(`distill ${appVersion()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write((command === undefined ? USAGE : HELP) + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new DistillInputError(`unknown command "${command}" (${Object.keys(COMMAND_USAGE).join(', ')})`);
    }
  } catch (error) {
    if (error instanceof DistillInputError) {
      process.stderr.write(`distill: ${error.message}\n`);
      return 2;
    }
    if (error instanceof RunCancelledError) {
      const kept = error.what === 'export' ? 'nothing of it was written' : 'its folder is marked cancelled';
      process.stderr.write(`distill: ${error.message}${signalled ? ` (${signalled})` : ''}; ${kept}\n`);
      return signalled === 'SIGTERM' ? 143 : 130;
    }
    if (error instanceof StorageError) {
      process.stderr.write(`distill: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`distill: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
