import { selectBackend } from '../../engine/backend/select';
import { buildModel, MODEL_FAMILIES, modelSize } from '../../engine/models/registry';
import { integerFlag, parseFlags, shapeFlag } from '../args';
import { formatBytes, table } from '../format';

export async function modelsCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { json: { type: 'boolean' }, shape: { type: 'string' }, classes: { type: 'string' } });
  const shape = shapeFlag(values.shape) ?? [28, 28, 1];
  const classes = integerFlag('classes', values.classes) ?? 10;
  await selectBackend('cpu');
  const rows = MODEL_FAMILIES.flatMap((family) =>
    family.examples.map((name) => {
      const model = buildModel(name, { inputShape: shape, classes, seed: 1, dropout: 0 });
      const size = modelSize(model);
      model.dispose();
      return { name, family: family.id, description: family.description, ...size };
    }),
  );
  if (values.json) for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
  else process.stdout.write(table(['model', `params (${shape.join('×')}, ${classes} classes)`, 'size', 'MACs', 'family'], rows.map((r) => [r.name, r.params.toLocaleString('en-US'), formatBytes(r.bytes), `${(r.macs / 1e6).toFixed(1)}M`, r.description])) + '\n');
  return 0;
}
