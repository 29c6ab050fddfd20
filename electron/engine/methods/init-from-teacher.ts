import type * as tf from '@tensorflow/tfjs';

export interface InitReport {
  copied: Array<{ student: string; teacher: string; params: number }>;
  /** Student layers left at their random initial values. */
  kept: string[];
}

const sameShapes = (a: tf.LayerVariable[], b: tf.LayerVariable[]) => a.length === b.length && a.every((w, i) => w.shape.join('×') === b[i]!.shape.join('×'));

/**
 * Weight initialisation from the teacher: walking both networks in order, each student layer
 * takes the next teacher layer whose weights have exactly its shapes (MLP layers by shape;
 * for same-family convnets this maps stage to stage). Everything else keeps its initial values.
 */
export function initFromTeacher(student: tf.LayersModel, teacher: tf.LayersModel): InitReport {
  const report: InitReport = { copied: [], kept: [] };
  const teacherLayers = teacher.layers.filter((l) => l.weights.length > 0);
  let next = 0;
  for (const layer of student.layers.filter((l) => l.weights.length > 0)) {
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
  const copied = report.copied.map((c) => `${c.student} ← ${c.teacher}`).join(', ');
  return `copied ${copied} (${report.copied.reduce((n, c) => n + c.params, 0).toLocaleString('en-US')} parameters); kept ${report.kept.join(', ') || 'nothing'} at initial values`;
}
