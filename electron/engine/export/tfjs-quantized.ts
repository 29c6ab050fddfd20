import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WEIGHTS_FILE, readModelJson } from '../runs/model-io';
import type { Exporter } from './exporter';
import { quantizeWeight, type QuantizationDtype } from './quantize';

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
}

/**
 * A TensorFlow.js LayersModel whose float32 weights are stored quantized (the weights manifest's
 * `quantization` field): tf.loadLayersModel dequantizes them on load, so any TensorFlow.js
 * runtime reads it unchanged. Non-float weights are kept as they are.
 */
export function tfjsQuantizedExporter(dtype: QuantizationDtype): Exporter {
  return {
    async write({ modelDir, destination }) {
      const json = await readModelJson(modelDir);
      const weights = Buffer.concat(await Promise.all(json.weightsManifest.flatMap((group) => group.paths).map((file) => readFile(join(modelDir, file)))));
      const entries = json.weightsManifest.flatMap((group) => group.weights) as unknown as WeightEntry[];
      const chunks: Uint8Array[] = [];
      let offset = 0;
      const manifest = entries.map((entry) => {
        const count = entry.shape.reduce((a, b) => a * b, 1);
        const bytes = weights.subarray(offset, offset + count * 4);
        offset += count * 4;
        if (entry.dtype !== 'float32') {
          chunks.push(bytes);
          return entry;
        }
        const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        const quantized = quantizeWeight(values, dtype);
        chunks.push(quantized.bytes);
        return { ...entry, quantization: quantized.quantization };
      });
      await mkdir(destination);
      await writeFile(join(destination, WEIGHTS_FILE), Buffer.concat(chunks));
      const modelJson = { ...json, weightsManifest: [{ paths: [WEIGHTS_FILE], weights: manifest }] };
      await writeFile(join(destination, 'model.json'), JSON.stringify(modelJson));
      return [join(destination, WEIGHTS_FILE), join(destination, 'model.json')];
    },
  };
}
