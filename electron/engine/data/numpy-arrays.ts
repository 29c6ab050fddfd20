import { parse, type NpyArray } from 'npyjs';
import { DistillInputError } from '../errors';
import { ownArrayBuffer } from './array-buffer';
import type { DatasetSplit } from './dataset';
import { firstLine } from './limits';

/** A .npy file's array (NumPy's format, read by npyjs); `name` says which in every error. */
export function readNpy(name: string, bytes: Uint8Array): NpyArray {
  // An object array is a pickle: reading it would run code NumPy itself refuses without allow_pickle.
  const header = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 512)));
  if (/'descr':\s*'\|O'/.test(header)) throw new DistillInputError(`${name}: an object array (a pickle), which is never read: save numbers, not Python objects`);
  let array: NpyArray;
  try {
    array = parse(ownArrayBuffer(bytes));
  } catch (error) {
    throw new DistillInputError(`${name}: not a NumPy .npy array this app reads (${firstLine(error)})`);
  }
  if (array.fortranOrder) throw new DistillInputError(`${name}: saved in Fortran order: save it with np.ascontiguousarray(…) first`);
  const expected = array.shape.reduce((a, b) => a * b, 1);
  const length = (array.data as unknown as ArrayLike<unknown>).length;
  if (length !== expected) throw new DistillInputError(`${name}: holds ${length.toLocaleString('en-US')} values for its shape [${array.shape.join(', ')}] (cut short?)`);
  return array;
}

type Numbers = ArrayLike<number | bigint> & { length: number };

const valuesOf = (array: NpyArray) => array.data as unknown as Numbers;

/**
 * Images as this app keeps them, uint8 [count, height, width, channels]: from [N, H, W] (grey),
 * [N, H, W, C] or [N, C, H, W] (channels first, as PyTorch keeps them) with 1 or 3 channels;
 * 0–255 integers as they are, floats of 0–1 times 255, floats of 0–255 rounded. A shape both
 * ways could read ([N, 3, 4, 3]) is channels last, as Keras saves images.
 */
export function imagesFromArray(name: string, array: NpyArray): { images: Uint8Array; count: number; shape: [number, number, number] } {
  const dims = array.shape;
  const channelsLast = dims.length === 4 && (dims[3] === 1 || dims[3] === 3);
  const channelsFirst = dims.length === 4 && !channelsLast && (dims[1] === 1 || dims[1] === 3);
  if (!(dims.length === 3 || channelsLast || channelsFirst)) {
    throw new DistillInputError(`${name}: images of shape [${dims.join(', ')}]: expected [N, height, width], [N, height, width, 1 or 3] or [N, 1 or 3, height, width]`);
  }
  const [count, height, width, channels] = dims.length === 3 ? [dims[0]!, dims[1]!, dims[2]!, 1] : channelsLast ? [dims[0]!, dims[1]!, dims[2]!, dims[3]!] : [dims[0]!, dims[2]!, dims[3]!, dims[1]!];
  if (count === 0) throw new DistillInputError(`${name}: holds no images`);
  const values = valuesOf(array);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo >= 0 && hi <= 255)) throw new DistillInputError(`${name}: pixel values from ${lo} to ${hi}: expected 0–255, or 0–1 as floats`);
  const float = array.dtype.startsWith('f');
  const scale = float && hi <= 1 ? 255 : 1;
  const images = new Uint8Array(values.length);
  const pixel = (i: number) => Math.round(Number(values[i]) * scale);
  const plane = height * width;
  if (channelsFirst) {
    for (let n = 0; n < count; n++) for (let c = 0; c < channels; c++) for (let p = 0; p < plane; p++) images[(n * plane + p) * channels + c] = pixel((n * channels + c) * plane + p);
  } else {
    for (let i = 0; i < values.length; i++) images[i] = pixel(i);
  }
  return { images, count, shape: [height, width, channels] };
}

/**
 * Class indices from [N] or [N, 1] integers (or floats that are whole numbers), or one-hot rows
 * [N, K] (Keras's to_categorical); rows with several classes (multi-label) are refused.
 */
export function labelsFromArray(name: string, array: NpyArray, maxClasses: number): Uint8Array {
  const dims = array.shape;
  const values = valuesOf(array);
  const count = dims[0] ?? 0;
  const width = dims.length === 1 ? 1 : dims.length === 2 ? dims[1]! : -1;
  if (width < 1) throw new DistillInputError(`${name}: labels of shape [${dims.join(', ')}]: expected [N], [N, 1], or one-hot [N, classes]`);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    if (width === 1) {
      const v = Number(values[r]);
      if (!Number.isInteger(v) || v < 0 || v >= maxClasses) throw new DistillInputError(`${name}: label ${v} at row ${r}: expected a class number from 0 to ${maxClasses - 1}`);
      labels[r] = v;
      continue;
    }
    let hot = -1;
    for (let k = 0; k < width; k++) {
      const v = Number(values[r * width + k]);
      if (v === 0) continue;
      if (v !== 1 || hot !== -1) throw new DistillInputError(`${name}: row ${r} is not one-hot (${width} columns, one 1 per row): several labels per image (multi-label) are not a classification this app trains`);
      hot = k;
    }
    if (hot === -1) throw new DistillInputError(`${name}: row ${r} has no class (all ${width} columns are 0)`);
    if (hot >= maxClasses) throw new DistillInputError(`${name}: ${width} classes, over the ${maxClasses} this app trains`);
    labels[r] = hot;
  }
  return labels;
}

/** A label array of strings (`np.array(['cat', 'dog', …])`): its names, one per image; null for numbers. */
export function labelNamesOf(name: string, array: NpyArray): string[] | null {
  if (!array.dtype.startsWith('U')) return null;
  if (array.shape.length !== 1 && !(array.shape.length === 2 && array.shape[1] === 1)) throw new DistillInputError(`${name}: class names of shape [${array.shape.join(', ')}]: expected one per image, [N] or [N, 1]`);
  return Array.from(array.data as unknown as ArrayLike<string>, (label) => label.trim());
}

/** One split from its images and its labels (class numbers), which must agree in count. */
export function splitOf(imagesName: string, images: ReturnType<typeof imagesFromArray>, labelsName: string, labels: Uint8Array): DatasetSplit {
  if (labels.length !== images.count) throw new DistillInputError(`${labelsName}: ${labels.length.toLocaleString('en-US')} labels for ${images.count.toLocaleString('en-US')} images in ${imagesName}`);
  return { count: images.count, images: images.images, labels };
}
