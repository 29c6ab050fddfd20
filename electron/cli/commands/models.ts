import { selectBackend } from '../../engine/backend/select';
import { buildModel, MODEL_FAMILIES } from '../../engine/models/registry';
import { parseFlags } from '../args';
import { formatBytes, table } from '../format';

export async function modelsCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { json: { type: 'boolean' } });
  await selectBackend('cpu', { convolutional: true });
  const rows = MODEL_FAMILIES.flatMap((family) =>
    family.examples.map((name) => {
      const model = buildModel(name, { inputShape: [28, 28, 1], classes: 10, seed: 1, dropout: 0 });
      const params = model.countParams();
      model.dispose();
      return { name, family: family.id, description: family.description, params, bytes: params * 4 };
    }),
  );
  if (values.json) for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
  else process.stdout.write(table(['model', 'params (MNIST)', 'size', 'family'], rows.map((r) => [r.name, r.params.toLocaleString('en-US'), formatBytes(r.bytes), r.description])) + '\n');
  return 0;
}
