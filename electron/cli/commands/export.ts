import { join, resolve } from 'node:path';
import { EXPORT_FORMAT_CATALOGUE, EXPORT_FORMAT_IDS } from '../../contract/catalogue';
import { ModelRoleSchema } from '../../contract/api';
import { DistillInputError, exportModel } from '../../engine';
import { choiceFlag, parseFlags } from '../args';

export const EXPORT_USAGE = `distill export RUN_DIR [--role ${ModelRoleSchema.options.join('|')}] [--format ${EXPORT_FORMAT_IDS.join('|')}] --out PATH`;

/** One model of a run folder in a catalogue export format, written to a new path. */
export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { role: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } }, true);
  if (positionals.length !== 1 || !values.out) throw new DistillInputError(`usage: ${EXPORT_USAGE}`);
  const role = choiceFlag('role', values.role, ModelRoleSchema.options) ?? 'student';
  const format = choiceFlag('format', values.format, EXPORT_FORMAT_IDS) ?? 'tfjs';
  const { files } = await exportModel({ modelDir: join(resolve(positionals[0]!), role), format, destination: resolve(values.out) });
  process.stdout.write(`${role} exported as ${EXPORT_FORMAT_CATALOGUE[format].label} to ${resolve(values.out)} (${files.length} file${files.length === 1 ? '' : 's'})\n`);
  return 0;
}
