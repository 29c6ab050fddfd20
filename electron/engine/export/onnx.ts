import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModelFolder, type ModelMetadata } from '../runs/model-io';
import { modelWithCalibration } from './calibration';
import type { Exporter } from './exporter';
import { onnxActivationRanges } from './onnx/calibrate';
import { layersModelToOnnx } from './onnx/convert';
import { encodeOnnxModel } from './onnx/encode';
import { foldBatchNorms } from './onnx/fold-batch-norm';
import { quantizeOnnxQdq } from './onnx/quantize-qdq';

/** What the file says of itself (metadata_props): classes, preprocessing, and what goes in. */
function describe(metadata: ModelMetadata | null, input: string): Record<string, string> {
  return {
    classes: JSON.stringify(metadata?.classNames ?? []),
    preprocessing: metadata?.preprocessing ?? '',
    normalization: JSON.stringify(metadata?.normalization ?? null),
    layout: 'NHWC',
    input,
  };
}

/**
 * ONNX (opset 13) for onnxruntime (web, mobile, Python, C++): `model.onnx`, input `input` as
 * [batch, height, width, channels] float32 after the card's preprocessing (or, `rawPixels`, the
 * image's uint8 bytes with the preprocessing inside), output `logits`.
 */
export function onnxExporter(version: string, rawPixels = false): Exporter {
  return {
    async write({ modelDir, destination }) {
      const { model, metadata } = await loadModelFolder(modelDir);
      try {
        const graph = await layersModelToOnnx(model, describe(metadata, rawPixels ? 'uint8 pixels 0-255, preprocessing inside' : 'float32 after the preprocessing'), rawPixels ? { normalization: metadata?.normalization ?? null } : undefined);
        await mkdir(destination);
        await writeFile(join(destination, 'model.onnx'), encodeOnnxModel(graph, version));
        return [join(destination, 'model.onnx')];
      } finally {
        model.dispose();
      }
    },
  };
}

/**
 * ONNX with int8 weights and uint8 activations in onnxruntime's QDQ form (see quantizeOnnxQdq),
 * calibrated on the model's training images fed as the float file takes them (pixels / 255, then
 * the dataset's normalisation); batch norm is folded into the convolutions first.
 */
export function onnxInt8Exporter(version: string): Exporter {
  return {
    async write({ modelDir, destination, calibrationImages }) {
      const { model, metadata, images } = await modelWithCalibration(modelDir, calibrationImages, "int8 ONNX export calibrates on the model's training images, and its dataset is not at hand: export it from its run, or choose onnx (float32)");
      try {
        const graph = foldBatchNorms(await layersModelToOnnx(model, { ...describe(metadata, 'float32 after the preprocessing'), weights: 'int8 per output channel, activations uint8 (QDQ)' }));
        const norm = metadata?.normalization;
        const fed = norm ? tf.tidy(() => tf.div(tf.sub(images, norm.mean), norm.std) as tf.Tensor4D) : images.clone();
        try {
          const ranges = await onnxActivationRanges(graph, fed);
          // The input is pixels / 255 (then normalised) whatever the calibration images held: a brighter image is not clipped.
          ranges.set(graph.input.name, norm ? [Math.min(...norm.mean.map((m, c) => -m / norm.std[c]!)), Math.max(...norm.mean.map((m, c) => (1 - m) / norm.std[c]!))] : [0, 1]);
          const quantized = quantizeOnnxQdq(graph, ranges);
          await mkdir(destination);
          await writeFile(join(destination, 'model.onnx'), encodeOnnxModel(quantized, version));
          return [join(destination, 'model.onnx')];
        } finally {
          fed.dispose();
        }
      } finally {
        model.dispose();
        images.dispose();
      }
    },
  };
}
