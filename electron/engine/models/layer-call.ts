import * as tf from '@tensorflow/tfjs';

type Kwargs = Parameters<tf.layers.Layer['call']>[1];
type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) => tf.Tensor | tf.Tensor[];

/**
 * A tfjs-layers layer factory whose layers run `call` in place of their own (which `stock` runs).
 * tfjs-layers does not export its layer classes, so the subclass is made once, from the first
 * instance's constructor. The class name is unchanged: a saved model is a plain layer of that
 * kind anywhere TensorFlow.js loads it.
 */
export function withCall<Args, L extends tf.layers.Layer>(factory: (args: Args) => L, call: (layer: L, inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs, stock: Call) => tf.Tensor | tf.Tensor[]): (args: Args) => L {
  let Subclass: (new (args: Args) => L) | undefined;
  return (args) => {
    if (!Subclass) {
      const Base = factory({} as Args).constructor as new (args: Args) => tf.layers.Layer;
      Subclass = class extends Base {
        override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
          return call(this as unknown as L, inputs, kwargs, (i, k) => super.call(i, k));
        }
      } as unknown as new (args: Args) => L;
    }
    return new Subclass(args);
  };
}
