import * as tf from '@tensorflow/tfjs';

/**
 * An ensemble of teachers as one LayersModel: every member runs on the same input and an Average
 * layer named `logits` averages their logits (Hinton et al. distilled such an ensemble into one
 * model). Averaging logits is the normalised geometric mean of the members' probabilities at any
 * temperature, so T softens the ensemble as it softens one teacher. The members' layers are copied
 * into one flat graph, renamed `teacher<k>_<layer>`, rather than nested as models: a nested model
 * does not load back in every TensorFlow.js runtime, and its weight names would clash. The saved
 * ensemble is then an ordinary model folder that any later run, export or browser can load.
 */

interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown> & { name: string };
  inbound_nodes: Array<Array<[string, number, number, Record<string, unknown>]>>;
}
interface TopologyJson {
  class_name: string;
  config: { name: string; layers: LayerJson[]; input_layers?: Array<[string, number, number]>; output_layers?: Array<[string, number, number]> };
}

const INPUT = 'input';
/** The Average layer that makes an ensemble's output. */
const OUTPUT = 'logits';

/** An ensemble's name in reports and its model's metadata: `mlp-800x2 ×3`. */
export const ensembleName = (teacher: string, members: number) => `${teacher} ×${members}`;

/** The prefix of member k's layers (from 1): `teacher2_dense_1`. */
export const memberPrefix = (k: number) => `teacher${k}_`;

/** One member's layers, renamed with `prefix` and reading the ensemble's input: a Sequential becomes the chain it is. */
function memberLayers(model: tf.LayersModel, prefix: string): { layers: LayerJson[]; output: string } {
  const json = model.toJSON(null, false) as unknown as TopologyJson;
  const rename = (name: string) => prefix + name;
  if (json.class_name === 'Sequential') {
    let previous = INPUT;
    const layers = json.config.layers.map((layer) => {
      // The member's own input shape goes: the ensemble's input layer carries it.
      const config = { ...layer.config };
      delete config.batch_input_shape;
      const name = rename(config.name);
      const copy: LayerJson = { name, class_name: layer.class_name, config: { ...config, name }, inbound_nodes: [[[previous, 0, 0, {}]]] };
      previous = name;
      return copy;
    });
    return { layers, output: previous };
  }
  const inputs = new Set((json.config.input_layers ?? []).map(([name]) => name));
  const outputs = json.config.output_layers ?? [];
  if (inputs.size !== 1 || outputs.length !== 1) throw new Error(`an ensemble member takes one input and gives one output; ${model.name} has ${inputs.size} and ${outputs.length}`);
  const source = (name: string) => (inputs.has(name) ? INPUT : rename(name));
  const layers = json.config.layers
    .filter((layer) => !inputs.has(layer.name))
    .map((layer) => ({
      name: rename(layer.name),
      class_name: layer.class_name,
      config: { ...layer.config, name: rename(layer.name) },
      inbound_nodes: layer.inbound_nodes.map((node) => node.map(([name, nodeIndex, tensorIndex, kwargs]) => [source(name), nodeIndex, tensorIndex, kwargs] as [string, number, number, Record<string, unknown>])),
    }));
  return { layers, output: rename(outputs[0]![0]) };
}

/** The members (each giving logits for the same input shape and classes) as one model that averages their logits; the members stay the caller's. */
export async function ensembleModel(members: readonly tf.LayersModel[], name: string): Promise<tf.LayersModel> {
  if (members.length < 2) throw new Error('an ensemble needs two members or more');
  const shape = members[0]!.inputs[0]!.shape;
  const classes = members[0]!.outputs[0]!.shape.at(-1);
  for (const member of members) {
    if (member.inputs[0]!.shape.join('×') !== shape.join('×') || member.outputs[0]!.shape.at(-1) !== classes) throw new Error(`the members of an ensemble take the same images and predict the same classes; ${member.name} differs`);
  }
  const parts = members.map((member, i) => memberLayers(member, memberPrefix(i + 1)));
  const topology = {
    class_name: 'Model',
    config: {
      name,
      layers: [
        { name: INPUT, class_name: 'InputLayer', config: { batch_input_shape: shape, dtype: 'float32', sparse: false, name: INPUT }, inbound_nodes: [] },
        ...parts.flatMap((part) => part.layers),
        { name: OUTPUT, class_name: 'Average', config: { name: OUTPUT, trainable: true }, inbound_nodes: [parts.map((part) => [part.output, 0, 0, {}])] },
      ],
      input_layers: [[INPUT, 0, 0]],
      output_layers: [[OUTPUT, 0, 0]],
    },
  };
  const ensemble = await tf.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] } as tf.io.ModelJSON);
  members.forEach((member, i) => {
    for (const layer of member.layers) if (layer.weights.length > 0) ensemble.getLayer(memberPrefix(i + 1) + layer.name).setWeights(layer.getWeights());
  });
  return ensemble;
}

/** The layers whose logits an ensemble averages, in member order; null when the model is not one of this app's ensembles. */
function memberOutputs(model: tf.LayersModel): tf.layers.Layer[] | null {
  const output = model.outputs[0]?.sourceLayer;
  if (!output || output.getClassName() !== 'Average' || output.inboundNodes.length !== 1) return null;
  const members = output.inboundNodes[0]!.inboundLayers;
  return members.length > 1 && members.every((layer, i) => layer.name.startsWith(memberPrefix(i + 1))) ? members : null;
}

/** How many teachers a model averages: 1 for any model that is not an ensemble. */
export const ensembleSize = (model: tf.LayersModel): number => memberOutputs(model)?.length ?? 1;

const firstMembers = new WeakMap<tf.LayersModel, tf.LayersModel>();

/**
 * The model whose weights seed a student: an ensemble's first member (its layers, shared, not
 * copied: never dispose it), the model itself otherwise. Weight selection prunes one network;
 * the averaged ensemble has no single unit to keep.
 */
export function seedingModel(model: tf.LayersModel): tf.LayersModel {
  const members = memberOutputs(model);
  if (!members) return model;
  let first = firstMembers.get(model);
  if (!first) firstMembers.set(model, (first = tf.model({ inputs: model.inputs, outputs: members[0]!.output as tf.SymbolicTensor, name: `${model.name}-first` })));
  return first;
}
