import type * as tf from '@tensorflow/tfjs';
import { formatStages, formatTensor } from '../../contract/display';
import { DistillInputError } from '../errors';
import { adaptivePool, disposeAdaptivePool, type PairPooling } from '../ops/adaptive-avg-pool';

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

/** Attention transfer (and NST) pairs the stage outputs, lined up by size (alignedStages: where sizes agree, they pair; across families, each pair pooled to its smaller map). */
export function defaultAttentionPairs(student: tf.LayersModel, teacher: tf.LayersModel, method = 'attention transfer'): LayerPair[] {
  const s = stageOutputs(student);
  const t = stageOutputs(teacher);
  if (s.length === 0 || t.length === 0) {
    throw new DistillInputError(`${method} needs convolutional feature maps in both models; ${s.length === 0 ? student.name : teacher.name} has none`);
  }
  const pairs = alignedStages(s, t);
  if (pairs.length === 0) throw new DistillInputError(`no stage of ${student.name} is within twice the spatial size of a stage of ${teacher.name} (student ${s.map(describe).join(', ')}; teacher ${t.map(describe).join(', ')})`);
  return pairs;
}

/**
 * An imported teacher's hidden activations, each per image, in graph order: where each spatial
 * size ends (its last map of that size: a stage output) and the vectors before its classifier.
 */
export interface TeacherStages {
  maps: FeatureLayer[];
  vectors: FeatureLayer[];
  /** Hidden token sequences, [tokens, width] per image (a transformer's), which pair with nothing here: named in a refusal. */
  tokens?: FeatureLayer[];
}

/** How far apart two maps' sizes are: the larger of their ratios over the two axes (1: the same size). */
const sizeRatio = (a: FeatureLayer, b: FeatureLayer) => Math.max(...[0, 1].map((i) => Math.max(a.shape[i]! / b.shape[i]!, b.shape[i]! / a.shape[i]!)));
const middleOf = <T>(items: readonly T[]): T | undefined => items[Math.floor((items.length - 1) / 2)];

const area = (layer: FeatureLayer) => layer.shape[0]! * layer.shape[1]!;
const largestFirst = (layers: readonly FeatureLayer[]) => [...layers].sort((x, y) => area(y) - area(x));

/**
 * Student stages with teacher stages, both largest first, the one shifted against the other so
 * that most pairs lie within twice each other's size (then the closest in size): a teacher fed at
 * another resolution than the student (224 px against 32, 40 against 28) shares no size with it,
 * yet its stages line up with the student's in order (its 28-px one with the student's 32-px).
 * Each pair is compared pooled to its smaller map (pairPooling). Where sizes agree, they pair.
 */
export function alignedStages(student: readonly FeatureLayer[], teacher: readonly FeatureLayer[]): LayerPair[] {
  const [s, t] = [largestFirst(student), largestFirst(teacher)];
  let best: LayerPair[] = [];
  let bestCost = Infinity;
  for (let shift = 1 - s.length; shift < t.length; shift++) {
    const pairs = s.flatMap((stage, i) => {
      const map = t[i + shift];
      return map && sizeRatio(stage, map) < 2 ? [{ student: stage, teacher: map }] : [];
    });
    const cost = pairs.reduce((sum, p) => sum + Math.log(sizeRatio(p.student, p.teacher)), 0) / pairs.length;
    if (pairs.length > best.length || (pairs.length === best.length && pairs.length > 0 && cost < bestCost)) [best, bestCost] = [pairs, cost];
  }
  return student.flatMap((stage) => best.filter((p) => p.student === stage));
}

/**
 * FitNets from an imported teacher, paired by shape as nothing else names another tool's stages:
 * the student's middle stage (as defaultHintPair picks it) and the teacher's stage aligned with it
 * (alignedStages); a vector, the teacher's middle hidden vector.
 */
export function hintPairFromStages(student: tf.LayersModel, teacher: TeacherStages, teacherName: string): LayerPair[] {
  const stages = stageOutputs(student);
  const s = middleOf(stages.length > 0 ? stages : featureLayers(student));
  if (!s) throw new DistillInputError(`FitNets needs a hidden layer in the student (${student.name} has none)`);
  const t = s.shape.length === 3 ? alignedStages(stages, teacher.maps).find((p) => p.student === s)?.teacher : middleOf(teacher.vectors);
  if (!t) throw new DistillInputError(`FitNets: ${teacherName} has no hidden ${s.shape.length === 3 ? `feature map within twice ${s.shape[0]}×${s.shape[1]}` : 'vector'} to pair with the student's ${describe(s)} (its stages: ${formatStages(teacher)}); name a pair with --feature-pairs STUDENT_LAYER:TEACHER_TENSOR`);
  return [{ student: s, teacher: t }];
}

/** Attention transfer from an imported teacher: the student's stages with the teacher's, aligned by size (alignedStages). */
export function attentionPairsFromStages(student: tf.LayersModel, teacher: TeacherStages, teacherName: string, method = 'attention transfer'): LayerPair[] {
  const stages = stageOutputs(student);
  if (stages.length === 0) throw new DistillInputError(`${method} needs convolutional feature maps in both models; ${student.name} has none`);
  const pairs = alignedStages(stages, teacher.maps);
  if (pairs.length === 0) throw new DistillInputError(`${method}: no stage of ${teacherName} is within twice the spatial size of a stage of ${student.name} (student ${stages.map(describe).join(', ')}; teacher ${formatStages(teacher)}); name pairs with --feature-pairs STUDENT_LAYER:TEACHER_TENSOR`);
  return pairs;
}

/** Pairs as `--feature-pairs` spells them, for the run's config. */
export const pairsSpec = (pairs: readonly LayerPair[]) => pairs.map((p) => `${p.student.name}:${p.teacher.name}`).join(',');

/** What a tensor is per image, by its rank: a vector, a transformer's token sequence, or a feature map. */
const KINDS = ['', 'a vector', 'a token sequence (tokens × width)', 'a feature map'];
const kindOf = (layer: FeatureLayer) => KINDS[layer.shape.length] ?? `a tensor of rank ${layer.shape.length}`;

/** Vectors, token sequences and maps cannot be paired with each other; maps of different sizes are compared at the smaller (pairPooling). */
export function checkPairShapes(pairs: LayerPair[], method: string): void {
  for (const { student, teacher } of pairs) {
    if (student.shape.length !== teacher.shape.length) throw new DistillInputError(`${method}: cannot pair ${describe(student)} with ${describe(teacher)}: one is ${kindOf(student)}, the other ${kindOf(teacher)}`);
  }
}

/** The spatial size a pair of maps is compared at: the smaller of the two on each axis. */
export const commonSize = ({ student, teacher }: LayerPair): [number, number] => [Math.min(student.shape[0]!, teacher.shape[0]!), Math.min(student.shape[1]!, teacher.shape[1]!)];

/** The pooling that brings each side of a pair of maps to their common size (adaptive average pooling; mdistiller's attention transfer pools the larger map the same way). */
export function pairPooling(pair: LayerPair): PairPooling {
  if (pair.student.shape.length !== 3) return { student: null, teacher: null };
  const size = commonSize(pair);
  return { student: adaptivePool(pair.student.shape, size), teacher: adaptivePool(pair.teacher.shape, size) };
}

export const disposePairPooling = (pooling: readonly PairPooling[]) => pooling.forEach((p) => [p.student, p.teacher].forEach(disposeAdaptivePool));

/**
 * The map pairs of a method that compares stage outputs (attention transfer, NST): named by
 * `--feature-pairs` (an imported teacher's always are: its plan named them before the run), else
 * the two models' stages lined up; vectors refused; each pair with its pooling to the smaller map.
 */
export function stageMapPairs(student: tf.LayersModel, teacher: tf.LayersModel | TeacherTensors, featurePairs: string | null, method: string): { pairs: LayerPair[]; pooling: PairPooling[] } {
  const pairs = featurePairs ? parsePairs(featurePairs, student, teacher) : defaultAttentionPairs(student, teacher as tf.LayersModel, method);
  checkPairShapes(pairs, method);
  if (pairs.some((p) => p.student.shape.length !== 3)) throw new DistillInputError(`${method} pairs feature maps, not vectors`);
  return { pairs, pooling: pairs.map(pairPooling) };
}

const pooledTo = (pair: LayerPair) => {
  if (pair.student.shape.length !== 3 || (pair.student.shape[0] === pair.teacher.shape[0] && pair.student.shape[1] === pair.teacher.shape[1])) return '';
  return ` (compared pooled to ${commonSize(pair).join('×')})`;
};

/**
 * What a stage output was before its last ReLU, mdistiller's `preact_feats`: the layer a ReLU of
 * its own was applied to (ResNet's addition, VGG's batch norm). Null where there is none to take: a
 * fused activation (LeNet-5's convolutions), a linear stage end (MobileNetV2's), an imported teacher's tensor.
 */
export function beforeRelu(model: tf.LayersModel | TeacherTensors, layer: FeatureLayer): FeatureLayer | null {
  if (!isModel(model)) return null;
  const found = model.getLayer(layer.name);
  const config = found.getConfig();
  const relu = (found.getClassName() === 'Activation' && config.activation === 'relu') || (found.getClassName() === 'ReLU' && config.maxValue == null);
  const from = found.inboundNodes.length === 1 ? found.inboundNodes[0]!.inboundLayers : [];
  return relu && from.length === 1 ? { name: from[0]!.name, shape: outputShape(from[0]!) } : null;
}

/** Whether a layer applies a ReLU inside it (LeNet-5's convolutions), so that what it had before is not a tensor of the model. */
export function fusesRelu(model: tf.LayersModel | TeacherTensors, layer: FeatureLayer): boolean {
  if (!isModel(model)) return false;
  const found = model.getLayer(layer.name);
  return found.getClassName() !== 'Activation' && found.getConfig().activation === 'relu';
}

/** `conv_1 (28×28×3) ← conv_1 (28×28×6), …`; with `pooled` (the default), how maps of different sizes are compared. */
export const describePairs = (pairs: LayerPair[], { pooled = true } = {}) => pairs.map((p) => `${describe(p.student)} ← ${describe(p.teacher)}${pooled ? pooledTo(p) : ''}`).join(', ');

/** The layer a model's classifier reads (its embedding): the logits layer's input, past dropout; a trailing softmax is looked through. */
export function embeddingLayer(model: tf.LayersModel | TeacherTensors, role: string, reader = 'the embedding methods'): FeatureLayer {
  if (!isModel(model)) {
    if (!model.embedding) throw new DistillInputError(`${role} gives no tensor its classifier reads: ${reader} compares embeddings`);
    return model.embedding;
  }
  const inputOf = (layer: tf.layers.Layer) => layer.inboundNodes[0]?.inboundLayers[0];
  let classifier: tf.layers.Layer | undefined = model.outputs[0]!.sourceLayer as tf.layers.Layer;
  while (classifier && /^(Activation|Softmax)$/.test(classifier.getClassName())) classifier = inputOf(classifier);
  let embedding = classifier && inputOf(classifier);
  while (embedding && /^(Dropout|SpatialDropout2D)$/.test(embedding.getClassName())) embedding = inputOf(embedding);
  if (!embedding || embedding.getClassName() === 'InputLayer') throw new DistillInputError(`${role} ${model.name} has no hidden layer before its classifier: ${reader} compares embeddings`);
  return { name: embedding.name, shape: outputShape(embedding) };
}
