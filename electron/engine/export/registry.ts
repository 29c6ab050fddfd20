import type * as tf from '@tensorflow/tfjs';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { EXPORT_FORMAT_CATALOGUE, type ExportFormatId } from '../../contract/catalogue';
import type { ExportProgress } from '../../contract/api';
import type { RunConfig } from '../../contract/run-config';
import { limitSplit, type ImageDataset } from '../data/dataset';
import { loadDataset } from '../data/load';
import { DistillInputError, throwIfAborted } from '../errors';
import { loadModelFolder, ModelMetadataSchema, readModelJson } from '../runs/model-io';
import { readRun } from '../runs/store';
import { savedTeacherPath } from '../runs/teacher-info';
import { evaluateModel, type BatchWatch } from '../train/evaluate';
import type { Exporter } from './exporter';
import { calibrationImages } from './calibration';
import { writeModelCard, type CardKept, type CardReport, type ModelCard } from './model-card';
import { runModel } from './run-model';
import { onnxExporter, onnxInt8Exporter } from './onnx';
import { onnxPredictions } from './onnx/run';
import { tfjsExporter } from './tfjs';
import { tfliteExporter, tfliteInt8Exporter } from './tflite';
import { tflitePredictions } from './tflite/run';
import { tfjsQuantizedExporter } from './tfjs-quantized';

/** One writer per catalogue format: a format missing here fails the type-check. */
const exporters = (version: string): Record<ExportFormatId, Exporter> => ({
  tfjs: tfjsExporter,
  'tfjs-f16': tfjsQuantizedExporter('float16'),
  'tfjs-u8': tfjsQuantizedExporter('uint8'),
  onnx: onnxExporter(version),
  'onnx-raw': onnxExporter(version, true),
  'onnx-int8': onnxInt8Exporter(version),
  tflite: tfliteExporter(version),
  'tflite-f16': tfliteExporter(version, 'float16'),
  'tflite-dynamic': tfliteExporter(version, 'int8'),
  'tflite-int8': tfliteInt8Exporter(version),
  'tflite-uint8': tfliteInt8Exporter(version, { integerEnds: true }),
});

export interface ExportOptions {
  modelDir: string;
  format: ExportFormatId;
  /** The folder to create; it must not exist yet. */
  destination: string;
  role: ModelCard['role'];
  /** The run the model comes from, for the model card and the accuracy check; null for a bare model folder. */
  run: { config: RunConfig; reports: Record<ModelCard['role'], CardReport | null>; kept?: CardKept | undefined } | null;
  version: string;
  /** Measure the export's accuracy on the run's test split (needs an active backend). */
  measure: boolean;
  /** Each stage as it starts, and the check's images as they go. */
  onProgress?: (progress: ExportProgress) => void;
  /** Stops the export between stages and batches; what it wrote is removed. */
  signal?: AbortSignal;
  /** Images (pixels / 255) to calibrate full-integer quantization on, instead of the run's training images (a bare model folder's). */
  calibrationImages?: tf.Tensor4D;
}

/**
 * Exports a saved model in a format, with labels.txt and a model card. The destination must not
 * exist (nothing saved before is overwritten) and its folder must; an unreadable model is an
 * input error naming the folder, and a failed export leaves nothing behind.
 */
export async function exportModel(options: ExportOptions): Promise<{ files: string[]; format: string; card: ModelCard }> {
  const json = await readModelJson(options.modelDir);
  const metadata = ModelMetadataSchema.safeParse(json.userDefinedMetadata);
  if (!metadata.success) throw new DistillInputError(`${options.modelDir}: model.json has no Distill Studio metadata (input shape, classes, preprocessing) to export with`);
  if (await stat(options.destination).catch(() => null)) throw new DistillInputError(`${options.destination} already exists: export to a new name`);
  const parent = await stat(dirname(options.destination)).catch(() => null);
  if (!parent?.isDirectory()) throw new DistillInputError(`${dirname(options.destination)}: no such folder to export into`);
  const report = options.onProgress ?? (() => {});
  try {
    report({ stage: 'writing', done: 0, total: 1 });
    // The model's dataset, loaded once for the calibration and the accuracy check (a bare folder's may not be at hand).
    let loaded: Promise<ImageDataset> | null = null;
    const dataset = () => (loaded ??= loadDataset(options.run?.config.dataset ?? metadata.data.dataset, { imageSize: options.run?.config.imageSize ?? metadata.data.inputShape[0] }));
    const calibration = async () => {
      if (options.calibrationImages) return options.calibrationImages.clone();
      const data = await dataset().catch(() => null);
      return data && calibrationImages(data);
    };
    const files = await exporters(options.version)[options.format].write({ modelDir: options.modelDir, destination: options.destination, calibrationImages: calibration });
    throwIfAborted(options.signal, 'export');
    report({ stage: 'writing', done: 1, total: 1 });
    const watch = (total: number): BatchWatch => {
      report({ stage: 'checking', done: 0, total });
      return { signal: options.signal, onImages: (done) => report({ stage: 'checking', done, total }) };
    };
    const exportedAccuracy = options.measure && options.run ? await measureAccuracy(options.destination, await dataset(), options.run.config, options.format, watch) : null;
    throwIfAborted(options.signal, 'export');
    const written = await writeModelCard(options.destination, {
      version: options.version,
      format: options.format,
      role: options.role,
      metadata: metadata.data,
      config: options.run?.config ?? null,
      reports: options.run?.reports ?? { teacher: null, student: null, baseline: null },
      ...(options.run?.kept ? { kept: options.run.kept } : {}),
      exportedAccuracy,
    });
    return { files: [...files, ...written.files], format: EXPORT_FORMAT_CATALOGUE[options.format].label, card: written.card };
  } catch (error) {
    await rm(options.destination, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The exported files loaded back as their users would (TensorFlow.js, onnxruntime-node for
 * ONNX, LiteRT.js for TFLite) and evaluated on the run's test split.
 */
async function measureAccuracy(dir: string, data: ImageDataset, config: RunConfig, format: ExportFormatId, watch: (images: number) => BatchWatch): Promise<{ accuracy: number; images: number }> {
  const test = limitSplit(data.test, config.limitTest, data.shape);
  const { runtime, inside } = EXPORT_FORMAT_CATALOGUE[format];
  if (runtime !== 'tfjs') {
    const predictions =
      runtime === 'onnxruntime'
        ? await onnxPredictions(dir, test, data.shape, { rawPixels: inside === 'scaling and normalization', watch: watch(test.count) })
        : await tflitePredictions(dir, test, data.shape, { rawPixels: inside === 'scaling and normalization', watch: watch(test.count) });
    const correct = predictions.reduce((n, p, i) => n + (p === test.labels[i] ? 1 : 0), 0);
    return { accuracy: correct / test.count, images: test.count };
  }
  const { model } = await loadModelFolder(dir);
  try {
    const evaluation = await evaluateModel(model, test, data.shape, 256, watch(test.count));
    return { accuracy: evaluation.accuracy, images: test.count };
  } finally {
    model.dispose();
  }
}

/**
 * A teacher brought as an ONNX file or a GraphModel was run, not rebuilt, so there is nothing to
 * convert: the run keeps the file as it was given, and the message says where.
 */
async function refuseImportedTeacher(runId: string, dir: string): Promise<void> {
  const kept = await savedTeacherPath(dir);
  if (kept !== dir) throw new DistillInputError(`run ${runId}'s teacher is the ONNX file it was given, kept as ${kept}: it runs as it is and is not converted (use that file)`);
  const json = await readModelJson(dir);
  if (json.kind === 'graph-model') throw new DistillInputError(`run ${runId}'s teacher is the TensorFlow.js GraphModel it was given, kept in ${dir}: it runs as it is and is not converted (use that folder)`);
}

/** One model of a run folder (`teacher`, `student`, `baseline`; a study's by `method`), with the run's facts on its card. */
export async function exportRunModel(options: Omit<ExportOptions, 'modelDir' | 'run'> & { runDir: string; method?: string }): Promise<{ files: string[]; format: string; card: ModelCard }> {
  const { runDir, method, ...rest } = options;
  const run = await readRun(runDir, basename(runDir));
  if (!run) throw new DistillInputError(`${runDir}: not a run folder (no readable config.json and status.json)`);
  if (run.status.status !== 'completed') throw new DistillInputError(`run ${run.id} is ${run.status.status}: export a completed run`);
  const model = runModel(run, options.role, method);
  if (!(await stat(model.dir).catch(() => null))) throw new DistillInputError(`run ${run.id} has no ${method ? `${method} student` : options.role} model to export`);
  if (model.role === 'teacher') await refuseImportedTeacher(run.id, model.dir);
  return exportModel({ ...rest, role: model.role, modelDir: model.dir, run: { config: model.config, reports: model.reports, kept: model.kept } });
}
