import * as tf from '@tensorflow/tfjs';
import type { InitReport } from './init-from-teacher';

/**
 * Weight selection (Xu et al. 2024, "Initializing models with larger ones") for a student that is
 * a narrower copy of its teacher: the same chain of dense, convolution and batch-norm layers, each
 * with at most the teacher's units or channels. Every hidden layer keeps the teacher's units
 * (channels) that feed the next layer most strongly, and every layer takes the block of the
 * teacher's weights between the units kept on either side, so the student starts as a pruned
 * teacher. Returns null when the pair is not such a chain; nothing is changed then.
 */
export function selectTeacherWeights(student: tf.LayersModel, teacher: tf.LayersModel): InitReport | null {
  const studentChain = weightedChain(student);
  const teacherChain = weightedChain(teacher);
  if (!studentChain || !teacherChain) return null;
  const plan = planSelection(studentChain, teacherChain);
  if (!plan) return null;
  const report: InitReport = { copied: [], kept: [] };
  let kept: Kept | null = null; // the teacher channels the current feature keeps; null: all of them
  for (const [i, step] of plan.entries()) {
    const source = teacherChain[i]!;
    const weights = source.getWeights();
    const outputs: Kept | null = step.kind === 'bn' ? kept : step.keep === null ? null : { indices: strongestChannels(plan, teacherChain, i, step.keep), of: step.of };
    const block = tf.tidy(() => selectBlock(step, weights, kept, outputs));
    step.layer.setWeights(block);
    tf.dispose(block);
    // A batch norm carries the channels kept before it; it selects none of its own.
    const selected = step.kind !== 'bn' && outputs ? { selected: { units: outputs.indices.shape[0], of: outputs.of, channels: step.kind === 'conv' } } : {};
    report.copied.push({ student: step.layer.name, teacher: source.name, params: step.layer.countParams(), ...selected });
    if (kept !== outputs) kept?.indices.dispose();
    kept = outputs;
  }
  kept?.indices.dispose();
  return report;
}

type Kind = 'dense' | 'conv' | 'bn';
interface Step {
  layer: tf.layers.Layer;
  kind: Kind;
  /** Output units or channels the student keeps of the teacher's `of`; null when it keeps them all. */
  keep: number | null;
  of: number;
  /** A dense layer after a flatten: the teacher's input is `positions` copies of the channels. */
  positions: number;
}
interface Kept {
  indices: tf.Tensor1D;
  of: number;
}

const KINDS: Record<string, Kind> = { Dense: 'dense', Conv2D: 'conv', BatchNormalization: 'bn' };

/** The layers with weights, in order, when the model is a single chain of layers (no branches, no shared layers); null otherwise. */
function weightedChain(model: tf.LayersModel): tf.layers.Layer[] | null {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (const [i, layer] of layers.entries()) {
    if (layer.inboundNodes.length !== 1) return null;
    const from = layer.inboundNodes[0]!.inboundLayers;
    if (i > 0 && (from.length !== 1 || from[0] !== layers[i - 1])) return null;
  }
  return layers.filter((l) => l.weights.length > 0);
}

/** What each student layer takes from its teacher layer, checked in full before any weight changes; null when the student is not a narrower copy. */
function planSelection(student: tf.layers.Layer[], teacher: tf.layers.Layer[]): Step[] | null {
  if (student.length !== teacher.length || student.length === 0) return null;
  const steps: Step[] = [];
  let channels: { student: number; teacher: number } | null = null; // the current feature's channels
  for (const [i, layer] of student.entries()) {
    const source = teacher[i]!;
    const kind = KINDS[layer.getClassName()];
    if (!kind || source.getClassName() !== layer.getClassName() || layer.weights.length !== source.weights.length) return null;
    const s = layer.weights[0]!.shape as number[];
    const t = source.weights[0]!.shape as number[];
    if (kind === 'bn') {
      if (!channels || s[0] !== channels.student || t[0] !== channels.teacher) return null;
      steps.push({ layer, kind, keep: null, of: t[0]!, positions: 1 });
      continue;
    }
    const [sIn, sOut, tIn, tOut] = [s.at(-2)!, s.at(-1)!, t.at(-2)!, t.at(-1)!];
    if (kind === 'conv' && (s[0] !== t[0] || s[1] !== t[1])) return null;
    let positions = 1;
    if (channels) {
      positions = tIn / channels.teacher;
      if (!Number.isInteger(positions) || sIn !== positions * channels.student || (kind === 'conv' && positions !== 1)) return null;
    } else if (sIn !== tIn) {
      return null;
    }
    if (sOut > tOut) return null;
    steps.push({ layer, kind, keep: sOut === tOut ? null : sOut, of: tOut, positions });
    channels = { student: sOut, teacher: tOut };
  }
  const last = [...steps].reverse().find((step) => step.kind !== 'bn')!;
  // Equal shapes throughout is a plain copy (the caller's); a narrower output layer has no teacher block to take.
  if (last.keep !== null || steps.every((step) => step.keep === null)) return null;
  return steps;
}

/**
 * The indices of the `count` channels of teacher layer `at` that matter most downstream: the largest
 * total squared weight leaving them in the next dense or convolution layer, times the squared
 * scale of a batch norm between. Their order does not matter as long as both sides of a layer use
 * the same tensor; it stays on the device (no synchronous read, which WebGPU cannot do).
 */
function strongestChannels(plan: Step[], teacher: tf.layers.Layer[], at: number, count: number): tf.Tensor1D {
  return tf.tidy(() => {
    let scale: tf.Tensor | null = null;
    let next = at + 1;
    if (plan[next]?.kind === 'bn') {
      // γ comes first when the batch norm has one (scale: true, all four vectors).
      const norm = teacher[next++]!.getWeights();
      if (norm.length === 4) scale = norm[0]!.square();
    }
    const kernel = teacher[next]!.getWeights()[0]!;
    const channels = plan[at]!.of;
    // A dense kernel after a flatten has one row per (position, channel); a convolution's input channels are its third axis.
    const outgoing = plan[next]!.kind === 'conv' ? kernel.square().sum([0, 1, 3]) : kernel.reshape([plan[next]!.positions, channels, -1]).square().sum([0, 2]);
    return tf.topk(scale ? outgoing.mul(scale) : outgoing, count).indices as tf.Tensor1D;
  });
}

/** The student's weights for one step: the teacher's rows for the kept inputs and columns for the kept outputs. */
function selectBlock(step: Step, weights: tf.Tensor[], inputs: Kept | null, outputs: Kept | null): tf.Tensor[] {
  if (step.kind === 'bn') return weights.map((w) => (inputs ? tf.gather(w, inputs.indices) : w.clone()));
  const [kernel, bias] = weights as [tf.Tensor, tf.Tensor | undefined];
  const inAxis = kernel.rank - 2;
  let rows = kernel;
  if (inputs) {
    // After a flatten, row p·C + c is channel c at position p: keep the kept channels at every position.
    const indices = step.positions === 1 ? inputs.indices : tf.range(0, step.positions, 1, 'int32').mul(tf.scalar(inputs.of, 'int32')).expandDims(1).add(inputs.indices.expandDims(0)).reshape([-1]);
    rows = tf.gather(kernel, indices, inAxis);
  }
  const selected = outputs ? tf.gather(rows, outputs.indices, inAxis + 1) : rows.clone();
  return bias ? [selected, outputs ? tf.gather(bias, outputs.indices) : bias.clone()] : [selected];
}
