import * as tf from '@tensorflow/tfjs';
import { Activation, BuiltinOp, Padding, TensorType, type TfliteGraph, type TfliteOperator, type TfliteOptions } from './graph';

/** An int32 constant's values (a reshape's shape, a mean's axes), read from its bytes. */
function int32Values(graph: TfliteGraph, index: number): number[] {
  const t = graph.tensors[index]!;
  if (t.type !== TensorType.INT32 || !t.data) throw new Error(`TFLite graph: ${t.name} is not an int32 constant`);
  return Array.from(new Int32Array(t.data.slice().buffer));
}

/** A float32 graph's constant as a tensor of its declared shape. */
function constantTensor(graph: TfliteGraph, index: number): tf.Tensor {
  const t = graph.tensors[index]!;
  if (!t.data) throw new Error(`TFLite graph: tensor ${t.name} is read as a constant but has no data`);
  const bytes = t.data.slice().buffer;
  if (t.type === TensorType.FLOAT32) return tf.tensor(new Float32Array(bytes), t.shape, 'float32');
  if (t.type === TensorType.INT32) return tf.tensor(new Int32Array(bytes), t.shape, 'int32');
  throw new Error(`TFLite graph: constant ${t.name} is not float32 or int32; calibrate the float32 graph`);
}

const fused = (x: tf.Tensor, activation: number): tf.Tensor => (activation === Activation.RELU ? tf.relu(x) : activation === Activation.RELU6 ? tf.relu6(x) : x);
const pad = (padding: number) => (padding === Padding.SAME ? 'same' : 'valid');
const option = <K extends TfliteOptions['kind']>(o: TfliteOperator, kind: K) => {
  if (o.options?.kind !== kind) throw new Error(`TFLite graph: op ${o.op} lacks its ${kind} options`);
  return o.options as Extract<TfliteOptions, { kind: K }>;
};

function runOp(graph: TfliteGraph, o: TfliteOperator, value: (index: number) => tf.Tensor): tf.Tensor {
  const [a, b, c] = o.inputs;
  switch (o.op) {
    case BuiltinOp.FULLY_CONNECTED: {
      const w = value(b!);
      const x = tf.reshape(value(a!), [-1, w.shape[1]!]);
      return fused(tf.add(tf.matMul(x, w, false, true), value(c!)), option(o, 'fullyConnected').activation);
    }
    case BuiltinOp.CONV_2D: {
      const opts = option(o, 'conv2d');
      const kernel = tf.transpose(value(b!), [1, 2, 3, 0]) as tf.Tensor4D; // OHWI → HWIO
      const y = tf.conv2d(value(a!) as tf.Tensor4D, kernel, [opts.strideH, opts.strideW], pad(opts.padding), 'NHWC', [opts.dilationH, opts.dilationW]);
      return fused(tf.add(y, value(c!)), opts.activation);
    }
    case BuiltinOp.DEPTHWISE_CONV_2D: {
      const opts = option(o, 'depthwise');
      const [, kh, kw, channels] = graph.tensors[b!]!.shape as [number, number, number, number];
      const kernel = tf.reshape(value(b!), [kh, kw, channels / opts.multiplier, opts.multiplier]) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(value(a!) as tf.Tensor4D, kernel, [opts.strideH, opts.strideW], pad(opts.padding), 'NHWC', [opts.dilationH, opts.dilationW]);
      return fused(tf.add(y, value(c!)), opts.activation);
    }
    case BuiltinOp.MAX_POOL_2D:
    case BuiltinOp.AVERAGE_POOL_2D: {
      const opts = option(o, 'pool2d');
      const pool = o.op === BuiltinOp.MAX_POOL_2D ? tf.maxPool : tf.avgPool;
      return pool(value(a!) as tf.Tensor4D, [opts.filterH, opts.filterW], [opts.strideH, opts.strideW], pad(opts.padding));
    }
    case BuiltinOp.MEAN:
      return tf.mean(value(a!), int32Values(graph, b!), option(o, 'reducer').keepDims);
    case BuiltinOp.ADD:
      return fused(tf.add(value(a!), value(b!)), option(o, 'elementwise').activation);
    case BuiltinOp.MUL:
      return fused(tf.mul(value(a!), value(b!)), option(o, 'elementwise').activation);
    case BuiltinOp.MINIMUM:
      return tf.minimum(value(a!), value(b!));
    case BuiltinOp.RELU:
      return tf.relu(value(a!));
    case BuiltinOp.RELU6:
      return tf.relu6(value(a!));
    case BuiltinOp.RESHAPE:
      return tf.reshape(value(a!), int32Values(graph, b!));
    case BuiltinOp.SOFTMAX:
      return tf.softmax(tf.mul(value(a!), option(o, 'softmax').beta));
    default:
      throw new Error(`TFLite graph: op ${o.op} cannot be calibrated`);
  }
}

/**
 * Runs a float32 TFLite graph with TensorFlow.js ops over a batch of images (the graph's batch
 * of 1 generalises) and returns its output and each computed tensor's range [min, max]: what
 * full-integer quantization calibrates with, measured on exactly the tensors the file holds.
 * `shared` keeps the graph's constant tensors across calls (the caller disposes them); without
 * it they are made and disposed here.
 */
export async function evaluateTfliteGraph(graph: TfliteGraph, images: tf.Tensor4D, shared?: Map<number, tf.Tensor>): Promise<{ output: tf.Tensor; ranges: Map<number, [number, number]> }> {
  const constants = shared ?? new Map<number, tf.Tensor>();
  const values = new Map<number, tf.Tensor>([[graph.input, images]]);
  const value = (index: number): tf.Tensor => {
    const known = values.get(index) ?? constants.get(index);
    if (known) return known;
    // Made inside an op's tidy, and kept: the next pass reads it again.
    const constant = tf.keep(constantTensor(graph, index));
    constants.set(index, constant);
    return constant;
  };
  const computed = [graph.input, ...graph.operators.map((o) => o.outputs[0]!)];
  let extremes: tf.Tensor | null = null;
  try {
    for (const o of graph.operators) values.set(o.outputs[0]!, tf.tidy(() => runOp(graph, o, value)));
    // Every range read in one download, as the WebGPU backend needs reads to be asynchronous.
    extremes = tf.tidy(() => tf.stack(computed.flatMap((index) => [tf.min(values.get(index)!), tf.max(values.get(index)!)])));
    const read = await extremes.data();
    const ranges = new Map(computed.map((index, i): [number, [number, number]] => [index, [read[2 * i]!, read[2 * i + 1]!]]));
    return { output: tf.clone(values.get(graph.output)!), ranges };
  } finally {
    extremes?.dispose();
    for (const [index, t] of values) if (index !== graph.input) t.dispose();
    if (!shared) tf.dispose([...constants.values()]);
  }
}

/** Images per calibration pass: the float graph's every activation is held until the pass ends. */
const CALIBRATION_CHUNK = 64;

/**
 * Each computed tensor's range over all the calibration images, in passes of CALIBRATION_CHUNK
 * images that share the graph's constants (uploaded once).
 */
export async function calibrationRanges(graph: TfliteGraph, images: tf.Tensor4D): Promise<Map<number, [number, number]>> {
  const ranges = new Map<number, [number, number]>();
  const constants = new Map<number, tf.Tensor>();
  try {
    for (let start = 0; start < images.shape[0]; start += CALIBRATION_CHUNK) {
      const chunk = images.slice(start, Math.min(CALIBRATION_CHUNK, images.shape[0] - start));
      const { output, ranges: seen } = await evaluateTfliteGraph(graph, chunk, constants);
      tf.dispose([chunk, output]);
      for (const [index, [lo, hi]] of seen) {
        const known = ranges.get(index);
        ranges.set(index, known ? [Math.min(known[0], lo), Math.max(known[1], hi)] : [lo, hi]);
      }
    }
  } finally {
    tf.dispose([...constants.values()]);
  }
  return ranges;
}
