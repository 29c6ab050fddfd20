import { float16Bits } from '../quantize';

/**
 * A TFLite (LiteRT) model as plain data, before it is encoded: tensors (constants carry their
 * bytes), operators in execution order, one input and one output. The converter builds it;
 * `encodeTfliteModel` writes it as the flatbuffer TFLite reads. Numbers below are the enum
 * values and union indices of TFLite's schema.fbs (file identifier "TFL3", schema version 3).
 */

/** TensorType. */
export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT8: 9 } as const;
export type TensorTypeId = (typeof TensorType)[keyof typeof TensorType];

/** BuiltinOperator: only the ones the converter emits. */
export const BuiltinOp = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  QUANTIZE: 114,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  MEAN: 40,
  MINIMUM: 57,
} as const;
export type BuiltinOpId = (typeof BuiltinOp)[keyof typeof BuiltinOp];

/** ActivationFunctionType, fused into the op before it. */
export const Activation = { NONE: 0, RELU: 1, RELU6: 3 } as const;
export type ActivationId = (typeof Activation)[keyof typeof Activation];

/** Padding: TFLite's SAME is TensorFlow's (the odd pixel at the end), so no explicit pads. */
export const Padding = { SAME: 0, VALID: 1 } as const;
export type PaddingId = (typeof Padding)[keyof typeof Padding];

/** The builtin options an operator carries, one variant per options table the converter writes. */
export type TfliteOptions =
  | { kind: 'conv2d'; padding: PaddingId; strideH: number; strideW: number; dilationH: number; dilationW: number; activation: ActivationId }
  | { kind: 'depthwise'; padding: PaddingId; strideH: number; strideW: number; dilationH: number; dilationW: number; multiplier: number; activation: ActivationId }
  | { kind: 'pool2d'; padding: PaddingId; strideH: number; strideW: number; filterH: number; filterW: number }
  | { kind: 'fullyConnected'; activation: ActivationId }
  | { kind: 'softmax'; beta: number }
  | { kind: 'elementwise'; op: 'add' | 'mul'; activation: ActivationId }
  | { kind: 'reshape' }
  | { kind: 'reducer'; keepDims: boolean };

export interface TfliteTensor {
  name: string;
  /**
   * The shape the interpreter allocates: batch 1 for the input and the activations, as a phone
   * runs it. No −1 shape signature: LiteRT's compiled models refuse a tensor against one, and
   * TFLite's Interpreter can still resize the input to a larger batch.
   */
  shape: number[];
  type: TensorTypeId;
  /** A constant's bytes, little-endian; absent for activations. */
  data?: Uint8Array;
  /**
   * An int8 (or int32 bias) tensor's meaning: value = scale[c] · (q − zeroPoint[c]) along
   * `dimension`, or with scale[0] alone; no zero points means all 0 (symmetric).
   */
  quantization?: { scale: Float32Array; zeroPoint?: Int32Array; dimension: number };
}

/**
 * How the exported file stores the weights of dense and convolution layers: float32; float16,
 * each widened by a DEQUANTIZE op as the model loads (TFLite's float16 quantization); or int8 per
 * output channel, which TFLite's kernels run as hybrid ops (its dynamic-range quantization).
 */
export type TfliteWeightStorage = 'float32' | 'float16' | 'int8';

/** Weights smaller than this stay float32 under int8, as TFLite's own converter leaves them: too small to matter. */
export const INT8_MIN_ELEMENTS = 1024;

export interface TfliteOperator {
  op: BuiltinOpId;
  inputs: number[];
  outputs: number[];
  options?: TfliteOptions;
  /** The op's version: 1, or the one that introduced what it is given (int8 tensors, float16 weights). */
  version?: number;
}

export interface TfliteGraph {
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  input: number;
  output: number;
  description: string;
  /** Named metadata buffers: free text (classes, preprocessing), or a flatbuffer (`TFLITE_METADATA`). */
  metadata: Record<string, string | Uint8Array>;
}

/** Builds a TfliteGraph: tensors by index, constants from typed arrays. */
export class TfliteGraphBuilder {
  readonly tensors: TfliteTensor[] = [];
  readonly operators: TfliteOperator[] = [];

  /** An activation tensor, batch 1. */
  activation(name: string, shape: number[], type: TensorTypeId = TensorType.FLOAT32): number {
    this.tensors.push({ name, shape: [1, ...shape], type });
    return this.tensors.length - 1;
  }

  constant(name: string, shape: number[], values: Float32Array | Int32Array | Uint16Array, type?: TensorTypeId): number {
    const data = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    const inferred = values instanceof Int32Array ? TensorType.INT32 : values instanceof Uint16Array ? TensorType.FLOAT16 : TensorType.FLOAT32;
    this.tensors.push({ name, shape, type: type ?? inferred, data });
    return this.tensors.length - 1;
  }

  /**
   * A dense or convolution kernel, output channels first, stored as `storage` says; returns the
   * tensor the op reads (under float16, the DEQUANTIZE op's float32 output). Under int8 a
   * convolution gets a scale per output channel and a dense kernel one scale: TFLite runtimes
   * before per-channel hybrid FULLY_CONNECTED read only a dense kernel's first scale (a 2023
   * build moved `lenet5`'s logits by 0.19 with one per row, by 5e-3 with one scale).
   */
  weight(name: string, shape: number[], values: Float32Array, storage: TfliteWeightStorage, perChannel = true): number {
    if (storage === 'float16') {
      const half = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) half[i] = float16Bits(values[i]!);
      const stored = this.constant(`${name}/float16`, shape, half);
      this.tensors.push({ name, shape, type: TensorType.FLOAT32 });
      return this.op(BuiltinOp.DEQUANTIZE, [stored], this.tensors.length - 1, undefined, 3); // version 3: float16 in
    }
    if (storage === 'int8' && values.length >= INT8_MIN_ELEMENTS) {
      const groups = perChannel ? shape[0]! : 1;
      const per = values.length / groups;
      const scale = new Float32Array(groups);
      const q = new Int8Array(values.length);
      for (let c = 0; c < groups; c++) {
        let max = 0;
        for (let i = c * per; i < (c + 1) * per; i++) max = Math.max(max, Math.abs(values[i]!));
        scale[c] = max > 0 ? max / 127 : 1;
        for (let i = c * per; i < (c + 1) * per; i++) q[i] = Math.max(-127, Math.min(127, Math.round(values[i]! / scale[c]!)));
      }
      this.tensors.push({ name, shape, type: TensorType.INT8, data: new Uint8Array(q.buffer), quantization: { scale, dimension: 0 } });
      return this.tensors.length - 1;
    }
    return this.constant(name, shape, values);
  }

  op(op: BuiltinOpId, inputs: number[], output: number, options?: TfliteOptions, version?: number): number {
    this.operators.push({ op, inputs, outputs: [output], ...(options ? { options } : {}), ...(version ? { version } : {}) });
    return output;
  }
}
