import type * as tf from '@tensorflow/tfjs';
import { formatStages, formatTensor } from '../../contract/display';
import { DistillInputError } from '../errors';

export interface FeatureLayer {
  name: string;
  /** Output shape without the batch dimension: [units] or [h, w, c]. */
  shape: number[];
}

export interface LayerPair {
  student: FeatureLayer;
  teacher: FeatureLayer;
}

/**
 * A teacher run outside TensorFlow.js (ONNX) that gives some of its inner tensors: those it was
 * asked for, and among them the one its classifier reads, where a method needs it.
 */
export interface TeacherTensors {
  layers: FeatureLayer[];
  embedding: FeatureLayer | null;
}

const isModel = (source: tf.LayersModel | TeacherTensors): source is tf.LayersModel => 'layers' in source && typeof (source as tf.LayersModel).getLayer === 'function';

const outputShape = (layer: tf.layers.Layer) => (layer.outputShape as number[]).slice(1);
const isPooling = (layer: tf.layers.Layer) => /pool/i.test(layer.getClassName());

/** Hidden layers whose outputs can serve as hints: dense and convolution layers, not the logits. */
export function featureLayers(model: tf.LayersModel): FeatureLayer[] {
  return model.layers
    .filter((layer) => layer.name !== 'logits' && /^(Dense|Conv2D|DepthwiseConv2D|SeparableConv2D)$/.test(layer.getClassName()))
    .map((layer) => ({ name: layer.name, shape: outputShape(layer) }));
}

/**
 * Where a convnet's stages end: the layers its family named `stage_<n>` (VGG, ResNet,
 * MobileNetV2), else each 4-D output followed by a pooling layer, and the last 4-D output.
 */
export function stageOutputs(model: tf.LayersModel): FeatureLayer[] {
  const layers = model.layers;
  const named = layers.filter((layer) => /^stage_\d+$/.test(layer.name));
  if (named.length > 0) return named.map((layer) => ({ name: layer.name, shape: outputShape(layer) }));
  return layers
    .filter((layer, i) => {
      if (outputShape(layer).length !== 3 || isPooling(layer) || /dropout/i.test(layer.getClassName())) return false;
      const next = layers.slice(i + 1).find((l) => !/dropout|activation|batchnorm/i.test(l.getClassName()));
      return !next || isPooling(next) || outputShape(next).length !== 3;
    })
    .map((layer) => ({ name: layer.name, shape: outputShape(layer) }));
}

function findLayer(model: tf.LayersModel | TeacherTensors, name: string, role: string): FeatureLayer {
  if (!isModel(model)) {
    const tensor = model.layers.find((l) => l.name === name);
    if (!tensor) throw new DistillInputError(`${role} gives no tensor "${name}"`);
    return tensor;
  }
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) {
    const names = featureLayers(model).map((l) => l.name).join(', ');
    throw new DistillInputError(`${role} has no layer "${name}" (feature layers: ${names || 'none'})`);
  }
  return { name, shape: outputShape(layer) };
}

/** `studentLayer:teacherLayer,…` from the config, checked against both models; the teacher's side is all after the first colon (an ONNX tensor's name may hold one). */
export function parsePairs(spec: string, student: tf.LayersModel, teacher: tf.LayersModel | TeacherTensors): LayerPair[] {
  return spec.split(',').map((pair) => {
    const at = pair.indexOf(':');
    return { student: findLayer(student, pair.slice(0, at), 'the student'), teacher: findLayer(teacher, pair.slice(at + 1), 'the teacher') };
  });
}

const describe = formatTensor;

/** FitNets guides one middle layer of the student with one middle layer of the teacher. */
export function defaultHintPair(student: tf.LayersModel, teacher: tf.LayersModel): LayerPair[] {
  const middle = (layers: FeatureLayer[]) => layers[Math.floor((layers.length - 1) / 2)];
  const s = middle(stageOutputs(student).length > 0 ? stageOutputs(student) : featureLayers(student));
  const t = middle(stageOutputs(teacher).length > 0 ? stageOutputs(teacher) : featureLayers(teacher));
  if (!s || !t) throw new DistillInputError(`FitNets needs a hidden layer in both models (student ${student.name}, teacher ${teacher.name})`);
  return [{ student: s, teacher: t }];
}

/** Attention transfer pairs stage outputs from the deepest one back while their spatial sizes agree. */
export function defaultAttentionPairs(student: tf.LayersModel, teacher: tf.LayersModel): LayerPair[] {
  const s = stageOutputs(student).reverse();
  const t = stageOutputs(teacher).reverse();
  if (s.length === 0 || t.length === 0) {
    throw new DistillInputError(`attention transfer needs convolutional feature maps in both models; ${s.length === 0 ? student.name : teacher.name} has none`);
  }
  const pairs: LayerPair[] = [];
  for (let i = 0; i < Math.min(s.length, t.length); i++) {
    if (s[i]!.shape[0] !== t[i]!.shape[0] || s[i]!.shape[1] !== t[i]!.shape[1]) break;
    pairs.push({ student: s[i]!, teacher: t[i]! });
  }
  if (pairs.length === 0) throw new DistillInputError(`no stage of ${student.name} has the spatial size of the matching stage of ${teacher.name} (${describe(s[0]!)} vs ${describe(t[0]!)})`);
  return pairs.reverse();
}

/**
 * An imported teacher's hidden activations, each per image, in graph order: where each spatial
 * size ends (its last map of that size: a stage output) and the vectors before its classifier.
 */
export interface TeacherStages {
  maps: FeatureLayer[];
  vectors: FeatureLayer[];
}

const sameSize = (a: FeatureLayer, b: FeatureLayer) => a.shape[0] === b.shape[0] && a.shape[1] === b.shape[1];
const middleOf = <T>(items: readonly T[]): T | undefined => items[Math.floor((items.length - 1) / 2)];

/**
 * FitNets from an imported teacher, paired by shape as nothing else names another tool's stages:
 * the student's middle stage (as defaultHintPair picks it) and the teacher's stage of the same
 * spatial size; a vector, the teacher's middle hidden vector.
 */
export function hintPairFromStages(student: tf.LayersModel, teacher: TeacherStages, teacherName: string): LayerPair[] {
  const s = middleOf(stageOutputs(student).length > 0 ? stageOutputs(student) : featureLayers(student));
  if (!s) throw new DistillInputError(`FitNets needs a hidden layer in the student (${student.name} has none)`);
  const t = s.shape.length === 3 ? teacher.maps.find((map) => sameSize(map, s)) : middleOf(teacher.vectors);
  if (!t) throw new DistillInputError(`FitNets: ${teacherName} has no hidden ${s.shape.length === 3 ? `feature map of ${s.shape[0]}×${s.shape[1]}` : 'vector'} to pair with the student's ${describe(s)} (its stages: ${formatStages(teacher)}); name a pair with --feature-pairs STUDENT_LAYER:TEACHER_TENSOR`);
  return [{ student: s, teacher: t }];
}

/** Attention transfer from an imported teacher: each student stage with the teacher's stage of the same spatial size, where it has one. */
export function attentionPairsFromStages(student: tf.LayersModel, teacher: TeacherStages, teacherName: string): LayerPair[] {
  const stages = stageOutputs(student);
  if (stages.length === 0) throw new DistillInputError(`attention transfer needs convolutional feature maps in both models; ${student.name} has none`);
  const pairs = stages.flatMap((s) => teacher.maps.filter((map) => sameSize(map, s)).map((t) => ({ student: s, teacher: t })));
  if (pairs.length === 0) throw new DistillInputError(`attention transfer: no stage of ${teacherName} has the spatial size of a stage of ${student.name} (student ${stages.map(describe).join(', ')}; teacher ${formatStages(teacher)}); name pairs with --feature-pairs STUDENT_LAYER:TEACHER_TENSOR`);
  return pairs;
}

/** Pairs as `--feature-pairs` spells them, for the run's config. */
export const pairsSpec = (pairs: readonly LayerPair[]) => pairs.map((p) => `${p.student.name}:${p.teacher.name}`).join(',');

/** Spatial maps must agree in size; vectors and maps cannot be paired. */
export function checkSpatialMatch(pairs: LayerPair[], method: string): void {
  for (const { student, teacher } of pairs) {
    if (student.shape.length !== teacher.shape.length) throw new DistillInputError(`${method}: cannot pair ${describe(student)} with ${describe(teacher)}: one is a feature map, the other a vector`);
    if (student.shape.length === 3 && (student.shape[0] !== teacher.shape[0] || student.shape[1] !== teacher.shape[1])) {
      throw new DistillInputError(`${method}: ${describe(student)} and ${describe(teacher)} differ in spatial size`);
    }
  }
}

export const describePairs = (pairs: LayerPair[]) => pairs.map((p) => `${describe(p.student)} ← ${describe(p.teacher)}`).join(', ');

/** The layer a model's classifier reads (its embedding): the logits layer's input, past dropout; a trailing softmax is looked through. */
export function embeddingLayer(model: tf.LayersModel | TeacherTensors, role: string): FeatureLayer {
  if (!isModel(model)) {
    if (!model.embedding) throw new DistillInputError(`${role} gives no tensor its classifier reads: relational KD compares embeddings`);
    return model.embedding;
  }
  const inputOf = (layer: tf.layers.Layer) => layer.inboundNodes[0]?.inboundLayers[0];
  let classifier: tf.layers.Layer | undefined = model.outputs[0]!.sourceLayer as tf.layers.Layer;
  while (classifier && /^(Activation|Softmax)$/.test(classifier.getClassName())) classifier = inputOf(classifier);
  let embedding = classifier && inputOf(classifier);
  while (embedding && /^(Dropout|SpatialDropout2D)$/.test(embedding.getClassName())) embedding = inputOf(embedding);
  if (!embedding || embedding.getClassName() === 'InputLayer') throw new DistillInputError(`${role} ${model.name} has no hidden layer before its classifier: relational KD compares embeddings`);
  return { name: embedding.name, shape: outputShape(embedding) };
}
