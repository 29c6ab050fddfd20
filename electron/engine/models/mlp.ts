import { MODEL_FAMILY_CATALOGUE } from '../../contract/catalogue';
import * as tf from '@tensorflow/tfjs';
import { dropout } from './dropout';
import { seededKernel } from './init';
import type { ModelFamily } from './model-spec';

export interface MlpSpec {
  width: number;
  depth: number;
}

/** `mlp-<width>x<depth>`: `depth` hidden ReLU layers of `width` units (Hinton et al.'s MNIST nets). */
export const mlpFamily: ModelFamily = {
  id: 'mlp',
  ...MODEL_FAMILY_CATALOGUE.mlp,
  parse(name) {
    const match = /^mlp-(\d+)x(\d+)$/.exec(name);
    if (!match) return null;
    const width = Number(match[1]);
    const depth = Number(match[2]);
    if (width < 1 || width > 8192 || depth < 1 || depth > 16) return null;
    return { width, depth } satisfies MlpSpec;
  },
  estimateParams(spec, { inputShape, classes }) {
    const { width, depth } = spec as MlpSpec;
    const inputs = inputShape[0] * inputShape[1] * inputShape[2];
    return inputs * width + width + (depth - 1) * (width * width + width) + width * classes + classes;
  },
  build(spec, options) {
    const { width, depth } = spec as MlpSpec;
    const layers: tf.layers.Layer[] = [tf.layers.flatten({ inputShape: options.inputShape })];
    // Hinton et al. drop 20% of inputs when they drop 50% of hidden units.
    if (options.dropout > 0) layers.push(dropout({ rate: Math.min(0.2, options.dropout), seed: options.seed }));
    for (let i = 0; i < depth; i++) {
      layers.push(tf.layers.dense({ units: width, activation: 'relu', kernelInitializer: seededKernel(options.seed, i), name: `dense_${i + 1}` }));
      if (options.dropout > 0) layers.push(dropout({ rate: options.dropout, seed: options.seed + i + 1 }));
    }
    layers.push(tf.layers.dense({ units: options.classes, kernelInitializer: seededKernel(options.seed, depth), name: 'logits' }));
    return tf.sequential({ layers, name: `mlp-${width}x${depth}` });
  },
};
