import * as tf from '@tensorflow/tfjs';
import { withCall } from './layer-call';

/** The tfjs-layers Dropout fields read here (private in its typings). */
interface DropoutInternals {
  rate: number;
  seed?: number;
  noiseShape?: number[] | null;
}

const callsByLayer = new WeakMap<object, number>();

/**
 * tfjs-layers' Dropout with a mask that changes from call to call. tfjs's own passes its `seed`
 * to tf.randomUniform on every call, and a seeded tf.randomUniform starts its stream afresh each
 * time: every training step dropped the same units, which trains a fixed smaller network instead
 * of dropout. Here each call draws with the seed and the call's number, so masks differ step by
 * step and a seeded run is still reproducible.
 */
export const dropout = withCall(tf.layers.dropout, (layer, inputs, kwargs, stock) => {
  const self = layer as unknown as DropoutInternals;
  if (kwargs['training'] !== true || self.seed === undefined || self.noiseShape != null || !(self.rate > 0 && self.rate < 1)) return stock(inputs, kwargs);
  const input = Array.isArray(inputs) ? inputs[0]! : inputs;
  const call = callsByLayer.get(layer) ?? 0;
  callsByLayer.set(layer, call + 1);
  return tf.dropout(input, self.rate, undefined, `${self.seed}/${call}`);
});
