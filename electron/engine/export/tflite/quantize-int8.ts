import { DistillInputError } from '../../errors';
import { affineFor as affine8, type Affine, type Range } from '../activation-range';
import { BuiltinOp, TensorType, TfliteGraphBuilder, type TfliteGraph, type TfliteOperator, type TfliteTensor } from './graph';

/** int8 parameters (TFLite's activations are int8). */
const affineFor = (range: Range): Affine => affine8(range, -128);

const floats = (t: TfliteTensor) => new Float32Array(t.data!.slice().buffer);

/**
 * The op versions that take int8 tensors (TFLite's op version table): a runtime that predates
 * them refuses the model by name instead of misreading it.
 */
const INT8_VERSION: Partial<Record<number, number>> = {
  [BuiltinOp.CONV_2D]: 3,
  [BuiltinOp.DEPTHWISE_CONV_2D]: 3,
  [BuiltinOp.FULLY_CONNECTED]: 4,
  [BuiltinOp.ADD]: 2,
  [BuiltinOp.MUL]: 2,
  [BuiltinOp.MAX_POOL_2D]: 2,
  [BuiltinOp.AVERAGE_POOL_2D]: 2,
  [BuiltinOp.MEAN]: 2,
  [BuiltinOp.RELU]: 2,
  [BuiltinOp.RELU6]: 2,
  [BuiltinOp.MINIMUM]: 2,
  [BuiltinOp.QUANTIZE]: 2,
  [BuiltinOp.DEQUANTIZE]: 2,
};

/**
 * A float32 graph as TFLite's full-integer quantization makes it: every activation int8 with
 * the scale and zero point of its calibrated range, convolution kernels int8 per output channel,
 * dense kernels int8 with one scale, biases int32 at input scale × weight scale, so the
 * runtime's integer kernels (XNNPACK's, a phone's NPU's) run it end to end. The input stays
 * float32 through a QUANTIZE op and the logits come back float32 through a DEQUANTIZE op, so it
 * is fed and read as the float32 file is; with `integerEnds` the input is the image's bytes
 * (uint8) and the logits come out uint8, both through QUANTIZE ops that requantize exactly.
 * Pools and reshapes keep their input's parameters, as TFLite's int8 kernels require.
 */
export function quantizeGraphInt8(graph: TfliteGraph, ranges: Map<number, Range>, options: { integerEnds?: boolean } = {}): TfliteGraph {
  const g = new TfliteGraphBuilder();
  const mapped = new Map<number, number>();
  const params = new Map<number, Affine>();
  const rangeOf = (index: number): Range => {
    const range = ranges.get(index);
    if (!range) throw new Error(`int8 export: tensor ${graph.tensors[index]!.name} was not calibrated`);
    return range;
  };
  const activation = (old: number, affine: Affine): number => {
    const t = graph.tensors[old]!;
    g.tensors.push({ name: t.name, shape: t.shape, type: TensorType.INT8, quantization: { scale: Float32Array.of(affine.scale), zeroPoint: Int32Array.of(affine.zeroPoint), dimension: 0 } });
    const index = g.tensors.length - 1;
    mapped.set(old, index);
    params.set(index, affine);
    return index;
  };
  // The float graph takes pixels / 255; as uint8 at scale 1/255 and zero point 0 that is the image's bytes as they are.
  const input = options.integerEnds
    ? g.tensors.push({ ...graph.tensors[graph.input]!, type: TensorType.UINT8, quantization: { scale: Float32Array.of(1 / 255), zeroPoint: Int32Array.of(0), dimension: 0 } }) - 1
    : g.tensors.push({ ...graph.tensors[graph.input]! }) - 1;
  // The input is pixels / 255 whatever the calibration images held: a brighter image is not clipped.
  g.op(BuiltinOp.QUANTIZE, [input], activation(graph.input, affineFor([0, 1])), undefined, INT8_VERSION[BuiltinOp.QUANTIZE]);
  const read = (old: number) => {
    const index = mapped.get(old);
    if (index === undefined) throw new Error(`int8 export: ${graph.tensors[old]!.name} is read before it is computed`);
    return index;
  };
  /** A small constant operand (a batch norm's scale or shift, a clip value), int8 with parameters of its own or the ones given. */
  const constantInt8 = (old: number, affine?: Affine): number => {
    const t = graph.tensors[old]!;
    const values = floats(t);
    const p = affine ?? affineFor([Math.min(...values), Math.max(...values)]);
    const q = Int8Array.from(values, (v) => Math.max(-128, Math.min(127, Math.round(v / p.scale) + p.zeroPoint)));
    g.tensors.push({ name: t.name, shape: t.shape, type: TensorType.INT8, data: new Uint8Array(q.buffer), quantization: { scale: Float32Array.of(p.scale), zeroPoint: Int32Array.of(p.zeroPoint), dimension: 0 } });
    return g.tensors.length - 1;
  };
  const copyConstant = (old: number) => g.tensors.push({ ...graph.tensors[old]! }) - 1;

  for (const o of graph.operators) {
    const [a, b, c] = o.inputs;
    const out = o.outputs[0]!;
    const emit = (inputs: number[], output: number) => g.operators.push({ ...(o as TfliteOperator), inputs, outputs: [output], version: INT8_VERSION[o.op] ?? 1 });
    switch (o.op) {
      case BuiltinOp.CONV_2D:
      case BuiltinOp.DEPTHWISE_CONV_2D:
      case BuiltinOp.FULLY_CONNECTED: {
        const x = read(a!);
        const inScale = params.get(x)!.scale;
        const w = graph.tensors[b!]!;
        if (w.type !== TensorType.FLOAT32) throw new Error('int8 export: quantize the float32 graph');
        const values = floats(w);
        // Channels: a convolution's first axis, a depthwise kernel's last, one group for a dense kernel.
        const depthwise = o.op === BuiltinOp.DEPTHWISE_CONV_2D;
        const groups = o.op === BuiltinOp.FULLY_CONNECTED ? 1 : depthwise ? w.shape[3]! : w.shape[0]!;
        const channelOf = (i: number) => (groups === 1 ? 0 : depthwise ? i % groups : Math.floor(i / (values.length / groups)));
        const max = new Float32Array(groups);
        values.forEach((v, i) => (max[channelOf(i)] = Math.max(max[channelOf(i)]!, Math.abs(v))));
        const scale = max.map((m) => (m > 0 ? m / 127 : 1));
        const q = Int8Array.from(values, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scale[channelOf(i)]!))));
        g.tensors.push({ name: w.name, shape: w.shape, type: TensorType.INT8, data: new Uint8Array(q.buffer), quantization: { scale, dimension: depthwise ? 3 : 0 } });
        const wIndex = g.tensors.length - 1;
        const bias = floats(graph.tensors[c!]!);
        const biasScale = Float32Array.from(bias, (_, ch) => inScale * scale[groups === 1 ? 0 : ch]!);
        const bq = Int32Array.from(bias, (v, ch) => Math.round(v / biasScale[ch]!));
        g.tensors.push({ name: graph.tensors[c!]!.name, shape: [bias.length], type: TensorType.INT32, data: new Uint8Array(bq.buffer), quantization: { scale: biasScale, dimension: 0 } });
        emit([x, wIndex, g.tensors.length - 1], activation(out, affineFor(rangeOf(out))));
        break;
      }
      case BuiltinOp.MAX_POOL_2D:
      case BuiltinOp.AVERAGE_POOL_2D:
      case BuiltinOp.RESHAPE: {
        const x = read(a!);
        emit(o.op === BuiltinOp.RESHAPE ? [x, copyConstant(b!)] : [x], activation(out, params.get(x)!));
        break;
      }
      case BuiltinOp.MEAN:
        emit([read(a!), copyConstant(b!)], activation(out, affineFor(rangeOf(out))));
        break;
      case BuiltinOp.RELU:
      case BuiltinOp.RELU6:
        emit([read(a!)], activation(out, affineFor(rangeOf(out))));
        break;
      case BuiltinOp.MINIMUM: {
        // TFLite's int8 minimum compares the stored integers, so operands and result share one scale.
        const x = read(a!);
        const p = params.get(x)!;
        emit([x, mapped.has(b!) ? read(b!) : constantInt8(b!, p)], activation(out, p));
        break;
      }
      case BuiltinOp.ADD:
      case BuiltinOp.MUL:
        emit([read(a!), mapped.has(b!) ? read(b!) : constantInt8(b!)], activation(out, affineFor(rangeOf(out))));
        break;
      default:
        throw new DistillInputError(`int8 export: a ${Object.entries(BuiltinOp).find(([, v]) => v === o.op)?.[0] ?? o.op} op has no int8 form here (a softmax at the end: export its logits instead)`);
    }
  }
  const last = read(graph.output);
  g.tensors[last]!.name = 'logits/int8';
  const shape = graph.tensors[graph.output]!.shape;
  let logits: number;
  if (options.integerEnds) {
    // uint8 at the same scale, the zero point 128 higher: the int8 logits requantized exactly.
    const { scale, zeroPoint } = params.get(last)!;
    logits = g.tensors.push({ name: 'logits', shape, type: TensorType.UINT8, quantization: { scale: Float32Array.of(scale), zeroPoint: Int32Array.of(zeroPoint + 128), dimension: 0 } }) - 1;
    g.op(BuiltinOp.QUANTIZE, [last], logits, undefined, INT8_VERSION[BuiltinOp.QUANTIZE]);
  } else {
    logits = g.tensors.push({ name: 'logits', shape, type: TensorType.FLOAT32 }) - 1;
    g.op(BuiltinOp.DEQUANTIZE, [last], logits, undefined, INT8_VERSION[BuiltinOp.DEQUANTIZE]);
  }
  return { tensors: g.tensors, operators: g.operators, input, output: logits, description: graph.description, metadata: graph.metadata };
}
