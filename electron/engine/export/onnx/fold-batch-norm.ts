import type { OnnxGraph, OnnxInitializer, OnnxNode } from './graph';

/**
 * The graph with each BatchNormalization that alone reads a convolution's output folded into that
 * convolution's weights and bias (w·γ/√(σ²+ε) per output channel, (b − μ)·γ/√(σ²+ε) + β), as
 * onnxruntime's own quantization does first: the weights are then quantized as they compute.
 * Any other batch norm stays as it is.
 */
export function foldBatchNorms(graph: OnnxGraph): OnnxGraph {
  const initializers = new Map(graph.initializers.map((init) => [init.name, init]));
  const floats = (name: string | undefined) => {
    const values = name === undefined ? undefined : initializers.get(name)?.values;
    return values instanceof Float32Array ? values : null;
  };
  const readers = new Map<string, number>();
  for (const node of graph.nodes) for (const input of node.inputs) readers.set(input, (readers.get(input) ?? 0) + 1);
  const producer = new Map(graph.nodes.map((node) => [node.output, node]));
  const folded = new Map<OnnxNode, OnnxNode>();
  const dropped = new Set<OnnxNode>();
  for (const norm of graph.nodes) {
    if (norm.op !== 'BatchNormalization') continue;
    const conv = producer.get(norm.inputs[0]!);
    if (conv?.op !== 'Conv' || readers.get(conv.output) !== 1 || folded.has(conv)) continue;
    const [gamma, beta, mean, variance] = norm.inputs.slice(1).map(floats);
    const weight = initializers.get(conv.inputs[1]!);
    if (!gamma || !beta || !mean || !variance || !(weight?.values instanceof Float32Array)) continue;
    const epsilon = norm.attributes?.find((a) => a.name === 'epsilon')?.f ?? 1e-5;
    const channels = weight.dims[0]!;
    const perChannel = weight.values.length / channels;
    const bias = floats(conv.inputs[2]) ?? new Float32Array(channels);
    const w = new Float32Array(weight.values.length);
    const b = new Float32Array(channels);
    for (let o = 0; o < channels; o++) {
      const scale = gamma[o]! / Math.sqrt(variance[o]! + epsilon);
      for (let k = 0; k < perChannel; k++) w[o * perChannel + k] = weight.values[o * perChannel + k]! * scale;
      b[o] = (bias[o]! - mean[o]!) * scale + beta[o]!;
    }
    const biasName = conv.inputs[2] ?? `${weight.name}_folded_bias`;
    initializers.set(weight.name, { ...weight, values: w });
    initializers.set(biasName, { name: biasName, dims: [channels], values: b });
    // The convolution now makes what the batch norm made, under its name.
    folded.set(conv, { ...conv, inputs: [conv.inputs[0]!, weight.name, biasName], output: norm.output });
    dropped.add(norm);
  }
  const nodes = graph.nodes.filter((node) => !dropped.has(node)).map((node) => folded.get(node) ?? node);
  const used = new Set(nodes.flatMap((node) => node.inputs));
  const kept: OnnxInitializer[] = [...initializers.values()].filter((init) => used.has(init.name));
  return { ...graph, nodes, initializers: kept };
}
