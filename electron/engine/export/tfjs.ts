import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readModelJson } from '../runs/model-io';
import type { Exporter } from './exporter';

/** The run's own format, as it is: model.json and its weight files, float32. */
export const tfjsExporter: Exporter = {
  async write({ modelDir, destination }) {
    const json = await readModelJson(modelDir);
    const files = [...json.weightsManifest.flatMap((group) => group.paths), 'model.json'];
    await mkdir(destination);
    // Weights first, model.json last: a folder with model.json is complete.
    for (const file of files) await copyFile(join(modelDir, file), join(destination, file));
    return files.map((file) => join(destination, file));
  },
};
