import { formatCountOf } from '../../contract/display';

/**
 * A linear ramp from 0 to 1 over the first `epochs` epochs of a loss term, step by step
 * (`progress` is epochs done, fractional); 1 throughout when there is no warm-up. A term whose
 * first gradients dwarf cross-entropy's (KD at a large α·T, DKD's β, attention transfer) can
 * stop a student without batch norm learning at all before it has begun.
 */
export const warmupRamp = (progress: number, epochs: number): number => (epochs > 0 ? Math.min(Math.max(progress, 0) / epochs, 1) : 1);

/** ", warm-up N epochs" for a method's description; nothing without one. */
export const describeWarmup = (epochs: number): string => (epochs > 0 ? `, warm-up ${formatCountOf(epochs, 'epoch')}` : '');
