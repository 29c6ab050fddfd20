import { formatBytes, formatCount, formatMagnitude } from '../../contract/display';
import { describeModel, listModels, selectBackend } from '../../engine';
import { integerFlag, parseFlags, shapeFlag } from '../args';
import { table } from '../table';

export const MODELS_USAGE = 'distill models [NAME…] [--shape HxWxC] [--classes K] [--json]';

export async function modelsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' }, shape: { type: 'string' }, classes: { type: 'string' } }, MODELS_USAGE);
  const shape = shapeFlag(values.shape) ?? [28, 28, 1];
  const classes = integerFlag('classes', values.classes) ?? 10;
  // Sizes need no speed: the plain JavaScript backend is always there.
  await selectBackend('cpu');
  // Names (resnet20@0.25, mlp-100x2) describe just those; without, the catalogue's examples.
  const rows = positionals.length ? positionals.map((name) => describeModel(name, shape, classes)) : listModels(shape, classes);
  if (values.json) for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
  else process.stdout.write(table(['model', `params (${shape.join('×')}, ${classes} classes)`, 'size', 'MACs', 'family'], rows.map((r) => [r.name, formatCount(r.params), formatBytes(r.bytes), formatMagnitude(r.macs), r.description]), [4]) + '\n');
  return 0;
}
