import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModelFolder } from '../runs/model-io';
import type { Exporter } from './exporter';
import { layersModelToTflite } from './tflite/convert';
import { encodeTfliteModel } from './tflite/encode';
import type { TfliteWeightStorage } from './tflite/graph';

/**
 * TFLite (LiteRT) for Android, iOS and microcontroller-class runtimes: `model.tflite`, float32,
 * input `input` [1, height, width, channels] after the card's preprocessing, output `logits`;
 * the kernels stored as `storage` says.
 */
export function tfliteExporter(version: string, storage: TfliteWeightStorage = 'float32'): Exporter {
  return {
    async write({ modelDir, destination }) {
      const { model, metadata } = await loadModelFolder(modelDir);
      try {
        const graph = await layersModelToTflite(model, {
          producer: `Distill Studio ${version}`,
          classes: JSON.stringify(metadata?.classNames ?? []),
          preprocessing: metadata?.preprocessing ?? '',
          normalization: JSON.stringify(metadata?.normalization ?? null),
          layout: 'NHWC',
          weights: storage,
        }, storage);
        await mkdir(destination);
        await writeFile(join(destination, 'model.tflite'), encodeTfliteModel(graph));
        return [join(destination, 'model.tflite')];
      } finally {
        model.dispose();
      }
    },
  };
}
