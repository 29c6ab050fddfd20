import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOGUE } from '../../contract/catalogue';
import type { RunConfig } from '../../contract/run-config';

export interface InitReport {
  copied: Array<{
    student: string;
    teacher: string;
    params: number;
    /** Weight selection: the student layer is this many of the teacher layer's units, not all of them. */
    selected?: { units: number; of: number };
  }>;
  /** Student layers left at their random initial values. */
  kept: string[];
}

/** Whether a run starts this model from the teacher's weights: the distilled student when asked, the student alone only when it is the run's method (`--method baseline`), never the teacher. */
export function startsFromTeacher(config: RunConfig, role: 'teacher' | 'student' | 'baseline'): boolean {
  return config.initFromTeacher && (role === 'student' || (role === 'baseline' && !METHOD_CATALOGUE[config.method].needsTeacher));
}

const sameShapes = (a: tf.LayerVariable[], b: tf.LayerVariable[]) => a.length === b.length && a.every((w, i) => w.shape.join('×') === b[i]!.shape.join('×'));
const weighted = (model: tf.LayersModel) => model.layers.filter((l) => l.weights.length > 0);
const isDense = (layer: tf.layers.Layer) => layer.getClassName() === 'Dense' && layer.weights.length === 2;

/**
 * Weight initialisation from the teacher. When both networks are chains of dense layers of the
 * same depth and the student is no wider anywhere, it is weight selection (Xu et al. 2024,
 * "Initializing models with larger ones"): each hidden layer keeps the teacher's units that feed
 * the next layer most strongly, and every layer takes the block of the teacher's weights between
 * the units kept on either side, so the student starts as a pruned teacher. Otherwise, walking
 * both networks in order, each student layer takes the next teacher layer whose weights have
 * exactly its shapes (for same-family convnets this maps stage to stage). Everything else keeps
 * its initial values.
 */
export function initFromTeacher(student: tf.LayersModel, teacher: tf.LayersModel): InitReport {
  return selectDenseChain(student, teacher) ?? copyByShape(student, teacher);
}

function copyByShape(student: tf.LayersModel, teacher: tf.LayersModel): InitReport {
  const report: InitReport = { copied: [], kept: [] };
  const teacherLayers = weighted(teacher);
  let next = 0;
  for (const layer of weighted(student)) {
    const match = teacherLayers.findIndex((t, i) => i >= next && sameShapes(layer.weights, t.weights));
    if (match < 0) {
      report.kept.push(layer.name);
      continue;
    }
    const source = teacherLayers[match]!;
    layer.setWeights(source.getWeights());
    report.copied.push({ student: layer.name, teacher: source.name, params: layer.countParams() });
    next = match + 1;
  }
  return report;
}

/**
 * The indices of the `count` rows of a [in, out] kernel with the largest norms: the units that feed
 * the next layer most. Their order does not matter as long as both sides of a layer use the same
 * tensor; it stays on the device (no synchronous read, which WebGPU cannot do).
 */
function strongestInputs(nextKernel: tf.Tensor, count: number): tf.Tensor1D {
  return tf.tidy(() => tf.topk(nextKernel.square().sum(1), count).indices as tf.Tensor1D);
}

/** Weight selection for two dense chains (MLPs); null when the pair is not one (then layers are copied by shape). */
function selectDenseChain(student: tf.LayersModel, teacher: tf.LayersModel): InitReport | null {
  const studentLayers = weighted(student);
  const teacherLayers = weighted(teacher);
  if (studentLayers.length !== teacherLayers.length || ![...studentLayers, ...teacherLayers].every(isDense)) return null;
  const kernelShape = (layer: tf.layers.Layer) => layer.weights[0]!.shape as [number, number];
  const fits = studentLayers.every((layer, i) => {
    const [sIn, sOut] = kernelShape(layer);
    const [tIn, tOut] = kernelShape(teacherLayers[i]!);
    return sIn <= tIn && sOut <= tOut && (i > 0 || sIn === tIn) && (i < studentLayers.length - 1 || sOut === tOut);
  });
  // Equal shapes throughout is a plain copy; that path says so without "selected".
  if (!fits || studentLayers.every((layer, i) => sameShapes(layer.weights, teacherLayers[i]!.weights))) return null;
  const report: InitReport = { copied: [], kept: [] };
  let inputs: tf.Tensor1D | null = null; // null: every input (the image, or a layer kept whole)
  for (const [i, layer] of studentLayers.entries()) {
    const source = teacherLayers[i]!;
    const [kernel, bias] = source.getWeights() as [tf.Tensor2D, tf.Tensor1D];
    const [, sOut] = kernelShape(layer);
    const [, tOut] = kernelShape(source);
    const outputs = sOut === tOut ? null : strongestInputs(teacherLayers[i + 1]!.getWeights()[0]!, sOut);
    const block = tf.tidy(() => {
      const rows = inputs ? tf.gather(kernel, inputs, 0) : kernel;
      return [outputs ? tf.gather(rows, outputs, 1) : rows.clone(), outputs ? tf.gather(bias, outputs) : bias.clone()];
    });
    layer.setWeights(block);
    tf.dispose([...block, ...(inputs ? [inputs] : [])]);
    report.copied.push({ student: layer.name, teacher: source.name, params: layer.countParams(), ...(outputs ? { selected: { units: sOut, of: tOut } } : {}) });
    inputs = outputs;
  }
  return report;
}

export function describeInit(report: InitReport): string {
  if (report.copied.length === 0) return `nothing copied: no teacher layer has the shapes of a student layer (kept ${report.kept.join(', ')})`;
  const copied = report.copied.map((c) => `${c.student} ← ${c.teacher}${c.selected ? ` (${c.selected.units.toLocaleString('en-US')} of ${c.selected.of.toLocaleString('en-US')} units)` : ''}`).join(', ');
  const how = report.copied.some((c) => c.selected) ? 'weight selection: the teacher units that feed the next layer most, ' : '';
  return `${how}copied ${copied} (${report.copied.reduce((n, c) => n + c.params, 0).toLocaleString('en-US')} parameters); kept ${report.kept.join(', ') || 'nothing'} at initial values`;
}
