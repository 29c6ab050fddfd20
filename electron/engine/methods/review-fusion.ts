import * as tf from '@tensorflow/tfjs';
import { applyAdaptivePool, disposeAdaptivePool } from '../ops/adaptive-avg-pool';
import { nearestResize } from '../ops/nearest-resize';
import { batchNormOfBatch } from '../ops/batch-norm-of-batch';
import { variableFrom } from './variables';

/**
 * ReviewKD's attention-based fusion (ABF, Chen et al. 2021), as mdistiller builds it: a 1×1
 * convolution and batch norm take one student level to the fusion's channels; but for the
 * deepest level, the level below (its fused map, resized nearest to this one's size) is mixed in
 * by two attention maps a 1×1 convolution and a sigmoid make of both; the result, resized nearest
 * to the teacher's size, is passed up as this level's fused map and turned into the teacher's
 * channels by a 3×3 convolution and batch norm. Batch norm uses the batch's statistics: the
 * modules only ever train, and are dropped with the run.
 */
export interface ReviewFusion {
  variables: tf.Variable[];
  /** The student level's output in the teacher's channels, and the fused map the next level up reads. */
  apply(x: tf.Tensor4D, below: tf.Tensor4D | null): { out: tf.Tensor4D; fused: tf.Tensor4D };
  /** Its variables and its resizing constants. */
  dispose(): void;
}

/** A level's spatial sizes: the student's map, the teacher's, and the fused map of the level below (null for the deepest). */
export interface FusionSizes {
  student: [number, number];
  teacher: [number, number];
  below: [number, number] | null;
}

/** tfjs variable names are global: number each module so a second run never collides. */
let fusionCount = 0;

/**
 * One ABF from `inChannels` (the student level's) through `mid` to `outChannels` (the teacher's),
 * fusing the level below where there is one; its resizings are made once, so a step makes no
 * constants (WebGPU can replay it). Kernels start as mdistiller's: kaiming-uniform with
 * a = 1 (bound √(3 / fan-in)), the attention convolution as PyTorch's default (±1/√fan-in).
 */
export function createReviewFusion(inChannels: number, mid: number, outChannels: number, sizes: FusionSizes, seed: number): ReviewFusion {
  const fuse = sizes.below !== null;
  const id = ++fusionCount;
  const name = (part: string) => `review_fusion_${id}_${part}`;
  const uniform = (shape: number[], bound: number, offset: number) => tf.randomUniform(shape, -bound, bound, 'float32', seed + offset);
  const conv1 = variableFrom(uniform([1, 1, inChannels, mid], Math.sqrt(3 / inChannels), 0), true, name('conv1_kernel'));
  const conv2 = variableFrom(uniform([3, 3, mid, outChannels], Math.sqrt(3 / (9 * mid)), 1), true, name('conv2_kernel'));
  const norm1 = { gamma: variableFrom(tf.ones([mid]), true, name('bn1_gamma')), beta: variableFrom(tf.zeros([mid]), true, name('bn1_beta')) };
  const norm2 = { gamma: variableFrom(tf.ones([outChannels]), true, name('bn2_gamma')), beta: variableFrom(tf.zeros([outChannels]), true, name('bn2_beta')) };
  const attention = fuse
    ? { kernel: variableFrom(uniform([1, 1, 2 * mid, 2], 1 / Math.sqrt(2 * mid), 2), true, name('attention_kernel')), bias: variableFrom(uniform([2], 1 / Math.sqrt(2 * mid), 3), true, name('attention_bias')) }
    : null;
  const variables = [conv1, norm1.gamma, norm1.beta, conv2, norm2.gamma, norm2.beta, ...(attention ? [attention.kernel, attention.bias] : [])];
  const resizeBelow = sizes.below ? nearestResize(sizes.below, sizes.student) : null;
  const resizeToTeacher = nearestResize(sizes.student, sizes.teacher);
  return {
    variables,
    apply(x, below) {
      return tf.tidy(() => {
        let fused = batchNormOfBatch(tf.conv2d(x, conv1 as tf.Tensor4D, 1, 'valid'), norm1.gamma, norm1.beta);
        if (attention && below) {
          const y = applyAdaptivePool(below, resizeBelow);
          // The 1×1 convolution of [fused, y] as two, one per half of its kernel: no concatenation (nor its split in the gradient).
          const [onFused, onBelow] = tf.split(attention.kernel, 2, 2) as [tf.Tensor4D, tf.Tensor4D];
          const z = tf.sigmoid(tf.add(tf.add(tf.conv2d(fused, onFused, 1, 'valid'), tf.conv2d(y, onBelow, 1, 'valid')), attention.bias));
          const [zx, zy] = tf.split(z, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
          fused = tf.add(tf.mul(fused, zx), tf.mul(y, zy));
        }
        fused = applyAdaptivePool(fused, resizeToTeacher);
        const out = batchNormOfBatch(tf.conv2d(fused, conv2 as tf.Tensor4D, 1, 'same'), norm2.gamma, norm2.beta);
        return { out, fused };
      });
    },
    dispose() {
      tf.dispose(variables);
      disposeAdaptivePool(resizeBelow);
      disposeAdaptivePool(resizeToTeacher);
    },
  };
}
