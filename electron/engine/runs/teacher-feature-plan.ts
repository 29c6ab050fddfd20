import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import { DistillInputError } from '../errors';
import type { FeatureLayer, TeacherTensors } from '../methods/layer-pairing';
import type { DistillationMethod } from '../methods/method';
import { describeTensors, teacherTarget, type ExternalTeacher } from './external-teacher';
import type { ImageShape } from './teacher-input';

/** What a run's methods read of a teacher run outside training: its inner tensors by name, and which of them is the embedding. */
export interface TeacherFeaturePlan {
  names: string[];
  embedding: string | null;
}

/** The teacher's side of `student:teacher,…` pairs: after the first colon, as an ONNX tensor's name may hold colons. */
export const teacherSideOf = (spec: string) => spec.split(',').map((pair) => pair.slice(pair.indexOf(':') + 1));

/**
 * The inner tensors of an imported teacher (ONNX, a GraphModel, a LayersModel fed as declared)
 * that a run's methods read: the teacher's side of FitNets' and attention transfer's
 * `--feature-pairs` (named: nothing tells another tool's graph's stages apart), and for relational
 * KD the tensor its classifier reads. A name it lacks, or pairs left out, are refused listing its tensors.
 */
export function teacherFeaturePlan(config: RunConfig, methods: readonly DistillationMethod[], teacher: ExternalTeacher): TeacherFeaturePlan {
  const names: string[] = [];
  let embedding: string | null = null;
  const tensors = () => describeTensors(teacher.tensors.list);
  for (const method of methods.filter((m) => m.readsTeacherLayers)) {
    if (method.id === 'rkd') {
      embedding = teacher.tensors.embedding;
      if (embedding === null) throw new DistillInputError(`${method.label} compares the embeddings the classifiers read, and ${teacher.name} has no matrix product (Gemm, MatMul, Dense) to find its classifier by`);
      names.push(embedding);
      continue;
    }
    const pairs = method.id === 'fitnet' ? config.methodOptions.fitnet.featurePairs : method.id === 'at' ? config.methodOptions.at.featurePairs : null;
    if (!pairs) throw new DistillInputError(`${method.label} with an imported teacher needs the layers paired by name: --feature-pairs STUDENT_LAYER:TEACHER_TENSOR (${teacher.name}'s tensors: ${tensors()})`);
    names.push(...teacherSideOf(pairs));
  }
  const known = new Set(teacher.tensors.list.map((tensor) => tensor.name));
  const unknown = names.find((name) => !known.has(name));
  if (unknown !== undefined) throw new DistillInputError(`${teacher.name} has no tensor "${unknown}" (it makes ${tensors()})`);
  return { names: [...new Set(names)], embedding };
}

/** Each planned tensor's shape per image, channels last, from one blank image of the size the teacher is fed. */
export async function plannedTensorShapes(teacher: ExternalTeacher, plan: TeacherFeaturePlan, shape: ImageShape): Promise<TeacherTensors> {
  const x = tf.zeros([1, ...teacherTarget(teacher, shape)]) as tf.Tensor4D;
  try {
    const { features } = await teacher.runWithFeatures(x, plan.names);
    return tensorsOf(features, plan, teacher.name);
  } finally {
    x.dispose();
  }
}

/** The methods' view of a teacher's computed tensors: names, shapes per image, and the embedding, a vector. */
export function tensorsOf(features: ReadonlyArray<{ name: string; shape: number[] }>, plan: TeacherFeaturePlan, teacher: string): TeacherTensors {
  const layers: FeatureLayer[] = features.map(({ name, shape }) => ({ name, shape }));
  const embedding = layers.find((layer) => layer.name === plan.embedding) ?? null;
  if (embedding && embedding.shape.length !== 1) throw new DistillInputError(`the tensor ${embedding.name} that ${teacher}'s classifier reads is ${embedding.shape.join('×')} per image, not a vector: relational KD compares embedding vectors`);
  return { layers, embedding };
}
