import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from '../losses/cross-entropy';
import { disposeHclPyramid, hclPyramid, hierarchicalContextLoss } from '../losses/hcl';
import { DistillInputError } from '../errors';
import { beforeRelu, describePairs, fusesRelu, disposePairPooling, embeddingLayer, stageMapPairs, type LayerPair, type TeacherTensors } from './layer-pairing';
import type { MethodImplementation } from './method';
import { createReviewFusion } from './review-fusion';
import { describeWarmup, warmupRamp } from './warmup';

/** A level's shape as a map: an embedding [d] is a 1×1 map of d channels, as mdistiller unsqueezes its pooled feature. */
const asMap = (shape: readonly number[]): [number, number, number] => (shape.length === 1 ? [1, 1, shape[0]!] : (shape as [number, number, number]));
const asMap4 = (x: tf.Tensor): tf.Tensor4D => (x.rank === 4 ? (x as tf.Tensor4D) : tf.reshape(x, [x.shape[0]!, 1, 1, -1]));

/**
 * Where the teacher's stage maps were read, said where it is not a map without a ReLU (a linear
 * bottleneck) or an imported tensor read as named: before their ReLU, as mdistiller's, or after
 * it where the teacher's layers fuse it (LeNet-5's).
 */
function preactNote(source: tf.LayersModel | TeacherTensors, pairs: readonly LayerPair[], preact: ReadonlyArray<unknown>): string {
  const taken = preact.filter((p) => p !== null).length;
  const fused = pairs.filter((pair) => fusesRelu(source, pair.teacher)).length;
  if (fused > 0) return taken === 0 ? " (the teacher's stage maps after their ReLU, which its layers fuse)" : ` (${taken} of the teacher's stage maps before their ReLU, ${fused} after the ReLU its layers fuse)`;
  if (taken === 0) return '';
  return taken === preact.length ? " (the teacher's stage maps before their ReLU)" : ` (${taken} of the teacher's ${preact.length} stage maps before their ReLU)`;
}

/** The embeddings the classifiers read, as the deepest level, where the teacher gives one (an imported teacher may not). */
function embeddingLevel(student: tf.LayersModel, teacher: tf.LayersModel | TeacherTensors): LayerPair | null {
  try {
    return { student: embeddingLayer(student, 'the student', 'ReviewKD'), teacher: embeddingLayer(teacher, 'the teacher', 'ReviewKD') };
  } catch (error) {
    if (error instanceof DistillInputError) return null;
    throw error;
  }
}

/**
 * Chen et al. (2021), as mdistiller: CE + w·HCL between the teacher's levels (its paired stage
 * outputs, then its embedding) and the student's, each fused from the deepest up (ReviewFusion).
 */
export const reviewkdMethod: MethodImplementation = {
  prepare({ student, teacher, teacherTensors, config }) {
    const source = teacher ?? teacherTensors;
    if (!source) throw new Error('reviewkd needs a teacher');
    const { featurePairs, weight, warmup: warmupEpochs } = config.methodOptions.reviewkd;
    const { pairs: stagePairs, pooling } = stageMapPairs(student, source, featurePairs, 'review knowledge distillation');
    // The fusions resize to the teacher's size themselves, as mdistiller's do: no pooling.
    disposePairPooling(pooling);
    // The teacher's stage maps before their last ReLU, as mdistiller reads them (its preact_feats); the student's after.
    const preact = stagePairs.map((pair) => beforeRelu(source, pair.teacher));
    const pairs = stagePairs.map((pair, i) => ({ ...pair, teacher: preact[i] ?? pair.teacher }));
    const embeddings = embeddingLevel(student, source);
    const levels = [...pairs, ...(embeddings ? [embeddings] : [])];
    const channels = (shape: readonly number[]) => asMap(shape)[2];
    const mid = Math.min(512, channels(levels.at(-1)!.student.shape));
    const size = (shape: readonly number[]): [number, number] => [asMap(shape)[0], asMap(shape)[1]];
    const fusions = levels.map((level, i) => {
      // The level below passes up its fused map at its teacher's size.
      const below = levels[i + 1];
      const sizes = { student: size(level.student.shape), teacher: size(level.teacher.shape), below: below ? size(below.teacher.shape) : null };
      return createReviewFusion(channels(level.student.shape), mid, channels(level.teacher.shape), sizes, config.seed + 7919 + 11 * i);
    });
    const pyramids = levels.map((level) => hclPyramid(size(level.teacher.shape)));
    const variables = fusions.flatMap((f) => f.variables);
    const resized = levels.some((level) => size(level.student.shape).join() !== size(level.teacher.shape).join());
    return {
      studentFeatureLayers: levels.map((level) => level.student.name),
      teacherFeatureLayers: levels.map((level) => level.teacher.name),
      extraVariables: variables,
      // Maps of other sizes are not pooled but resized to the teacher's, inside the fusions: the log says that once.
      description: `review of ${describePairs(levels, { pooled: false })}${preactNote(source, stagePairs, preact)}, through ${levels.length} attention-based fusions of ${mid} channels${resized ? ' (each resized to its teacher map\'s size)' : ''}, weight ${weight}${describeWarmup(warmupEpochs, config.epochs)}`,
      loss: ({ studentFeatures, teacherFeatures, studentLogits, labels, progress }) => {
        const ramp = warmupRamp(progress, warmupEpochs);
        return tf.tidy(() => {
          const ce = crossEntropyLoss(labels, studentLogits);
          if (ramp === 0) return ce;
          const outs: tf.Tensor4D[] = [];
          let below: tf.Tensor4D | null = null;
          // From the deepest level up: each fuses in the one below it.
          for (let i = levels.length - 1; i >= 0; i--) {
            const { out, fused } = fusions[i]!.apply(asMap4(studentFeatures[i]!), below);
            outs[i] = out;
            below = fused;
          }
          return tf.add(ce, tf.mul(weight * ramp, hierarchicalContextLoss(outs, teacherFeatures.map(asMap4), pyramids)));
        });
      },
      dispose: () => {
        fusions.forEach((fusion) => fusion.dispose());
        pyramids.forEach(disposeHclPyramid);
      },
    };
  },
};
