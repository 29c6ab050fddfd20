import type { RunConfig } from '../../contract/run-config';

/**
 * The plateau schedule's cuts: ×0.1 whenever the validation accuracy has not improved for
 * `patience` epochs (the count restarts after each cut). Replayed from a phase's history on resume.
 */
export class PlateauCuts {
  factor = 1;
  private best = -Infinity;
  private since = 0;

  constructor(private readonly patience: number) {}

  update(valAccuracy: number): void {
    if (valAccuracy > this.best) {
      this.best = valAccuracy;
      this.since = 0;
    } else if (++this.since >= this.patience) {
      this.factor *= 0.1;
      this.since = 0;
    }
  }
}

/**
 * Learning rate at a point of training. `progress` is epochs done, fractional
 * (0 at the start, `epochs` at the end): cosine anneals per step, step decays at milestones.
 */
export function learningRateAt(config: Pick<RunConfig, 'lr' | 'schedule' | 'lrMilestones'>, progress: number, epochs: number): number {
  switch (config.schedule) {
    // plateau: the base rate; the trainer cuts it on validation plateaus (PlateauCuts).
    case 'constant':
    case 'plateau':
      return config.lr;
    case 'cosine':
      return 0.5 * config.lr * (1 + Math.cos((Math.PI * Math.min(progress, epochs)) / epochs));
    case 'step': {
      const passed = config.lrMilestones.filter((milestone) => Math.floor(progress) >= milestone).length;
      return config.lr * 0.1 ** passed;
    }
  }
}
