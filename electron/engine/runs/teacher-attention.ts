import type { FeatureLayer } from '../methods/layer-pairing';
import type { TeacherFeatureBatch } from './external-teacher';
import type { TeacherFeaturePlan } from './teacher-feature-plan';

/**
 * A map as attention transfer reads it: √(mean over channels of its squares), one channel. Its
 * attention map (the channel mean of the squares, normalised) is the full map's, so a teacher's
 * map that nothing else reads is kept C times smaller over the training images.
 */
export function keptForAttention(batch: TeacherFeatureBatch): TeacherFeatureBatch & { channels: number } {
  const [h, w, c] = batch.shape as [number, number, number];
  const pixels = batch.data.length / c;
  const data = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    let sum = 0;
    for (let k = p * c; k < (p + 1) * c; k++) sum += batch.data[k]! * batch.data[k]!;
    data[p] = Math.sqrt(sum / c);
  }
  return { name: batch.name, data, shape: [h, w, 1], channels: c };
}

/** Is this tensor a map that only attention transfer reads (kept as keptForAttention)? */
const attentionOnly = (tensor: { name: string; shape: readonly number[] }, plan: Pick<TeacherFeaturePlan, 'attentionOnly'>) => plan.attentionOnly.includes(tensor.name) && tensor.shape.length === 3;

/** A batch of an inner tensor as the run keeps it: a map only attention transfer reads, as its attention. */
export const keptAsPlanned = (batch: TeacherFeatureBatch, plan: Pick<TeacherFeaturePlan, 'attentionOnly'>): TeacherFeatureBatch => (attentionOnly(batch, plan) ? keptForAttention(batch) : batch);

/** Each tensor's shape as the run keeps it: a map only attention transfer reads, one channel. */
export const storedFeatureShapes = (tensors: readonly FeatureLayer[], plan: Pick<TeacherFeaturePlan, 'attentionOnly'>): FeatureLayer[] =>
  tensors.map((t) => (attentionOnly(t, plan) ? { name: t.name, shape: [t.shape[0]!, t.shape[1]!, 1] } : t));
