import { useTfjsBatchNormTraining } from './batch-norm';
import { useTfjsReluGradient } from './clipped-relu';

/**
 * Makes the layers this project rewrites for fewer kernels (batch norm in training, ReLU6) run
 * tfjs-layers' own code again, for `distill bench --stock-kernels`, which measures tfjs's own
 * code throughout. For the rest of the process.
 */
export function useTfjsLayerCode(): string[] {
  useTfjsBatchNormTraining();
  useTfjsReluGradient();
  return ["tfjs-layers' batch-norm training", "tfjs's ReLU6 gradient"];
}
