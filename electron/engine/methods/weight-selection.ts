import * as tf from '@tensorflow/tfjs';
import { planChannelSpaces, type SelectionPlan, type WeightedStep } from './channel-spaces';
import type { InitReport } from './init-from-teacher';

/**
 * Weight selection (Xu et al. 2024, "Initializing models with larger ones") for a student that is
 * a narrower copy of its teacher: the same graph of dense, convolution, depthwise and batch-norm
 * layers, each with at most the teacher's units or channels (`mlp-800x2` → `mlp-30x2`, `lenet5` →
 * `lenet5@0.5`, `resnet20` → `resnet20@0.5`, `mobilenetv2` → `mobilenetv2@0.5`; a shallower student
 * pairs with the teacher's first blocks or layers of each stage, ./layer-graph.ts). Every space of
 * channels (./channel-spaces.ts: a layer's output, or a whole residual stream) keeps the teacher's
 * channels that feed the next layers most strongly, and every layer takes the block of the
 * teacher's weights between the channels kept on either side, so the student starts as a pruned
 * teacher. Returns null when the pair is not such a copy; nothing is changed then.
 */
export function selectTeacherWeights(student: tf.LayersModel, teacher: tf.LayersModel): InitReport | null {
  const plan = planChannelSpaces(student, teacher);
  if (!plan) return null;
  // The teacher channels each narrower space keeps; a space missing here keeps them all.
  const kept = new Map<number, tf.Tensor1D>();
  for (const step of plan.steps) {
    const space = plan.spaces[step.output]!;
    if (space.student < space.teacher && !kept.has(step.output)) kept.set(step.output, strongestChannels(plan, step.output, space.student));
  }
  const report: InitReport = { copied: [], kept: [] };
  for (const step of plan.steps) {
    const block = tf.tidy(() => selectBlock(step, step.teacher.getWeights(), kept.get(step.input.space), kept.get(step.output)).map(ownBuffer));
    step.student.setWeights(block);
    tf.dispose(block);
    const space = plan.spaces[step.output]!;
    // A batch norm or depthwise convolution carries the channels of its input; it selects none of its own.
    const selects = (step.kind === 'dense' || step.kind === 'conv') && kept.has(step.output);
    const selected = selects ? { selected: { units: space.student, of: space.teacher, channels: step.kind === 'conv' } } : {};
    report.copied.push({ student: step.student.name, teacher: step.teacher.name, params: step.student.countParams(), ...selected });
  }
  tf.dispose([...kept.values()]);
  return report;
}

/**
 * The `count` channels of a space that matter most downstream: for each layer that reads the space,
 * the squared weight leaving each channel, as a share of that layer's total (so that every reader
 * counts alike), summed, then times the squared scale of the space's batch norms (relative to
 * their mean) where it has any. Their order does not matter as long as both sides of a layer use
 * the same tensor; it stays on the device (no synchronous read, which WebGPU cannot do).
 */
function strongestChannels(plan: SelectionPlan, space: number, count: number): tf.Tensor1D {
  return tf.tidy(() => {
    const channels = plan.spaces[space]!.teacher;
    const readers = plan.steps.filter((s) => s.kind !== 'bn' && s.input.space === space);
    const shares = readers.map((reader) => {
      const kernel = reader.teacher.getWeights()[0]!;
      // A dense kernel after a flatten has one row per (position, channel); a convolution's input channels are its third axis.
      const outgoing = reader.kind === 'dense' ? kernel.reshape([reader.input.positions, channels, -1]).square().sum([0, 2]) : kernel.square().sum([0, 1, 3]);
      return outgoing.div(outgoing.sum().add(1e-12));
    });
    // γ comes first when a batch norm has one (scale: true, all four vectors).
    const scales = plan.steps.filter((s) => s.kind === 'bn' && s.output === space && s.teacher.weights.length === 4).map((bn) => {
      const gamma = bn.teacher.getWeights()[0]!.square();
      return gamma.div(gamma.mean().add(1e-12));
    });
    let score: tf.Tensor = shares.length > 0 ? tf.addN(shares) : tf.ones([channels]);
    if (scales.length > 0) score = score.mul(tf.addN(scales));
    return tf.topk(score, count).indices as tf.Tensor1D;
  });
}

/**
 * A copy in a buffer of its own, recorded with its own shape. tfjs-backend-wasm's gather computes
 * in four dimensions and reshapes without copying, so its backend keeps the 4-D shape; its fused
 * convolution reads a bias's shape from there and rejects a gathered bias as "rank 4". An addition
 * allocates a fresh output.
 */
const ownBuffer = (w: tf.Tensor) => tf.add(w, tf.scalar(0, w.dtype));

/** The student's weights for one layer: the teacher's rows for the kept inputs and columns for the kept outputs. */
function selectBlock(step: WeightedStep, weights: tf.Tensor[], inputs: tf.Tensor1D | undefined, outputs: tf.Tensor1D | undefined): tf.Tensor[] {
  // Unselected axes pass the teacher's tensor on as is: ownBuffer copies every result.
  const keep = (w: tf.Tensor, indices: tf.Tensor1D | undefined, axis = 0) => (indices ? tf.gather(w, indices, axis) : w);
  if (step.kind === 'bn') return weights.map((w) => keep(w, outputs));
  const [kernel, bias] = weights as [tf.Tensor, tf.Tensor | undefined];
  // A depthwise kernel is [h, w, channels, 1], one filter per channel of its input's space.
  if (step.kind === 'depthwise') return [keep(kernel, outputs, 2), ...(bias ? [keep(bias, outputs)] : [])];
  const inAxis = kernel.rank - 2;
  let rowIndices = inputs;
  if (inputs && step.input.positions > 1) {
    // After a flatten, row p·C + c is channel c at position p: keep the kept channels at every position.
    const of = kernel.shape[inAxis]! / step.input.positions;
    rowIndices = tf.range(0, step.input.positions, 1, 'int32').mul(tf.scalar(of, 'int32')).expandDims(1).add(inputs.expandDims(0)).reshape([-1]);
  }
  const rows = keep(kernel, rowIndices, inAxis);
  return [keep(rows, outputs, inAxis + 1), ...(bias ? [keep(bias, outputs)] : [])];
}
