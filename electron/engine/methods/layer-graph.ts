import type * as tf from '@tensorflow/tfjs';

/** A model's layers that compute something, in order, each with the layers it reads from. */
export type LayerGraph = Array<{ layer: tf.layers.Layer; from: tf.layers.Layer[] }>;

/** Layers that change nothing at inference, so that a teacher trained with dropout and a student without still pair layer by layer. */
const PASS_THROUGH = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianDropout', 'AlphaDropout', 'GaussianNoise']);
const passesThrough = (layer: tf.layers.Layer) => PASS_THROUGH.has(layer.getClassName()) && layer.inboundNodes.length === 1 && layer.inboundNodes[0]!.inboundLayers.length === 1;

/** The layer that computed what this one passes on: itself unless it passes through. */
export const passedThrough = (layer: tf.layers.Layer): tf.layers.Layer => (passesThrough(layer) ? passedThrough(layer.inboundNodes[0]!.inboundLayers[0]!) : layer);

/** The model's graph, looking through pass-through layers; null when a layer is used more than once. */
export function computingLayers(model: tf.LayersModel): LayerGraph | null {
  const layers = model.layers.filter((l) => !passesThrough(l));
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
    const members = new Set([...branch].filter((l) => identity && !ancestors(identity).has(l)));
    members.add(add);
    const after = readers(add);
    const activation = after.length === 1 && ['Activation', 'ReLU'].includes(after[0]!.layer.getClassName()) ? after[0]!.layer : null;
    if (activation) members.add(activation);
    return { identity, members, output: activation ?? add };
  });
}

/**
 * The teacher's graph less its last identity blocks in each stage, so that it has the student's
 * blocks per stage (layer selection: Xu et al. 2024 keep the first blocks of each stage). A stage
 * starts at a block with a projection shortcut. Null when the two do not have the same stages, or
 * the student has more blocks in one.
 */
export function withoutExtraBlocks(student: LayerGraph, teacher: LayerGraph): LayerGraph | null {
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
  const replaced = new Map(dropped.map((b) => [b.output, b.identity!]));
  const resolve = (l: tf.layers.Layer): tf.layers.Layer => (replaced.has(l) ? resolve(replaced.get(l)!) : l);
  const gone = new Set(dropped.flatMap((b) => [...b.members]));
  return teacher.filter((n) => !gone.has(n.layer)).map((n) => ({ layer: n.layer, from: n.from.map(resolve) }));
}
