import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

/** One CIFAR record: label byte(s), then 1,024 red, 1,024 green, 1,024 blue bytes. Pixel values encode (record, channel, position). */
export function cifarRecords(labels: number[][], seed = 0): Uint8Array {
  const recordBytes = labels[0]!.length + 3072;
  const out = new Uint8Array(labels.length * recordBytes);
  labels.forEach((label, r) => {
    out.set(label, r * recordBytes);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[r * recordBytes + label.length + c * 1024 + p] = (seed + r * 7 + c * 50 + p) % 256;
  });
  return out;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function writeFiles(dir: string, files: Record<string, Uint8Array | string>): Promise<string> {
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  return dir;
}

/** A .tar.gz laid out as the official archive (files under one top folder). */
export async function tarGz(files: Record<string, Uint8Array | string>): Promise<Uint8Array> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => tar.on('end', () => resolve()));
  for (const [name, bytes] of Object.entries(files)) tar.entry({ name }, Buffer.from(bytes));
  tar.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** The six CIFAR-10 batch files with `perBatch` records each and the class-name file. */
export function cifar10Files(perBatch: number): Record<string, Uint8Array | string> {
  const files: Record<string, Uint8Array | string> = { 'batches.meta.txt': 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n' };
  for (let b = 1; b <= 5; b++) files[`data_batch_${b}.bin`] = cifarRecords(Array.from({ length: perBatch }, (_, i) => [(i + b) % 10]), b);
  files['test_batch.bin'] = cifarRecords(Array.from({ length: perBatch }, (_, i) => [i % 10]), 9);
  return files;
}

/** Debian's /usr/bin/python3, which has python3-onnx and python3-torch when .ci/run installed them. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Null when /usr/bin/python3 imports every module named; otherwise why not, for the skip message. */
export function pythonModulesMissing(modules: string[], packages: string): string | null {
  try {
    execFileSync(SYSTEM_PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'pipe' });
    return null;
  } catch {
    return `${packages} not installed (apt-get install ${packages})`;
  }
}

/** A pixel CSV in Kaggle's layout (`label,pixel1,…,pixel9`): `rows` 3×3 images, labels alternating 0 and 1, class 1 the brighter. */
export function twoClassPixelCsv(rows: number): string {
  const header = ['label', ...Array.from({ length: 9 }, (_, i) => `pixel${i + 1}`)].join(',');
  const row = (r: number) => [r % 2, ...Array.from({ length: 9 }, (_, p) => (r % 2) * 150 + p * 10 + (r % 10))].join(',');
  return [header, ...Array.from({ length: rows }, (_, r) => row(r))].join('\n') + '\n';
}
