import { join } from 'node:path';
import protobuf from 'protobufjs';
import { resourcesDir } from '../../resources';
import { OPSET, type OnnxGraph, type OnnxValues } from './graph';

/** ONNX's TensorProto.DataType and AttributeProto.AttributeType values used here. */
const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;
const INT64 = 7;

const dataTypeOf = (values: OnnxValues) => (values instanceof BigInt64Array ? INT64 : values instanceof Int8Array ? INT8 : values instanceof Uint8Array ? UINT8 : values instanceof Int32Array ? INT32 : FLOAT);
const ATTRIBUTE = { FLOAT: 1, INT: 2, INTS: 7 } as const;
/** IR version 7 goes with opset 13 (ONNX 1.8). */
const IR_VERSION = 7;

let modelType: protobuf.Type | null = null;

/** The official onnx.proto (ONNX 1.12, Apache-2.0, in resources/onnx/), loaded once on first use. */
function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.loadSync(join(resourcesDir(), 'onnx', 'onnx.proto')).lookupType('onnx.ModelProto');
  return modelType;
}

const valueInfo = (name: string, shape: Array<number | null>, elemType = FLOAT) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: shape.map((d) => (d === null ? { dimParam: 'batch' } : { dimValue: d })) } } },
});

const bytesOf = (values: OnnxValues) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

/** Encodes a graph as an ONNX ModelProto (binary `.onnx`). */
export function encodeOnnxModel(graph: OnnxGraph, producerVersion: string): Uint8Array {
  const Model = onnxModelType();
  const message = {
    irVersion: IR_VERSION,
    producerName: 'Distill Studio',
    producerVersion,
    opsetImport: [{ domain: '', version: OPSET }],
    metadataProps: Object.entries(graph.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map((node, i) => ({
        name: `${node.op}_${i}`,
        opType: node.op,
        input: node.inputs,
        output: [node.output],
        attribute: (node.attributes ?? []).map((a) =>
          a.ints !== undefined ? { name: a.name, type: ATTRIBUTE.INTS, ints: a.ints } : a.f !== undefined ? { name: a.name, type: ATTRIBUTE.FLOAT, f: a.f } : { name: a.name, type: ATTRIBUTE.INT, i: a.i ?? 0 },
        ),
      })),
      initializer: graph.initializers.map((init) => ({ name: init.name, dims: init.dims, dataType: dataTypeOf(init.values), rawData: bytesOf(init.values) })),
      input: [valueInfo(graph.input.name, graph.input.shape, graph.input.type === 'uint8' ? UINT8 : FLOAT)],
      output: [valueInfo(graph.output.name, graph.output.shape)],
    },
  };
  const problem = Model.verify(message);
  if (problem) throw new Error(`ONNX model does not match onnx.proto: ${problem}`);
  return Model.encode(Model.fromObject(message)).finish();
}

/** The initializers' element count, node count and metadata of an encoded ONNX model (for a teacher's report and class names). */
export function describeOnnxModel(bytes: Uint8Array): { params: number; nodes: number; metadata: Record<string, string> } {
  const Model = onnxModelType();
  const model = Model.toObject(Model.decode(bytes), { longs: Number }) as {
    graph?: { initializer?: Array<{ dims?: number[] }>; node?: unknown[] };
    metadataProps?: Array<{ key?: string; value?: string }>;
  };
  const params = (model.graph?.initializer ?? []).reduce((n, init) => n + (init.dims ?? []).reduce((a, b) => a * Number(b), 1), 0);
  const metadata = Object.fromEntries((model.metadataProps ?? []).filter((p) => p.key).map((p) => [p.key!, p.value ?? '']));
  return { params, nodes: model.graph?.node?.length ?? 0, metadata };
}

/** An encoded model's nodes in graph order: the operator, what it reads and what it makes; a Transpose's permutation. */
export function onnxNodes(bytes: Uint8Array): Array<{ op: string; inputs: string[]; outputs: string[]; perm?: number[] }> {
  const Model = onnxModelType();
  type Node = { opType?: string; input?: string[]; output?: string[]; attribute?: Array<{ name?: string; ints?: number[] }> };
  const model = Model.toObject(Model.decode(bytes), { longs: Number }) as { graph?: { node?: Node[] } };
  return (model.graph?.node ?? []).map((node) => {
    const perm = node.opType === 'Transpose' ? node.attribute?.find((a) => a.name === 'perm')?.ints?.map(Number) : undefined;
    return { op: node.opType ?? '', inputs: node.input ?? [], outputs: node.output ?? [], ...(perm ? { perm } : {}) };
  });
}

/** The same model with `names` (tensors its nodes make) among the graph's outputs: onnxruntime returns only those. */
export function withGraphOutputs(bytes: Uint8Array, names: readonly string[]): Uint8Array {
  const Model = onnxModelType();
  const model = Model.decode(bytes) as protobuf.Message & { graph: { output: Array<{ name: string }> } };
  const known = new Set(model.graph.output.map((output) => output.name));
  for (const name of names) if (!known.has(name)) model.graph.output.push({ name, type: { tensorType: { elemType: FLOAT } } } as never);
  return Model.encode(model).finish();
}
