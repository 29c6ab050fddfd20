import cliProgress from 'cli-progress';
import { resolve } from 'node:path';
import { EXPORT_FORMAT_CATALOGUE, EXPORT_FORMAT_IDS } from '../../contract/catalogue';
import { ModelRoleSchema, type ExportProgress } from '../../contract/api';
import { DistillInputError, exportRunModel, selectBackend } from '../../engine';
import { exportSubject } from '../../contract/display';
import { appVersion } from '../../server/renderer-dir';
import { choiceFlag, parseFlags } from '../args';

export const EXPORT_USAGE = `distill export RUN_DIR [--role ${ModelRoleSchema.options.join('|')}] [--method M (a study's: kd, init+kd, …)] [--format ${EXPORT_FORMAT_IDS.join('|')}] --out PATH`;

/** One model of a run folder in a catalogue export format, written to a new path. */
export async function exportCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags(args, { role: { type: 'string' }, method: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } }, EXPORT_USAGE);
  if (positionals.length !== 1 || !values.out) throw new DistillInputError(`usage: ${EXPORT_USAGE}`);
  const role = choiceFlag('role', values.role, ModelRoleSchema.options) ?? 'student';
  const format = choiceFlag('format', values.format, EXPORT_FORMAT_IDS) ?? 'tfjs';
  // Measuring the export's accuracy runs the model over the test split: any backend will do.
  await selectBackend('wasm');
  // The check over the test images is the long part: a bar for it on stderr (Ctrl-C cancels, nothing is kept).
  const bar = new cliProgress.SingleBar({ format: 'checking the export |{bar}| {value}/{total} test images', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
  let checking = false;
  const onProgress = ({ stage, done, total }: ExportProgress) => {
    if (stage !== 'checking') return;
    if (!checking) bar.start(total, 0);
    checking = true;
    bar.update(done);
  };
  const method = values.method as string | undefined;
  const { files, card } = await exportRunModel({ runDir: resolve(positionals[0]!), role, ...(method ? { method } : {}), format, destination: resolve(values.out), version: appVersion(), measure: true, signal, onProgress }).finally(() => bar.stop());
  const accuracy = card.accuracy.exported === null ? '' : `; test accuracy ${(card.accuracy.exported * 100).toFixed(2)}%${card.accuracy.quantizationLoss ? ` (${card.accuracy.quantizationLoss >= 0 ? '+' : ''}${(card.accuracy.quantizationLoss * 100).toFixed(2)} points)` : ''}`;
  process.stdout.write(`${exportSubject({ role, method })} exported as ${EXPORT_FORMAT_CATALOGUE[format].label} to ${resolve(values.out)} (${files.length} files, ${(card.size.bytes / 1e3).toFixed(1)} kB of model${accuracy})\n`);
  return 0;
}
