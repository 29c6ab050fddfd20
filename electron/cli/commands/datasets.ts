import { loadDataset } from '../../engine/data/load';
import { summarizeDataset } from '../../engine/data/inspect';
import { DistillInputError } from '../../engine/errors';
import { parseFlags } from '../args';
import { table } from '../format';

export const DATASETS_USAGE = 'distill datasets inspect mnist|PATH [--json]';

export async function datasetsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'inspect') throw new DistillInputError(`usage: ${DATASETS_USAGE}`);
  const { values, positionals } = parseFlags(rest, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new DistillInputError(`usage: ${DATASETS_USAGE}`);
  const summary = summarizeDataset(await loadDataset(positionals[0]!));
  if (values.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return 0;
  }
  const [h, w, c] = summary.shape;
  process.stdout.write(
    `${summary.name}: ${summary.format} format, ${summary.classes} classes, ${h}×${w}×${c} images\n` +
      `train ${summary.train.toLocaleString('en-US')} · test ${summary.test.toLocaleString('en-US')}\n\n` +
      table(
        ['class', 'train', 'test'],
        summary.classNames.map((name, i) => [name, String(summary.trainClassCounts[i]), String(summary.testClassCounts[i])]),
      ) +
      '\n',
  );
  return 0;
}
