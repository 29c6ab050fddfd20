import { affineFor, type Affine, type Range } from '../activation-range';
import type { OnnxGraph, OnnxInitializer, OnnxNode } from './graph';

/** uint8 parameters (onnxruntime's activations are uint8). */
const uint8For = (range: Range): Affine => affineFor(range, 0);

/** Symmetric int8 weights with one scale per slice along `axis` (every output channel), or one for the whole tensor. */
function int8Weights(values: Float32Array, dims: number[], axis: number | null): { q: Int8Array; scales: Float32Array } {
  const slices = axis === null ? 1 : dims[axis]!;
  const inner = axis === null ? values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const sliceOf = (i: number) => (axis === null ? 0 : Math.floor(i / inner) % slices);
  const largest = new Float32Array(slices);
  values.forEach((v, i) => (largest[sliceOf(i)] = Math.max(largest[sliceOf(i)]!, Math.abs(v))));
  const scales = largest.map((m) => (m > 0 ? m / 127 : 1));
  const q = Int8Array.from(values, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scales[sliceOf(i)]!))));
  return { q, scales };
}

/** Operators whose output holds values of their input only (moved, not computed): it keeps the input's parameters, so onnxruntime drops their Q/DQ and runs them on the integers. */
const KEEPS_INPUT_PARAMETERS = new Set(['Transpose', 'Flatten', 'Reshape', 'MaxPool']);
/** Activations onnxruntime folds into the quantization after them: what they read is not quantized on its own. */
const FOLDED_ACTIVATIONS = new Set(['Relu', 'Clip']);

/**
 * A float32 graph in onnxruntime's QDQ form of static quantization: each activation passes
 * through QuantizeLinear and DequantizeLinear (uint8, with the scale and zero point of its
 * calibrated range), convolution weights are int8 per output channel, dense weights int8 with one
 * scale, and biases int32 at input scale × weight scale, so onnxruntime fuses each
 * DequantizeLinear → op → QuantizeLinear into its integer kernel (QLinearConv, QLinearMatMul,
 * QGemm, QLinearAdd, QLinearGlobalAveragePool). The file is fed and read as the float32 one:
 * float32 in, float32 logits out. `ranges` has every tensor the graph's nodes make, and its input.
 */
export function quantizeOnnxQdq(graph: OnnxGraph, ranges: ReadonlyMap<string, Range>): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [...graph.initializers];
  const floatsOf = new Map(graph.initializers.map((init) => [init.name, init]));
  const dequantized = new Map<string, string>();
  const params = new Map<string, Affine>();
  const readers = new Map<string, OnnxNode[]>();
  for (const node of graph.nodes) for (const input of node.inputs) readers.set(input, [...(readers.get(input) ?? []), node]);

  const constant = (name: string, dims: number[], values: OnnxInitializer['values']) => {
    initializers.push({ name, dims, values });
    return name;
  };
  const quantize = (tensor: string, affine: Affine) => {
    const scale = constant(`${tensor}_scale`, [], Float32Array.of(affine.scale));
    const zeroPoint = constant(`${tensor}_zero_point`, [], Uint8Array.of(affine.zeroPoint));
    nodes.push({ op: 'QuantizeLinear', inputs: [tensor, scale, zeroPoint], output: `${tensor}_quantized` });
    nodes.push({ op: 'DequantizeLinear', inputs: [`${tensor}_quantized`, scale, zeroPoint], output: `${tensor}_dequantized` });
    dequantized.set(tensor, `${tensor}_dequantized`);
    params.set(tensor, affine);
  };
  const rangeOf = (tensor: string): Range => {
    const range = ranges.get(tensor);
    if (!range) throw new Error(`int8 export: tensor ${tensor} was not calibrated`);
    return range;
  };
  /** A weight as int8 (per output channel along `axis`, or per tensor) and its bias as int32, each behind a DequantizeLinear. */
  const quantizedWeights = (node: OnnxNode, axis: number | null, input: Affine): string[] => {
    const weight = floatsOf.get(node.inputs[1]!)!;
    const { q, scales } = int8Weights(weight.values as Float32Array, weight.dims, axis);
    const perChannel = axis === null ? [] : [{ name: 'axis', i: axis }];
    const scaleDims = axis === null ? [] : [scales.length];
    const w = `${weight.name}_dequantized`;
    nodes.push({
      op: 'DequantizeLinear',
      inputs: [constant(`${weight.name}_int8`, weight.dims, q), constant(`${weight.name}_scale`, scaleDims, scales), constant(`${weight.name}_zero_point`, scaleDims, new Int8Array(scales.length))],
      output: w,
      attributes: perChannel,
    });
    const biasName = node.inputs[2];
    if (biasName === undefined) return [w];
    const bias = floatsOf.get(biasName)!;
    const biasValues = bias.values as Float32Array;
    const biasScales = Float32Array.from(biasValues, (_, o) => input.scale * scales[axis === null ? 0 : o]!);
    const qBias = Int32Array.from(biasValues, (v, o) => Math.round(v / biasScales[o]!));
    const b = `${biasName}_dequantized`;
    nodes.push({
      op: 'DequantizeLinear',
      inputs: [constant(`${biasName}_int32`, bias.dims, qBias), constant(`${biasName}_scale`, [biasScales.length], biasScales), constant(`${biasName}_zero_point`, [biasScales.length], new Int32Array(biasScales.length))],
      output: b,
      attributes: [{ name: 'axis', i: 0 }],
    });
    return [w, b];
  };

  quantize(graph.input.name, uint8For(rangeOf(graph.input.name)));
  for (const node of graph.nodes) {
    const read = (name: string) => dequantized.get(name) ?? name;
    if (node.output === graph.output.name) {
      nodes.push({ ...node, inputs: node.inputs.map(read) });
      continue;
    }
    const inputAffine = params.get(node.inputs[0]!);
    const weighted = (node.op === 'Conv' || node.op === 'Gemm' || node.op === 'MatMul') && isQuantizedWeight(graph, node.inputs[1]!) && inputAffine;
    const inputs = weighted ? [read(node.inputs[0]!), ...quantizedWeights(node, node.op === 'Conv' ? 0 : null, inputAffine)] : node.inputs.map(read);
    nodes.push({ ...node, inputs });
    if (readers.has(node.output) && readers.get(node.output)!.every((reader) => FOLDED_ACTIVATIONS.has(reader.op))) continue;
    quantize(node.output, KEEPS_INPUT_PARAMETERS.has(node.op) && inputAffine ? inputAffine : uint8For(rangeOf(node.output)));
  }
  // The float weights and biases the integer ones replace are left out.
  const used = new Set(nodes.flatMap((node) => node.inputs));
  return { ...graph, nodes, initializers: initializers.filter((init) => used.has(init.name)) };
}

/** A float weight a convolution or dense layer reads as its second input: quantized to int8. */
function isQuantizedWeight(graph: OnnxGraph, name: string): boolean {
  const init = graph.initializers.find((i) => i.name === name);
  return init?.values instanceof Float32Array && graph.nodes.some((node) => (node.op === 'Conv' || node.op === 'Gemm' || node.op === 'MatMul') && node.inputs[1] === name);
}
