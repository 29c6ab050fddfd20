import type { RunConfig } from '../../contract/run-config';

/**
 * Learning rate at a point of training. `progress` is epochs done, fractional
 * (0 at the start, `epochs` at the end): cosine anneals per step, step decays at milestones.
 */
export function learningRateAt(config: Pick<RunConfig, 'lr' | 'schedule' | 'lrMilestones'>, progress: number, epochs: number): number {
  switch (config.schedule) {
    case 'constant':
      return config.lr;
    case 'cosine':
      return 0.5 * config.lr * (1 + Math.cos((Math.PI * Math.min(progress, epochs)) / epochs));
    case 'step': {
      const passed = config.lrMilestones.filter((milestone) => Math.floor(progress) >= milestone).length;
      return config.lr * 0.1 ** passed;
    }
  }
}
