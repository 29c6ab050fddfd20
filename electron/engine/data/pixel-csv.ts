import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DistillInputError } from '../errors';
import { firstLine, tooLarge, unpackLimits } from './limits';
import { csvImageShape } from './pixel-layout';

/**
 * Images as CSV rows, one image per line: a label and the pixels, 0–255, row by row (Kaggle's
 * MNIST, Fashion-MNIST and Sign Language MNIST, OpenML's `mnist_784`), grey or RGB (HAM10000's
 * hmnist_28_28_RGB.csv; see pixel-layout.ts). The label is the column
 * named label, class or target when a header names the columns, else the first. Labels are class
 * numbers 0–255, or class names ("sneaker") when the first row's label is not a number.
 *
 * Or, under a header that names a `pixels` column, all of a row's pixels in that one cell,
 * separated by spaces, with a `Usage` column that may say which split each row is in: FER2013's
 * `emotion,pixels,Usage` (Training, PublicTest, PrivateTest); the label is then the other column.
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
  /** Each row's split, where a `Usage` column says (ROW_SPLIT's order), else null. */
  splits: Uint8Array | null;
  /** What the header calls the label column (`emotion`), or null without a header. */
  labelHeader: string | null;
}

/** The splits a `Usage` column names, by the number PixelCsv.splits keeps. */
export const ROW_SPLIT = ['train', 'validation', 'test'] as const;
const USAGE_VALUES: Array<[RegExp, number]> = [
  [/^train(ing)?$/i, 0],
  // FER2013's PublicTest is its validation split, PrivateTest the one reported on.
  [/^(val|valid|validation|dev|public_?test)$/i, 1],
  [/^(test|testing|private_?test)$/i, 2],
];

/** Most classes a file may name: labels are stored as bytes, as IDX files store them. */
export const MAX_CSV_CLASSES = 256;
/** Longest class name taken: 256 names as long as a line could be would fill the memory. */
const MAX_CLASS_NAME = 200;

const LABEL_NAMES = /^(label|labels|class|target|y)$/i;
const PIXELS_NAMES = /^(pixels|pixel)$/i;
const USAGE_NAMES = /^(usage|split)$/i;
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** A header's name or a value, without surrounding spaces, quotes or a byte-order mark. */
const cell = (text: string) => text.replace(/^\uFEFF/, '').trim().replace(/^"(.*)"$/, '$1').trim();

/** Bytes that grow by doubling, so a file's row count need not be known before it is read. */
class GrowingBytes {
  private bytes: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    // A guess, capped: a file of few but enormous rows grows to what it holds, never to 1,024 of them up front.
    this.bytes = new Uint8Array(Math.min(Math.max(16, capacity), 2 ** 26));
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

/** Where a header's row keeps its label, and (one-cell rows) its pixels and split. */
interface Layout {
  labelColumn: number;
  /** The label column's name in the header, if there is one. */
  labelHeader: string | null;
  /** The column holding every pixel, space-separated; null when each pixel has its own column. */
  pixelsColumn: number | null;
  usageColumn: number | null;
}

/** A header naming a `pixels` column: the label is the column named so, else the one left beside the pixels and usage. */
function oneCellLayout(names: string[], pixelsColumn: number, name: string): Layout {
  const usages = names.flatMap((column, i) => (USAGE_NAMES.test(column) ? [i] : []));
  const rest = names.flatMap((column, i) => (i === pixelsColumn || usages.includes(i) ? [] : [i]));
  const labelled = rest.filter((i) => LABEL_NAMES.test(names[i]!));
  const labelColumn = labelled.length === 1 ? labelled[0]! : rest.length === 1 ? rest[0]! : -1;
  if (labelColumn < 0 || usages.length > 1 || rest.length > 1) {
    const shown = names.join(', ');
    if (rest.length === 0) throw new DistillInputError(`${name}: no label column: the header names only ${shown} (an unlabelled file, as a competition test.csv is, cannot score a model: give the labelled file)`);
    throw new DistillInputError(`${name}: the header names ${shown}: with a pixels column, a row holds a label, the pixels and at most a Usage column (FER2013: emotion,pixels,Usage)`);
  }
  return { labelColumn, labelHeader: names[labelColumn]!, pixelsColumn, usageColumn: usages[0] ?? null };
}

function headerOf(fields: string[], name: string): Layout {
  const names = fields.map(cell);
  const pixelColumns = names.flatMap((column, i) => (PIXELS_NAMES.test(column) ? [i] : []));
  if (pixelColumns.length === 1) return oneCellLayout(names, pixelColumns[0]!, name);
  const labelColumns = names.flatMap((column, i) => (LABEL_NAMES.test(column) ? [i] : []));
  if (labelColumns.length > 1) throw new DistillInputError(`${name}: the header names ${labelColumns.length} label columns (${labelColumns.map((i) => names[i]).join(', ')}); keep one`);
  if (labelColumns.length === 0) {
    const square = Number.isInteger(Math.sqrt(names.length));
    throw new DistillInputError(
      `${name}: no label column: the header names ${names.length} columns (${names.slice(0, 3).join(', ')}, …) and none is called label, class or target` +
        (square ? ' (an unlabelled file, as a competition test.csv is, cannot score a model: give only the labelled training file, and 20 % of it is held out for testing)' : ''),
    );
  }
  return { labelColumn: labelColumns[0]!, labelHeader: names[labelColumns[0]!]!, pixelsColumn: null, usageColumn: null };
}


/** The pixels of one cell, separated by spaces (FER2013's `pixels`), written at `out[at…]`; how many, or -1 at a value that is not 0–255. */
function cellPixels(line: string, start: number, end: number, out: Uint8Array, at: number, room: number): number {
  let n = 0;
  let i = start;
  while (i < end) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 34) {
      i++;
      continue;
    }
    let j = i;
    while (j < end && line.charCodeAt(j) !== 32 && line.charCodeAt(j) !== 9 && line.charCodeAt(j) !== 34) j++;
    const value = byteValue(line, i, j);
    if (value < 0) return -1;
    if (n < room) out[at + n] = value;
    n++;
    i = j;
  }
  return n;
}

/** Reads a pixel CSV (gzip'd or not) as a stream, checking every row; errors name the line and column. */
export async function readPixelCsv(path: string): Promise<PixelCsv> {
  const name = basename(path);
  const lines = createInterface({ input: await textStream(path, name), crlfDelay: Infinity });
  let columns = 0;
  let layout: Layout = { labelColumn: 0, labelHeader: null, pixelsColumn: null, usageColumn: null };
  // Pixels per row: the columns after the label, or (one-cell rows) what the first row's cell holds.
  let pixelCount = 0;
  let lineNumber = 0;
  let count = 0;
  const labels = new GrowingBytes(1024);
  const splits = new GrowingBytes(1024);
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
  /** A row's label from `line[start, end)`: by name when the first row's is not a number, else a number 0–255. */
  const labelOf = (line: string, start: number, end: number, column: number): number => {
    if (count === 0 && names === null && byteValue(line, start, end) < 0) names = new Map();
    const value = names ? nameIndex(cell(line.slice(start, end)), `line ${lineNumber}, column ${column + 1}`) : byteValue(line, start, end);
    if (value < 0) throw new DistillInputError(`${name}: line ${lineNumber}, column ${column + 1}: the label is not a class number 0–255 ("${line.slice(start, end).trim().slice(0, 20)}"): the first row labels by class number, so every row must (or label every row by class name)`);
    return value;
  };
  /** A row whose pixels are all in one cell: label, pixels, and the split its Usage names. */
  const oneCellRow = (line: string) => {
    const fields = line.split(',');
    if (fields.length !== columns) throw new DistillInputError(`${name}: line ${lineNumber} has ${fields.length} columns where the header has ${columns}`);
    const offsets: number[] = [0];
    for (const field of fields) offsets.push(offsets.at(-1)! + field.length + 1);
    const { labelColumn, pixelsColumn, usageColumn } = layout;
    const label = labelOf(line, offsets[labelColumn]!, offsets[labelColumn]! + fields[labelColumn]!.length, labelColumn);
    const [from, to] = [offsets[pixelsColumn!]!, offsets[pixelsColumn!]! + fields[pixelsColumn!]!.length];
    if (pixelCount === 0) {
      pixelCount = cellPixels(line, from, to, new Uint8Array(0), 0, 0);
      if (pixelCount >= 0) csvImageShape(pixelCount, name);
      images = new GrowingBytes(1024 * Math.max(1, pixelCount));
    }
    const at = images!.length;
    const found = cellPixels(line, from, to, images!.reserve(pixelCount), at, pixelCount);
    if (found < 0) throw new DistillInputError(`${name}: line ${lineNumber}, column ${pixelsColumn! + 1}: a pixel is not a whole number 0–255`);
    if (found !== pixelCount) throw new DistillInputError(`${name}: line ${lineNumber}: ${found} pixels where the first row has ${pixelCount}`);
    images!.length += pixelCount;
    if (usageColumn !== null) {
      const usage = cell(fields[usageColumn]!);
      const split = USAGE_VALUES.find(([pattern]) => pattern.test(usage))?.[1];
      if (split === undefined) throw new DistillInputError(`${name}: line ${lineNumber}, column ${usageColumn + 1}: the split "${usage.slice(0, 20)}" is not Training, PublicTest or PrivateTest (nor train, validation or test)`);
      splits.reserve(1)[splits.length++] = split;
    }
    labels.reserve(1)[labels.length++] = label;
    count++;
  };
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      if (columns === 0) {
        const fields = line.split(',');
        if (fields.length === 1 && PIXELS_NAMES.test(cell(fields[0]!))) throw new DistillInputError(`${name}: no label column: the header names only ${cell(fields[0]!)} (an unlabelled file, as a competition test.csv is, cannot score a model: give the labelled file)`);
        if (fields.length < 2) throw new DistillInputError(`${name}: line ${lineNumber} has one column; a pixel CSV is comma-separated, a label and the pixels on each line`);
        columns = fields.length;
        // A header names the columns: most of its fields are not numbers (one bad value in a first data row is reported as such).
        const header = fields.filter((field) => slowByteValue(field) < 0).length * 2 >= fields.length;
        if (header) layout = headerOf(fields, name);
        if (layout.pixelsColumn === null) pixelCount = columns - 1;
        if (layout.pixelsColumn === null) csvImageShape(pixelCount, name);
        if (header) continue;
      }
      if (layout.pixelsColumn !== null) {
        oneCellRow(line);
        continue;
      }
      images ??= new GrowingBytes(1024 * pixelCount);
      const pixels = images.reserve(pixelCount);
      let start = 0;
      let column = 0;
      let written = images.length;
      for (let i = 0; i <= line.length; i++) {
        if (i < line.length && line.charCodeAt(i) !== 44) continue;
        if (column === columns) break;
        if (column === layout.labelColumn) labels.reserve(1)[labels.length] = labelOf(line, start, i, column);
        else {
          const value = byteValue(line, start, i);
          if (value < 0) throw new DistillInputError(`${name}: line ${lineNumber}, column ${column + 1}: a pixel is not a whole number 0–255 ("${line.slice(start, i).trim().slice(0, 20)}")`);
          pixels[written++] = value;
        }
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
  const splitOfRows = layout.usageColumn !== null ? splits.done() : null;
  return { count, pixels: pixelCount, images: images!.done(), labels: labels.done(), labelNames: names ? [...(names as Map<string, number>).keys()] : null, splits: splitOfRows, labelHeader: layout.labelHeader };
}
