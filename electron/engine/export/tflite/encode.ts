import { Builder } from 'flatbuffers';
import type { TfliteGraph, TfliteOptions, TfliteTensor } from './graph';
import { floatVector, int32Vector, offsetVector } from './vectors';

type Offset = number;

/** BuiltinOptions union indices (1-based: 0 is NONE), in schema.fbs's order. */
const OPTIONS_TYPE: Record<TfliteOptions['kind'] | 'mul', number> = {
  conv2d: 1,
  depthwise: 2,
  pool2d: 5,
  fullyConnected: 8,
  softmax: 9,
  elementwise: 11, // AddOptions; MulOptions below
  reshape: 17,
  mul: 21,
  reducer: 27,
};

/** The flatbuffer's schema version and file identifier. */
const SCHEMA_VERSION = 3;
const FILE_IDENTIFIER = 'TFL3';

/** A buffer's bytes, 16-byte aligned as schema.fbs asks (`force_align: 16`) so runtimes can map them in place. */
function bufferTable(b: Builder, data: Uint8Array | null): Offset {
  let vector = 0;
  if (data) {
    b.startVector(1, data.length, 16);
    for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]!);
    vector = b.endVector();
  }
  b.startObject(3);
  if (data) b.addFieldOffset(0, vector, 0);
  return b.endObject();
}

function optionsTable(b: Builder, options: TfliteOptions): { type: number; table: Offset } {
  switch (options.kind) {
    case 'conv2d':
      b.startObject(7);
      b.addFieldInt8(0, options.padding, 0);
      b.addFieldInt32(1, options.strideW, 0);
      b.addFieldInt32(2, options.strideH, 0);
      b.addFieldInt8(3, options.activation, 0);
      b.addFieldInt32(4, options.dilationW, 1);
      b.addFieldInt32(5, options.dilationH, 1);
      return { type: OPTIONS_TYPE.conv2d, table: b.endObject() };
    case 'depthwise':
      b.startObject(7);
      b.addFieldInt8(0, options.padding, 0);
      b.addFieldInt32(1, options.strideW, 0);
      b.addFieldInt32(2, options.strideH, 0);
      b.addFieldInt32(3, options.multiplier, 0);
      b.addFieldInt8(4, options.activation, 0);
      b.addFieldInt32(5, options.dilationW, 1);
      b.addFieldInt32(6, options.dilationH, 1);
      return { type: OPTIONS_TYPE.depthwise, table: b.endObject() };
    case 'pool2d':
      b.startObject(6);
      b.addFieldInt8(0, options.padding, 0);
      b.addFieldInt32(1, options.strideW, 0);
      b.addFieldInt32(2, options.strideH, 0);
      b.addFieldInt32(3, options.filterW, 0);
      b.addFieldInt32(4, options.filterH, 0);
      return { type: OPTIONS_TYPE.pool2d, table: b.endObject() };
    case 'fullyConnected':
      b.startObject(2);
      b.addFieldInt8(0, options.activation, 0);
      return { type: OPTIONS_TYPE.fullyConnected, table: b.endObject() };
    case 'softmax':
      b.startObject(1);
      b.addFieldFloat32(0, options.beta, 0);
      return { type: OPTIONS_TYPE.softmax, table: b.endObject() };
    case 'elementwise':
      b.startObject(1);
      b.addFieldInt8(0, options.activation, 0);
      return { type: options.op === 'add' ? OPTIONS_TYPE.elementwise : OPTIONS_TYPE[options.op], table: b.endObject() };
    case 'reshape':
      b.startObject(1);
      return { type: OPTIONS_TYPE.reshape, table: b.endObject() };
    case 'reducer':
      b.startObject(1);
      b.addFieldInt8(0, options.keepDims ? 1 : 0, 0);
      return { type: OPTIONS_TYPE.reducer, table: b.endObject() };
  }
}

/** QuantizationParameters: scale (slot 2), zero_point (3, int64; all 0 when none are given) and quantized_dimension (6). */
function quantizationTable(b: Builder, { scale, zeroPoint, dimension }: NonNullable<TfliteTensor['quantization']>): Offset {
  const scales = floatVector(b, scale);
  b.startVector(8, scale.length, 8);
  for (let i = scale.length - 1; i >= 0; i--) b.addInt64(BigInt(zeroPoint?.[i] ?? 0));
  const zeroPoints = b.endVector();
  b.startObject(7);
  b.addFieldOffset(2, scales, 0);
  b.addFieldOffset(3, zeroPoints, 0);
  b.addFieldInt32(6, dimension, 0);
  return b.endObject();
}

function tensorTable(b: Builder, tensor: TfliteTensor, buffer: number): Offset {
  const name = b.createString(tensor.name);
  const shape = int32Vector(b, tensor.shape);
  const quantization = tensor.quantization ? quantizationTable(b, tensor.quantization) : 0;
  b.startObject(9);
  b.addFieldOffset(0, shape, 0);
  b.addFieldInt8(1, tensor.type, 0);
  b.addFieldInt32(2, buffer, 0);
  b.addFieldOffset(3, name, 0);
  if (quantization) b.addFieldOffset(4, quantization, 0);
  b.addFieldInt8(8, 1, 0); // has_rank: every tensor here has a known rank
  return b.endObject();
}

/**
 * The graph as a .tflite flatbuffer: buffer 0 is the empty sentinel, every constant gets its own
 * buffer, one subgraph, a `serving_default` signature naming the input `input` and the output
 * `logits`, and the metadata as named buffers (`min_runtime_version` is not claimed).
 */
export function encodeTfliteModel(graph: TfliteGraph): Uint8Array {
  const b = new Builder(1024);
  const encoder = new TextEncoder();
  const buffers: Offset[] = [bufferTable(b, null)];
  const tensorBuffer = graph.tensors.map((t) => {
    if (!t.data) return 0;
    buffers.push(bufferTable(b, t.data));
    return buffers.length - 1;
  });
  const metadata = Object.entries(graph.metadata).map(([name, text]) => {
    buffers.push(bufferTable(b, typeof text === 'string' ? encoder.encode(text) : text));
    const key = b.createString(name);
    b.startObject(2);
    b.addFieldOffset(0, key, 0);
    b.addFieldInt32(1, buffers.length - 1, 0);
    return b.endObject();
  });

  // One operator code per op and version, in first-use order.
  const codeKey = (o: { op: number; version?: number }) => `${o.op}:${o.version ?? 1}`;
  const codes = [...new Map(graph.operators.map((o) => [codeKey(o), { op: o.op, version: o.version ?? 1 }])).values()];
  const codeIndex = codes.map(codeKey);
  const codeTables = codes.map(({ op, version }) => {
    b.startObject(4);
    b.addFieldInt8(0, op < 127 ? op : 127, 0); // deprecated_builtin_code: read by runtimes from before the int32 field
    b.addFieldInt32(2, version, 1);
    b.addFieldInt32(3, op, 0);
    return b.endObject();
  });
  const operators = graph.operators.map((o) => {
    const inputs = int32Vector(b, o.inputs);
    const outputs = int32Vector(b, o.outputs);
    const options = o.options ? optionsTable(b, o.options) : null;
    b.startObject(5);
    b.addFieldInt32(0, codeIndex.indexOf(codeKey(o)), 0);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    if (options) {
      b.addFieldInt8(3, options.type, 0);
      b.addFieldOffset(4, options.table, 0);
    }
    return b.endObject();
  });
  const tensors = graph.tensors.map((t, i) => tensorTable(b, t, tensorBuffer[i]!));
  const subgraphName = b.createString('main');
  const tensorVector = offsetVector(b, tensors);
  const inputs = int32Vector(b, [graph.input]);
  const outputs = int32Vector(b, [graph.output]);
  const operatorVector = offsetVector(b, operators);
  b.startObject(5);
  b.addFieldOffset(0, tensorVector, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, operatorVector, 0);
  b.addFieldOffset(4, subgraphName, 0);
  const subgraph = b.endObject();

  const tensorMap = (name: string, index: number) => {
    const key = b.createString(name);
    b.startObject(2);
    b.addFieldOffset(0, key, 0);
    b.addFieldInt32(1, index, 0);
    return b.endObject();
  };
  const signatureInputs = offsetVector(b, [tensorMap('input', graph.input)]);
  const signatureOutputs = offsetVector(b, [tensorMap('logits', graph.output)]);
  const signatureKey = b.createString('serving_default');
  b.startObject(5);
  b.addFieldOffset(0, signatureInputs, 0);
  b.addFieldOffset(1, signatureOutputs, 0);
  b.addFieldOffset(2, signatureKey, 0);
  b.addFieldInt32(4, 0, 0);
  const signature = b.endObject();

  const codeVector = offsetVector(b, codeTables);
  const subgraphVector = offsetVector(b, [subgraph]);
  const description = b.createString(graph.description);
  const bufferVector = offsetVector(b, buffers);
  const metadataVector = offsetVector(b, metadata);
  const signatureVector = offsetVector(b, [signature]);
  b.startObject(8);
  b.addFieldInt32(0, SCHEMA_VERSION, 0);
  b.addFieldOffset(1, codeVector, 0);
  b.addFieldOffset(2, subgraphVector, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, bufferVector, 0);
  b.addFieldOffset(6, metadataVector, 0);
  b.addFieldOffset(7, signatureVector, 0);
  b.finish(b.endObject(), FILE_IDENTIFIER);
  return b.asUint8Array();
}
