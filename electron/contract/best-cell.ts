import type { SweepResult } from './events';
import type { RunConfig } from './run-config';

/** A config with KD's T and α set to a sweep cell's. */
export function withKdCell(config: RunConfig, temperature: number, alpha: number): RunConfig {
  return { ...config, methodOptions: { ...config.methodOptions, kd: { ...config.methodOptions.kd, temperature, alpha } } };
}

/** A config with the sweep's choice: T and α, and the teacher's weights as the start when it chose them. */
export function withSweepChoice(config: RunConfig, best: SweepResult['best']): RunConfig {
  return { ...withKdCell(config, best.temperature, best.alpha), ...(best.init ? { initFromTeacher: true } : {}) };
}

/**
 * "The full run with the best cell": a finished sweep's settings, untouched but for its choice,
 * as a KD run that trains the student (and the student alone) instead of sweeping. The caller
 * names the sweep's saved teacher, which the full run loads rather than trains again.
 */
export function bestCellRunConfig(sweepConfig: RunConfig, best: SweepResult['best']): RunConfig {
  return { ...withSweepChoice(sweepConfig, best), method: 'kd', sweep: false };
}
