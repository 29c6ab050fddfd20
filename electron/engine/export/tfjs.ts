import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readModelJson } from '../runs/model-io';
import type { Exporter } from './exporter';

/** The run's own format, as it is: model.json and its weight files, float32. */
export const tfjsExporter: Exporter = {
  async write({ modelDir, destination }) {
    const json = await readModelJson(modelDir);
    const files = ['model.json', ...json.weightsManifest.flatMap((group) => group.paths)];
    await mkdir(destination);
    try {
      // Weights first, model.json last: a folder with model.json is complete.
      for (const file of [...files.slice(1), files[0]!]) await copyFile(join(modelDir, file), join(destination, file));
    } catch (error) {
      await rm(destination, { recursive: true, force: true });
      throw error;
    }
    return files.map((file) => join(destination, file));
  },
};
