/**
 * A TFLite (LiteRT) model as plain data, before it is encoded: tensors (constants carry their
 * bytes), operators in execution order, one input and one output. The converter builds it;
 * `encodeTfliteModel` writes it as the flatbuffer TFLite reads. Numbers below are the enum
 * values and union indices of TFLite's schema.fbs (file identifier "TFL3", schema version 3).
 */

/** TensorType. */
export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3 } as const;
export type TensorTypeId = (typeof TensorType)[keyof typeof TensorType];

/** BuiltinOperator: only the ones the converter emits. */
export const BuiltinOp = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  MEAN: 40,
  SUB: 41,
  CAST: 53,
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
  | { kind: 'elementwise'; op: 'add' | 'mul' | 'sub'; activation: ActivationId }
  | { kind: 'reshape' }
  | { kind: 'reducer'; keepDims: boolean }
  | { kind: 'cast'; from: TensorTypeId; to: TensorTypeId };

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
}

export interface TfliteOperator {
  op: BuiltinOpId;
  inputs: number[];
  outputs: number[];
  options?: TfliteOptions;
}

export interface TfliteGraph {
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  input: number;
  output: number;
  description: string;
  /** Free text stored as named metadata buffers: classes, preprocessing. */
  metadata: Record<string, string>;
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

  op(op: BuiltinOpId, inputs: number[], output: number, options?: TfliteOptions): number {
    this.operators.push({ op, inputs, outputs: [output], ...(options ? { options } : {}) });
    return output;
  }
}
