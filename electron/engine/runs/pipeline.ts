import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import type { BackendInfo, ModelReport, Phase, RunEvent, RunResult } from '../../contract/events';
import type { RunConfig } from '../../contract/run-config';
import { selectBackend } from '../backend/select';
import { limitSplit, type ImageDataset } from '../data/dataset';
import { loadDataset } from '../data/load';
import { DistillInputError, RunCancelledError, throwIfAborted } from '../errors';
import { getMethod } from '../losses/registry';
import { buildModel, CONVOLUTIONAL_LAYER, findFamily } from '../models/registry';
import { confusionMatrix, evaluateModel, measureLatencyMs, predictLogits, type Evaluation } from '../train/evaluate';
import { trainPhase, type TeacherSource } from '../train/trainer';
import { loadModelFolder, readModelJson, saveModelFolder, type ModelMetadata } from './model-io';
import { newRunId, RunFolder } from './store';

export interface RunOptions {
  config: RunConfig;
  /** The run's folder; default `<runsRoot>/<runId>`. */
  outDir?: string;
  runsRoot?: string;
  /** Chosen by the caller when it must know the id before the run starts (the app). */
  runId?: string;
  signal?: AbortSignal;
  /** Every event, progress included (progress is not written to metrics.jsonl). */
  onEvent?: (event: RunEvent) => void;
}

/** Is the teacher a saved model folder (rather than an architecture name)? */
function teacherIsSaved(config: RunConfig): boolean {
  return findFamily(config.teacher) === null;
}

async function needsConvolutions(config: RunConfig): Promise<boolean> {
  const student = findFamily(config.student);
  if (!student) throw new DistillInputError(`unknown student model "${config.student}"`);
  if (!getMethod(config.method).needsTeacher) return student.convolutional;
  if (!teacherIsSaved(config)) return student.convolutional || findFamily(config.teacher)!.convolutional;
  if (!/[\\/]/.test(config.teacher)) throw new DistillInputError(`unknown teacher model "${config.teacher}" (nor a saved model folder)`);
  const json = await readModelJson(config.teacher);
  return student.convolutional || CONVOLUTIONAL_LAYER.test(JSON.stringify(json.modelTopology));
}

/**
 * Checks what can be checked before a run starts (model names, a saved teacher's folder),
 * so bad input is an error of the request rather than a failed run.
 */
export async function checkRunInputs(config: RunConfig): Promise<void> {
  await needsConvolutions(config);
}

/** Teacher (trained or loaded) → KD student → the same student alone; all saved and compared. */
export async function runDistillation(options: RunOptions): Promise<RunResult> {
  const { config, signal } = options;
  const started = performance.now();
  const fullDataset = await loadDataset(config.dataset);
  const dataset: ImageDataset = {
    ...fullDataset,
    train: limitSplit(fullDataset.train, config.limitTrain, fullDataset.shape),
    test: limitSplit(fullDataset.test, config.limitTest, fullDataset.shape),
  };
  const backend = await selectBackend(config.backend, { convolutional: await needsConvolutions(config) });
  const runId = options.runId ?? newRunId();
  const outDir = resolve(options.outDir ?? join(options.runsRoot ?? 'runs', runId));
  const folder = await RunFolder.create(outDir, runId, config);
  const emit = async (event: RunEvent, persist = true) => {
    options.onEvent?.(event);
    if (persist) await folder.appendMetric(event);
  };
  await emit({ type: 'started', runId, outDir, backend });

  try {
    const result = await runPhases(config, dataset, folder, backend, emit, signal);
    const complete: RunResult = { ...result, seconds: (performance.now() - started) / 1000 };
    await folder.complete(complete);
    return complete;
  } catch (error) {
    const cancelled = error instanceof RunCancelledError || signal?.aborted;
    await folder.setStatus(cancelled ? 'cancelled' : 'failed', (error as Error).message);
    throw cancelled && !(error instanceof RunCancelledError) ? new RunCancelledError() : error;
  }
}

type Emit = (event: RunEvent, persist?: boolean) => Promise<void>;

async function runPhases(
  config: RunConfig,
  dataset: ImageDataset,
  folder: RunFolder,
  backend: BackendInfo,
  emit: Emit,
  signal: AbortSignal | undefined,
): Promise<Omit<RunResult, 'seconds'>> {
  const { shape, classNames } = dataset;
  const classes = classNames.length;
  const metadataFor = (architecture: string): ModelMetadata => ({
    architecture,
    inputShape: [...shape],
    classNames,
    output: 'logits',
    preprocessing: 'pixels / 255, shape [batch, height, width, channels]',
    dataset: dataset.name,
  });
  const method = getMethod(config.method);
  const evalBatch = Math.max(config.batchSize, 256);
  const reports: Record<Phase, ModelReport | null> = { teacher: null, student: null, baseline: null };
  const recipe = config;

  const train = async (phase: Phase, model: tf.LayersModel, epochs: number, jitter: number, loss: Parameters<typeof trainPhase>[0]['loss'], teacher: TeacherSource | null) =>
    trainPhase({
      phase,
      model,
      train: dataset.train,
      test: dataset.test,
      shape,
      epochs,
      jitter,
      recipe,
      loss,
      teacher,
      signal,
      onProgress: (event) => void emit(event, false),
      onEpoch: (event) => emit(event),
    });

  const report = async (model: tf.LayersModel, name: string, last: Evaluation | null): Promise<ModelReport> => {
    const evaluation = last ?? (await evaluateModel(model, dataset.test, shape, evalBatch));
    const params = model.countParams();
    return {
      name,
      accuracy: evaluation.accuracy,
      testLoss: evaluation.loss,
      params,
      bytes: params * 4,
      latencyMs: await measureLatencyMs(model, shape),
      confusion: confusionMatrix(dataset.test.labels, evaluation.predictions, classes),
    };
  };

  const crossEntropy = getMethod('baseline');
  const models: tf.LayersModel[] = [];
  let teacherLogits: tf.Tensor2D | null = null;
  try {
    // Teacher: loaded from an earlier run, or trained here.
    let teacher: tf.LayersModel | null = null;
    if (method.needsTeacher) {
      if (teacherIsSaved(config)) {
        const loaded = await loadModelFolder(config.teacher);
        teacher = loaded.model;
        checkTeacherFits(teacher, loaded.metadata, shape, classes, config.teacher);
        const name = loaded.metadata?.architecture ?? config.teacher;
        await emit({ type: 'phase', phase: 'teacher', status: 'loaded', model: name });
        reports.teacher = await report(teacher, name, null);
        await saveModelFolder(teacher, folder.modelDir('teacher'), loaded.metadata ?? metadataFor(name));
      } else {
        teacher = buildModel(config.teacher, { inputShape: shape, classes, seed: config.seed + 1, dropout: config.teacherDropout });
        models.push(teacher);
        await emit({ type: 'phase', phase: 'teacher', status: 'start', model: config.teacher });
        const outcome = await train('teacher', teacher, config.teacherEpochs, config.teacherJitter, (inputs) => crossEntropy.loss(inputs, config), null);
        await emit({ type: 'phase', phase: 'teacher', status: 'done', model: config.teacher });
        reports.teacher = await report(teacher, config.teacher, outcome.evaluation);
        await saveModelFolder(teacher, folder.modelDir('teacher'), metadataFor(config.teacher));
      }
      models.push(teacher);
      throwIfAborted(signal);

      // Without augmentation the teacher's outputs never change: compute them once.
      const teacherModel = teacher;
      let source: TeacherSource;
      if (config.studentJitter === 0) {
        const all = predictLogits(teacherModel, dataset.train, shape, evalBatch);
        teacherLogits = all;
        source = { logitsFor: (_x, indices) => tf.tidy(() => tf.gather(all, tf.tensor1d(indices, 'int32'))) };
      } else {
        source = { logitsFor: (x) => teacherModel.predict(x) as tf.Tensor2D };
      }

      const student = buildModel(config.student, { inputShape: shape, classes, seed: config.seed, dropout: config.studentDropout });
      models.push(student);
      await emit({ type: 'phase', phase: 'student', status: 'start', model: config.student });
      const outcome = await train('student', student, config.epochs, config.studentJitter, (inputs) => method.loss(inputs, config), source);
      await emit({ type: 'phase', phase: 'student', status: 'done', model: config.student });
      reports.student = await report(student, config.student, outcome.evaluation);
      await saveModelFolder(student, folder.modelDir('student'), metadataFor(config.student));
      throwIfAborted(signal);
    }

    // The same student alone: same seed, same recipe, cross-entropy only.
    if (config.trainBaseline || !method.needsTeacher) {
      const baseline = buildModel(config.student, { inputShape: shape, classes, seed: config.seed, dropout: config.studentDropout });
      models.push(baseline);
      await emit({ type: 'phase', phase: 'baseline', status: 'start', model: config.student });
      const outcome = await train('baseline', baseline, config.epochs, config.studentJitter, (inputs) => crossEntropy.loss(inputs, config), null);
      await emit({ type: 'phase', phase: 'baseline', status: 'done', model: config.student });
      reports.baseline = await report(baseline, config.student, outcome.evaluation);
      await saveModelFolder(baseline, folder.modelDir('baseline'), metadataFor(config.student));
    } else {
      await emit({ type: 'phase', phase: 'baseline', status: 'skipped', model: config.student });
    }
  } finally {
    teacherLogits?.dispose();
    for (const model of new Set(models)) model.dispose();
  }

  const kdGain = reports.student && reports.baseline ? reports.student.accuracy - reports.baseline.accuracy : null;
  return { type: 'result', runId: folder.id, status: 'completed', ...reports, kdGain, backend, outDir: folder.dir };
}

function checkTeacherFits(model: tf.LayersModel, metadata: ModelMetadata | null, shape: readonly number[], classes: number, path: string): void {
  const input = model.inputs[0]?.shape.slice(1) ?? [];
  const output = model.outputs[0]?.shape.at(-1);
  if (input.join('×') !== shape.join('×')) {
    throw new DistillInputError(`teacher ${path} takes ${input.join('×')} inputs but the dataset's images are ${shape.join('×')}`);
  }
  if (output !== classes) throw new DistillInputError(`teacher ${path} predicts ${output} classes but the dataset has ${classes}`);
  if (metadata && metadata.output !== 'logits') throw new DistillInputError(`teacher ${path} does not output logits`);
}
