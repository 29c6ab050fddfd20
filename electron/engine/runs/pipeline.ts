import type * as tf from '@tensorflow/tfjs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkOnnxFile, isOnnxPath } from './onnx-teacher';
import type { BackendInfo, ModelReport, Phase, RunEvent, RunResult, Selection, SweepResult } from '../../contract/events';
import type { RunConfig } from '../../contract/run-config';
import type { ImageDataset } from '../data/dataset';
import { loadDataset, resolveDatasetPath } from '../data/load';
import { runSplits } from '../data/validation';
import { DistillInputError, RunCancelledError, throwIfAborted } from '../errors';
import { getMethod } from '../methods/registry';
import { findFamily, KNOWN_MODELS } from '../models/registry';
import { readModelJson } from './model-io';
import { checkTeacherDeclaration } from './teacher-input';
import type { DistillationMethod } from '../methods/method';
import { startsFromTeacher } from '../methods/init-from-teacher';
import { withSweepChoice } from '../../contract/best-cell';
import { describeSweepChoice, sweepKd } from './sweep';
import { raceDist } from './dist-race';
import { recipeConflicts } from '../../contract/recipe-rules';
import { checkFamilies, checkMethodsFit, describeSelection, obtainTeacher, sameArchitectureLatency, teacherIsSaved, trainStudent, type Emit, type PhaseContext } from './phases';
import { describeRestartMeans, restartRole } from './restarts';
import { timeSideBySide } from './side-by-side-latency';
import { RunCheckpoints } from './checkpoints';
import { newRunId, RunFolder, storageError } from './store';

export interface RunOptions {
  config: RunConfig;
  /** The backend the caller activated (`selectBackend`, at the edge: CLI, worker, server). */
  backend: BackendInfo;
  /** The run's folder; default `<runsRoot>/<runId>`. */
  outDir?: string;
  runsRoot?: string;
  /** Chosen by the caller when it must know the id before the run starts (the app). */
  runId?: string;
  signal?: AbortSignal;
  /** Every event, progress included (metrics.jsonl keeps only a few progress lines per epoch). */
  onEvent?: (event: RunEvent) => void;
  /** Go on with this existing run folder from its checkpoints (`resumeRun`), rather than start a new one. */
  resume?: RunFolder;
}

/** Unknown model names, and a saved teacher folder without a readable model, are input errors. */
async function checkModelNames(config: RunConfig, withTeacher: boolean): Promise<void> {
  if (!findFamily(config.student)) throw new DistillInputError(`unknown student model "${config.student}": the models are ${KNOWN_MODELS}`);
  if (!withTeacher || !teacherIsSaved(config)) return;
  if (isOnnxPath(config.teacher)) {
    const info = await stat(config.teacher).catch(() => null);
    if (!info?.isFile()) throw new DistillInputError(`teacher ${config.teacher}: no such ONNX file`);
    checkOnnxFile(config.teacher, await readFile(config.teacher));
  } else {
    // A bare name is a model name unless a folder of that name is here (`--teacher my-teacher`).
    if (!/[\\/]/.test(config.teacher) && !(await stat(config.teacher).catch(() => null))) throw new DistillInputError(`unknown teacher model "${config.teacher}", nor a saved model folder or an .onnx file: the models are ${KNOWN_MODELS}`);
    await readModelJson(config.teacher);
  }
  checkTeacherDeclaration(config);
}

const usesTeacher = (config: RunConfig) => getMethod(config.method).needsTeacher || config.initFromTeacher;

/**
 * The cheap checks, before a backend is chosen: the dataset exists, the models are known, a
 * saved teacher's folder holds a model. The CLI calls it first, so bad input never waits on a
 * backend starting.
 */
export async function checkRunConfig(config: RunConfig, methods = [getMethod(config.method)]): Promise<void> {
  await resolveDatasetPath(config.dataset);
  const withTeacher = usesTeacher(config) || methods.some((m) => m.needsTeacher);
  await checkModelNames(config, withTeacher);
  checkFamilies(config, methods, withTeacher && !teacherIsSaved(config));
  checkRecipe(config);
}

/** Settings that only work together (a sweep or early stopping needs a validation split): the first conflict, refused. */
function checkRecipe(config: RunConfig): void {
  const [conflict] = recipeConflicts(config);
  if (conflict) throw new DistillInputError(conflict);
}

const PHASE_NAMES: Record<Phase, string> = { teacher: 'teacher', student: 'distilled student', baseline: 'student alone' };

/**
 * What each phase kept, from its `done` line in metrics.jsonl (best epoch, early stopping): a
 * resumed run's earlier phases included; a student's from the lane it was kept from (`dist` when
 * `--try-dist` kept DIST, `student#3` for a restart), the phase's own lane otherwise.
 */
async function phaseSelections(ctx: PhaseContext, lanes: { student: string; baseline: string }): Promise<Array<[Phase, Selection]>> {
  const events = await ctx.folder.readMetrics();
  const laneOf = (phase: Phase) => (phase === 'teacher' ? phase : lanes[phase]);
  return events.flatMap((e) => (e.type === 'phase' && e.status === 'done' && (e.method ?? e.phase) === laneOf(e.phase) && e.selection ? [[e.phase, e.selection] as [Phase, Selection]] : []));
}

/**
 * Checks what can be checked before a run starts (model names, a saved teacher's folder),
 * so bad input is an error of the request rather than a failed run.
 */
export async function checkRunInputs(config: RunConfig, dataset: Pick<ImageDataset, 'shape' | 'classNames'>, methods = [getMethod(config.method)]): Promise<void> {
  checkRecipe(config);
  await checkModelNames(config, usesTeacher(config) || methods.some((m) => m.needsTeacher));
  await checkMethodsFit(config, dataset, methods);
}

/**
 * Loads the dataset, picks the backend, opens the run folder and runs `body`; the folder ends
 * completed (with `complete`'s result), failed or cancelled. Shared by runs and studies.
 */
export async function withRunFolder<T>(
  options: RunOptions & { withTeacher: boolean },
  body: (ctx: PhaseContext, backend: RunResult['backend'], started: number) => Promise<T>,
  complete: (folder: RunFolder, value: T) => Promise<void>,
  methods: DistillationMethod[],
): Promise<T> {
  const { signal } = options;
  const started = performance.now();
  const full = await loadDataset(options.config.dataset, { imageSize: options.config.imageSize });
  const dataset = runSplits(full, options.config);
  await checkModelNames(options.config, options.withTeacher);
  const { backend } = options;
  // The config kept in the folder and given to the phases: an imported teacher's feature pairs chosen here where none were named.
  const config = await checkMethodsFit(options.config, dataset, methods);
  const newId = options.runId ?? newRunId();
  const folder = options.resume ?? (await RunFolder.create(resolve(options.outDir ?? join(options.runsRoot ?? 'runs', newId)), newId, config));
  if (options.resume) await options.resume.reopen();
  const runId = folder.id;
  // Stored, then sent: whatever a window has heard of a run (its epochs, phases, cells), its folder
  // holds, so a window that lost events (a dropped socket) reads them back without losing what it
  // had. Step progress goes out at once, in step order; the folder keeps only a sample of it.
  const emit: Emit = async (event, persist = true) => {
    const sendFirst = event.type === 'progress';
    if (sendFirst) options.onEvent?.(event);
    if (persist) await folder.appendMetric(event).catch((error: unknown) => Promise.reject(storageError(error, `${join(folder.dir, 'metrics.jsonl')}`)));
    if (!sendFirst) options.onEvent?.(event);
  };
  const checkpoints = new RunCheckpoints(folder.dir);
  const ctx: PhaseContext = { config, dataset, folder, emit, signal, checkpoints, methods };
  try {
    await emit({ type: 'started', runId, outDir: folder.dir, backend, ...(options.resume ? { resumed: true } : {}) });
    const value = await body(ctx, backend, started);
    await complete(folder, value);
    await checkpoints.remove();
    return value;
  } catch (caught) {
    const error = storageError(caught, `into the run folder ${folder.dir}`);
    const cancelled = error instanceof RunCancelledError || signal?.aborted;
    // The status says what happened when it can be written; when the disk is full it may not be,
    // and the folder then stays `running` with no live process: History shows it as interrupted.
    await folder.setStatus(cancelled ? 'cancelled' : 'failed', error.message).catch(() => {});
    throw cancelled && !(error instanceof RunCancelledError) ? new RunCancelledError() : error;
  } finally {
    ctx.teacherLogits?.dispose();
    for (const feature of ctx.teacherFeatures?.values() ?? []) feature.dispose();
    await ctx.importedTeacher?.teacher.release().catch(() => {});
    await folder.unlock();
  }
}

/** Teacher (trained or loaded) → student with the method → the same student alone; all saved and compared. */
export async function runDistillation(options: RunOptions): Promise<RunResult> {
  const { config } = options;
  const method = getMethod(config.method);
  return withRunFolder(
    { ...options, withTeacher: usesTeacher(config) },
    async (ctx, backend, started) => {
      const reports: Record<Phase, ModelReport | null> = { teacher: null, student: null, baseline: null };
      const validation = ctx.dataset.validation;
      const held = validation && (ctx.dataset.validationSource === 'dataset' ? `the dataset's own validation split, ${validation.count.toLocaleString('en-US')} images,` : `${validation.count.toLocaleString('en-US')} training images held out as the validation split:`);
      const choices: string[] = held ? [`${held} every choice below is made on them, never on the test split`] : [];
      let sweep: SweepResult | undefined;
      let teacher: tf.LayersModel | null = null;
      let studentMethod: 'kd' | 'dist' | undefined;
      /** The lane each kept student trained in (its metrics say which epoch it kept): `dist` when the race kept DIST, `student#3` for a restart. */
      const lanes = { student: 'student', baseline: 'baseline' };
      const restarts: NonNullable<RunResult['restarts']> = {};
      try {
        if (usesTeacher(config)) {
          const obtained = await obtainTeacher(ctx);
          teacher = obtained.model;
          reports.teacher = obtained.report;
          if (obtained.description) choices.push(obtained.description);
          throwIfAborted(ctx.signal);
        }
        if (config.sweep) {
          // KD's T and α chosen on the validation split, then kept in config.json for the card and a resume.
          sweep = await sweepKd(ctx, teacher);
          ctx.config = withSweepChoice(ctx.config, sweep.best);
          await ctx.folder.updateConfig(ctx.config);
          choices.push(describeSweepChoice(sweep));
          throwIfAborted(ctx.signal);
        }
        if (method.needsTeacher) {
          const initFromTeacher = startsFromTeacher(ctx.config, 'student');
          // With --try-dist the student phase is always KD's entrant, also on a resume after DIST won.
          const student = await trainStudent(ctx, { method: config.tryDist ? getMethod('kd') : method, teacher, phase: 'student', initFromTeacher, saveTo: ctx.folder.modelDir('student') });
          reports.student = student.report;
          throwIfAborted(ctx.signal);
          let kept = { trained: student, lane: 'student', method: config.tryDist ? getMethod('kd') : method };
          const race = config.tryDist ? await raceDist(ctx, teacher, student, initFromTeacher) : null;
          if (race?.kept === 'dist') kept = { trained: race.trained, lane: 'dist', method: getMethod('dist') };
          if (race) studentMethod = race.kept;
          // The start of the student kept: each lane takes its selection steps with its own method.
          if (sweep?.best.init && kept.trained.initDetail) choices.push(`distilled student: started from the teacher's weights, as the sweep chose (${kept.trained.initDetail}); the student alone starts at random`);
          if (race) choices.push(race.choice);
          throwIfAborted(ctx.signal);
          reports.student = kept.trained.report;
          lanes.student = kept.lane;
          if (ctx.config.restarts > 1) {
            const restarted = await restartRole(ctx, { role: 'student', lane: kept.lane, first: kept.trained, method: kept.method, teacher, initFromTeacher });
            [reports.student, lanes.student, restarts.student] = [restarted.trained.report, restarted.lane, restarted.restarts];
            choices.push(restarted.choice);
            throwIfAborted(ctx.signal);
          }
        }
        // The same student alone: same seed, same recipe, cross-entropy only, from scratch.
        if (config.trainBaseline || !method.needsTeacher) {
          const alone = { method: getMethod('baseline'), teacher, initFromTeacher: startsFromTeacher(ctx.config, 'baseline') };
          const baseline = await trainStudent(ctx, { ...alone, phase: 'baseline', saveTo: ctx.folder.modelDir('baseline') });
          reports.baseline = baseline.report;
          if (ctx.config.restarts > 1) {
            const restarted = await restartRole(ctx, { ...alone, role: 'baseline', lane: 'baseline', first: baseline });
            [reports.baseline, lanes.baseline, restarts.baseline] = [restarted.trained.report, restarted.lane, restarted.restarts];
            choices.push(restarted.choice);
            if (restarts.student) choices.push(describeRestartMeans(restarts.student, restarts.baseline));
          }
        } else {
          await ctx.emit({ type: 'phase', phase: 'baseline', status: 'skipped', model: config.student });
        }
        Object.assign(reports, await timeSideBySide(ctx, teacher, reports));
      } finally {
        teacher?.dispose();
      }
      const kdGain = reports.student && reports.baseline ? reports.student.accuracy - reports.baseline.accuracy : null;
      if (reports.student && reports.baseline) [reports.student, reports.baseline] = sameArchitectureLatency(reports.student, reports.baseline);
      const resumed = await ctx.folder.resumeCount();
      const selections = await phaseSelections(ctx, lanes);
      const result: RunResult = {
        type: 'result',
        runId: ctx.folder.id,
        status: 'completed',
        ...reports,
        kdGain,
        backend,
        outDir: ctx.folder.dir,
        seconds: (performance.now() - started) / 1000,
        ...(resumed ? { resumed } : {}),
        classNames: ctx.dataset.classNames,
        ...(sweep ? { sweep } : {}),
        ...(choices.length ? { choices: [...choices, ...selections.map(([phase, selection]) => `${phase === 'teacher' && config.ensemble > 1 && !teacherIsSaved(config) ? "the ensemble's first teacher" : PHASE_NAMES[phase]}: ${describeSelection(selection)}`)] } : {}),
        ...(selections.length ? { selection: Object.fromEntries(selections) } : {}),
        ...(studentMethod ? { studentMethod } : {}),
        ...(restarts.student || restarts.baseline ? { restarts } : {}),
      };
      return result;
    },
    (folder, result) => folder.complete(result),
    [method],
  );
}
