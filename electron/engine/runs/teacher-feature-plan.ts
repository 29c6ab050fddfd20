import * as tf from '@tensorflow/tfjs';
import { methodsReading } from '../../contract/display';
import type { MethodId } from '../../contract/catalogue';
import type { RunConfig } from '../../contract/run-config';
import { DistillInputError } from '../errors';
import { attentionPairsFromStages, hintPairFromStages, pairsSpec, type FeatureLayer, type TeacherStages, type TeacherTensors } from '../methods/layer-pairing';
import type { DistillationMethod } from '../methods/method';
import { describeTensors, teacherTarget, type ExternalTeacher } from './external-teacher';
import type { ImageShape } from './teacher-input';
import { RESIDUAL_ADD } from './graph-ops';

/** What a run's methods read of a teacher run outside training: its inner tensors by name, and which of them is the embedding. */
export interface TeacherFeaturePlan {
  names: string[];
  embedding: string | null;
  /** The maps only attention transfer reads: kept as their attention (keptForAttention), one channel instead of all. */
  attentionOnly: string[];
}

/** The teacher's side of `student:teacher,…` pairs: after the first colon, as an ONNX tensor's name may hold colons. */
export const teacherSideOf = (spec: string) => spec.split(',').map((pair) => pair.slice(pair.indexOf(':') + 1));

/**
 * The inner tensors of an imported teacher (ONNX, a GraphModel, a LayersModel fed as declared)
 * that a run's methods read: the teacher's side of FitNets', attention transfer's, NST's and VID's
 * `--feature-pairs` (named, or chosen before the run by withChosenFeaturePairs), and for relational
 * KD, SP and PKT the tensor its classifier reads. A name it lacks is refused listing its tensors.
 */
export function teacherFeaturePlan(config: RunConfig, methods: readonly DistillationMethod[], teacher: ExternalTeacher): TeacherFeaturePlan {
  const names: string[] = [];
  const byAttention: string[] = [];
  let embedding: string | null = null;
  const tensors = () => describeTensors(teacher.tensors.list);
  for (const method of methods.filter((m) => m.teacherLayers !== 'none')) {
    if (method.teacherLayers === 'embedding') {
      embedding = teacher.tensors.embedding;
      if (embedding === null) throw new DistillInputError(`${method.label} compares the embeddings the classifiers read, and ${teacher.name} has no matrix product (Gemm, MatMul, Dense) to find its classifier by`);
      names.push(embedding);
      continue;
    }
    const pairs = namedPairs(config, method.id);
    if (!pairs) throw new DistillInputError(`${method.label} with an imported teacher needs the layers paired by name: --feature-pairs STUDENT_LAYER:TEACHER_TENSOR (${teacher.name}'s tensors: ${tensors()})`);
    (method.id === 'at' ? byAttention : names).push(...teacherSideOf(pairs));
    // ReviewKD's deepest level is the embedding, where the teacher has one to find.
    if (method.id === 'reviewkd' && teacher.tensors.embedding !== null) {
      embedding = teacher.tensors.embedding;
      names.push(embedding);
    }
  }
  const attentionOnly = [...new Set(byAttention)].filter((name) => !names.includes(name));
  names.push(...attentionOnly);
  const known = new Set(teacher.tensors.list.map((tensor) => tensor.name));
  const unknown = names.find((name) => !known.has(name));
  if (unknown !== undefined) throw new DistillInputError(`${teacher.name} has no tensor "${unknown}" (it makes ${tensors()})`);
  return { names: [...new Set(names)], embedding, attentionOnly };
}

/**
 * Operators (ONNX, a GraphDef's, or a Keras layer's class) whose outputs are hidden activations,
 * where a hint or an attention map is read: nonlinearities (SiLU and GELU as graphTensorNames finds
 * them), a residual block's sum (a stage's end where no activation follows it), TensorFlow.js's fused
 * convolutions and products (their activation inside), Keras's layers with one inside.
 */
const HIDDEN_OPS = new RegExp(`^(${RESIDUAL_ADD}|Relu|Relu6|Clip|LeakyRelu|Elu|Selu|Celu|Gelu|HardSwish|SiLU|PRelu|Prelu|Mish|_FusedConv2D|FusedDepthwiseConv2dNative|_FusedMatMul|Dense|Conv2D|DepthwiseConv2D|SeparableConv2D|Activation|ReLU|LeakyReLU|ELU|PReLU)$`);

/**
 * An imported teacher's stages, found from one blank image: its hidden activations up to the
 * tensor its classifier reads, the last map of each spatial size, and the vectors. A name
 * `--feature-pairs` cannot spell (a comma or a space in it) is passed over.
 */
export async function teacherStages(teacher: ExternalTeacher, shape: ImageShape): Promise<TeacherStages> {
  const { list, embedding } = teacher.tensors;
  const end = embedding === null ? list.length : list.findIndex((tensor) => tensor.name === embedding) + 1 || list.length;
  const names = [...new Set(list.slice(0, end).filter((t) => HIDDEN_OPS.test(t.op) && !/[\s,]/.test(t.name)).map((t) => t.name))];
  if (names.length === 0) return { maps: [], vectors: [] };
  const { layers } = await plannedTensorShapes(teacher, { names, embedding: null, attentionOnly: [] }, shape);
  const maps = layers.filter((layer) => layer.shape.length === 3 && layer.shape[0]! * layer.shape[1]! > 1);
  const lastOfSize = maps.filter((map, i) => !maps.slice(i + 1).some((later) => later.shape[0] === map.shape[0] && later.shape[1] === map.shape[1]));
  const tokens = layers.filter((layer) => layer.shape.length === 2);
  return { maps: lastOfSize, vectors: layers.filter((layer) => layer.shape.length === 1), ...(tokens.length > 0 ? { tokens } : {}) };
}

/**
 * The run's config with FitNets', attention transfer's, NST's and VID's pairs chosen by shape where a person
 * named none (hintPairFromStages, attentionPairsFromStages): kept in config.json, so the run
 * card shows them and a resume reads the same tensors.
 */
export async function withChosenFeaturePairs(config: RunConfig, methods: readonly DistillationMethod[], teacher: ExternalTeacher, student: tf.LayersModel, shape: ImageShape): Promise<RunConfig> {
  const unpaired = methods.filter((m) => m.teacherLayers === 'pairs' && !namedPairs(config, m.id));
  if (unpaired.length === 0) return config;
  const stages = await teacherStages(teacher, shape);
  let chosen = config;
  for (const method of unpaired) {
    // FitNets hints one middle stage; attention transfer, NST, VID and ReviewKD compare every stage lined up.
    const pairs = method.id === 'fitnet' ? hintPairFromStages(student, stages, teacher.name) : attentionPairsFromStages(student, stages, teacher.name, STAGE_METHOD_NAMES[method.id] ?? 'attention transfer');
    chosen = { ...chosen, methodOptions: { ...chosen.methodOptions, [method.id]: { ...chosen.methodOptions[method.id], featurePairs: pairsSpec(pairs) } } };
  }
  return chosen;
}

/** How refusals name the methods that pair every stage (lower case, as attention transfer's always read). */
const STAGE_METHOD_NAMES: Partial<Record<MethodId, string>> = { nst: 'neuron selectivity transfer', vid: 'variational information distillation', reviewkd: 'review knowledge distillation' };

/** The `--feature-pairs` a method that pairs layers was given, or null. */
function namedPairs(config: RunConfig, method: MethodId): string | null {
  const options = config.methodOptions[method] as { featurePairs?: string | null };
  return options.featurePairs ?? null;
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
export function tensorsOf(features: ReadonlyArray<{ name: string; shape: number[]; channels?: number }>, plan: TeacherFeaturePlan, teacher: string): TeacherTensors {
  // A map kept as its attention is described, and paired, by the shape the teacher made.
  const layers: FeatureLayer[] = features.map(({ name, shape, channels }) => ({ name, shape: channels === undefined ? shape : [shape[0]!, shape[1]!, channels] }));
  const embedding = layers.find((layer) => layer.name === plan.embedding) ?? null;
  if (embedding && embedding.shape.length !== 1) throw new DistillInputError(`the tensor ${embedding.name} that ${teacher}'s classifier reads is ${embedding.shape.join('×')} per image, not a vector: ${methodsReading('embedding')} compare embedding vectors`);
  return { layers, embedding };
}
