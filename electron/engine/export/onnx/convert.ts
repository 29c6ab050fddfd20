import type * as tf from '@tensorflow/tfjs';
import { DistillInputError } from '../../errors';
import { batchNormWeights, pair, values, type LayerConfig } from '../layer-config';
import { GraphBuilder, type OnnxAttribute, type OnnxGraph } from './graph';

type Shape = Array<number | null>;

/** TensorFlow's 'same' padding as explicit ONNX pads [top, left, bottom, right] (TF puts the odd pixel at the end). */
export function samePads(input: [number, number], kernel: [number, number], strides: [number, number], dilations: [number, number]): number[] {
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < 2; i++) {
    const out = Math.ceil(input[i]! / strides[i]!);
    const total = Math.max((out - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - input[i]!, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [...begin, ...end];
}

/** HWIO (TensorFlow) → OIHW (ONNX) for a convolution kernel. */
function convKernel(k: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let i = 0; i < kh!; i++) for (let j = 0; j < kw!; j++) for (let c = 0; c < cin!; c++) for (let o = 0; o < cout!; o++) out[((o * cin! + c) * kh! + i) * kw! + j] = k[((i * kw! + j) * cin! + c) * cout! + o]!;
  return out;
}

/** HW(C·M) depthwise kernel [kh, kw, c, m] → ONNX grouped conv weight [c·m, 1, kh, kw]. */
function depthwiseKernel(k: Float32Array, [kh, kw, cin, mult]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let i = 0; i < kh!; i++) for (let j = 0; j < kw!; j++) for (let c = 0; c < cin!; c++) for (let m = 0; m < mult!; m++) out[((c * mult! + m) * kh! + i) * kw! + j] = k[((i * kw! + j) * cin! + c) * mult! + m]!;
  return out;
}

/**
 * The training preprocessing as the graph's first nodes, so the model takes an image's bytes:
 * uint8 → float32, / 255, then (x − mean) / std per channel (the last axis, NHWC) when the
 * dataset is normalised.
 */
function bakedPreprocessing(g: GraphBuilder, normalization: { mean: number[]; std: number[] } | null): string {
  const scaled = g.node('Div', [g.node('Cast', ['input'], [{ name: 'to', i: 1 }]), g.constant('pixel_scale', [], Float32Array.of(255))]);
  if (!normalization) return scaled;
  const mean = g.constant('channel_mean', [normalization.mean.length], Float32Array.from(normalization.mean));
  const std = g.constant('channel_std', [normalization.std.length], Float32Array.from(normalization.std));
  return g.node('Div', [g.node('Sub', [scaled, mean]), std]);
}

/**
 * A Distill Studio LayersModel (any architecture of the registry) as an ONNX graph. The input
 * stays NHWC, as TensorFlow.js takes it (one Transpose to NCHW inside), the batch is dynamic, and
 * a Flatten of a feature map transposes back to NHWC first, so the dense weights after it keep
 * their order.
 */
export async function layersModelToOnnx(model: tf.LayersModel, metadata: Record<string, string>, rawPixels?: { normalization: { mean: number[]; std: number[] } | null }): Promise<OnnxGraph> {
  const g = new GraphBuilder();
  const inputShape = model.inputs[0]!.shape.slice(1) as number[];
  if (inputShape.length !== 3 || inputShape.some((d) => typeof d !== 'number')) throw new DistillInputError(`ONNX export needs a fixed image input; this model takes ${JSON.stringify(model.inputs[0]!.shape)}`);
  const names = new Map<string, string>();
  names.set(model.inputs[0]!.sourceLayer.name, g.node('Transpose', [rawPixels ? bakedPreprocessing(g, rawPixels.normalization) : 'input'], [{ name: 'perm', ints: [0, 3, 1, 2] }], 'input_nchw'));
  const activation = (x: string, kind: string | undefined, layer: string): string => {
    if (!kind || kind === 'linear') return x;
    if (kind === 'relu') return g.node('Relu', [x]);
    if (kind === 'softmax') return g.node('Softmax', [x], [{ name: 'axis', i: -1 }]);
    throw new DistillInputError(`ONNX export: layer ${layer} has activation "${kind}", which is not supported`);
  };
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const config = layer.getConfig() as LayerConfig;
    const inputs = layer.inboundNodes[0]!.inboundLayers.map((l) => {
      const name = names.get(l.name);
      if (!name) throw new Error(`ONNX export: ${layer.name} reads ${l.name}, which was not converted`);
      return name;
    });
    const x = inputs[0]!;
    const input = Array.isArray(layer.input) ? layer.input[0]! : layer.input;
    const inShape = (input.shape as Shape).slice(1) as number[];
    const weights = layer.getWeights();
    let y: string;
    switch (className) {
      case 'Dropout':
        y = x;
        break;
      case 'Flatten':
        y = g.node('Flatten', [inShape.length === 3 ? g.node('Transpose', [x], [{ name: 'perm', ints: [0, 2, 3, 1] }]) : x], [{ name: 'axis', i: 1 }]);
        break;
      case 'Dense': {
        const [kernel, bias] = weights;
        const w = g.constant(`${layer.name}_kernel`, kernel!.shape, await values(kernel!));
        y = bias ? g.node('Gemm', [x, w, g.constant(`${layer.name}_bias`, bias.shape, await values(bias))]) : g.node('MatMul', [x, w]);
        y = activation(y, config.activation, layer.name);
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const [kernel, bias] = weights;
        const [kh, kw, cin, cm] = kernel!.shape as number[];
        const depthwise = className === 'DepthwiseConv2D';
        const strides = pair(config.strides, 1) as [number, number];
        const dilations = pair(config.dilationRate, 1) as [number, number];
        const pads = config.padding === 'same' ? samePads([inShape[0]!, inShape[1]!], [kh!, kw!], strides, dilations) : [0, 0, 0, 0];
        const w = depthwise
          ? g.constant(`${layer.name}_kernel`, [cin! * cm!, 1, kh!, kw!], depthwiseKernel(await values(kernel!), [kh!, kw!, cin!, cm!]))
          : g.constant(`${layer.name}_kernel`, [cm!, cin!, kh!, kw!], convKernel(await values(kernel!), [kh!, kw!, cin!, cm!]));
        const attributes: OnnxAttribute[] = [
          { name: 'kernel_shape', ints: [kh!, kw!] },
          { name: 'strides', ints: strides },
          { name: 'dilations', ints: dilations },
          { name: 'pads', ints: pads },
          { name: 'group', i: depthwise ? cin! : 1 },
        ];
        const b = bias ? [g.constant(`${layer.name}_bias`, bias.shape, await values(bias))] : [];
        y = activation(g.node('Conv', [x, w, ...b], attributes), config.activation, layer.name);
        break;
      }
      case 'BatchNormalization': {
        const channels = inShape.at(-1)!;
        const { gamma, beta, mean, variance, epsilon } = await batchNormWeights(layer, channels);
        const c = (hint: string, v: Float32Array) => g.constant(`${layer.name}_${hint}`, [channels], v);
        y = g.node('BatchNormalization', [x, c('gamma', gamma), c('beta', beta), c('mean', mean), c('variance', variance)], [{ name: 'epsilon', f: epsilon }]);
        break;
      }
      case 'Activation':
        y = activation(x, config.activation, layer.name);
        break;
      case 'ReLU':
        y =
          config.maxValue === null || config.maxValue === undefined
            ? g.node('Relu', [x])
            : g.node('Clip', [x, g.constant('clip_min', [], Float32Array.of(0)), g.constant('clip_max', [], Float32Array.of(config.maxValue))]);
        break;
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const kernel = pair(config.poolSize, 2) as [number, number];
        const strides = pair(config.strides ?? config.poolSize, 2) as [number, number];
        const pads = config.padding === 'same' ? samePads([inShape[0]!, inShape[1]!], kernel, strides, [1, 1]) : [0, 0, 0, 0];
        y = g.node(className === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [x], [
          { name: 'kernel_shape', ints: kernel },
          { name: 'strides', ints: strides },
          { name: 'pads', ints: pads },
        ]);
        break;
      }
      case 'GlobalAveragePooling2D':
        y = g.node('Flatten', [g.node('GlobalAveragePool', [x])], [{ name: 'axis', i: 1 }]);
        break;
      case 'Add':
        y = inputs.slice(1).reduce((sum, next) => g.node('Add', [sum, next]), x);
        break;
      // An ensemble of teachers (../../models/ensemble.ts) averages its members' logits.
      case 'Average':
        y = g.node('Mean', inputs);
        break;
      default:
        throw new DistillInputError(`ONNX export: layer ${layer.name} (${className}) is not supported`);
    }
    names.set(layer.name, y);
  }
  const last = names.get(model.outputs[0]!.sourceLayer.name)!;
  g.nodes.push({ op: 'Identity', inputs: [last], output: 'logits' });
  const classes = model.outputs[0]!.shape.at(-1) as number;
  return {
    name: model.name,
    nodes: g.nodes,
    initializers: g.initializers,
    input: { name: 'input', shape: [null, ...inputShape], type: rawPixels ? 'uint8' : 'float32' },
    output: { name: 'logits', shape: [null, classes] },
    metadata,
  };
}
