import * as tf from '@tensorflow/tfjs';
import { basename, join } from 'node:path';
import { DistillInputError } from '../errors';
import { firstLine } from '../data/limits';
import { modelSize } from '../models/registry';
import { ensembleSize } from '../models/ensemble';
import { parseClassNames, readLabelsFile } from './class-mapping';
import { embeddingLayer } from '../methods/layer-pairing';
import type { ExternalTeacher, TeacherFeatureBatch } from './external-teacher';
import { graphTensorNames, kerasLayerOp, type TeacherTensorName } from './graph-ops';
import { loadModelFolder, readModelJson, readModelWeights } from './model-io';

/** Class names a TensorFlow.js folder carries: labels.txt beside model.json, or its metadata's classNames. */
export async function folderClassNames(dir: string, userDefinedMetadata: unknown): Promise<string[] | null> {
  const fromFile = await readLabelsFile(join(dir, 'labels.txt'));
  if (fromFile) return fromFile;
  const names = (userDefinedMetadata as { classNames?: unknown } | undefined)?.classNames;
  return Array.isArray(names) ? parseClassNames(JSON.stringify(names)) : null;
}

const imageDims = (shape: readonly (number | null)[] | undefined, name: string): Array<number | null> => {
  if (!shape || shape.length !== 4) throw new DistillInputError(`${name}: its input ${JSON.stringify(shape ?? '?')} is not a batch of images ([batch, height, width, channels])`);
  return shape.slice(1).map((d) => (typeof d === 'number' && d > 0 ? d : null));
};

/** Inner tensors read per image, channels last as TensorFlow keeps them: [units] or [height, width, channels]. */
async function featureBatches(names: readonly string[], tensors: tf.Tensor[]): Promise<TeacherFeatureBatch[]> {
  return Promise.all(names.map(async (name, i) => ({ name, data: Float32Array.from(await tensors[i]!.data()), shape: tensors[i]!.shape.slice(1) })));
}

/** A GraphDef node's tensor as its nodes name their inputs: `dense_1/Relu`, without `:0` or a control edge's `^`. */
const nodeOf = (input: string) => input.replace(/^\^/, '').replace(/:0$/, '');

/** A TensorFlow.js GraphModel folder (tensorflowjs_converter's output), run forward by TensorFlow.js. */
export async function openGraphTeacher(dir: string): Promise<ExternalTeacher> {
  const json = await readModelJson(dir);
  const { weightData, weightSpecs } = await readModelWeights(dir, json);
  let model: tf.GraphModel;
  try {
    model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData, format: 'graph-model', userDefinedMetadata: json.userDefinedMetadata as Record<string, unknown> | undefined }));
  } catch (error) {
    throw new DistillInputError(`${dir}: cannot load the GraphModel (${firstLine(error)})`);
  }
  const input = model.inputs[0];
  let asyncOnly = false;
  /** The graph's output and the named nodes' tensors for a batch. */
  const execute = async (x: tf.Tensor4D, names: readonly string[]): Promise<tf.Tensor[]> => {
    const outputs = names.length > 0 ? [model.outputNodes[0]!, ...names] : undefined;
    try {
      // execute() where the graph allows it; executeAsync() for control flow and dynamic shapes.
      const y = asyncOnly ? await model.executeAsync(x, outputs) : model.execute(x, outputs);
      return Array.isArray(y) ? y : [y];
    } catch (error) {
      if (!asyncOnly && /executeAsync/.test(firstLine(error))) {
        asyncOnly = true;
        return execute(x, names);
      }
      const unknownOp = /Unknown op '([^']+)'/.exec(firstLine(error));
      if (unknownOp) throw new DistillInputError(`${basename(dir)}: the GraphModel uses the operator ${unknownOp[1]}, which TensorFlow.js cannot run`);
      throw new DistillInputError(`${basename(dir)}: the GraphModel failed on a batch (${firstLine(error)})`);
    }
  };
  const run = async (x: tf.Tensor4D): Promise<Float32Array> => {
    const [y] = await execute(x, []);
    const values = Float32Array.from(await y!.data());
    y!.dispose();
    return values;
  };
  const nodes = ((json.modelTopology as { node?: Array<{ name: string; op: string; input?: string[] }> }).node ?? []).filter((node) => !/^(Const|Placeholder|NoOp)$/.test(node.op));
  const outDim = model.outputs[0]?.shape?.at(-1);
  return {
    name: basename(dir),
    format: 'TensorFlow.js GraphModel',
    runtime: `TensorFlow.js (${tf.getBackend()})`,
    params: weightSpecs.filter((spec) => spec.dtype === 'float32').reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1), 0),
    bytes: weightData.byteLength,
    inputDims: imageDims(input?.shape, basename(dir)),
    outputs: typeof outDim === 'number' && outDim > 0 ? outDim : null,
    classNames: await folderClassNames(dir, json.userDefinedMetadata),
    tensors: {
      list: graphTensorNames(nodes.map(({ name, op, input }) => ({ op, inputs: (input ?? []).map(nodeOf), outputs: [name] }))),
      // What its last matrix product reads: the classifier's input.
      embedding: (() => {
        const input = nodes.findLast((node) => /MatMul$/.test(node.op))?.input?.[0];
        return input === undefined ? null : nodeOf(input);
      })(),
    },
    run,
    async runWithFeatures(x, names) {
      const [y, ...inner] = await execute(x, names);
      try {
        return { outputs: Float32Array.from(await y!.data()), features: await featureBatches(names, inner) };
      } finally {
        tf.dispose([y!, ...inner]);
      }
    },
    release: async () => {
      model.dispose();
    },
  };
}

/**
 * A LayersModel from elsewhere fed as declared (another range, normalisation or size, or its
 * classes in another order): run forward like a GraphModel, its outputs computed once.
 */
export async function openLayersTeacher(dir: string): Promise<ExternalTeacher> {
  const { model, userDefinedMetadata } = await loadModelFolder(dir);
  const size = modelSize(model);
  let tapped: { key: string; model: tf.LayersModel } | null = null;
  const outDim = model.outputs[0]?.shape.at(-1);
  // An ensemble's layers are its members': the methods that would read them are refused with it, so none are offered.
  const ensemble = ensembleSize(model) > 1;
  return {
    name: basename(dir),
    format: 'TensorFlow.js LayersModel',
    runtime: `TensorFlow.js (${tf.getBackend()})`,
    params: size.params,
    bytes: size.bytes,
    inputDims: imageDims(model.inputs[0]?.shape, basename(dir)),
    outputs: typeof outDim === 'number' ? outDim : null,
    classNames: await folderClassNames(dir, userDefinedMetadata),
    tensors: {
      list: ensemble ? [] : model.layers.filter((layer) => layer.getClassName() !== 'InputLayer').map((layer): TeacherTensorName => ({ name: layer.name, op: kerasLayerOp(layer.getClassName()) })),
      embedding: (() => {
        if (ensemble) return null;
        try {
          return embeddingLayer(model, 'the teacher').name;
        } catch {
          return null;
        }
      })(),
    },
    async run(x) {
      const y = model.predict(x) as tf.Tensor;
      const values = Float32Array.from(await y.data());
      y.dispose();
      return values;
    },
    async runWithFeatures(x, names) {
      // Built once for the names a run asks for, not per batch: the layers are shared, not copied.
      const key = names.join('\n');
      if (tapped?.key !== key) tapped = { key, model: tf.model({ inputs: model.inputs, outputs: [model.outputs[0]!, ...names.map((name) => model.getLayer(name).output as tf.SymbolicTensor)] }) };
      const [y, ...inner] = tapped.model.predict(x) as tf.Tensor[];
      try {
        return { outputs: Float32Array.from(await y!.data()), features: await featureBatches(names, inner) };
      } finally {
        tf.dispose([y!, ...inner]);
      }
    },
    release: async () => {
      model.dispose();
    },
  };
}
