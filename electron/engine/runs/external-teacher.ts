import * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import type { DatasetSplit } from '../data/dataset';
import { formatTensor } from '../../contract/display';
import { DistillInputError } from '../errors';
import { fastestTimingMs } from '../train/evaluate';
import { mapTeacherClasses, selectColumns, type ClassMapping } from './class-mapping';
import { openGraphTeacher, openLayersTeacher } from './graph-teacher';
import { rowsAreProbabilities } from './imported-teacher';
import { keptAsPlanned } from './teacher-attention';
import { readModelJson } from './model-io';
import { isOnnxPath, openOnnxTeacher } from './onnx-teacher';
import type { TeacherFeaturePlan } from './teacher-feature-plan';
import { checkTeacherInput, teacherInputBatch, type ImageShape, type TeacherInputDeclaration } from './teacher-input';
import type { TeacherTensorName } from './graph-ops';

/**
 * A teacher brought from elsewhere that this app runs forward only (ONNX, a TensorFlow.js
 * GraphModel, or a LayersModel fed other than as this app feeds its own): its outputs are
 * computed once per split, in the dataset's class order, and every student learns from them.
 */
export interface ExternalTeacher {
  name: string;
  format: 'ONNX' | 'TensorFlow.js GraphModel' | 'TensorFlow.js LayersModel';
  /** What runs it, in words: `onnxruntime-node (cpu), NCHW input`. */
  runtime: string;
  params: number;
  bytes: number;
  /** Height, width, channels it takes; null where the model leaves a size open. */
  inputDims: Array<number | null>;
  /** How many outputs it gives, when its output shape says. */
  outputs: number | null;
  /** Its class names (model metadata or a labels.txt beside it), when it carries them. */
  classNames: string[] | null;
  /** One NHWC float32 batch, prepared as declared → row-major raw outputs. */
  run(x: tf.Tensor4D): Promise<Float32Array>;
  /**
   * What the feature methods may name of it: the tensors its nodes or layers make, with the
   * operator of each, in graph order; and the one its classifier reads (the embedding RKD, SP and PKT read).
   */
  tensors: { list: TeacherTensorName[]; embedding: string | null };
  /** The same as run, with the named inner tensors, each per image and channels last: [units] or [height, width, channels]. */
  runWithFeatures(x: tf.Tensor4D, names: readonly string[]): Promise<{ outputs: Float32Array; features: TeacherFeatureBatch[] }>;
  release(): Promise<void>;
}

/** A teacher's tensors for a message: the first `limit`, with their operators. */
export function describeTensors(list: readonly TeacherTensorName[], limit = 12): string {
  const shown = list.slice(0, limit).map(({ name, op }) => `${name} (${op})`);
  return list.length > limit ? `${shown.join(', ')}, … (${list.length} in all)` : shown.join(', ');
}

/** One inner tensor of a teacher for a batch: row-major values, and its shape per image. */
export interface TeacherFeatureBatch {
  name: string;
  data: Float32Array;
  /** Per image, channels last: [units] or [height, width, channels]. */
  shape: number[];
  /** A map kept as its attention (keptForAttention), shape [h, w, 1]: the channels it had. */
  channels?: number;
}

export type TeacherFormat = 'onnx' | 'graph-model' | 'layers-model';

/** What a teacher path holds: an .onnx file, or a TensorFlow.js folder (GraphModel or LayersModel). */
export async function teacherFormat(path: string): Promise<TeacherFormat> {
  if (isOnnxPath(path)) return 'onnx';
  if (!(await stat(path).catch(() => null))?.isDirectory()) throw new DistillInputError(`${path}: no such teacher folder or .onnx file`);
  return (await readModelJson(path)).kind;
}

export async function openExternalTeacher(path: string): Promise<ExternalTeacher> {
  const format = await teacherFormat(path);
  if (format === 'onnx') return openOnnxTeacher(path);
  return format === 'graph-model' ? openGraphTeacher(path) : openLayersTeacher(path);
}

/** The image shape the teacher is fed: its own where fixed, the dataset's where it leaves one open. */
export function teacherTarget(teacher: Pick<ExternalTeacher, 'inputDims'>, shape: ImageShape): ImageShape {
  return [teacher.inputDims[0] ?? shape[0], teacher.inputDims[1] ?? shape[1], teacher.inputDims[2] ?? shape[2]];
}

/** How a teacher is run on a dataset: the shape it is fed and which output is which class, checked. */
export interface TeacherFit {
  target: ImageShape;
  mapping: ClassMapping;
}

export async function fitExternalTeacher(teacher: ExternalTeacher, sample: DatasetSplit, shape: ImageShape, classNames: readonly string[], declared: TeacherInputDeclaration): Promise<TeacherFit> {
  const target = teacherTarget(teacher, shape);
  checkTeacherInput(declared, shape, target);
  let outputs = teacher.outputs;
  if (outputs === null) {
    // An open output shape: one image through it says how many.
    const x = teacherInputBatch(sample, shape, Int32Array.of(0), 0, 1, declared, target);
    try {
      outputs = (await teacher.run(x)).length;
    } finally {
      x.dispose();
    }
  }
  return { target, mapping: mapTeacherClasses(teacher.classNames, outputs, classNames, teacher.name) };
}

/** Most values an imported teacher's inner tensors may take over a split, kept for every student: 1 GiB of float32. */
const MAX_FEATURE_VALUES = 2 ** 28;

/**
 * The teacher's outputs for the first `count` images of a split, in the dataset's class order; a
 * softmax at the end (rows of probabilities) is undone with log(p), which softmax(·/T) turns back
 * into p softened at T. With `features`, those inner tensors too; a map only attention transfer
 * reads is kept as its attention (keptForAttention).
 */
export async function externalTeacherLogits(
  teacher: ExternalTeacher,
  split: DatasetSplit,
  shape: ImageShape,
  declared: TeacherInputDeclaration,
  fit: TeacherFit,
  count = split.count,
  wanted: Pick<TeacherFeaturePlan, 'names' | 'attentionOnly'> = { names: [], attentionOnly: [] },
): Promise<{ logits: Float32Array; probabilities: boolean; features: TeacherFeatureBatch[] }> {
  const featureNames = wanted.names;
  const classes = fit.mapping.columns.length;
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const all = new Float32Array(count * classes);
  let probabilities = false;
  let features: TeacherFeatureBatch[] = [];
  for (let start = 0; start < count; start += 256) {
    const end = Math.min(count, start + 256);
    const x = teacherInputBatch(split, shape, order, start, end, declared, fit.target);
    let raw: Float32Array;
    try {
      if (featureNames.length > 0) {
        const result = await teacher.runWithFeatures(x, featureNames);
        raw = result.outputs;
        const kept = result.features.map((batch) => keptAsPlanned(batch, wanted));
        if (start === 0) features = allocateFeatures(kept, count, teacher.name);
        kept.forEach((batch, i) => features[i]!.data.set(batch.data, start * batch.data.length / (end - start)));
      } else raw = await teacher.run(x);
    } finally {
      x.dispose();
    }
    const width = raw.length / (end - start);
    if (!Number.isInteger(width) || Math.max(...fit.mapping.columns) >= width) throw new DistillInputError(`${teacher.name}: it gives ${width} outputs per image, not the ${fit.mapping.columns.length} classes expected`);
    // Judged on the teacher's own first rows: a subset of its columns no longer sums to 1.
    if (start === 0) probabilities = rowsAreProbabilities(raw, width);
    all.set(selectColumns(raw, width, fit.mapping), start * classes);
  }
  return { logits: asLogits(all, probabilities), probabilities, features };
}

/** Rows of probabilities (a softmax at the end) as log-probabilities, which softmax(·/T) turns back into them softened at T. */
export const asLogits = (rows: Float32Array, probabilities: boolean): Float32Array => (probabilities ? rows.map((v) => Math.log(Math.max(v, 1e-7))) : rows);

/**
 * Why inner tensors cannot be kept over `count` training images for every student (more than
 * 1 GiB of float32), in words; null when they can.
 */
export function tooLargeToKeep(tensors: ReadonlyArray<{ name: string; shape: number[] }>, count: number): string | null {
  const perImage = tensors.reduce((n, f) => n + f.shape.reduce((a, b) => a * b, 1), 0);
  if (perImage * count <= MAX_FEATURE_VALUES) return null;
  const sizes = tensors.map(formatTensor).join(', ');
  return `its tensors ${sizes} over ${count.toLocaleString('en-US')} training images would take ${((perImage * count * 4) / 2 ** 30).toFixed(1)} GB`;
}

/** Room for each inner tensor over `count` images (the caller has found that they fit: tooLargeToKeep). */
function allocateFeatures(first: TeacherFeatureBatch[], count: number, teacher: string): TeacherFeatureBatch[] {
  const tooLarge = tooLargeToKeep(first, count);
  if (tooLarge) throw new Error(`${teacher}: ${tooLarge}, more than can be kept (the run should have run it on every batch)`);
  return first.map((f) => ({ ...f, data: new Float32Array(count * f.shape.reduce((a, b) => a * b, 1)) }));
}

/**
 * Milliseconds per image for the teacher run one image at a time by its own runtime, as the
 * students are timed (measureLatencyMs): a per-image share of a 256-image batch would flatter it.
 */
export async function externalTeacherLatencyMs(teacher: ExternalTeacher, sample: DatasetSplit, shape: ImageShape, declared: TeacherInputDeclaration, fit: TeacherFit): Promise<number> {
  const x = teacherInputBatch(sample, shape, Int32Array.of(0), 0, 1, declared, fit.target);
  try {
    return await fastestTimingMs(async () => {
      await teacher.run(x);
    });
  } finally {
    x.dispose();
  }
}
