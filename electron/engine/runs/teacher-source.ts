import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import type { ForwardOutputs, TeacherSource } from '../train/trainer';
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

/** Without augmentation and without features, the teacher's logits never change: compute them once. */
export function teacherSource(ctx: PhaseContext, teacher: tf.LayersModel | null, featureLayers: string[]): TeacherSource {
  const { config, dataset } = ctx;
  // An imported teacher kept open because the students' images are augmented: run on each batch.
  if (!teacher && ctx.importedTeacher) return importedTeacherSource(dataset, config, ctx.importedTeacher, featureLayers);
  // An output-only teacher's logits (and the inner tensors its methods name) are computed before (teacher null) when it is not run per batch.
  if ((featureLayers.length === 0 && config.studentJitter === 0 && !config.flip) || !teacher) {
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

