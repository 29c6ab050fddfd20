import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModelFolder, type ModelMetadata } from '../runs/model-io';
import { modelWithCalibration } from './calibration';
import type { Exporter } from './exporter';
import { layersModelToTflite, tfliteInputShape } from './tflite/convert';
import { encodeTfliteModel } from './tflite/encode';
import { calibrationRanges } from './tflite/evaluate';
import { encodeImageClassifierMetadata, METADATA_NAME, withAssociatedFiles } from './tflite/metadata';
import type { TfliteGraph, TfliteWeightStorage } from './tflite/graph';
import { quantizeGraphInt8 } from './tflite/quantize-int8';

/**
 * What the file says about itself: free-text entries, and TFLite's image-classifier metadata
 * (the input's normalisation and the label file) that MediaPipe, the Task Library and Android
 * Studio read. The dataset's per-channel normalisation is inside the graph, so the metadata's is
 * one value for every channel, (pixel − 0) / 255, the only kind MediaPipe takes.
 */
function describe(version: string, model: tf.LayersModel, metadata: ModelMetadata | null, weights: string): Record<string, string | Uint8Array> {
  const modelShape = model.inputs[0]!.shape.slice(1) as [number, number, number];
  const text = {
    producer: `Distill Studio ${version}`,
    classes: JSON.stringify(metadata?.classNames ?? []),
    preprocessing: `RGB pixels / 255${modelShape[2] === 1 ? ', made grey inside the model (BT.601 luma)' : ''}; the per-channel normalisation, if any, is inside the model`,
    normalization: JSON.stringify(metadata?.normalization ?? null),
    layout: 'NHWC',
    weights,
  };
  if (!metadata) return text;
  return {
    ...text,
    [METADATA_NAME]: encodeImageClassifierMetadata({
      name: `${metadata.architecture} (${metadata.dataset})`,
      description: `An image classifier for ${metadata.dataset}, ${metadata.classNames.length} classes, exported by Distill Studio`,
      version: '1',
      author: `Distill Studio ${version}`,
      inputShape: tfliteInputShape(modelShape),
      greyInside: modelShape[2] === 1,
      mean: [0],
      std: [255],
      classNames: metadata.classNames,
      outputDescription: metadata.output === 'logits' ? 'One logit per class, in the order of labels.txt; softmax gives probabilities' : 'One probability per class, in the order of labels.txt',
    }),
  };
}

async function writeTflite(destination: string, graph: TfliteGraph, classNames: string[] | undefined): Promise<string[]> {
  const bytes = encodeTfliteModel(graph);
  await mkdir(destination);
  await writeFile(join(destination, 'model.tflite'), classNames ? withAssociatedFiles(bytes, classNames) : bytes);
  return [join(destination, 'model.tflite')];
}

/**
 * TFLite (LiteRT) for Android, iOS and the web: `model.tflite`, float32, input `input` [1, height,
 * width, 3], RGB as pixels / 255 (a grey model makes it grey, and a dataset's normalisation is,
 * inside), output `logits`, with TFLite metadata and labels.txt packed in; the kernels stored as
 * `storage` says.
 */
export function tfliteExporter(version: string, storage: TfliteWeightStorage = 'float32'): Exporter {
  return {
    async write({ modelDir, destination }) {
      const { model, metadata } = await loadModelFolder(modelDir);
      try {
        return await writeTflite(destination, await layersModelToTflite(model, describe(version, model, metadata, storage), storage, metadata?.normalization), metadata?.classNames);
      } finally {
        model.dispose();
      }
    },
  };
}

/**
 * Full-integer TFLite: the float32 graph is run with TensorFlow.js ops over the calibration
 * images (the run's training images) to find each activation's range, then quantized to int8
 * end to end (see quantizeGraphInt8); with `integerEnds`, uint8 image bytes in and uint8 logits out.
 */
export function tfliteInt8Exporter(version: string, options: { integerEnds?: boolean } = {}): Exporter {
  return {
    async write({ modelDir, destination, calibrationImages }) {
      const { model, metadata, images } = await modelWithCalibration(modelDir, calibrationImages, "full-integer int8 export calibrates on the model's training images, and its dataset is not at hand: export it from its run, or choose tflite-dynamic (int8 weights, no calibration)");
      try {
        const weights = options.integerEnds ? 'int8 (full integer), uint8 image bytes in and uint8 logits out' : 'int8 (full integer)';
        const graph = await layersModelToTflite(model, describe(version, model, metadata, weights), 'float32', metadata?.normalization);
        // The graph takes RGB: a grey model's calibration images go in as R = G = B.
        const rgb = images.shape[3] === 1 ? tf.tile(images, [1, 1, 1, 3]) : images.clone();
        try {
          return await writeTflite(destination, quantizeGraphInt8(graph, await calibrationRanges(graph, rgb), options), metadata?.classNames);
        } finally {
          rgb.dispose();
        }
      } finally {
        model.dispose();
        images.dispose();
      }
    },
  };
}
