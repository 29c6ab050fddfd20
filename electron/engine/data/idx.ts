import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { DistillInputError } from '../errors';
import { firstLine, tooLarge, unpackLimits } from './limits';

/**
 * The IDX format of LeCun's MNIST files: two zero bytes, a type code, the number of
 * dimensions, then one big-endian uint32 per dimension, then the data.
 * Only unsigned bytes (type 0x08) occur in MNIST-style image and label files.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;
const GZIP_MAGIC = [0x1f, 0x8b] as const;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * Inflates a gzip'd IDX file without trusting it: the header is read from the first few
 * kilobytes, the size it declares is checked against the limit, and the whole file may then
 * inflate to that size and no more (a bomb of zeros fails at once, not after gigabytes).
 */
export function gunzipIfNeeded(bytes: Uint8Array, name: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const { total: limit } = unpackLimits();
  let head: Buffer;
  try {
    head = gunzipSync(bytes.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (error) {
    throw new DistillInputError(`${name}: corrupt gzip data (${firstLine(error)})`);
  }
  const rank = head[3] ?? 0;
  const declared = head.length >= 4 + 4 * rank && head[0] === 0 && head[1] === 0 && rank >= 1 && rank <= 4 ? 4 + 4 * rank + idxDims(head, rank).reduce((a, b) => a * b, 1) : null;
  if (declared !== null && declared > limit) throw tooLarge(name, declared, limit, 'declares');
  const cap = declared ?? Math.min(limit, 4096);
  try {
    return gunzipSync(bytes, { maxOutputLength: cap + 1 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DistillInputError(declared === null ? `${name}: not an IDX file (no IDX header after gunzip)` : `${name}: corrupt IDX file: more data than its header declares (${declared.toLocaleString('en-US')} bytes)`);
    }
    throw new DistillInputError(`${name}: corrupt gzip data (${firstLine(error)})`);
  }
}

const idxDims = (bytes: Uint8Array, rank: number) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
};

/** Parses an IDX buffer, validating the magic number, dimensions and byte count. */
export function parseIdx(raw: Uint8Array, name: string): IdxArray {
  const bytes = gunzipIfNeeded(raw, name);
  if (bytes.length < 4) throw new DistillInputError(`${name}: not an IDX file (only ${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DistillInputError(`${name}: not an IDX file (bad magic number)`);
  }
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (type !== UBYTE) {
    throw new DistillInputError(`${name}: IDX data type 0x${type.toString(16)} is not supported (expected unsigned bytes, 0x08)`);
  }
  if (rank < 1 || rank > 4) throw new DistillInputError(`${name}: IDX rank ${rank} is not 1 to 4`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new DistillInputError(`${name}: truncated IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  if (dims.some((d) => d === 0)) throw new DistillInputError(`${name}: IDX dimension of size 0 (${dims.join('×')})`);
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual < expected) {
    throw new DistillInputError(`${name}: truncated IDX file: ${dims.join('×')} needs ${expected} data bytes, found ${actual}`);
  }
  if (actual > expected) {
    throw new DistillInputError(`${name}: corrupt IDX file: ${actual - expected} bytes past the declared ${dims.join('×')} data`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

export interface IdxImages {
  count: number;
  height: number;
  width: number;
  pixels: Uint8Array;
}

export async function readIdxImages(path: string): Promise<IdxImages> {
  const idx = parseIdx(await readBytes(path), basename(path));
  if (idx.dims.length !== 3) {
    throw new DistillInputError(`${basename(path)}: expected an image file (3 dimensions), found ${idx.dims.length}`);
  }
  const [count, height, width] = idx.dims as [number, number, number];
  return { count, height, width, pixels: idx.data };
}

export async function readIdxLabels(path: string): Promise<Uint8Array> {
  const idx = parseIdx(await readBytes(path), basename(path));
  if (idx.dims.length !== 1) {
    throw new DistillInputError(`${basename(path)}: expected a label file (1 dimension), found ${idx.dims.length}`);
  }
  return idx.data;
}

async function readBytes(path: string): Promise<Uint8Array> {
  const info = await stat(path).catch(() => null);
  if (info && !info.isFile()) throw new DistillInputError(`${path}: not a regular file`);
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DistillInputError(`${path}: cannot read (${code ?? (error as Error).message})`);
  }
}

/** Encodes an IDX file: used by tests to make fixtures in the exact format. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = UBYTE;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
