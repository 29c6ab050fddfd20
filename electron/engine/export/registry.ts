import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EXPORT_FORMAT_CATALOGUE, type ExportFormatId } from '../../contract/catalogue';
import { DistillInputError } from '../errors';
import { readModelJson } from '../runs/model-io';
import type { Exporter } from './exporter';
import { tfjsExporter } from './tfjs';

/** One writer per catalogue format: a format missing here fails the type-check. */
const EXPORTERS: Record<ExportFormatId, Exporter> = {
  tfjs: tfjsExporter,
};

/**
 * Exports a saved model in a format. The destination must not exist (nothing saved before is
 * overwritten) and its folder must; an unreadable model is an input error naming the folder.
 */
export async function exportModel(options: { modelDir: string; format: ExportFormatId; destination: string }): Promise<{ files: string[]; format: string }> {
  await readModelJson(options.modelDir);
  if (await stat(options.destination).catch(() => null)) throw new DistillInputError(`${options.destination} already exists: export to a new name`);
  const parent = await stat(dirname(options.destination)).catch(() => null);
  if (!parent?.isDirectory()) throw new DistillInputError(`${dirname(options.destination)}: no such folder to export into`);
  const files = await EXPORTERS[options.format].write({ modelDir: options.modelDir, destination: options.destination });
  return { files, format: EXPORT_FORMAT_CATALOGUE[options.format].label };
}
