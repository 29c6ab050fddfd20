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

/** One builder per catalogue family: a family missing here fails the type-check. */
const FAMILIES: Record<ModelFamilyId, ModelFamily> = { mlp: mlpFamily, lenet5: lenet5Family, vgg: vggFamily, resnet: resnetFamily, mobilenetv2: mobilenetV2Family };
export const MODEL_FAMILIES: readonly ModelFamily[] = MODEL_FAMILY_IDS.map((id) => FAMILIES[id]);

export function findFamily(name: string): ModelFamily | null {
  return MODEL_FAMILIES.find((family) => family.parse(name) !== null) ?? null;
}

export function buildModel(name: string, options: BuildOptions): tf.LayersModel {
  for (const family of MODEL_FAMILIES) {
    const spec = family.parse(name);
    if (spec) return family.build(spec, options);
  }
  throw new DistillInputError(`unknown model "${name}" (known: ${MODEL_FAMILIES.flatMap((f) => f.examples).join(', ')}, any mlp-<width>x<depth>, and <convnet>@<width multiplier>)`);
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

/** Every named architecture with its size for an input shape and class count (pickers, `distill models`). */
export function listModels(inputShape: [number, number, number], classes: number): Array<{ name: string; family: ModelFamilyId; description: string } & ModelSize> {
  return MODEL_FAMILIES.flatMap((family) =>
    family.examples.map((name) => {
      const model = buildModel(name, { inputShape, classes, seed: 1, dropout: 0 });
      const size = modelSize(model);
      model.dispose();
      return { name, family: family.id, description: family.description, ...size };
    }),
  );
}
