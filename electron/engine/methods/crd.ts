import * as tf from '@tensorflow/tfjs';
import { formatBytes, formatCount } from '../../contract/display';
import { DistillInputError } from '../errors';
import { contrastNceLoss, contrastNormalisers, contrastScores, memoryRows, unitRows, updatedMemory } from '../losses/crd';
import { crossEntropyLoss } from '../losses/cross-entropy';
import { createRng } from '../random';
import { describePairs, embeddingLayer, type FeatureLayer } from './layer-pairing';
import type { MethodImplementation } from './method';
import { variableFrom } from './variables';

/** The two memories together: wasm's whole heap is 4 GiB, and the model, the batches and the teacher's logits need theirs. */
const MAX_MEMORY_BYTES = 1024 ** 3;

/** tfjs variable names are global: number each run's variables so a second run never collides. */
let crdCount = 0;

/** A learnt linear map to the contrast space, initialised as PyTorch's nn.Linear: U(±1/√fan-in) for weights and bias. */
function projection(from: number, to: number, seed: number, name: string): { kernel: tf.Variable; bias: tf.Variable; apply(x: tf.Tensor2D): tf.Tensor2D } {
  const bound = 1 / Math.sqrt(from);
  const kernel = variableFrom(tf.randomUniform([from, to], -bound, bound, 'float32', seed), true, `${name}_kernel`);
  const bias = variableFrom(tf.randomUniform([to], -bound, bound, 'float32', seed + 1), true, `${name}_bias`);
  return { kernel, bias, apply: (x) => tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias) };
}

const width = (layer: FeatureLayer) => layer.shape.reduce((a, b) => a * b, 1);
const flat = (x: tf.Tensor) => tf.reshape(x, [x.shape[0]!, -1]) as tf.Tensor2D;

/**
 * The K negatives of a step, uniform over the training split with replacement (as RepDistiller's
 * AliasMethod over equal weights), drawn from a generator seeded by the run's seed and the batch's
 * images: the same batch gets the same negatives, so a resumed run repeats the one it replaces.
 */
export function drawNegatives(seed: number, indices: Int32Array, count: number, dataSize: number): Int32Array {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (const index of indices) hash = Math.imul(hash ^ index, 0x01000193) >>> 0;
  const rng = createRng(hash);
  return Int32Array.from({ length: count }, () => Math.floor(rng() * dataSize));
}

/** Tian et al. (2020), as RepDistiller and mdistiller: CE + w·(NCE of the student against the teacher's memory + the reverse). */
export const crdMethod: MethodImplementation = {
  prepare({ student, teacher, teacherTensors, config, trainImages }) {
    const source = teacher ?? teacherTensors;
    if (!source) throw new Error('crd needs a teacher');
    if (trainImages === undefined) throw new Error('CRD needs the size of the training split: it remembers an embedding of each image');
    const { weight, negatives, temperature, momentum, dimensions } = config.methodOptions.crd;
    const memoryBytes = 2 * trainImages * dimensions * 4;
    if (memoryBytes > MAX_MEMORY_BYTES) {
      throw new DistillInputError(`CRD remembers ${formatCount(trainImages)} training images in ${dimensions} dimensions for each model, ${formatBytes(memoryBytes)}, more than the ${formatBytes(MAX_MEMORY_BYTES)} it may take: use a smaller --crd-dim or --limit-train`);
    }
    const pair = { student: embeddingLayer(student, 'the student', 'CRD'), teacher: embeddingLayer(source, 'the teacher', 'CRD') };
    const id = ++crdCount;
    const heads = {
      student: projection(width(pair.student), dimensions, config.seed + 7919, `crd_${id}_student_projection`),
      teacher: projection(width(pair.teacher), dimensions, config.seed + 7921, `crd_${id}_teacher_projection`),
    };
    // RepDistiller's memory starts uniform in ±1/√(D/3); Z (one per direction) is set by the first
    // batch. Made when first needed: a run's check prepares the method without training it.
    const bound = 1 / Math.sqrt(dimensions / 3);
    let made: { student: tf.Variable; teacher: tf.Variable; normalisers: tf.Variable } | null = null;
    const memory = () =>
      (made ??= {
        student: variableFrom(tf.randomUniform([trainImages, dimensions], -bound, bound, 'float32', config.seed + 7923), false, `crd_${id}_student_memory`),
        teacher: variableFrom(tf.randomUniform([trainImages, dimensions], -bound, bound, 'float32', config.seed + 7924), false, `crd_${id}_teacher_memory`),
        normalisers: variableFrom(tf.tensor1d([-1, -1]), false, `crd_${id}_normalisers`),
      });
    const trainables = [heads.student.kernel, heads.student.bias, heads.teacher.kernel, heads.teacher.bias];
    // This step's embeddings, for the memory update once the optimizer has stepped.
    let pending: { rows: tf.Tensor1D; student: tf.Tensor2D; teacher: tf.Tensor2D; normalisers: tf.Tensor1D } | null = null;
    const clearPending = () => {
      if (pending) tf.dispose([pending.rows, pending.student, pending.teacher, pending.normalisers]);
      pending = null;
    };
    return {
      studentFeatureLayers: [pair.student.name],
      teacherFeatureLayers: [pair.teacher.name],
      extraVariables: trainables,
      get stateVariables() {
        const { student: students, teacher: teachers, normalisers } = memory();
        return [students, teachers, normalisers];
      },
      description: `contrast between embeddings ${describePairs([pair])} projected to ${dimensions}, ${formatCount(negatives)} negatives from a memory of ${formatCount(trainImages)} images, weight ${weight}, τ = ${temperature}, momentum ${momentum}`,
      loss: ({ studentFeatures, teacherFeatures, studentLogits, labels, indices }) => {
        if (!indices) throw new Error('CRD needs the batch positions in the training split');
        clearPending();
        const { student: studentMemory, teacher: teacherMemory, normalisers: savedNormalisers } = memory();
        return tf.tidy(() => {
          const ce = crossEntropyLoss(labels, studentLogits);
          const fromStudent = unitRows(heads.student.apply(flat(studentFeatures[0]!)));
          const fromTeacher = unitRows(heads.teacher.apply(flat(teacherFeatures[0]!)));
          const rows = tf.tensor1d(indices, 'int32');
          const noise = tf.tensor1d(drawNegatives(config.seed, indices, negatives, trainImages), 'int32');
          // The memories are constants here: only the projections and the student learn.
          const studentScores = contrastScores(fromStudent, memoryRows(teacherMemory, rows), memoryRows(teacherMemory, noise), temperature);
          const teacherScores = contrastScores(fromTeacher, memoryRows(studentMemory, rows), memoryRows(studentMemory, noise), temperature);
          const normalisers = contrastNormalisers(savedNormalisers as tf.Tensor1D, [studentScores, teacherScores], trainImages);
          const [zStudent, zTeacher] = tf.unstack(normalisers);
          const term = tf.add(contrastNceLoss(studentScores, zStudent as tf.Scalar, trainImages), contrastNceLoss(teacherScores, zTeacher as tf.Scalar, trainImages));
          pending = { rows: tf.keep(rows), student: tf.keep(fromStudent), teacher: tf.keep(fromTeacher), normalisers: tf.keep(normalisers) };
          return tf.add(ce, tf.mul(weight, term));
        });
      },
      afterStep: () => {
        if (!pending) return;
        const { rows, student: fromStudent, teacher: fromTeacher, normalisers } = pending;
        const { student: studentMemory, teacher: teacherMemory, normalisers: savedNormalisers } = memory();
        tf.tidy(() => {
          studentMemory.assign(updatedMemory(studentMemory, rows, fromStudent, momentum));
          teacherMemory.assign(updatedMemory(teacherMemory, rows, fromTeacher, momentum));
          savedNormalisers.assign(normalisers);
        });
        clearPending();
      },
      dispose: () => {
        clearPending();
        tf.dispose([...trainables, ...(made ? [made.student, made.teacher, made.normalisers] : [])]);
      },
    };
  },
};
