import * as tf from '@tensorflow/tfjs';
import type { ModelReport, Phase, PhaseEvent, RunEvent } from '../../contract/events';
import type { RunConfig } from '../../contract/run-config';
import type { ImageDataset } from '../data/dataset';
import { formatCountOf } from '../../contract/display';
import { MODEL_FAMILY_CATALOGUE } from '../../contract/catalogue';
import { DistillInputError } from '../errors';
import { ensembleConflict } from '../../contract/recipe-rules';
import { ensembleSize } from '../models/ensemble';
import { initFromTeacher, startsFromTeacher } from '../methods/init-from-teacher';
import type { DistillationMethod } from '../methods/method';
import type { TeacherTensors } from '../methods/layer-pairing';
import type { ImportedTeacherSession } from './imported-teacher-source';
import { getMethod } from '../methods/registry';
import { buildModel, findFamily, modelSize } from '../models/registry';
import { confusionMatrix, evaluateModel, measureLatencyMs, type Evaluation } from '../train/evaluate';
import { trainPhase, type PhaseOutcome } from '../train/trainer';
import { loadModelFolder, saveModelFolder, type ModelMetadata } from './model-io';
import type { RunFolder } from './store';
import type { PhaseCheckpoint, RunCheckpoints } from './checkpoints';
import { checkTeacherBeatsChance, outputsProbabilities, probabilitiesAsLogits } from './imported-teacher';
import { evalBatchSize, forwardWithFeatures, teacherSource } from './teacher-source';
import { startFromTeacher } from './selection-steps';
import { obtainEnsemble } from './teacher-ensemble';
import { progressSampler } from './progress-samples';
import { checkOutputOnlyTeacherFits, obtainExternalTeacher, plannedTeacherTensors, teacherIsOutputOnly } from './external-teacher-phase';

export type Emit = (event: RunEvent, persist?: boolean) => Promise<void>;

/** What every phase of a run (or a study) shares. */
export interface PhaseContext {
  config: RunConfig;
  dataset: ImageDataset;
  folder: RunFolder;
  emit: Emit;
  signal: AbortSignal | undefined;
  /** Per-epoch checkpoints of every phase, and the phases already done (a resumed run skips those). */
  checkpoints: RunCheckpoints;
  /** Teacher logits over the training split, computed once and shared by every student. */
  teacherLogits?: tf.Tensor2D;
  /** The methods the run's students train with: what an imported teacher is asked to give besides its outputs. */
  methods?: readonly DistillationMethod[];
  /** An imported teacher's inner tensors that those methods read, or the run's own teacher's vectors, by name, over the training split (channels last). */
  teacherFeatures?: Map<string, tf.Tensor>;
  /** Their names and shapes per image, for the methods to pair layers with. */
  teacherTensors?: TeacherTensors;
  /** An imported teacher kept open to run on every augmented batch (instead of teacherLogits); released when the run ends. */
  importedTeacher?: ImportedTeacherSession;
}

export function metadataFor(dataset: ImageDataset, architecture: string): ModelMetadata {
  const normalization = dataset.train.normalization;
  return {
    architecture,
    inputShape: [...dataset.shape],
    classNames: dataset.classNames,
    output: 'logits',
    preprocessing: normalization
      ? '(pixels / 255 − mean) / std per channel (see normalization), shape [batch, height, width, channels]'
      : 'pixels / 255, shape [batch, height, width, channels]',
    ...(normalization ? { normalization } : {}),
    dataset: dataset.name,
  };
}

export async function reportModel(ctx: PhaseContext, model: tf.LayersModel, name: string, last: Evaluation | null): Promise<ModelReport> {
  const { dataset } = ctx;
  const evaluation = last ?? (await evaluateModel(model, dataset.test, dataset.shape, evalBatchSize(ctx.config)));
  const { params, bytes, macs } = modelSize(model);
  return {
    name,
    accuracy: evaluation.accuracy,
    testLoss: evaluation.loss,
    params,
    bytes,
    macs,
    latencyMs: await measureLatencyMs(model, dataset.shape),
    confusion: confusionMatrix(dataset.test.labels, evaluation.predictions, dataset.classNames.length),
  };
}

/**
 * The distilled student and the student alone are one architecture on one backend, so one cost:
 * a timing runs slower whenever the app or another process holds a core (on two busy cores the
 * same student read 0.05 and 0.41 ms), so the faster of the two timings is the truer for both.
 */
export function sameArchitectureLatency(student: ModelReport, baseline: ModelReport): [ModelReport, ModelReport] {
  if (student.name !== baseline.name || student.params !== baseline.params) return [student, baseline];
  const latencyMs = Math.min(student.latencyMs, baseline.latencyMs);
  return [{ ...student, latencyMs }, { ...baseline, latencyMs }];
}

/**
 * Prepares each method on freshly built models (or the saved teacher) and throws away the
 * result: a pairing that cannot work is an input error before any training starts. Returns the
 * config the run is to keep: an imported teacher's feature pairs chosen where none were named.
 */
export async function checkMethodsFit(config: RunConfig, dataset: Pick<ImageDataset, 'shape' | 'classNames'> & Partial<Pick<ImageDataset, 'train'>>, methods: DistillationMethod[]): Promise<RunConfig> {
  const options = { inputShape: dataset.shape, classes: dataset.classNames.length, seed: config.seed, dropout: 0 };
  const needsTeacher = methods.some((m) => m.needsTeacher);
  checkFamilies(config, methods, needsTeacher && !teacherIsSaved(config));
  const outputOnly = needsTeacher && (await teacherIsOutputOnly(config, dataset.classNames));
  if (outputOnly) checkOutputOnlyTeacherFits(config);
  const student = buildModel(config.student, options);
  let teacher: tf.LayersModel | null = null;
  try {
    const planned = outputOnly ? await plannedTeacherTensors(config, methods, student, dataset.shape) : { config };
    const { tensors: teacherTensors } = planned;
    teacher = !needsTeacher || outputOnly ? null : teacherIsSaved(config) ? (await loadModelFolder(config.teacher)).model : buildModel(config.teacher, options);
    const members = teacher ? ensembleSize(teacher) : 1;
    if (members > 1) checkEnsembleMethods(members, methods, config.teacher);
    // Prepared to see that its layers (and CRD's memory) fit, never trained; without the split at hand its size is checked when the run opens it.
    for (const method of methods) method.prepare({ student, teacher, config: planned.config, trainImages: dataset.train?.count ?? 1, ...(teacherTensors ? { teacherTensors } : {}) }).dispose();
    if (teacher && methods.some((m) => m.needsTeacher) && startsFromTeacher(config, 'student')) checkTeacherSeeds(config, student, teacher);
    return planned.config;
  } finally {
    student.dispose();
    teacher?.dispose();
  }
}

/** `--init-from-teacher` that would copy nothing is refused before the teacher trains, not reported after. */
function checkTeacherSeeds(config: RunConfig, student: tf.LayersModel, teacher: tf.LayersModel): void {
  if (initFromTeacher(student, teacher).copied.length > 0) return;
  const family = findFamily(config.teacher);
  const narrower = family?.id === 'mlp' ? config.teacher.replace(/^mlp-(\d+)x/, (_, width: string) => `mlp-${Math.max(1, Math.floor(Number(width) / 2))}x`) : `${config.teacher.replace(/@.*$/, '')}@0.5`;
  const example = family ? ` (such as ${narrower})` : '';
  throw new DistillInputError(`--init-from-teacher: ${config.teacher} cannot seed ${config.student}: no teacher layer has the shapes of a student layer, so nothing would be copied. Pick a narrower student of the teacher's family${example}, or drop --init-from-teacher`);
}

/** Each method works on the model families the catalogue lists for it (attention transfer: convnets). */
export function checkFamilies(config: RunConfig, methods: DistillationMethod[], teacherByName: boolean): void {
  if (teacherByName) checkEnsembleMethods(config.ensemble, methods);
  for (const method of methods) {
    for (const name of teacherByName && method.needsTeacher ? [config.student, config.teacher] : [config.student]) {
      const family = findFamily(name);
      if (family && !method.families.includes(family.id)) {
        const works = method.families.map((id) => MODEL_FAMILY_CATALOGUE[id].label).join(', ');
        const why = method.requires ? `needs ${method.requires}; ${name} has none` : `does not work on ${name}`;
        throw new DistillInputError(`${method.label.toLowerCase()} ${why} (it works on ${works})`);
      }
    }
  }
}

/** An ensemble teaches through its averaged logits: every method must read only those (a study's methods too). */
function checkEnsembleMethods(members: number, methods: DistillationMethod[], savedTeacher?: string): void {
  for (const method of methods) {
    const conflict = ensembleConflict(members, method.id, savedTeacher);
    if (conflict) throw new DistillInputError(conflict);
  }
}

/** With a validation split: which epoch's weights the model kept, and where early stopping ended it. */
function selectionDetail(outcome: PhaseOutcome, epochs: number): Partial<Pick<PhaseEvent, 'detail' | 'selection'>> {
  if (outcome.bestEpoch === null) return {};
  const selection = { bestEpoch: outcome.bestEpoch, stoppedEarly: outcome.stoppedEarly, epochs };
  return { detail: describeSelection(selection), selection };
}

/** `kept epoch 7's weights, the best on the validation split; stopped early after epoch 10 of 40 (…)`. */
export function describeSelection({ bestEpoch, stoppedEarly, epochs }: NonNullable<PhaseEvent['selection']>): string {
  const stopped = stoppedEarly === null ? '' : `; stopped early after epoch ${stoppedEarly} of ${epochs} (no better validation accuracy for ${formatCountOf(stoppedEarly - bestEpoch, 'epoch')})`;
  return `kept epoch ${bestEpoch}'s weights, the best on the validation split${stopped}`;
}

/** Is the teacher a saved model folder (rather than an architecture name)? */
export const teacherIsSaved = (config: RunConfig) => findFamily(config.teacher) === null;

/** The teacher, loaded from an earlier run or trained here; saved into this run's folder. */
export async function obtainTeacher(ctx: PhaseContext): Promise<{ model: tf.LayersModel | null; report: ModelReport; description?: string }> {
  const { config, dataset, folder, emit } = ctx;
  const classes = dataset.classNames.length;
  if (await teacherIsOutputOnly(config, dataset.classNames)) return obtainExternalTeacher(ctx);
  if (teacherIsSaved(config)) {
    const loaded = await loadModelFolder(config.teacher);
    checkTeacherFits(loaded.model, loaded.metadata, dataset.shape, classes, config.teacher);
    const name = loaded.metadata?.architecture ?? config.teacher;
    // Probabilities (a softmax at the end) become log-probabilities: logits up to a shift per row.
    const probabilities = await outputsProbabilities(loaded.model, dataset);
    const model = probabilities ? probabilitiesAsLogits(loaded.model) : loaded.model;
    const report = await reportModel(ctx, model, name, null);
    if (!loaded.metadata) checkTeacherBeatsChance(report.accuracy, classes, config.teacher, loaded.metadata, dataset);
    const detail = [`test accuracy ${(report.accuracy * 100).toFixed(2)}%`, probabilities ? 'it outputs probabilities (a softmax at the end): their logarithms are used as logits' : ''].filter(Boolean).join('; ');
    await emit({ type: 'phase', phase: 'teacher', status: 'loaded', model: name, detail });
    const metadata = loaded.metadata ?? metadataFor(dataset, name);
    await saveModelFolder(loaded.model, folder.modelDir('teacher'), { ...metadata, output: probabilities ? 'probabilities' : metadata.output });
    return { model, report };
  }
  if (config.ensemble > 1) return obtainEnsemble(ctx);
  return trainTeacher(ctx, { seed: config.seed, key: 'teacher', saveTo: folder.modelDir('teacher') });
}

/** One teacher trained here: seeded by `seed` (its weights by seed + 1, as a run's teacher always was), in its lane, saved to `saveTo`. */
export interface TeacherTraining {
  seed: number;
  /** Its checkpoints' key. */
  key: string;
  /** Its lane, where it is not the run's `teacher` lane (an ensemble's later members: `teacher#2`). */
  label?: string;
  saveTo: string;
}

/** Trains one teacher of the run's architecture (or loads it, trained before the run was resumed) and saves it. */
export async function trainTeacher(ctx: PhaseContext, member: TeacherTraining): Promise<{ model: tf.LayersModel; report: ModelReport }> {
  const { dataset, emit } = ctx;
  const config = { ...ctx.config, seed: member.seed };
  const label = member.label === undefined ? {} : { method: member.label };
  // Trained before this run was resumed: its model is in the run folder already.
  const done = await ctx.checkpoints.done(member.key);
  if (done) {
    const loaded = await loadModelFolder(member.saveTo);
    await emit({ type: 'phase', phase: 'teacher', status: 'loaded', model: config.teacher, detail: 'trained before the run was resumed', ...label });
    return { model: loaded.model, report: done.report };
  }
  const started = performance.now();
  const model = buildModel(config.teacher, { inputShape: dataset.shape, classes: dataset.classNames.length, seed: config.seed + 1, dropout: config.teacherDropout });
  const saved = await restoreCheckpoint(ctx, member.key, model, []);
  await emit({ type: 'phase', phase: 'teacher', status: saved ? 'resumed' : 'start', model: config.teacher, ...label, ...(saved ? { detail: `from the checkpoint after epoch ${saved.epoch} of ${config.teacherEpochs}` } : {}) });
  const outcome = await trainPhase({
    phase: 'teacher',
    method: member.label,
    model,
    train: dataset.train,
    test: dataset.test,
    ...(dataset.validation ? { validation: dataset.validation, patience: config.teacherPatience } : {}),
    shape: dataset.shape,
    epochs: config.teacherEpochs,
    jitter: config.teacherJitter,
    jitterShare: config.jitterShare,
    flip: config.flip,
    recipe: config,
    loss: getMethod('baseline').prepare({ student: model, teacher: null, config }).loss,
    teacher: null,
    signal: ctx.signal,
    onProgress: progressSampler(emit),
    onEpoch: (event) => emit(event),
    resume: saved ?? undefined,
    checkpoint: ({ optimizer, state }) => ctx.checkpoints.save(member.key, { model, optimizer, extraVariables: [], state }),
  });
  disposeCheckpoint(saved);
  await emit({ type: 'phase', phase: 'teacher', status: 'done', model: config.teacher, ...label, ...selectionDetail(outcome, config.teacherEpochs) });
  await saveModelFolder(model, member.saveTo, metadataFor(dataset, config.teacher));
  const report = await reportModel(ctx, model, config.teacher, outcome.evaluation);
  await ctx.checkpoints.markDone(member.key, { report, seconds: (performance.now() - started) / 1000, description: '' });
  return { model, report };
}

/** Puts a phase's last checkpoint into its model and extra variables; null when there is none. */
async function restoreCheckpoint(ctx: PhaseContext, key: string, model: tf.LayersModel, extraVariables: tf.Variable[]): Promise<PhaseCheckpoint | null> {
  const saved = await ctx.checkpoints.load(key);
  if (!saved) return null;
  model.setWeights(saved.modelWeights);
  extraVariables.forEach((variable, i) => variable.assign(saved.extraWeights[i]!));
  tf.dispose([...saved.modelWeights, ...saved.extraWeights]);
  return saved;
}

/** The optimizer copied what it needed from the checkpoint's tensors. */
function disposeCheckpoint(saved: PhaseCheckpoint | null): void {
  if (saved) tf.dispose(saved.optimizerWeights.map((w) => w.tensor));
}

export interface StudentOptions {
  method: DistillationMethod;
  teacher: tf.LayersModel | null;
  phase: Phase;
  /** Names the student in a study; also its folder there. */
  label?: string;
  initFromTeacher: boolean;
  saveTo: string;
  /** The run's config changed for this student alone (a study's other seed, the race's DIST temperature); the run's own by default. */
  config?: RunConfig;
}

/** A student trained (or loaded by a resume): its report, and what its method and start did. */
export interface TrainedStudent {
  report: ModelReport;
  seconds: number;
  /** How it started from the teacher's weights (describeInit), or null for a random start. */
  initDetail: string | null;
  description: string;
  valAccuracy: number | null;
}

/** Builds the student from the run's seed, optionally initialises it from the teacher, trains it with a method. */
export async function trainStudent(ctx: PhaseContext, options: StudentOptions): Promise<TrainedStudent> {
  const { dataset, emit } = ctx;
  const config = options.config ?? ctx.config;
  const started = performance.now();
  const classes = dataset.classNames.length;
  const key = options.label ?? options.phase;
  const label = options.label === undefined ? {} : { method: options.label };
  const done = await ctx.checkpoints.done(key);
  if (done) {
    await emit({ type: 'phase', phase: options.phase, status: 'loaded', model: config.student, detail: `${done.description}; trained before the run was resumed`, ...label });
    return { report: done.report, seconds: done.seconds, initDetail: done.initDetail ?? null, description: done.description, valAccuracy: done.valAccuracy ?? null };
  }
  const student = buildModel(config.student, { inputShape: dataset.shape, classes, seed: config.seed, dropout: config.studentDropout });
  const prepared = options.method.prepare({ student, teacher: options.teacher, config, trainImages: dataset.train.count, ...(ctx.teacherTensors ? { teacherTensors: ctx.teacherTensors } : {}) });
  // A method's state (CRD's memory) is checkpointed with its trainables, after them.
  const checkpointed = [...prepared.extraVariables, ...(prepared.stateVariables ?? [])];
  let saved: PhaseCheckpoint | null = null;
  try {
    saved = await restoreCheckpoint(ctx, key, student, checkpointed);
    // A checkpoint holds the weights the start (and its steps) led to, and says how they started.
    const initDetail = saved ? resumedInitDetail(saved, options.initFromTeacher && options.teacher !== null) : options.initFromTeacher && options.teacher ? await startFromTeacher(ctx, { student, teacher: options.teacher, method: options.method, config, phase: options.phase, ...(options.label === undefined ? {} : { label: options.label }) }) : null;
    const detail = [prepared.description, initDetail ? `init from teacher: ${initDetail}` : ''].filter(Boolean).join('; ');
    const resumed = saved ? `; resumed from the checkpoint after epoch ${saved.epoch} of ${config.epochs}` : '';
    await emit({ type: 'phase', phase: options.phase, status: saved ? 'resumed' : 'start', model: config.student, detail: detail + resumed, ...label });
    const outcome = await trainPhase({
      phase: options.phase,
      method: options.label,
      model: student,
      forward: forwardWithFeatures(student, prepared.studentFeatureLayers),
      extraVariables: prepared.extraVariables,
      train: dataset.train,
      test: dataset.test,
      ...(dataset.validation ? { validation: dataset.validation, patience: config.studentPatience } : {}),
      shape: dataset.shape,
      epochs: config.epochs,
      jitter: config.studentJitter,
      jitterShare: config.jitterShare,
      flip: config.flip,
      recipe: config,
      loss: prepared.loss,
      ...(prepared.afterStep ? { afterStep: prepared.afterStep } : {}),
      teacher: options.method.needsTeacher && (options.teacher || ctx.teacherLogits || ctx.importedTeacher) ? teacherSource(ctx, options.teacher, prepared.teacherFeatureLayers) : null,
      signal: ctx.signal,
      onProgress: progressSampler(emit),
      onEpoch: (event) => emit(event),
      resume: saved ?? undefined,
      checkpoint: ({ optimizer, state }) => ctx.checkpoints.save(key, { model: student, optimizer, extraVariables: checkpointed, state: { ...state, ...(initDetail ? { initDetail } : {}) } }),
    });
    await emit({ type: 'phase', phase: options.phase, status: 'done', model: config.student, ...label, ...selectionDetail(outcome, config.epochs) });
    await saveModelFolder(student, options.saveTo, metadataFor(dataset, config.student));
    const report = await reportModel(ctx, student, config.student, outcome.evaluation);
    const seconds = (performance.now() - started) / 1000;
    // The validation accuracy of the weights kept, for `--try-dist` to compare entrants by.
    const valAccuracy = outcome.history.find((e) => e.epoch === outcome.bestEpoch)?.valAccuracy ?? null;
    await ctx.checkpoints.markDone(key, { report, seconds, description: detail, ...(valAccuracy === null ? {} : { valAccuracy }), ...(initDetail ? { initDetail } : {}) });
    return { report, seconds, initDetail, description: detail, valAccuracy };
  } finally {
    disposeCheckpoint(saved);
    prepared.dispose();
    student.dispose();
  }
}

/**
 * How a resumed student started: what its checkpoint says, or, for a checkpoint written before
 * checkpoints recorded it, that it started from the teacher's weights without the details (the
 * steps are not run again just to describe them).
 */
export function resumedInitDetail(saved: Pick<PhaseCheckpoint, 'initDetail'>, fromTeacher: boolean): string | null {
  if (saved.initDetail !== undefined) return saved.initDetail;
  return fromTeacher ? "the teacher's weights (how they were selected is not recorded: the checkpoint predates start details)" : null;
}

function checkTeacherFits(model: tf.LayersModel, metadata: ModelMetadata | null, shape: readonly number[], classes: number, path: string): void {
  const input = model.inputs[0]?.shape.slice(1) ?? [];
  const output = model.outputs[0]?.shape.at(-1);
  if (input.join('×') !== shape.join('×')) {
    throw new DistillInputError(`teacher ${path} takes ${input.join('×')} inputs but the dataset's images are ${shape.join('×')}`);
  }
  if (output !== classes) throw new DistillInputError(`teacher ${path} predicts ${output} classes but the dataset has ${classes}`);
  if (output === undefined || output === null) throw new DistillInputError(`teacher ${path} has no output size`);
}
