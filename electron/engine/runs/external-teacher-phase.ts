import * as tf from '@tensorflow/tfjs';
import { copyFile, cp, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ModelReport } from '../../contract/events';
import type { RunConfig } from '../../contract/run-config';
import { DistillInputError } from '../errors';
import type { DistillationMethod } from '../methods/method';
import { findFamily } from '../models/registry';
import { confusionMatrix, type Evaluation } from '../train/evaluate';
import { isIdentityMapping, mapTeacherClasses, type ClassMapping } from './class-mapping';
import { externalTeacherLatencyMs, externalTeacherLogits, fitExternalTeacher, openExternalTeacher, teacherFormat, tooLargeToKeep, type ExternalTeacher } from './external-teacher';
import { folderClassNames } from './graph-teacher';
import { checkTeacherBeatsChance } from './imported-teacher';
import { readModelJson } from './model-io';
import type { TeacherTensors } from '../methods/layer-pairing';
import { plannedTensorShapes, teacherFeaturePlan, tensorsOf, withChosenFeaturePairs, type TeacherFeaturePlan } from './teacher-feature-plan';
import { isOnnxPath } from './onnx-teacher';
import { augmentsStudent } from './imported-teacher-source';
import { storedFeatureShapes } from './teacher-attention';
import type { PhaseContext } from './phases';
import { declaresTeacherInput, describeTeacherInput, type ImageShape } from './teacher-input';

/**
 * Does this run's teacher run forward only, its outputs computed once? ONNX and GraphModel
 * teachers always; a LayersModel when it is fed other than as this app feeds its own (a declared
 * range, normalisation or resize) or its classes need reordering. Otherwise a LayersModel runs
 * inside training, where feature methods can read its layers.
 */
export async function teacherIsOutputOnly(config: RunConfig, classNames: readonly string[]): Promise<boolean> {
  if (findFamily(config.teacher) !== null) return false;
  if ((await teacherFormat(config.teacher)) !== 'layers-model') return true;
  if (declaresTeacherInput(config)) return true;
  const json = await readModelJson(config.teacher);
  const names = await folderClassNames(config.teacher, json.userDefinedMetadata);
  if (!names) return false;
  try {
    return !isIdentityMapping(mapTeacherClasses(names, names.length, classNames, config.teacher), names.length);
  } catch {
    return true; // the output-only path reports the mismatch
  }
}

/**
 * An output-only teacher gives its outputs (and the inner tensors its feature methods name,
 * teacherFeaturePlan): copying its weights is refused with one message.
 */
export function checkOutputOnlyTeacherFits(config: RunConfig): void {
  const why = isOnnxPath(config.teacher) ? 'an ONNX teacher runs as it is in onnxruntime, its weights not read' : 'this teacher runs forward only (it is a GraphModel, or fed as declared, or its classes are reordered)';
  if (config.initFromTeacher) throw new DistillInputError(`--init-from-teacher copies the teacher's weights; ${why} (drop --init-from-teacher)`);
}

/** "class ← teacher output" lines for the run's log: the mapping a person should see. */
export function describeMapping(mapping: ClassMapping, classNames: readonly string[]): string {
  if (!mapping.byName) return `classes by position (output i is ${classNames.slice(0, 3).join(', ')}${classNames.length > 3 ? ', …' : ''}; the teacher names none)`;
  const moved = mapping.columns.filter((column, c) => column !== c).length;
  return `classes matched by name${moved ? ` (${moved} of ${classNames.length} outputs reordered or picked from ${mapping.teacherNames?.length ?? 0})` : ', in the same order'}`;
}

/**
 * An ONNX teacher into the run's `teacher/` folder under its own name, with the labels.txt that
 * named its classes: the folder then serves as the teacher of a later run (`run:<id>`).
 */
async function copyOnnxTeacher(file: string, dir: string): Promise<void> {
  await copyFile(file, join(dir, basename(file)));
  const labels = join(dirname(file), 'labels.txt');
  if (await stat(labels).catch(() => null)) await copyFile(labels, join(dir, 'labels.txt'));
}

/** What the run's methods read of a teacher run outside training: the tensors by name (none where no method reads them). */
const featurePlanOf = (config: RunConfig, methods: readonly DistillationMethod[] | undefined, teacher: ExternalTeacher): TeacherFeaturePlan =>
  methods?.some((m) => m.teacherLayers !== 'none') ? teacherFeaturePlan(config, methods, teacher) : { names: [], embedding: null, attentionOnly: [] };

/**
 * Before a run: the inner tensors an imported teacher will give its methods, with their shapes
 * (from one blank image), and the config with the pairs chosen where none were named
 * (withChosenFeaturePairs); no tensors when no method reads them.
 */
export async function plannedTeacherTensors(config: RunConfig, methods: readonly DistillationMethod[], student: tf.LayersModel, shape: ImageShape): Promise<{ config: RunConfig; tensors?: TeacherTensors }> {
  if (!methods.some((m) => m.teacherLayers !== 'none')) return { config };
  const teacher = await openExternalTeacher(config.teacher);
  try {
    const paired = await withChosenFeaturePairs(config, methods, teacher, student, shape);
    return { config: paired, tensors: await plannedTensorShapes(teacher, featurePlanOf(paired, methods, teacher), shape) };
  } finally {
    await teacher.release();
  }
}

/**
 * Why an imported teacher runs on every batch the students see rather than once over the
 * training split: their images are shifted or flipped, or the inner tensors its methods read
 * would not fit in memory kept over every image. Null when it runs once.
 */
function whyEveryBatch(config: RunConfig, plan: TeacherFeaturePlan, planned: TeacherTensors | null, images: number): string | null {
  if (augmentsStudent(config)) return 'as they are shifted or flipped';
  const tooLarge = planned && tooLargeToKeep(storedFeatureShapes(planned.layers, plan), images);
  return tooLarge ? `as ${tooLarge} to keep` : null;
}

/**
 * An output-only teacher: run once over the test split (its report, and the check against
 * chance) and the training split (its logits, kept for every student); or, when the students'
 * images are shifted or flipped or its tensors are too large to keep (whyEveryBatch), kept open
 * to run on each of their batches (ctx.importedTeacher, released with the run). A softmax at the
 * end is found and undone. The file or folder is copied into the run folder.
 */
export async function obtainExternalTeacher(ctx: PhaseContext): Promise<{ model: null; report: ModelReport }> {
  const { config, dataset, folder, emit } = ctx;
  const classes = dataset.classNames.length;
  const teacher = await openExternalTeacher(config.teacher);
  try {
    const plan = featurePlanOf(config, ctx.methods, teacher);
    const planned = plan.names.length > 0 ? await plannedTensorShapes(teacher, plan, dataset.shape) : null;
    const perBatch = whyEveryBatch(config, plan, planned, dataset.train.count);
    const fit = await fitExternalTeacher(teacher, dataset.test, dataset.shape, dataset.classNames, config);
    const fed = describeTeacherInput(config, dataset.test, dataset.shape, fit.target);
    const test = await externalTeacherLogits(teacher, dataset.test, dataset.shape, config, fit);
    const evaluation = evaluationOfLogits(test.logits, dataset.test.labels, classes);
    checkTeacherBeatsChance(evaluation.accuracy, classes, config.teacher, null, dataset, `${fed}; ${describeMapping(fit.mapping, dataset.classNames)}`);
    const latencyMs = await externalTeacherLatencyMs(teacher, dataset.test, dataset.shape, config, fit);
    if (perBatch) {
      ctx.importedTeacher = { teacher, fit, plan, probabilities: test.probabilities };
      if (planned) ctx.teacherTensors = planned;
    } else {
      const train = await externalTeacherLogits(teacher, dataset.train, dataset.shape, config, fit, dataset.train.count, plan);
      ctx.teacherLogits = tf.tensor2d(train.logits, [dataset.train.count, classes]);
      if (train.features.length > 0) {
        ctx.teacherFeatures = new Map(train.features.map(({ name, data, shape }) => [name, tf.tensor(data, [dataset.train.count, ...shape])]));
        ctx.teacherTensors = tensorsOf(train.features, plan, teacher.name);
      }
    }
    const report: ModelReport = {
      name: teacher.name,
      accuracy: evaluation.accuracy,
      testLoss: evaluation.loss,
      params: teacher.params,
      bytes: teacher.bytes,
      latencyMs,
      confusion: confusionMatrix(dataset.test.labels, evaluation.predictions, classes),
      ...(teacher.format === 'TensorFlow.js LayersModel' ? {} : { runsAsGiven: teacher.format }),
    };
    const detail = [
      `${teacher.format}, run by ${teacher.runtime}, fed ${fed}`,
      describeMapping(fit.mapping, dataset.classNames),
      `test accuracy ${(evaluation.accuracy * 100).toFixed(2)}%`,
      test.probabilities ? 'it outputs probabilities (a softmax at the end): their logarithms are used as logits' : '',
      perBatch ? `run on every batch the students see, ${perBatch}` : '',
    ].filter(Boolean).join('; ');
    await emit({ type: 'phase', phase: 'teacher', status: 'loaded', model: teacher.name, detail });
    await mkdir(folder.modelDir('teacher'), { recursive: true });
    if ((await stat(config.teacher)).isDirectory()) await cp(config.teacher, folder.modelDir('teacher'), { recursive: true });
    else await copyOnnxTeacher(config.teacher, folder.modelDir('teacher'));
    return { model: null, report };
  } finally {
    if (ctx.importedTeacher?.teacher !== teacher) await teacher.release();
  }
}

/** Accuracy, mean cross-entropy and predictions from logits already computed. */
export function evaluationOfLogits(logits: Float32Array, labels: Uint8Array, classes: number): Evaluation {
  const predictions = new Int32Array(labels.length);
  let correct = 0;
  let loss = 0;
  for (let r = 0; r < labels.length; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    let best = 0;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (row[c]! > max) [max, best] = [row[c]!, c];
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(row[c]! - max);
    loss += Math.log(sum) + max - row[labels[r]!]!;
    predictions[r] = best;
    if (best === labels[r]) correct++;
  }
  return { accuracy: correct / labels.length, loss: loss / labels.length, predictions } as Evaluation;
}
