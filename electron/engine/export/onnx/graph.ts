/**
 * An ONNX graph as plain data, before it is encoded: nodes in order, initializers, one
 * input and one output. The converter builds it; `encodeOnnxModel` writes it with the official
 * onnx.proto.
 */
export interface OnnxAttribute {
  name: string;
  ints?: number[];
  i?: number;
  f?: number;
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  output: string;
  attributes?: OnnxAttribute[];
}

/** An initializer's values: float32, int64 (shapes), or int8 / uint8 / int32 (a quantized model's weights, zero points and biases). */
export type OnnxValues = Float32Array | BigInt64Array | Int8Array | Uint8Array | Int32Array;

export interface OnnxInitializer {
  name: string;
  dims: number[];
  values: OnnxValues;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  /** [batch (dynamic), …rest]: null marks the dynamic batch dimension. */
  /** float32 after the model card's preprocessing, or uint8 raw pixels (the preprocessing inside). */
  input: { name: string; shape: Array<number | null>; type: 'float32' | 'uint8' };
  output: { name: string; shape: Array<number | null> };
  /** Free text stored in the model (metadata_props): classes, preprocessing. */
  metadata: Record<string, string>;
}

/** The opset every exported model declares; every operator used is in it. */
export const OPSET = 13;

/** A small helper that hands out unique tensor names and collects nodes and initializers. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  private count = 0;

  node(op: string, inputs: string[], attributes?: OnnxAttribute[], hint = op.toLowerCase()): string {
    const output = `${hint}_${++this.count}`;
    this.nodes.push({ op, inputs, output, ...(attributes ? { attributes } : {}) });
    return output;
  }

  constant(hint: string, dims: number[], values: OnnxValues): string {
    const name = `${hint}_${++this.count}`;
    this.initializers.push({ name, dims, values });
    return name;
  }
}
