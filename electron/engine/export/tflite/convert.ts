import type * as tf from '@tensorflow/tfjs';
import { DistillInputError } from '../../errors';
import { batchNormWeights, pair, values, type LayerConfig } from '../layer-config';
import { Activation, BuiltinOp, Padding, TfliteGraphBuilder, type ActivationId, type TfliteGraph, type TfliteWeightStorage } from './graph';

const outputShape = (layer: tf.layers.Layer) => ((Array.isArray(layer.output) ? layer.output[0]! : layer.output).shape as number[]).slice(1);
const padding = (config: LayerConfig) => (config.padding === 'same' ? Padding.SAME : Padding.VALID);

/** Dense kernel [in, out] (TensorFlow) → FULLY_CONNECTED weights [out, in]. */
function denseWeights(k: Float32Array, [inputs, units]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let i = 0; i < inputs!; i++) for (let o = 0; o < units!; o++) out[o * inputs! + i] = k[i * units! + o]!;
  return out;
}

/** Convolution kernel HWIO (TensorFlow) → OHWI (TFLite). A depthwise kernel [h, w, c, m] is already TFLite's [1, h, w, c·m] in memory. */
function convWeights(k: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  const spatial = kh! * kw! * cin!;
  for (let s = 0; s < spatial; s++) for (let o = 0; o < cout!; o++) out[o * spatial + s] = k[s * cout! + o]!;
  return out;
}

/** Batch norm's inference form, y = x·scale + shift per channel. */
async function batchNormAffine(layer: tf.layers.Layer): Promise<{ scale: Float32Array; shift: Float32Array }> {
  const { gamma, beta, mean, variance, epsilon } = await batchNormWeights(layer, outputShape(layer).at(-1)!);
  const scale = gamma.map((g, c) => g / Math.sqrt(variance[c]! + epsilon));
  return { scale, shift: beta.map((b, c) => b - mean[c]! * scale[c]!) };
}

/** The batch norm that alone reads a convolution's output, which the export folds into the convolution's weights. */
function foldableBatchNorm(layer: tf.layers.Layer): tf.layers.Layer | null {
  if (layer.outboundNodes.length !== 1) return null;
  const next = layer.outboundNodes[0]!.outboundLayer;
  return next.getClassName() === 'BatchNormalization' ? next : null;
}

/** ITU-R BT.601's luma weights for R, G and B: how OpenCV and Pillow make a colour image grey. */
export const LUMA = [0.299, 0.587, 0.114] as const;

/** The image a TFLite export takes, [height, width, channels]: RGB for a grey model too (see layersModelToTflite). */
export const tfliteInputShape = ([height, width]: readonly [number, number, number]): [number, number, number] => [height, width, 3];

const fusable = (kind: string | undefined): ActivationId | null => (!kind || kind === 'linear' ? Activation.NONE : kind === 'relu' ? Activation.RELU : null);

/**
 * A Distill Studio LayersModel (any architecture of the registry) as a TFLite graph, NHWC as
 * TensorFlow.js and TFLite both are, so no transposes: input `input` float32 [1, height, width, 3],
 * RGB as pixels / 255 (a grey model's image made grey inside; with `normalization`, the dataset's
 * per-channel normalisation inside), output `logits`. Batch norm is folded into the
 * convolution before it, ReLU into the op before it where TFLite fuses it, dropout vanishes.
 * `storage` says how dense and convolution kernels are stored (biases stay float32).
 */
export async function layersModelToTflite(model: tf.LayersModel, metadata: Record<string, string | Uint8Array>, storage: TfliteWeightStorage = 'float32', normalization?: { mean: number[]; std: number[] } | null): Promise<TfliteGraph> {
  const g = new TfliteGraphBuilder();
  const inputShape = model.inputs[0]!.shape.slice(1) as number[];
  if (inputShape.length !== 3 || inputShape.some((d) => typeof d !== 'number')) throw new DistillInputError(`TFLite export needs a fixed image input; this model takes ${JSON.stringify(model.inputs[0]!.shape)}`);
  const grey = inputShape[2] === 1;
  const input = g.activation('input', tfliteInputShape(inputShape as [number, number, number]));
  let first = input;
  if (grey) {
    // A grey model takes RGB, made grey as its first op (a 1×1 convolution with BT.601's luma
    // weights): a phone's camera and MediaPipe give RGB only, and R = G = B = v gives v again.
    const kernel = g.constant('grey/kernel', [1, 1, 1, 3], Float32Array.from(LUMA));
    const bias = g.constant('grey/bias', [1], new Float32Array(1));
    first = g.op(BuiltinOp.CONV_2D, [input, kernel, bias], g.activation('grey', inputShape), { kind: 'conv2d', padding: Padding.VALID, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: Activation.NONE });
  }
  // The dataset's per-channel normalisation as the graph's next ops, x · (1/std) + (−mean/std), so the
  // file takes pixels / 255 and one scale serves every channel (MediaPipe reads no other).
  if (normalization) {
    const channels = inputShape[2]!;
    const scale = g.constant('normalization/scale', [channels], Float32Array.from(normalization.std, (s) => 1 / s));
    const shift = g.constant('normalization/shift', [channels], Float32Array.from(normalization.mean, (m, c) => -m / normalization.std[c]!));
    const scaled = g.op(BuiltinOp.MUL, [first, scale], g.activation('normalization/scaled', inputShape), { kind: 'elementwise', op: 'mul', activation: Activation.NONE });
    first = g.op(BuiltinOp.ADD, [scaled, shift], g.activation('normalization', inputShape), { kind: 'elementwise', op: 'add', activation: Activation.NONE });
  }
  const tensors = new Map<string, number>([[model.inputs[0]!.sourceLayer.name, first]]);
  const folded = new Set<string>();
  const activation = (x: number, kind: string | undefined, layer: string, shape: number[]): number => {
    if (!kind || kind === 'linear') return x;
    if (kind === 'relu') return g.op(BuiltinOp.RELU, [x], g.activation(`${layer}/relu`, shape));
    if (kind === 'softmax') return g.op(BuiltinOp.SOFTMAX, [x], g.activation(`${layer}/softmax`, shape), { kind: 'softmax', beta: 1 });
    throw new DistillInputError(`TFLite export: layer ${layer} has activation "${kind}", which is not supported`);
  };

  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const config = layer.getConfig() as LayerConfig;
    const inputs = layer.inboundNodes[0]!.inboundLayers.map((l) => {
      const index = tensors.get(l.name);
      if (index === undefined) throw new Error(`TFLite export: ${layer.name} reads ${l.name}, which was not converted`);
      return index;
    });
    const x = inputs[0]!;
    const shape = outputShape(layer);
    const weights = layer.getWeights();
    let y: number;
    switch (className) {
      case 'Dropout':
        y = x;
        break;
      case 'Flatten':
        // NHWC flattens in TensorFlow.js's order, so the dense weights after it keep theirs; −1 keeps a resized batch working.
        y = g.op(BuiltinOp.RESHAPE, [x, g.constant(`${layer.name}/shape`, [2], Int32Array.of(-1, shape[0]!))], g.activation(layer.name, shape), { kind: 'reshape' });
        break;
      case 'Dense': {
        const [kernel, bias] = weights;
        const [inputs, units] = kernel!.shape as number[];
        const w = g.weight(`${layer.name}/kernel`, [units!, inputs!], denseWeights(await values(kernel!), [inputs!, units!]), storage, false);
        const b = g.constant(`${layer.name}/bias`, [units!], bias ? await values(bias) : new Float32Array(units!));
        const fused = fusable(config.activation);
        y = g.op(BuiltinOp.FULLY_CONNECTED, [x, w, b], g.activation(layer.name, shape), { kind: 'fullyConnected', activation: fused ?? Activation.NONE });
        if (fused === null) y = activation(y, config.activation, layer.name, shape);
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const [kernel, bias] = weights;
        const [kh, kw, cin, cm] = kernel!.shape as number[];
        const depthwise = className === 'DepthwiseConv2D';
        const channels = depthwise ? cin! * cm! : cm!;
        const w = depthwise ? await values(kernel!) : convWeights(await values(kernel!), [kh!, kw!, cin!, cm!]);
        const b = bias ? await values(bias) : new Float32Array(channels);
        const norm = fusable(config.activation) === Activation.NONE ? foldableBatchNorm(layer) : null;
        let fused = fusable(config.activation);
        if (norm) {
          // w·scale and b·scale + shift per output channel: the batch norm's inference form inside the convolution.
          const { scale, shift } = await batchNormAffine(norm);
          for (let i = 0; i < w.length; i++) w[i] = w[i]! * scale[depthwise ? i % channels : Math.floor(i / (w.length / channels))]!;
          for (let c = 0; c < channels; c++) b[c] = b[c]! * scale[c]! + shift[c]!;
          folded.add(norm.name);
          fused = Activation.NONE;
        }
        const [strideH, strideW] = pair(config.strides, 1) as [number, number];
        const [dilationH, dilationW] = pair(config.dilationRate, 1) as [number, number];
        // A depthwise kernel's channels are its last axis, and it is small: under int8 it stays float32.
        const wIndex = depthwise ? g.weight(`${layer.name}/kernel`, [1, kh!, kw!, channels], w, storage === 'int8' ? 'float32' : storage) : g.weight(`${layer.name}/kernel`, [cm!, kh!, kw!, cin!], w, storage);
        const bIndex = g.constant(`${layer.name}/bias`, [channels], b);
        const common = { padding: padding(config), strideH, strideW, dilationH, dilationW, activation: fused ?? Activation.NONE };
        y = depthwise
          ? g.op(BuiltinOp.DEPTHWISE_CONV_2D, [x, wIndex, bIndex], g.activation(layer.name, shape), { kind: 'depthwise', ...common, multiplier: cm! })
          : g.op(BuiltinOp.CONV_2D, [x, wIndex, bIndex], g.activation(layer.name, shape), { kind: 'conv2d', ...common });
        if (fused === null) y = activation(y, config.activation, layer.name, shape);
        break;
      }
      case 'BatchNormalization': {
        if (folded.has(layer.name)) {
          y = x;
          break;
        }
        const { scale, shift } = await batchNormAffine(layer);
        const channels = shape.at(-1)!;
        const scaled = g.op(BuiltinOp.MUL, [x, g.constant(`${layer.name}/scale`, [channels], scale)], g.activation(`${layer.name}/scaled`, shape), { kind: 'elementwise', op: 'mul', activation: Activation.NONE });
        y = g.op(BuiltinOp.ADD, [scaled, g.constant(`${layer.name}/shift`, [channels], shift)], g.activation(layer.name, shape), { kind: 'elementwise', op: 'add', activation: Activation.NONE });
        break;
      }
      case 'Activation':
        y = activation(x, config.activation, layer.name, shape);
        break;
      case 'ReLU': {
        const max = config.maxValue;
        if (max === null || max === undefined) y = g.op(BuiltinOp.RELU, [x], g.activation(layer.name, shape));
        else if (max === 6) y = g.op(BuiltinOp.RELU6, [x], g.activation(layer.name, shape));
        else {
          const relu = g.op(BuiltinOp.RELU, [x], g.activation(`${layer.name}/relu`, shape));
          y = g.op(BuiltinOp.MINIMUM, [relu, g.constant(`${layer.name}/max`, [], Float32Array.of(max))], g.activation(layer.name, shape));
        }
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const [filterH, filterW] = pair(config.poolSize, 2) as [number, number];
        const [strideH, strideW] = pair(config.strides ?? config.poolSize, 2) as [number, number];
        const op = className === 'MaxPooling2D' ? BuiltinOp.MAX_POOL_2D : BuiltinOp.AVERAGE_POOL_2D;
        y = g.op(op, [x], g.activation(layer.name, shape), { kind: 'pool2d', padding: padding(config), strideH, strideW, filterH, filterW });
        break;
      }
      case 'GlobalAveragePooling2D':
        y = g.op(BuiltinOp.MEAN, [x, g.constant(`${layer.name}/axes`, [2], Int32Array.of(1, 2))], g.activation(layer.name, shape), { kind: 'reducer', keepDims: false });
        break;
      case 'Add':
        y = inputs.slice(1).reduce((sum, next, i) => g.op(BuiltinOp.ADD, [sum, next], g.activation(i === inputs.length - 2 ? layer.name : `${layer.name}/${i}`, shape), { kind: 'elementwise', op: 'add', activation: Activation.NONE }), x);
        break;
      // An ensemble of teachers (../../models/ensemble.ts): the members' logits summed, then scaled by 1/N.
      case 'Average': {
        const sum = inputs.slice(1).reduce((total, next, i) => g.op(BuiltinOp.ADD, [total, next], g.activation(`${layer.name}/sum${i}`, shape), { kind: 'elementwise', op: 'add', activation: Activation.NONE }), x);
        y = g.op(BuiltinOp.MUL, [sum, g.constant(`${layer.name}/scale`, [1], Float32Array.of(1 / inputs.length))], g.activation(layer.name, shape), { kind: 'elementwise', op: 'mul', activation: Activation.NONE });
        break;
      }
      default:
        throw new DistillInputError(`TFLite export: layer ${layer.name} (${className}) is not supported`);
    }
    tensors.set(layer.name, y);
  }
  const output = tensors.get(model.outputs[0]!.sourceLayer.name)!;
  if (output === input) throw new DistillInputError('TFLite export: the model computes nothing from its input');
  g.tensors[output]!.name = 'logits';
  return { tensors: g.tensors, operators: g.operators, input, output, description: model.name, metadata };
}
