import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModelFolder } from '../runs/model-io';
import type { Exporter } from './exporter';
import { layersModelToOnnx } from './onnx/convert';
import { encodeOnnxModel } from './onnx/encode';

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
        const graph = await layersModelToOnnx(model, {
          classes: JSON.stringify(metadata?.classNames ?? []),
          preprocessing: metadata?.preprocessing ?? '',
          normalization: JSON.stringify(metadata?.normalization ?? null),
          layout: 'NHWC',
          input: rawPixels ? 'uint8 pixels 0-255, preprocessing inside' : 'float32 after the preprocessing',
        }, rawPixels ? { normalization: metadata?.normalization ?? null } : undefined);
        await mkdir(destination);
        await writeFile(join(destination, 'model.onnx'), encodeOnnxModel(graph, version));
        return [join(destination, 'model.onnx')];
      } finally {
        model.dispose();
      }
    },
  };
}
