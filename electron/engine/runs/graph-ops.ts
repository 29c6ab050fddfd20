/**
 * What an imported teacher's graph computes, tensor by tensor, read from its nodes alone: the
 * activations exporters spell out as several operators (SiLU, hard swish, GELU), the additions
 * that close a residual block, and, in ONNX, the maps a block has turned channels-last.
 */

/** A graph node as the openers read it: its operator, the tensors it reads and those it makes; a Transpose's permutation. */
export interface GraphNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  perm?: readonly number[];
}

/** An inner tensor a person may name, and the operator (or layer class) that makes it. */
export interface TeacherTensorName {
  name: string;
  op: string;
  /** A 4-D map laid out [batch, height, width, channels] inside an NCHW graph (a ConvNeXt block between its two transposes). */
  channelsLast?: boolean;
}

/** x · sigmoid(x) and x · hardsigmoid(x): how PyTorch and TensorFlow export SiLU (swish) and hard swish. */
const GATED: Record<string, string> = { Sigmoid: 'SiLU', HardSigmoid: 'HardSwish' };
/** Operators that make a constant: an addition with one is a bias, an ε or a shift, not a residual block's. */
const CONSTANT_OPS = new Set(['Constant', 'Const', 'ConstantOfShape']);
/** The operator a residual addition is reported as (a stage's end where no activation follows it: ConvNeXt, a MobileNetV2 bottleneck). */
export const RESIDUAL_ADD = 'ResidualAdd';

/**
 * A Keras layer's class as a stage operator: an `Add` layer sums the branches it is given (a
 * residual block's, in every Keras model that has one), never a bias or a constant, so it is
 * reported as the residual sum an exported graph's Add is found to be.
 */
export const kerasLayerOp = (className: string): string => (className === 'Add' ? RESIDUAL_ADD : className);

/** Layout of a 4-D tensor in an ONNX graph: as the graph's convolutions take it, or moved channels-last by a Transpose. */
type Layout = 'nchw' | 'nhwc' | 'other';

/**
 * Each tensor's layout, followed from the graph's input through every Transpose of four axes
 * ([0, 2, 3, 1] makes NCHW channels-last, [0, 3, 1, 2] undoes it); any other node gives its first
 * laid-out input's layout, as elementwise operators, MatMul over the last axis and LayerNorm do.
 */
function layouts(nodes: readonly GraphNode[], input: Layout): Map<string, Layout> {
  const layout = new Map<string, Layout>();
  for (const node of nodes) {
    const from = node.inputs.map((name) => layout.get(name)).find((l) => l !== undefined) ?? input;
    let out = from;
    if (node.op === 'Transpose' && node.perm?.length === 4) {
      const perm = node.perm.join(',');
      out = from === 'nchw' && perm === '0,2,3,1' ? 'nhwc' : from === 'nhwc' && perm === '0,3,1,2' ? 'nchw' : 'other';
    }
    for (const output of node.outputs) layout.set(output, out);
  }
  return layout;
}

/**
 * GELU as torch.onnx.export writes it before opset 20 (and TensorFlow's graphs, with AddV2):
 * x · (1 + erf(x / √2)) · ½, either order of the two products. The tensor that ends the pattern.
 */
function geluOutputs(nodes: readonly GraphNode[], constant: (name: string) => boolean): Set<string> {
  const readers = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    for (const input of node.inputs) {
      const list = readers.get(input);
      if (list) list.push(node);
      else readers.set(input, [node]);
    }
  }
  const only = (name: string, op: RegExp) => {
    const next = readers.get(name) ?? [];
    return next.length === 1 && op.test(next[0]!.op) ? next[0]! : null;
  };
  const found = new Set<string>();
  for (const erf of nodes.filter((n) => n.op === 'Erf')) {
    const add = only(erf.outputs[0]!, /^Add(V2)?$/);
    const product = add && only(add.outputs[0]!, /^Mul$/);
    if (!product) continue;
    // The half may follow the product (PyTorch) or have scaled x before it.
    const half = only(product.outputs[0]!, /^Mul$/);
    found.add(half && half.inputs.some(constant) ? half.outputs[0]! : product.outputs[0]!);
  }
  return found;
}

/**
 * Each node's tensors with its operator, told apart where exporters spell one thing as several:
 * SiLU and hard swish exported as Mul(x, Sigmoid(x)) are activations (EfficientNet's,
 * MobileNetV3's) where Mul(x, Sigmoid(y)), a squeeze-and-excitation gate, is not; GELU exported
 * through Erf; and an addition of two computed tensors (not a bias or a constant) closes a
 * residual block. With the graph input's layout (ONNX), a map moved channels-last is marked so.
 */
export function graphTensorNames(nodes: readonly GraphNode[], inputLayout?: 'nchw' | 'nhwc'): TeacherTensorName[] {
  const made = new Map<string, GraphNode>();
  for (const node of nodes) for (const output of node.outputs) made.set(output, node);
  const constant = (name: string) => !made.has(name) || CONSTANT_OPS.has(made.get(name)!.op);
  const gateOf = new Map<string, { input: string; op: string }>();
  for (const node of nodes) {
    const op = GATED[node.op];
    if (op && node.inputs[0] !== undefined) for (const output of node.outputs) gateOf.set(output, { input: node.inputs[0], op });
  }
  const gelu = geluOutputs(nodes, constant);
  const layout = inputLayout ? layouts(nodes, inputLayout) : null;
  const opOf = (node: GraphNode, output: string) => {
    if (gelu.has(output)) return 'Gelu';
    // Both inputs computed: an initializer (a bias), the graph's input or a Constant is not.
    if (/^Add(V2)?$/.test(node.op) && node.inputs.length === 2 && !node.inputs.some(constant)) return RESIDUAL_ADD;
    if (node.op !== 'Mul' || node.inputs.length !== 2) return node.op;
    const gated = node.inputs.map((input, i) => (gateOf.get(input)?.input === node.inputs[1 - i] ? gateOf.get(input)!.op : null)).find(Boolean);
    return gated ?? node.op;
  };
  return nodes.flatMap((node) => node.outputs.map((name) => ({ name, op: opOf(node, name), ...(layout?.get(name) === 'nhwc' ? { channelsLast: true } : {}) })));
}
