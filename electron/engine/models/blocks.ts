import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './batch-norm';
import { reluLayer } from './clipped-relu';
import { seededHeKernel } from './init';

/** Layers in PyTorch's conventions (BN momentum 0.1 = tfjs 0.9, ε = 1e-5), seeded per layer. */
export class LayerFactory {
  private index = 0;
  constructor(private readonly seed: number) {}

  conv(x: tf.SymbolicTensor, filters: number, kernel: number, strides: number, name: string, useBias = false): tf.SymbolicTensor {
    return tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding: 'same', useBias, kernelInitializer: seededHeKernel(this.seed, this.index++), name }).apply(x) as tf.SymbolicTensor;
  }

  depthwise(x: tf.SymbolicTensor, strides: number, name: string): tf.SymbolicTensor {
    return tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false, depthwiseInitializer: seededHeKernel(this.seed, this.index++), name }).apply(x) as tf.SymbolicTensor;
  }

  bn(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return batchNormalization({ momentum: 0.9, epsilon: 1e-5, name }).apply(x) as tf.SymbolicTensor;
  }

  relu(x: tf.SymbolicTensor, name: string, max?: number): tf.SymbolicTensor {
    return (max ? reluLayer({ maxValue: max, name }) : tf.layers.activation({ activation: 'relu', name })).apply(x) as tf.SymbolicTensor;
  }

  /** Global average pooling (when there is still a spatial extent) and the logits layer. */
  head(x: tf.SymbolicTensor, classes: number): tf.SymbolicTensor {
    const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
    return tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: this.seed * 1009 + this.index++ }), name: 'logits' }).apply(pooled) as tf.SymbolicTensor;
  }
}

/** `name@0.25` → width multiplier 0.25; channels scale and stay at least 1 (MobileNet: multiples of 8). */
export function parseWidth(name: string): { base: string; width: number } | null {
  const match = /^([a-z0-9]+)(?:@(\d+(?:\.\d+)?))?$/.exec(name);
  if (!match) return null;
  const width = match[2] === undefined ? 1 : Number(match[2]);
  if (!(width > 0 && width <= 4)) return null;
  return { base: match[1]!, width };
}

export const scaled = (channels: number, width: number) => Math.max(1, Math.round(channels * width));
