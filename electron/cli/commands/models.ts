import { formatBytes, formatCount } from '../../contract/display';
import { listModels, selectBackend } from '../../engine';
import { integerFlag, parseFlags, shapeFlag } from '../args';
import { table } from '../table';

export const MODELS_USAGE = 'distill models [--shape HxWxC] [--classes K] [--json]';

export async function modelsCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { json: { type: 'boolean' }, shape: { type: 'string' }, classes: { type: 'string' } });
  const shape = shapeFlag(values.shape) ?? [28, 28, 1];
  const classes = integerFlag('classes', values.classes) ?? 10;
  // Sizes need no speed: the plain JavaScript backend is always there.
  await selectBackend('cpu');
  const rows = listModels(shape, classes);
  if (values.json) for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
  else process.stdout.write(table(['model', `params (${shape.join('×')}, ${classes} classes)`, 'size', 'MACs', 'family'], rows.map((r) => [r.name, formatCount(r.params), formatBytes(r.bytes), `${(r.macs / 1e6).toFixed(1)}M`, r.description])) + '\n');
  return 0;
}
