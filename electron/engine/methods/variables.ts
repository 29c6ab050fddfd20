import * as tf from '@tensorflow/tfjs';

/** A variable made from an initial value, which it copies: the initial tensor is disposed. */
export function variableFrom(initial: tf.Tensor, trainable: boolean, name: string): tf.Variable {
  const variable = tf.variable(initial, trainable, name);
  initial.dispose();
  return variable;
}
