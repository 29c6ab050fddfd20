import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes an MLP LayersModel (Flatten, then Dense layers) as a TensorFlow.js GraphModel folder,
 * laid out as tensorflowjs_converter writes a frozen TensorFlow graph: `format: graph-model`, a
 * GraphDef of Placeholder / Const / Reshape / MatMul / BiasAdd / Relu / Softmax nodes, and the
 * Const nodes' values in the weights manifest. TensorFlow (and its converter) is not installed
 * here, so the test makes the same files from a model it trained.
 */
export async function writeMlpGraphModel(model: tf.LayersModel, dir: string, options: { softmax?: boolean; classNames?: string[] } = {}): Promise<void> {
  const [h, w, c] = model.inputs[0]!.shape.slice(1) as number[];
  const float = { type: 'DT_FLOAT' };
  const dims = (shape: number[]) => ({ dim: shape.map((size) => ({ size: String(size) })) });
  const nodes: Array<Record<string, unknown>> = [{ name: 'images', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims([-1, h!, w!, c!]) } } }];
  const weights: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32' }> = [];
  const data: Uint8Array[] = [];
  const constant = (name: string, values: Float32Array | Int32Array, shape: number[]) => {
    const dtype = values instanceof Int32Array ? 'int32' : 'float32';
    nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: dims(shape) } }, dtype: { type: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' } } });
    weights.push({ name, shape, dtype });
    data.push(new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)));
  };
  constant('flatten/shape', Int32Array.of(-1, h! * w! * c!), [2]);
  nodes.push({ name: 'flatten/Reshape', op: 'Reshape', input: ['images', 'flatten/shape'], attr: { T: float, Tshape: { type: 'DT_INT32' } } });
  let x = 'flatten/Reshape';
  for (const layer of model.layers.filter((l) => l.getClassName() === 'Dense')) {
    const [kernel, bias] = layer.getWeights();
    constant(`${layer.name}/kernel`, (await kernel!.data()) as Float32Array, kernel!.shape);
    constant(`${layer.name}/bias`, (await bias!.data()) as Float32Array, bias!.shape);
    nodes.push({ name: `${layer.name}/MatMul`, op: 'MatMul', input: [x, `${layer.name}/kernel`], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } });
    nodes.push({ name: `${layer.name}/BiasAdd`, op: 'BiasAdd', input: [`${layer.name}/MatMul`, `${layer.name}/bias`], attr: { T: float } });
    x = `${layer.name}/BiasAdd`;
    const activation = (layer.getConfig() as { activation?: string }).activation;
    if (activation === 'relu') {
      nodes.push({ name: `${layer.name}/Relu`, op: 'Relu', input: [x], attr: { T: float } });
      x = `${layer.name}/Relu`;
    }
  }
  if (options.softmax) {
    nodes.push({ name: 'Softmax', op: 'Softmax', input: [x], attr: { T: float } });
    x = 'Softmax';
  }
  nodes.push({ name: 'Identity', op: 'Identity', input: [x], attr: { T: float } });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'group1-shard1of1.bin'), Buffer.concat(data));
  const modelJson = {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    signature: {
      inputs: { images: { name: 'images:0', dtype: 'DT_FLOAT', tensorShape: dims([-1, h!, w!, c!]) } },
      outputs: { output: { name: 'Identity:0', dtype: 'DT_FLOAT', tensorShape: dims([-1, model.outputs[0]!.shape.at(-1) as number]) } },
    },
    modelTopology: { node: nodes, library: {}, versions: { producer: 1645 } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
    ...(options.classNames ? { userDefinedMetadata: { classNames: options.classNames } } : {}),
  };
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
}
