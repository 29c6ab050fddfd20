import { MODEL_FAMILY_CATALOGUE } from '../../contract/catalogue';
import * as tf from '@tensorflow/tfjs';
import { parseWidth, scaled } from './blocks';
import { dropout } from './dropout';
import { seededKernel } from './init';
import type { ModelFamily } from './model-spec';

/**
 * LeCun et al.'s LeNet-5 with ReLU and max-pooling; 61,706 parameters on 28×28×1 input.
 * `lenet5@0.5` scales every layer's width (a small convnet student for a LeNet-5 teacher).
 */
export const lenet5Family: ModelFamily = {
  id: 'lenet5',
  ...MODEL_FAMILY_CATALOGUE.lenet5,
  parse(name) {
    const parsed = parseWidth(name);
    return parsed?.base === 'lenet5' ? { width: parsed.width } : null;
  },
  build(spec, options) {
    const { width } = spec as { width: number };
    const k = (i: number) => seededKernel(options.seed, i);
    const layers: tf.layers.Layer[] = [
      tf.layers.conv2d({ inputShape: options.inputShape, filters: scaled(6, width), kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: k(0), name: 'conv_1' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool_1' }),
      tf.layers.conv2d({ filters: scaled(16, width), kernelSize: 5, padding: 'valid', activation: 'relu', kernelInitializer: k(1), name: 'conv_2' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool_2' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: scaled(120, width), activation: 'relu', kernelInitializer: k(2), name: 'fc_1' }),
    ];
    if (options.dropout > 0) layers.push(dropout({ rate: options.dropout, seed: options.seed }));
    layers.push(tf.layers.dense({ units: scaled(84, width), activation: 'relu', kernelInitializer: k(3), name: 'fc_2' }));
    layers.push(tf.layers.dense({ units: options.classes, kernelInitializer: k(4), name: 'logits' }));
    return tf.sequential({ layers, name: 'lenet5' });
  },
};
