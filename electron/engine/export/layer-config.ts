import type * as tf from '@tensorflow/tfjs';

/** What the graph converters (ONNX, TFLite) read from a tfjs-layers layer's config. */
export interface LayerConfig {
  activation?: string;
  padding?: 'valid' | 'same';
  strides?: number[];
  dilationRate?: number | number[];
  poolSize?: number[];
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  maxValue?: number | null;
}

/** A weight's values, copied. */
export const values = async (tensor: tf.Tensor): Promise<Float32Array> => Float32Array.from(await tensor.data());

/** A config's `[height, width]` pair, given as one number or two. */
export const pair = (v: number | number[] | undefined, fallback: number): [number, number] =>
  Array.isArray(v) ? [v[0] ?? fallback, v[1] ?? v[0] ?? fallback] : [v ?? fallback, v ?? fallback];

/** A batch norm layer's weights, with γ = 1 and β = 0 where the layer has none. */
export async function batchNormWeights(layer: tf.layers.Layer, channels: number): Promise<{ gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array; epsilon: number }> {
  const config = layer.getConfig() as LayerConfig;
  const list = [...layer.getWeights()];
  const gamma = config.scale === false ? new Float32Array(channels).fill(1) : await values(list.shift()!);
  const beta = config.center === false ? new Float32Array(channels) : await values(list.shift()!);
  return { gamma, beta, mean: await values(list[0]!), variance: await values(list[1]!), epsilon: config.epsilon ?? 1e-3 };
}
