import { DistillInputError } from '../errors';
import { parseWidth } from './blocks';
import type { BuildOptions, ModelFamily } from './model-spec';

/**
 * The largest model the app builds: 200 million parameters are 800 MB of float32 weights, and
 * training keeps gradients and optimizer state beside them. Past that a name (typed in the app,
 * sent by a client of `distill serve`, or an MLP on large images) is refused before it allocates.
 */
export const MAX_MODEL_PARAMS = 200_000_000;

/** Parameters of each base convnet at width 1, by shape and classes: built once to count. */
const baseParams = new Map<string, number>();

/**
 * Throws an input error when `name` would have more than MAX_MODEL_PARAMS parameters. MLPs are
 * counted exactly; a convnet at width w > 1 is bounded by its width-1 count times w² (every
 * convolution and dense layer scales with both its input and output channels).
 */
export function checkModelScale(family: ModelFamily, name: string, spec: object, options: Pick<BuildOptions, 'inputShape' | 'classes'>, countBase: (base: string) => number): void {
  let params: number | null = null;
  if (family.estimateParams) params = family.estimateParams(spec, options);
  else {
    const parsed = parseWidth(name);
    if (parsed && parsed.width > 1) {
      const key = `${parsed.base}:${options.inputShape.join('x')}:${options.classes}`;
      if (!baseParams.has(key)) baseParams.set(key, countBase(parsed.base));
      params = baseParams.get(key)! * parsed.width ** 2;
    }
  }
  if (params !== null && params > MAX_MODEL_PARAMS) {
    throw new DistillInputError(`model "${name}" would have about ${Math.round(params / 1e6).toLocaleString('en-US')} million parameters on ${options.inputShape.join('×')} images; the app builds models of up to ${MAX_MODEL_PARAMS / 1e6} million`);
  }
}
