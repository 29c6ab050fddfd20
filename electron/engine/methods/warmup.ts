import { formatCountOf } from '../../contract/display';

/**
 * A linear ramp from 0 to 1 over the first `epochs` epochs of a loss term, step by step
 * (`progress` is epochs done, fractional); 1 throughout when there is no warm-up. A term whose
 * first gradients dwarf cross-entropy's (KD at a large α·T, DKD's β, attention transfer) can
 * stop a student without batch norm learning at all before it has begun.
 */
export const warmupRamp = (progress: number, epochs: number): number => (epochs > 0 ? Math.min(Math.max(progress, 0) / epochs, 1) : 1);

/**
 * ", warm-up N epochs" for a method's description; nothing without one. Given the epochs the term
 * trains for, a warm-up longer than them says so: the term then never reaches its full weight.
 */
export function describeWarmup(epochs: number, trained?: number): string {
  if (epochs <= 0) return '';
  const short = trained !== undefined && trained < epochs ? ` (longer than the ${trained} trained: the ramp ends at ${Math.round((100 * trained) / epochs)} %)` : '';
  return `, warm-up ${formatCountOf(epochs, 'epoch')}${short}`;
}
