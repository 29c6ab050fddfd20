import * as tf from '@tensorflow/tfjs';
import { encodeOnnxModel, withGraphOutputs } from './encode';
import type { OnnxGraph } from './graph';
import type { Range } from '../activation-range';

/** Calibration images per onnxruntime call: a few MB of activations for the largest models here. */
const BATCH = 64;

/**
 * The range of every tensor the float graph makes, and of its input, over calibration images
 * (fed as the graph takes them), found by running it in onnxruntime with every tensor among its
 * outputs: the ranges are those of the runtime that will run the quantized file.
 */
export async function onnxActivationRanges(graph: OnnxGraph, images: tf.Tensor4D): Promise<Map<string, Range>> {
  const ort = await import('onnxruntime-node');
  const names = graph.nodes.map((node) => node.output);
  const session = await ort.InferenceSession.create(withGraphOutputs(encodeOnnxModel(graph, 'calibration'), names), { executionProviders: ['cpu'] });
  const ranges = new Map<string, Range>();
  const widen = (name: string, values: ArrayLike<number>) => {
    let [lo, hi] = ranges.get(name) ?? [Infinity, -Infinity];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    ranges.set(name, [lo, hi]);
  };
  try {
    const [count, ...shape] = images.shape;
    for (let start = 0; start < count; start += BATCH) {
      const size = Math.min(BATCH, count - start);
      const batch = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]);
      const pixels = (await batch.data()) as Float32Array;
      batch.dispose();
      widen(graph.input.name, pixels);
      const outputs = await session.run({ [graph.input.name]: new ort.Tensor('float32', pixels, [size, ...shape]) }, names);
      for (const name of names) widen(name, outputs[name]!.data as Float32Array);
    }
  } finally {
    await session.release();
  }
  return ranges;
}
