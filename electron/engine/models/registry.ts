import type * as tf from '@tensorflow/tfjs';
import { DistillInputError } from '../errors';
import { countMacs, trainableParams } from './complexity';
import { lenet5Family } from './lenet5';
import { mlpFamily } from './mlp';
import { mobilenetV2Family } from './mobilenetv2';
import { resnetFamily } from './resnet';
import { vggFamily } from './vgg';
import type { BuildOptions, ModelFamily } from './model-spec';

export const MODEL_FAMILIES: readonly ModelFamily[] = [mlpFamily, lenet5Family, vggFamily, resnetFamily, mobilenetV2Family];

export function isKnownModel(name: string): boolean {
  return MODEL_FAMILIES.some((family) => family.parse(name) !== null);
}

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
