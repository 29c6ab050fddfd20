import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RunConfig } from '../../contract/run-config';
import { DistillInputError } from '../errors';
import { onnxNodes } from '../export/onnx/encode';
import type { FeatureLayer, TeacherTensors } from '../methods/layer-pairing';
import type { DistillationMethod } from '../methods/method';
import { teacherTarget, type ExternalTeacher } from './external-teacher';
import { describeOnnxTensors } from './onnx-teacher';
import type { ImageShape } from './teacher-input';

/** The tensor an ONNX classifier reads, RKD's embedding: the first input of its last Gemm or MatMul. */
export function onnxEmbeddingName(bytes: Uint8Array): string | null {
  const classifier = onnxNodes(bytes).findLast((node) => node.op === 'Gemm' || node.op === 'MatMul');
  return classifier?.inputs[0] ?? null;
}

/** The teacher's side of `student:teacher,…` pairs: after the first colon, as ONNX names may hold colons. */
export const teacherSideOf = (spec: string) => spec.split(',').map((pair) => pair.slice(pair.indexOf(':') + 1));

/**
 * The inner tensors of an ONNX teacher that a run's methods read: the teacher's side of FitNets'
 * and attention transfer's `--feature-pairs` (named, as nothing tells an ONNX graph's stages
 * apart), and for relational KD the tensor its classifier reads.
 */
export function onnxFeaturePlan(config: RunConfig, methods: readonly DistillationMethod[], bytes: Uint8Array, file: string): { names: string[]; embedding: string | null } {
  const names: string[] = [];
  let embedding: string | null = null;
  for (const method of methods.filter((m) => m.readsTeacherLayers)) {
    if (method.id === 'rkd') {
      embedding = onnxEmbeddingName(bytes);
      if (embedding === null) throw new DistillInputError(`${method.label} compares the embeddings the classifiers read, and ${basename(file)} has no Gemm or MatMul node to find its classifier by`);
      names.push(embedding);
      continue;
    }
    const pairs = method.id === 'fitnet' ? config.methodOptions.fitnet.featurePairs : method.id === 'at' ? config.methodOptions.at.featurePairs : null;
    if (!pairs) throw new DistillInputError(`${method.label} with an ONNX teacher needs the layers paired by name: --feature-pairs STUDENT_LAYER:TEACHER_TENSOR (${basename(file)}'s tensors: ${describeOnnxTensors(bytes)})`);
    names.push(...teacherSideOf(pairs));
  }
  return { names: [...new Set(names)], embedding };
}

/** Each planned tensor's shape per image, channels last, from one blank image of the size the teacher is fed. */
export async function onnxTeacherTensors(teacher: ExternalTeacher, plan: { embedding: string | null }, shape: ImageShape): Promise<TeacherTensors> {
  const x = tf.zeros([1, ...teacherTarget(teacher, shape)]) as tf.Tensor4D;
  try {
    const { features } = await teacher.runWithFeatures!(x);
    const layers: FeatureLayer[] = features.map(({ name, shape: dims }) => ({ name, shape: dims }));
    const embedding = layers.find((layer) => layer.name === plan.embedding) ?? null;
    if (embedding && embedding.shape.length !== 1) throw new DistillInputError(`the tensor ${embedding.name} that ${teacher.name}'s classifier reads is ${embedding.shape.join('×')} per image, not a vector: relational KD compares embedding vectors`);
    return { layers, embedding };
  } finally {
    x.dispose();
  }
}

/** Reads an ONNX teacher's file for its plan. */
export const readOnnxBytes = async (path: string) => new Uint8Array(await readFile(path));
