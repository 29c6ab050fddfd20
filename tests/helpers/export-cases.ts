import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../electron/engine/models/registry';

/**
 * One architecture of each family of the registry for the export tests: batch norm, depthwise
 * convolutions and ReLU6 (MobileNetV2), residual adds, and a non-square input.
 */
export const EXPORT_CASES: Array<[string, [number, number, number]]> = [
  ['mlp-30x2', [28, 28, 1]],
  ['lenet5', [28, 28, 1]],
  ['vgg11@0.25', [32, 32, 3]],
  ['resnet20@0.25', [32, 32, 3]],
  ['resnet18@0.125', [32, 32, 3]],
  ['mobilenetv2@0.25', [32, 32, 3]],
  ['resnet20@0.25', [20, 28, 3]],
];

/** A model of the registry with its batch-norm statistics moved away from their initial 0 and 1, so an export must carry them. */
export function modelForExport(name: string, shape: [number, number, number]): tf.LayersModel {
  const model = buildModel(name, { inputShape: shape, classes: 10, seed: 7, dropout: 0.1 });
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    layer.setWeights(layer.getWeights().map((w, i) => tf.tidy(() => (i === 3 ? tf.randomUniform(w.shape, 0.5, 2, 'float32', i) : tf.randomNormal(w.shape, 0, 0.3, 'float32', i + 1)))));
  }
  return model;
}
