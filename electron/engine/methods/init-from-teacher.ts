import type * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOGUE } from '../../contract/catalogue';
import type { RunConfig } from '../../contract/run-config';
import { seedingModel } from '../models/ensemble';
import { selectTeacherWeights } from './weight-selection';

export interface InitReport {
  copied: Array<{
    student: string;
    teacher: string;
    params: number;
    /** Weight selection: the student layer is this many of the teacher layer's units (channels for a convolution), not all of them. */
    selected?: { units: number; of: number; channels: boolean };
  }>;
  /** Student layers left at their random initial values. */
  kept: string[];
  /** `--selection-steps`: the widths the teacher was pruned through first (../runs/selection-steps.ts). */
  steps?: string;
}

/** Whether a run starts this model from the teacher's weights: the distilled student when asked, the student alone only when it is the run's method (`--method baseline`), never the teacher. */
export function startsFromTeacher(config: RunConfig, role: 'teacher' | 'student' | 'baseline'): boolean {
  return config.initFromTeacher && (role === 'student' || (role === 'baseline' && !METHOD_CATALOGUE[config.method].needsTeacher));
}

const sameShapes = (a: tf.LayerVariable[], b: tf.LayerVariable[]) => a.length === b.length && a.every((w, i) => w.shape.join('×') === b[i]!.shape.join('×'));
const weighted = (model: tf.LayersModel) => model.layers.filter((l) => l.weights.length > 0);

/**
 * Weight initialisation from the teacher. When the student is a narrower copy of the teacher (the
 * same graph of dense, convolution, depthwise and batch-norm layers, none wider: `mlp-800x2` →
 * `mlp-30x2`, `lenet5` → `lenet5@0.5`, `resnet20` → `resnet20@0.5`, or shallower as well:
 * `resnet56` → `resnet20@0.5`, `vgg19` → `vgg11@0.5`), it is weight selection (./weight-selection.ts): the student starts as
 * the teacher pruned to its strongest units. Otherwise, walking both networks in order, each
 * student layer takes the next teacher layer whose weights have exactly its shapes (for
 * same-family convnets of different depths this maps stage to stage). Everything else keeps its
 * initial values.
 */
export function initFromTeacher(student: tf.LayersModel, teacher: tf.LayersModel): InitReport {
  // An ensemble seeds the student from its first member: the average has no units of its own to keep.
  const source = seedingModel(teacher);
  return selectTeacherWeights(student, source) ?? copyByShape(student, source);
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

export function describeInit(report: InitReport): string {
  if (report.copied.length === 0) return `nothing copied: no teacher layer has the shapes of a student layer (kept ${report.kept.join(', ')})`;
  const pairs = report.copied.map((c) => `${c.student} ← ${c.teacher}${c.selected ? ` (${c.selected.units.toLocaleString('en-US')} of ${c.selected.of.toLocaleString('en-US')} ${c.selected.channels ? 'channels' : 'units'})` : ''}`);
  // A ResNet has dozens of layers: the first few and the last stand for the rest.
  const copied = (pairs.length > 8 ? [...pairs.slice(0, 4), `… ${pairs.length - 5} more layers …`, pairs.at(-1)!] : pairs).join(', ');
  const how = report.copied.some((c) => c.selected) ? 'weight selection: the teacher units or channels that feed the next layers most, ' : '';
  return `${report.steps ? `${report.steps}; ` : ''}${how}copied ${copied} (${report.copied.reduce((n, c) => n + c.params, 0).toLocaleString('en-US')} parameters); kept ${report.kept.join(', ') || 'nothing'} at initial values`;
}
