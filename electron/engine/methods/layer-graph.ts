import type * as tf from '@tensorflow/tfjs';

/** A model's layers that compute something, in order, each with the layers it reads from. */
export type LayerGraph = Array<{ layer: tf.layers.Layer; from: tf.layers.Layer[] }>;

/** Layers that change nothing at inference, so that a teacher trained with dropout and a student without still pair layer by layer. */
const PASS_THROUGH = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianDropout', 'AlphaDropout', 'GaussianNoise']);
const passesThrough = (layer: tf.layers.Layer) => PASS_THROUGH.has(layer.getClassName()) && layer.inboundNodes.length === 1 && layer.inboundNodes[0]!.inboundLayers.length === 1;

/** The layer that computed what this one passes on: itself unless it passes through. */
export const passedThrough = (layer: tf.layers.Layer): tf.layers.Layer => (passesThrough(layer) ? passedThrough(layer.inboundNodes[0]!.inboundLayers[0]!) : layer);

/**
 * The model's graph, looking through pass-through layers; null when a layer is used more than
 * once. The input layer is left out: a Sequential lists none, a functional model (an ensemble's
 * member, a ResNet) lists one, and the two still pair layer by layer.
 */
export function computingLayers(model: tf.LayersModel): LayerGraph | null {
  const layers = model.layers.filter((l) => !passesThrough(l) && l.getClassName() !== 'InputLayer');
  if (layers.some((l) => l.inboundNodes.length !== 1)) return null;
  return layers.map((layer) => ({ layer, from: layer.inboundNodes[0]!.inboundLayers.map(passedThrough) }));
}

interface ResidualBlock {
  /** The stream the block adds to (its identity shortcut), or null for a projection shortcut. */
  identity: tf.layers.Layer | null;
  /** The branch, the addition and the activation after it: what leaving the block out removes. */
  members: Set<tf.layers.Layer>;
  /** What the next block reads: the activation after the addition, or the addition. */
  output: tf.layers.Layer;
}

/** Every addition of two tensors as a residual block, in order. */
function residualBlocks(graph: LayerGraph): ResidualBlock[] {
  const inputs = new Map(graph.map((n) => [n.layer, n.from]));
  const ancestors = (layer: tf.layers.Layer) => {
    const seen = new Set<tf.layers.Layer>();
    const visit = (l: tf.layers.Layer) => {
      if (seen.has(l)) return;
      seen.add(l);
      for (const f of inputs.get(l) ?? []) visit(f);
    };
    visit(layer);
    return seen;
  };
  const readers = (layer: tf.layers.Layer) => graph.filter((n) => n.from.includes(layer));
  return graph.filter((n) => n.layer.getClassName() === 'Add' && n.from.length === 2).map(({ layer: add, from: [a, b] }) => {
    const [aUp, bUp] = [ancestors(a!), ancestors(b!)];
    // An identity shortcut is the input the other branch grew from.
    const identity = aUp.has(b!) ? b! : bUp.has(a!) ? a! : null;
    const branch = identity === a ? bUp : aUp;
    const upstream = identity ? ancestors(identity) : branch;
    const members = new Set([...branch].filter((l) => !upstream.has(l)));
    members.add(add);
    const after = readers(add);
    const activation = after.length === 1 && ['Activation', 'ReLU'].includes(after[0]!.layer.getClassName()) ? after[0]!.layer : null;
    if (activation) members.add(activation);
    return { identity, members, output: activation ?? add };
  });
}

/** Layers after which a chain's next stage starts: the feature map changes size. */
const STAGE_ENDS = new Set(['MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten']);

/** A chain's dense and convolution layers, each with the batch norms and activations after it (a unit), grouped into stages. */
function chainStages(graph: LayerGraph): tf.layers.Layer[][][] | null {
  const stages: tf.layers.Layer[][][] = [[]];
  for (const { layer, from } of graph) {
    const kind = layer.getClassName();
    if (kind === 'InputLayer') continue;
    if (from.length !== 1 || kind === 'Add') return null;
    if (STAGE_ENDS.has(kind)) stages.push([]);
    else if (kind === 'Dense' || kind === 'Conv2D') stages.at(-1)!.push([layer]);
    else stages.at(-1)!.at(-1)?.push(layer);
  }
  return stages.filter((stage) => stage.length > 0);
}

/**
 * The teacher's chain less some of its dense or convolution layers in each stage, so that it has
 * the student's per stage (`vgg19` → `vgg11@0.5`, `mlp-800x3` → `mlp-30x2`): each stage keeps its
 * first layers, and the stage that ends in the output keeps its last layer too. Null when the
 * stages differ in number or the student has more layers in one.
 */
function withoutExtraLayers(student: LayerGraph, teacher: LayerGraph): LayerGraph | null {
  const [sStages, tStages] = [chainStages(student), chainStages(teacher)];
  if (!sStages || !tStages || sStages.length === 0 || sStages.length !== tStages.length) return null;
  const output = teacher.at(-1)!.layer;
  const dropped: tf.layers.Layer[][] = [];
  for (const [i, stage] of tStages.entries()) {
    const keep = sStages[i]!.length;
    if (keep > stage.length || keep === 0) return null;
    const ends = stage.at(-1)!.includes(output);
    dropped.push(...stage.slice(ends ? keep - 1 : keep, ends ? stage.length - 1 : stage.length));
  }
  // Whatever read a unit left out reads what that unit read.
  const inputs = new Map(teacher.map((n) => [n.layer, n.from]));
  const replaced = new Map(dropped.map((unit) => [unit.at(-1)!, inputs.get(unit[0]!)![0]!]));
  return removeLayers(teacher, new Set(dropped.flat()), replaced);
}

function removeLayers(graph: LayerGraph, gone: Set<tf.layers.Layer>, replaced: Map<tf.layers.Layer, tf.layers.Layer>): LayerGraph {
  const resolve = (l: tf.layers.Layer): tf.layers.Layer => (replaced.has(l) ? resolve(replaced.get(l)!) : l);
  return graph.filter((n) => !gone.has(n.layer)).map((n) => ({ layer: n.layer, from: n.from.map(resolve) }));
}

/** The teacher's graph cut to the student's depth: residual blocks or chain layers left out per stage (layer selection); null when they do not pair. */
export function withoutExtraDepth(student: LayerGraph, teacher: LayerGraph): LayerGraph | null {
  const residual = teacher.some((n) => n.layer.getClassName() === 'Add');
  return residual ? withoutExtraBlocks(student, teacher) : withoutExtraLayers(student, teacher);
}

/**
 * The teacher's graph less its last identity blocks in each stage, so that it has the student's
 * blocks per stage (layer selection: Xu et al. 2024 keep the first blocks of each stage). A stage
 * starts at a block with a projection shortcut. Null when the two do not have the same stages, or
 * the student has more blocks in one.
 */
function withoutExtraBlocks(student: LayerGraph, teacher: LayerGraph): LayerGraph | null {
  const stagesOf = (blocks: ResidualBlock[]) => blocks.reduce<ResidualBlock[][]>((stages, block) => {
    if (!block.identity || stages.length === 0) stages.push([]);
    stages.at(-1)!.push(block);
    return stages;
  }, []);
  const [sStages, tStages] = [stagesOf(residualBlocks(student)), stagesOf(residualBlocks(teacher))];
  if (sStages.length === 0 || sStages.length !== tStages.length || sStages.some((s, i) => s.length > tStages[i]!.length || Boolean(s[0]!.identity) !== Boolean(tStages[i]![0]!.identity))) return null;
  const dropped = tStages.flatMap((stage, i) => stage.slice(sStages[i]!.length));
  if (dropped.some((b) => !b.identity)) return null;
  // A block left out passes its stream on: whatever read its output reads its input.
  return removeLayers(teacher, new Set(dropped.flatMap((b) => [...b.members])), new Map(dropped.map((b) => [b.output, b.identity!])));
}
