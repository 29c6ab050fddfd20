import type * as tf from '@tensorflow/tfjs';
import { computingLayers, passedThrough, withoutExtraDepth, type LayerGraph } from './layer-graph';

/**
 * The plan behind weight selection (./weight-selection.ts): which channels of the teacher each
 * student tensor holds. Tensors that must keep the same channels share a space: a layer that works
 * channel by channel (batch norm, activation, pooling, a depthwise convolution) keeps its input's
 * space, and an addition joins the spaces it adds, so a residual stream is one space through every
 * block that adds to it. Dense and convolution layers start a space of their own. The student and
 * teacher must be the same graph of layers (the teacher less some blocks or layers, ./layer-graph.ts),
 * each space in the student no wider than in the teacher; the input and output spaces keep every channel.
 */

export type WeightedKind = 'dense' | 'conv' | 'depthwise' | 'bn';

/** The channels a tensor holds: a space, seen `positions` times over after a flatten (row p·C + c is channel c at position p). */
export interface SpaceView {
  space: number;
  positions: number;
}

export interface Space {
  student: number;
  teacher: number;
  /** The input's and the output's spaces keep every channel. */
  fixed: boolean;
}

export interface WeightedStep {
  student: tf.layers.Layer;
  teacher: tf.layers.Layer;
  kind: WeightedKind;
  input: SpaceView;
  /** The space the layer writes; a batch norm or depthwise convolution writes its input's. */
  output: number;
}

export interface SelectionPlan {
  spaces: Space[];
  /** Every layer with weights, in the models' order. */
  steps: WeightedStep[];
}

const WEIGHTED: Record<string, WeightedKind> = { Dense: 'dense', Conv2D: 'conv', DepthwiseConv2D: 'depthwise', BatchNormalization: 'bn' };
/** Layers without weights that act on each channel alone, so their output holds their input's channels. */
const CHANNELWISE = new Set(['Activation', 'ReLU', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'ZeroPadding2D']);

const lastDim = (shape: readonly (number | null)[]) => shape[shape.length - 1]!;
const kernelShape = (layer: tf.layers.Layer) => layer.weights[0]!.shape as number[];

/** The plan for a student that is a narrower copy of its teacher; null when it is not (other layers, another graph, a wider space, nothing narrower). */
export function planChannelSpaces(student: tf.LayersModel, teacher: tf.LayersModel): SelectionPlan | null {
  if (student.inputs.length !== 1 || student.outputs.length !== 1 || teacher.inputs.length !== 1 || teacher.outputs.length !== 1) return null;
  const sGraph = computingLayers(student);
  const tGraph = computingLayers(teacher);
  if (!sGraph || !tGraph) return null;
  // A shallower student (resnet20 from resnet56, vgg11 from vgg19) pairs with the teacher less some blocks or layers in each stage.
  const paired = sGraph.length === tGraph.length ? tGraph : withoutExtraDepth(sGraph, tGraph);
  return paired && paired.length === sGraph.length ? planOnGraphs(student, teacher, sGraph, paired) : null;
}

function planOnGraphs(student: tf.LayersModel, teacher: tf.LayersModel, sGraph: LayerGraph, tGraph: LayerGraph): SelectionPlan | null {
  const sLayers = sGraph.map((n) => n.layer);
  const tLayers = tGraph.map((n) => n.layer);
  const parent: number[] = [];
  const spaces: Space[] = [];
  const find = (s: number): number => (parent[s] === s ? s : (parent[s] = find(parent[s]!)));
  const newSpace = (studentSize: number, teacherSize: number, fixed = false) => {
    spaces.push({ student: studentSize, teacher: teacherSize, fixed });
    parent.push(spaces.length - 1);
    return spaces.length - 1;
  };
  const inputSpace = newSpace(lastDim(student.inputs[0]!.shape), lastDim(teacher.inputs[0]!.shape), true);
  const views = new Map<tf.layers.Layer, SpaceView>();
  const sourceView = (layer: tf.layers.Layer) => (layer.getClassName() === 'InputLayer' ? { space: inputSpace, positions: 1 } : views.get(layer));
  const steps: WeightedStep[] = [];
  for (const [i, { layer, from }] of sGraph.entries()) {
    const { layer: source, from: tFrom } = tGraph[i]!;
    const kind = layer.getClassName();
    if (kind !== source.getClassName()) return null;
    if (kind === 'InputLayer') continue;
    // The same graph: each input comes from the layer at the same place in the other model.
    if (from.length !== tFrom.length || from.some((l, k) => sLayers.indexOf(l) !== tLayers.indexOf(tFrom[k]!))) return null;
    const inputs = from.map(sourceView);
    if (inputs.some((v) => !v) || inputs.length === 0) return null;
    const input = inputs[0]!;
    const sIn = (layer.inboundNodes[0]!.inputShapes as number[][])[0]!;
    const tIn = (source.inboundNodes[0]!.inputShapes as number[][])[0]!;
    const weighted = WEIGHTED[kind];
    if (weighted) {
      if (inputs.length !== 1 || layer.weights.length !== source.weights.length) return null;
      const [s, t] = [kernelShape(layer), kernelShape(source)];
      const view = stepInput(weighted, input, spaces[find(input.space)]!, s, t);
      if (!view) return null;
      const output = weighted === 'dense' || weighted === 'conv' ? newSpace(s.at(-1)!, t.at(-1)!) : input.space;
      steps.push({ student: layer, teacher: source, kind: weighted, input: view, output });
      views.set(layer, { space: output, positions: 1 });
    } else if (layer.weights.length > 0 || source.weights.length > 0) {
      return null;
    } else if (kind === 'Add') {
      if (inputs.some((v) => v!.positions !== 1)) return null;
      const root = find(input.space);
      for (const v of inputs.slice(1)) {
        const other = find(v!.space);
        if (other === root) continue;
        const [a, b] = [spaces[root]!, spaces[other]!];
        if (a.student !== b.student || a.teacher !== b.teacher) return null;
        a.fixed ||= b.fixed;
        parent[other] = root;
      }
      views.set(layer, { space: root, positions: 1 });
    } else if (kind === 'Flatten') {
      if (input.positions !== 1) return null;
      const positions = sIn.slice(1, -1).reduce((n, d) => n * d, 1);
      if (positions !== tIn.slice(1, -1).reduce((n, d) => n * d, 1)) return null;
      views.set(layer, { space: input.space, positions });
    } else if (CHANNELWISE.has(kind)) {
      if (inputs.length !== 1) return null;
      views.set(layer, input);
    } else {
      return null;
    }
  }
  const out = views.get(passedThrough(student.outputs[0]!.sourceLayer as tf.layers.Layer));
  if (!out || out.positions !== 1) return null;
  spaces[find(out.space)]!.fixed = true;
  // Every space as its root, so that a step names the space it shares with the rest of its stream.
  for (const step of steps) {
    step.input = { ...step.input, space: find(step.input.space) };
    step.output = find(step.output);
  }
  const roots = spaces.filter((_, s) => find(s) === s);
  if (roots.some((s) => s.student > s.teacher || (s.fixed && s.student !== s.teacher))) return null;
  // Equal spaces throughout is a plain copy (the caller's).
  if (roots.every((s) => s.student === s.teacher)) return null;
  return { spaces, steps };
}

/** What a weighted layer reads, checked against its kernel's input axis on both sides; null when the shapes do not fit the space. */
function stepInput(kind: WeightedKind, view: SpaceView, space: Space, s: number[], t: number[]): SpaceView | null {
  if (kind === 'bn') return s[0] === space.student && t[0] === space.teacher && view.positions === 1 ? view : null;
  // Convolutions: the same kernel size; a depthwise one with one filter per channel.
  if (kind !== 'dense' && (s[0] !== t[0] || s[1] !== t[1] || view.positions !== 1)) return null;
  if (kind === 'depthwise' && (s[3] !== 1 || t[3] !== 1)) return null;
  const [sIn, tIn] = [s.at(-2)!, t.at(-2)!];
  if (sIn !== view.positions * space.student || tIn !== view.positions * space.teacher) return null;
  return view;
}
