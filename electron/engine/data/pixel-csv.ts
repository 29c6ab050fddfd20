import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DistillInputError } from '../errors';
import { firstLine, tooLarge, unpackLimits } from './limits';

/**
 * Images as CSV rows, one image per line: a label and the pixels, 0–255, row by row (Kaggle's
 * MNIST, Fashion-MNIST and Sign Language MNIST, OpenML's `mnist_784`). The label is the column
 * named label, class or target when a header names the columns, else the first. Labels are class
 * numbers 0–255, or class names ("sneaker") when the first row's label is not a number.
 */
export interface PixelCsv {
  count: number;
  /** Pixel columns per row. */
  pixels: number;
  /** count × pixels bytes. */
  images: Uint8Array;
  /** Class numbers, or indices into `labelNames` when the file labels its images by name. */
  labels: Uint8Array;
  /** The file's class names in the order they first appear, or null for class numbers. */
  labelNames: string[] | null;
}

/** Most classes a file may name: labels are stored as bytes, as IDX files store them. */
export const MAX_CSV_CLASSES = 256;
/** Longest class name taken: 256 names as long as a line could be would fill the memory. */
const MAX_CLASS_NAME = 200;

const LABEL_NAMES = /^(label|labels|class|target|y)$/i;
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** A header's name or a value, without surrounding spaces, quotes or a byte-order mark. */
const cell = (text: string) => text.replace(/^\uFEFF/, '').trim().replace(/^"(.*)"$/, '$1').trim();

/** Bytes that grow by doubling, so a file's row count need not be known before it is read. */
class GrowingBytes {
  private bytes: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
  }
  reserve(extra: number): Uint8Array {
    if (this.length + extra > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return this.bytes;
  }
  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/**
 * Longest line taken: a row of a 1,024 × 1,024 image is 4 MiB of text. Without a cap, a file
 * with no line breaks would be gathered into one string until the process fails.
 */
export const MAX_LINE_BYTES = 16 * 2 ** 20;

/**
 * The file's text as a stream, gunzip'd when it is gzip, that fails once it passes the unpack
 * limit or a line passes MAX_LINE_BYTES.
 */
async function textStream(path: string, name: string): Promise<Readable> {
  const limit = unpackLimits().total;
  const gzip = await isGzipFile(path);
  if (!gzip) {
    const size = (await stat(path)).size;
    if (size > limit) throw tooLarge(name, size, limit, 'is');
  }
  let seen = 0;
  let sinceBreak = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      const lastBreak = chunk.lastIndexOf(10);
      sinceBreak = lastBreak < 0 ? sinceBreak + chunk.length : chunk.length - lastBreak - 1;
      if (seen > limit) return done(tooLarge(name, seen, limit));
      if (sinceBreak > MAX_LINE_BYTES) return done(new DistillInputError(`${name}: a line longer than ${MAX_LINE_BYTES.toLocaleString('en-US')} bytes: not a pixel CSV (one image per line)`));
      done(null, chunk);
    },
  });
  const source = createReadStream(path);
  // Errors of the earlier stages surface on the last, which readline reads.
  source.on('error', (error) => guard.destroy(error));
  if (!gzip) return source.pipe(guard);
  const gunzip = createGunzip();
  gunzip.on('error', (error) => guard.destroy(new DistillInputError(`${name}: corrupt gzip data (${firstLine(error)})`)));
  return source.pipe(gunzip).pipe(guard);
}

/** A whole number 0–255 from `line[start, end)`, or -1: the common case is parsed without making strings. */
function byteValue(line: string, start: number, end: number): number {
  while (start < end && line.charCodeAt(start) === 32) start++;
  while (end > start && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 13)) end--;
  if (start === end || end - start > 3) return slowByteValue(line.slice(start, end));
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = line.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return slowByteValue(line.slice(start, end));
    value = value * 10 + digit;
  }
  return value <= 255 ? value : -1;
}

/** "255.0", "\"7\"" and other spellings of a whole number 0–255; -1 for anything else. */
function slowByteValue(text: string): number {
  const trimmed = cell(text);
  if (trimmed === '') return -1;
  const value = Number(trimmed);
  return Number.isInteger(value) && value >= 0 && value <= 255 ? value : -1;
}

function headerOf(fields: string[], name: string): { labelColumn: number } {
  const names = fields.map(cell);
  const labelColumns = names.flatMap((column, i) => (LABEL_NAMES.test(column) ? [i] : []));
  if (labelColumns.length > 1) throw new DistillInputError(`${name}: the header names ${labelColumns.length} label columns (${labelColumns.map((i) => names[i]).join(', ')}); keep one`);
  if (labelColumns.length === 0) {
    const square = Number.isInteger(Math.sqrt(names.length));
    throw new DistillInputError(
      `${name}: no label column: the header names ${names.length} columns (${names.slice(0, 3).join(', ')}, …) and none is called label, class or target` +
        (square ? ' (an unlabelled file, as a competition test.csv is, cannot score a model: give only the labelled training file, and 20 % of it is held out for testing)' : ''),
    );
  }
  return { labelColumn: labelColumns[0]! };
}

/** What the rows' pixel columns make: a square grayscale image (784 = 28 × 28). */
export function csvImageSide(pixels: number, name: string): number {
  const side = Math.round(Math.sqrt(pixels));
  if (pixels < 4 || side * side !== pixels) {
    throw new DistillInputError(`${name}: ${pixels} pixel columns do not make a square grayscale image (784 columns make 28 × 28); each row is a label and the pixels`);
  }
  return side;
}

/** Reads a pixel CSV (gzip'd or not) as a stream, checking every row; errors name the line and column. */
export async function readPixelCsv(path: string): Promise<PixelCsv> {
  const name = basename(path);
  const lines = createInterface({ input: await textStream(path, name), crlfDelay: Infinity });
  let columns = 0;
  let labelColumn = 0;
  let lineNumber = 0;
  let count = 0;
  const labels = new GrowingBytes(1024);
  let images: GrowingBytes | null = null;
  // Class names by their index, when the first row's label is a name rather than a number.
  let names: Map<string, number> | null = null;
  const nameIndex = (text: string, at: string): number => {
    const known = names!.get(text);
    if (known !== undefined) return known;
    if (text === '') throw new DistillInputError(`${name}: ${at}: no label`);
    if (text.length > MAX_CLASS_NAME) throw new DistillInputError(`${name}: ${at}: a class name of ${text.length.toLocaleString('en-US')} characters ("${text.slice(0, 20)}…"); at most ${MAX_CLASS_NAME} (is the label column the right one?)`);
    if (names!.size === MAX_CSV_CLASSES) throw new DistillInputError(`${name}: ${at}: a ${MAX_CSV_CLASSES + 1}th class name ("${text.slice(0, 20)}"); at most ${MAX_CSV_CLASSES} classes (is the label column the right one?)`);
    names!.set(text, names!.size);
    return names!.size - 1;
  };
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      if (columns === 0) {
        const fields = line.split(',');
        if (fields.length < 2) throw new DistillInputError(`${name}: line ${lineNumber} has one column; a pixel CSV is comma-separated, a label and the pixels on each line`);
        columns = fields.length;
        // A header names the columns: most of its fields are not numbers (one bad value in a first data row is reported as such).
        const header = fields.filter((field) => slowByteValue(field) < 0).length * 2 >= fields.length;
        if (header) labelColumn = headerOf(fields, name).labelColumn;
        csvImageSide(columns - 1, name);
        if (header) continue;
      }
      images ??= new GrowingBytes(1024 * (columns - 1));
      const pixels = images.reserve(columns - 1);
      let start = 0;
      let column = 0;
      let written = images.length;
      for (let i = 0; i <= line.length; i++) {
        if (i < line.length && line.charCodeAt(i) !== 44) continue;
        if (column === columns) break;
        if (column === labelColumn && count === 0 && names === null && byteValue(line, start, i) < 0) names = new Map();
        const value = column === labelColumn && names ? nameIndex(cell(line.slice(start, i)), `line ${lineNumber}, column ${column + 1}`) : byteValue(line, start, i);
        if (value < 0) {
          const what = column === labelColumn ? 'the label is not a class number 0–255' : 'a pixel is not a whole number 0–255';
          const why = column === labelColumn ? ': the first row labels by class number, so every row must (or label every row by class name)' : '';
          throw new DistillInputError(`${name}: line ${lineNumber}, column ${column + 1}: ${what} ("${line.slice(start, i).trim().slice(0, 20)}")${why}`);
        }
        if (column === labelColumn) labels.reserve(1)[labels.length] = value;
        else pixels[written++] = value;
        column++;
        start = i + 1;
      }
      if (column < columns || start <= line.length) {
        throw new DistillInputError(`${name}: line ${lineNumber} has ${line.split(',').length} columns where the first row has ${columns}`);
      }
      images.length = written;
      labels.length++;
      count++;
    }
  } finally {
    lines.close();
  }
  if (count === 0) throw new DistillInputError(`${name}: no rows of images`);
  return { count, pixels: columns - 1, images: images!.done(), labels: labels.done(), labelNames: names ? [...names.keys()] : null };
}
