import type * as tf from '@tensorflow/tfjs';
import { MODEL_FAMILY_IDS, type ModelFamilyId } from '../../contract/catalogue';
import { DistillInputError } from '../errors';
import { countMacs, trainableParams } from './complexity';
import { lenet5Family } from './lenet5';
import { mlpFamily } from './mlp';
import { mobilenetV2Family } from './mobilenetv2';
import { resnetFamily } from './resnet';
import { vggFamily } from './vgg';
import type { BuildOptions, ModelFamily } from './model-spec';
import { checkModelScale } from './scale';

/** One builder per catalogue family: a family missing here fails the type-check. */
const FAMILIES: Record<ModelFamilyId, ModelFamily> = { mlp: mlpFamily, lenet5: lenet5Family, vgg: vggFamily, resnet: resnetFamily, mobilenetv2: mobilenetV2Family };
export const MODEL_FAMILIES: readonly ModelFamily[] = MODEL_FAMILY_IDS.map((id) => FAMILIES[id]);

export function findFamily(name: string): ModelFamily | null {
  return MODEL_FAMILIES.find((family) => family.parse(name) !== null) ?? null;
}

/** The architectures in words, from the catalogue: `mlp-<width>x<depth>, lenet5, vgg11, …`, for the errors that name an unknown one. */
export const KNOWN_MODELS = ['mlp-<width>x<depth>', ...MODEL_FAMILIES.filter((f) => f.id !== 'mlp').flatMap((f) => f.examples.filter((name) => !name.includes('@')))].join(', ') + ', with @<width> to scale a convnet, as in lenet5@0.5';

const unknownModel = (name: string) => new DistillInputError(`unknown model "${name}": the models are ${KNOWN_MODELS}`);

/**
 * tfjs refuses a layer whose output would be smaller than one pixel ("Negative dimension size
 * caused by …"): for a person that means the images are too small for this convnet.
 */
function tooSmallImages(name: string, options: BuildOptions, error: unknown): DistillInputError | null {
  if (!/Negative dimension size/.test(String((error as Error)?.message))) return null;
  const [h, w] = options.inputShape;
  return new DistillInputError(`${name} cannot take ${h}×${w} images: its convolutions and pooling shrink them below one pixel (use an MLP, mlp-<width>x<depth>, or larger images)`);
}

export function buildModel(name: string, options: BuildOptions): tf.LayersModel {
  for (const family of MODEL_FAMILIES) {
    const spec = family.parse(name);
    if (!spec) continue;
    try {
      checkModelScale(family, name, spec, options, (base) => {
        const model = family.build(family.parse(base)!, { ...options, dropout: 0 });
        const params = trainableParams(model);
        model.dispose();
        return params;
      });
      return family.build(spec, options);
    } catch (error) {
      throw tooSmallImages(name, options, error) ?? error;
    }
  }
  throw unknownModel(name);
}

export interface ModelSize {
  /** Trainable parameters. */
  params: number;
  /** float32 weights on disk, batch-norm statistics included. */
  bytes: number;
  macs: number;
}

export function modelSize(model: tf.LayersModel): ModelSize {
  return { params: trainableParams(model), bytes: model.countParams() * 4, macs: countMacs(model) };
}

export type ModelInfo = { name: string; family: ModelFamilyId; description: string } & ModelSize;

/**
 * Sizes already measured, by name, input shape and class count. Measuring builds the model, and
 * initialising VGG-19's or ResNet-34's weights takes most of a second: the pickers' full list took
 * 3.5 s on 2 cores each time a dataset was chosen. A size never changes for the same key.
 */
const measuredSizes = new Map<string, ModelInfo>();
const MAX_MEASURED_SIZES = 512;

/** A model's size for an input shape and class count, built once and disposed (then remembered). */
export function describeModel(name: string, inputShape: [number, number, number], classes: number): ModelInfo {
  const key = `${name}|${inputShape.join('x')}|${classes}`;
  const known = measuredSizes.get(key);
  if (known) return { ...known };
  const family = findFamily(name);
  if (!family) throw unknownModel(name);
  const model = buildModel(name, { inputShape, classes, seed: 1, dropout: 0 });
  const size = modelSize(model);
  model.dispose();
  const info: ModelInfo = { name, family: family.id, description: family.description, ...size };
  if (measuredSizes.size >= MAX_MEASURED_SIZES) measuredSizes.delete(measuredSizes.keys().next().value!);
  measuredSizes.set(key, info);
  return { ...info };
}

/**
 * Every named architecture with its size for an input shape and class count (pickers, `distill
 * models`), then `extra` names (a picker's own choice, such as resnet20@0.25): an unknown or too
 * large extra name is an input error; a catalogue example too large for these images is left out.
 */
export function listModels(inputShape: [number, number, number], classes: number, extra: readonly string[] = []): ModelInfo[] {
  const examples = MODEL_FAMILIES.flatMap((family) => family.examples).flatMap((name) => {
    try {
      return [describeModel(name, inputShape, classes)];
    } catch (error) {
      if (error instanceof DistillInputError) return [];
      throw error;
    }
  });
  const known = new Set(examples.map((m) => m.name));
  return [...examples, ...[...new Set(extra)].filter((name) => !known.has(name)).map((name) => describeModel(name, inputShape, classes))];
}
