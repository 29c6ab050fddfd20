import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import type { ForwardOutputs, TeacherSource } from '../train/trainer';
import { imageBatch, sequentialOrder } from '../data/batches';
import { predictLogits } from '../train/evaluate';
import { importedTeacherSource } from './imported-teacher-source';
import type { PhaseContext } from './phases';

/** Inference batches: no gradients to keep, so larger than training's. */
export const evalBatchSize = (config: RunConfig) => Math.max(config.batchSize, 256);

/** A forward pass that also returns the named layers' outputs (the layers are shared, not copied). */
export function forwardWithFeatures(model: tf.LayersModel, layerNames: string[]): (x: tf.Tensor4D, training: boolean) => ForwardOutputs {
  if (layerNames.length === 0) return (x, training) => ({ logits: model.apply(x, { training }) as tf.Tensor2D, features: [] });
  const outputs = [...layerNames.map((name) => model.getLayer(name).output as tf.SymbolicTensor), model.outputs[0]!];
  const tapped = tf.model({ inputs: model.inputs, outputs });
  return (x, training) => {
    const all = tapped.apply(x, { training }) as tf.Tensor[];
    return { logits: all.at(-1) as tf.Tensor2D, features: all.slice(0, -1) };
  };
}

/**
 * The most a run keeps of its own teacher's vectors over the training split (the embeddings RKD,
 * SP and PKT read, an MLP's hidden layers): mlp-800x2's 800 units for 60,000 images are 192 MB.
 */
export const CACHED_TEACHER_VECTOR_BYTES = 512 * 1024 * 1024;

/** Are these layers of the run's own teacher vectors (not maps) that fit the cache over `count` images? */
function cachableVectors(teacher: tf.LayersModel, featureLayers: readonly string[], count: number): boolean {
  const shapes = featureLayers.map((name) => teacher.getLayer(name).outputShape as number[]);
  if (shapes.some((shape) => shape.length !== 2)) return false;
  return count * shapes.reduce((sum, shape) => sum + shape[1]!, 0) * 4 <= CACHED_TEACHER_VECTOR_BYTES;
}

/**
 * The teacher's vector layers over the training split, in eval batches, added to those computed
 * before; its logits from the same pass where none were computed yet (not a second pass).
 */
function cacheTeacherVectors(ctx: PhaseContext, teacher: tf.LayersModel, featureLayers: readonly string[]): void {
  const missing = featureLayers.filter((name) => !ctx.teacherFeatures?.has(name));
  if (missing.length === 0) return;
  const { dataset, config } = ctx;
  const forward = forwardWithFeatures(teacher, missing);
  const order = sequentialOrder(dataset.train.count);
  const withLogits = !ctx.teacherLogits;
  // One list per layer, then the logits' (kept only where they are wanted).
  const parts: tf.Tensor[][] = [...missing, 'logits'].map(() => []);
  const batch = evalBatchSize(config);
  for (let start = 0; start < dataset.train.count; start += batch) {
    const end = Math.min(dataset.train.count, start + batch);
    const outputs = tf.tidy(() => {
      const { x, labels } = imageBatch(dataset.train, dataset.shape, order, start, end);
      labels.dispose();
      const out = forward(x, false);
      return withLogits ? [...out.features, out.logits] : out.features;
    });
    outputs.forEach((output, i) => parts[i]!.push(output));
  }
  const joined = parts.filter((list) => list.length > 0).map((list) => {
    const all = tf.concat(list, 0);
    tf.dispose(list);
    return all;
  });
  ctx.teacherFeatures ??= new Map();
  missing.forEach((name, i) => ctx.teacherFeatures!.set(name, joined[i]!));
  if (withLogits) ctx.teacherLogits = joined.at(-1) as tf.Tensor2D;
}

/**
 * Without augmentation the teacher's outputs never change: its logits, and the vectors its
 * methods read of the run's own teacher, are computed once over the training split and looked up
 * by image. A map (FitNets', attention transfer's) is run on each batch, as it would not fit.
 */
export function teacherSource(ctx: PhaseContext, teacher: tf.LayersModel | null, featureLayers: string[]): TeacherSource {
  const { config, dataset } = ctx;
  // An imported teacher kept open because the students' images are augmented: run on each batch.
  if (!teacher && ctx.importedTeacher) return importedTeacherSource(dataset, config, ctx.importedTeacher, featureLayers);
  const unaugmented = config.studentJitter === 0 && !config.flip;
  if (teacher && unaugmented && featureLayers.length > 0 && cachableVectors(teacher, featureLayers, dataset.train.count)) cacheTeacherVectors(ctx, teacher, featureLayers);
  // An output-only teacher's logits (and the inner tensors its methods name) are computed before (teacher null) when it is not run per batch.
  if ((unaugmented && featureLayers.every((name) => ctx.teacherFeatures?.has(name))) || !teacher) {
    ctx.teacherLogits ??= predictLogits(teacher!, dataset.train, dataset.shape, evalBatchSize(config));
    const all = ctx.teacherLogits;
    const features = featureLayers.map((name) => {
      const feature = ctx.teacherFeatures?.get(name);
      if (!feature) throw new Error(`the teacher's tensor ${name} was not computed with its outputs (the run's methods did not name it)`);
      return feature;
    });
    return {
      outputsFor: (_x, indices) =>
        tf.tidy(() => {
          const rows = tf.tensor1d(indices, 'int32');
          return { logits: tf.gather(all, rows), features: features.map((feature) => tf.gather(feature, rows)) };
        }),
    };
  }
  const forward = forwardWithFeatures(teacher, featureLayers);
  return { outputsFor: (x) => forward(x, false) };
}

