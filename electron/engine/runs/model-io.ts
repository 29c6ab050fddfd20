import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DistillInputError } from '../errors';

/** Stored in model.json's userDefinedMetadata so an exported model explains itself. */
export const ModelMetadataSchema = z.object({
  architecture: z.string(),
  inputShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  classNames: z.array(z.string()),
  /** What the last layer gives: logits (Distill Studio's own models), or probabilities (an imported teacher ending in a softmax). */
  output: z.enum(['logits', 'probabilities']),
  preprocessing: z.string(),
  /** Per-channel mean and std applied after pixels / 255, when the dataset uses one. */
  normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).optional(),
  dataset: z.string(),
});
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>;

export const WEIGHTS_FILE = 'weights.bin';

/**
 * Saves in the TensorFlow.js LayersModel format (model.json + weights.bin), as
 * tfjs-node's file:// handler would, so tf.loadLayersModel() in any runtime reads it.
 */
export async function saveModelFolder(model: tf.LayersModel, dir: string, metadata: ModelMetadata): Promise<void> {
  await mkdir(dir, { recursive: true });
  model.setUserDefinedMetadata(metadata);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      const bytes = weightData === undefined ? new Uint8Array(0) : new Uint8Array(tf.io.concatenateArrayBuffers(weightData as ArrayBuffer | ArrayBuffer[]));
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      // Weights first, model.json last, each written beside and renamed: a folder with model.json
      // is complete, and a write that fails (a full disk) leaves no partial file behind.
      try {
        await writeFile(join(dir, `${WEIGHTS_FILE}.tmp`), bytes);
        await rename(join(dir, `${WEIGHTS_FILE}.tmp`), join(dir, WEIGHTS_FILE));
        await writeFile(join(dir, 'model.json.tmp'), JSON.stringify(modelJson));
        await rename(join(dir, 'model.json.tmp'), join(dir, 'model.json'));
      } catch (error) {
        await Promise.all([`${WEIGHTS_FILE}.tmp`, WEIGHTS_FILE, 'model.json.tmp'].map((name) => rm(join(dir, name), { force: true })));
        throw error;
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

const ModelJsonSchema = z.object({
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  userDefinedMetadata: z.unknown().optional(),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(z.record(z.string(), z.unknown())) })),
});

export type ModelJson = z.infer<typeof ModelJsonSchema> & { kind: 'layers-model' | 'graph-model' };

export async function readModelJson(dir: string): Promise<ModelJson> {
  const path = join(dir, 'model.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new DistillInputError(`${dir}: not a saved model (no model.json)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DistillInputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = ModelJsonSchema.safeParse(json);
  if (!parsed.success) throw new DistillInputError(`${path}: not a TensorFlow.js model (${parsed.error.issues[0]?.message})`);
  // tensorflowjs_converter writes `format: graph-model` and a GraphDef (`node`) as the topology.
  const graph = parsed.data.format === 'graph-model' || Array.isArray(parsed.data.modelTopology.node);
  return { ...parsed.data, kind: graph ? 'graph-model' : 'layers-model' };
}

/** The weight files a model.json names, read and joined, with their specs. */
export async function readModelWeights(dir: string, json: ModelJson): Promise<{ weightData: ArrayBuffer; weightSpecs: tf.io.WeightsManifestEntry[] }> {
  const chunks: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const file of group.paths) {
      try {
        chunks.push(new Uint8Array(await readFile(join(dir, file))));
      } catch {
        throw new DistillInputError(`${join(dir, file)}: missing weights file named in model.json`);
      }
    }
  }
  const weightData = tf.io.concatenateArrayBuffers(chunks.map((c) => c.buffer.slice(c.byteOffset, c.byteOffset + c.byteLength) as ArrayBuffer));
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights) as unknown as tf.io.WeightsManifestEntry[];
  const expected = weightSpecs.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1) * (spec.quantization ? (spec.quantization.dtype === 'uint8' ? 1 : 2) : spec.dtype === 'float32' || spec.dtype === 'int32' ? 4 : spec.dtype === 'string' ? 0 : 1), 0);
  if (weightData.byteLength < expected) throw new DistillInputError(`${dir}: the weight files hold ${weightData.byteLength} bytes but model.json describes ${expected} (cut short?)`);
  return { weightData, weightSpecs };
}

/** A saved LayersModel with Distill Studio's metadata when it has it, and whatever metadata model.json carries. */
export async function loadModelFolder(dir: string): Promise<{ model: tf.LayersModel; metadata: ModelMetadata | null; userDefinedMetadata: unknown }> {
  const json = await readModelJson(dir);
  if (json.kind === 'graph-model') throw new DistillInputError(`${dir}: a TensorFlow.js GraphModel runs forward only; it can be a teacher, not a model to train or export`);
  const { weightData, weightSpecs } = await readModelWeights(dir, json);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
  } catch (error) {
    throw new DistillInputError(`${dir}: cannot load the model (${(error as Error).message})`);
  }
  const metadata = ModelMetadataSchema.safeParse(json.userDefinedMetadata);
  return { model, metadata: metadata.success ? metadata.data : null, userDefinedMetadata: json.userDefinedMetadata };
}
