import cliProgress from 'cli-progress';
import { DATASET_SOURCE_CATALOGUE, DATASET_SOURCE_IDS, DOWNLOADABLE_DATASET_IDS } from '../../contract/catalogue';
import { DistillInputError, DownloadError, downloadDataset, isCatalogName, loadDataset, summarizeDataset } from '../../engine';
import { integerFlag, parseFlags } from '../args';
import { refuseIdleImageSize } from '../run-flags';
import { table } from '../table';

const INSPECT_USAGE = `distill datasets inspect ${DATASET_SOURCE_IDS.join('|')}|PATH [--image-size PX] [--json]`;
const DOWNLOAD_USAGE = `distill datasets download ${DOWNLOADABLE_DATASET_IDS.join('|')} [--cache DIR] [--base-url URL]`;
export const DATASETS_USAGE = `${INSPECT_USAGE}\n${DOWNLOAD_USAGE}`;

export async function datasetsCommand(args: string[], signal: AbortSignal): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'download') return downloadCommand(rest, signal);
  if (sub !== 'inspect') throw new DistillInputError(`usage: ${DATASETS_USAGE}`);
  const { values, positionals } = parseFlags(rest, { json: { type: 'boolean' }, 'image-size': { type: 'string' } }, INSPECT_USAGE);
  if (positionals.length !== 1) throw new DistillInputError(`usage: ${DATASETS_USAGE}`);
  await refuseIdleImageSize(values, positionals[0]!);
  const summary = summarizeDataset(await loadDataset(positionals[0]!, { imageSize: integerFlag('image-size', values['image-size']) }));
  if (values.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return 0;
  }
  const [h, w, c] = summary.shape;
  const own = summary.validationClassCounts;
  const validation = own ? ` · validation ${summary.validation!.toLocaleString('en-US')} (the dataset's own: a run with a validation split chooses on it)` : '';
  process.stdout.write(
    `${summary.name}: ${summary.format} format, ${summary.classes} classes, ${h}×${w}×${c} images\n` +
      `train ${summary.train.toLocaleString('en-US')}${validation} · test ${summary.test.toLocaleString('en-US')}\n\n` +
      table(
        ['class', 'train', ...(own ? ['validation'] : []), 'test'],
        summary.classNames.map((name, i) => [name, String(summary.trainClassCounts[i]), ...(own ? [String(own[i])] : []), String(summary.testClassCounts[i])]),
      ) +
      '\n',
  );
  return 0;
}

/** Downloads a dataset into the cache with a progress bar; resumes a partial file. */
async function downloadCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags(args, { cache: { type: 'string' }, 'base-url': { type: 'string' } }, DOWNLOAD_USAGE);
  const name = positionals[0] ?? '';
  if (positionals.length !== 1 || !isCatalogName(name)) throw new DistillInputError(`datasets download: expected one of ${DOWNLOADABLE_DATASET_IDS.join(', ')}, got "${positionals.join(' ')}"`);
  const bar = new cliProgress.SingleBar({ format: '{file} |{bar}| {percentage}% · {mb} MB', hideCursor: true, noTTYOutput: false }, cliProgress.Presets.shades_classic);
  let current = '';
  try {
    const path = await downloadDataset(name, {
      cache: values.cache,
      baseUrl: values['base-url'],
      signal,
      onProgress: ({ file, received, total }) => {
        if (file !== current) {
          if (current) bar.stop();
          current = file;
          bar.start(total ?? 1, 0, { file, mb: '0.0' });
        }
        if (total) bar.setTotal(total);
        bar.update(received, { mb: (received / 1e6).toFixed(1) });
      },
    });
    bar.stop();
    process.stdout.write(`${DATASET_SOURCE_CATALOGUE[name].label} is ready: ${path}\n`);
    return 0;
  } catch (error) {
    bar.stop();
    if (error instanceof DownloadError) {
      process.stderr.write(`distill: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
