import sharp, { type OutputInfo } from 'sharp';
import { OWN_IMAGE_CROP_MIDDLE } from '../../contract/api';
import { DistillInputError } from '../errors';
import { imageBytes, type DatasetSplit } from './dataset';
import { firstLine } from './limits';

/** A photo up to about 64 megapixels (phones take 12–50); larger is refused before it is decoded. */
const MAX_INPUT_PIXELS = 64_000_000;
/** How many test images tell what a dataset's background looks like. */
const BACKGROUND_SAMPLE = 500;

/** An image of a person's own, made into one of a dataset's images. */
export interface ImageForDataset {
  /** height × width × channels bytes, as the dataset's images are stored. */
  pixels: Uint8Array;
  /** Dark on light made light on dark (or the reverse), to match the dataset's background. */
  inverted: boolean;
  /**
   * The side a colour image was cut along to fill the dataset's frame (a wide photo's width, a
   * tall one's height), where `cropAt` moves the window; null when nothing was cut (a greyscale
   * dataset's image is cropped to its content instead).
   */
  cut: ImageCut;
}

/** The side of a colour image cut to fill a frame; null when it fit. */
export type ImageCut = 'width' | 'height' | null;

/**
 * An image file decoded as an image folder's images are: upright (EXIF orientation), alpha
 * dropped, scaled until it covers width × height, cut to that frame, sRGB. Shared with the
 * image-folder format, so a person's own image is prepared exactly as the training images were.
 * `cropAt` places the window along the side that is cut: 0 the left (or top) edge, 1 the right
 * (or bottom), 0.5 the middle, as image folders take it (sharp's cover crop, byte for byte) and
 * as a person's photo is taken unless they move it to a subject that is off-centre.
 */
export async function decodeRgbImage(bytes: Uint8Array, width: number, height: number, name: string, cropAt = OWN_IMAGE_CROP_MIDDLE): Promise<{ pixels: Uint8Array; cut: ImageCut }> {
  let scaled: { data: Buffer; info: OutputInfo };
  try {
    scaled = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).rotate().removeAlpha().resize(width, height, { fit: 'outside' })
      .toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new DistillInputError(`${name}: not a readable image (${firstLine(error)})`);
  }
  const { width: sw, height: sh, channels } = scaled.info;
  if (channels !== 3 || sw < width || sh < height) throw new DistillInputError(`${name}: decoded to ${sw}×${sh}×${channels}, expected at least ${width}×${height}×3`);
  const left = Math.round((sw - width) * cropAt);
  const top = Math.round((sh - height) * cropAt);
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) pixels.set(scaled.data.subarray(((top + y) * sw + left) * 3, ((top + y) * sw + left + width) * 3), y * width * 3);
  return { pixels, cut: sw > width ? 'width' : sh > height ? 'height' : null };
}

/** What a greyscale dataset's images look like, for making a person's image one of them. */
export interface DatasetLook {
  /** Mean over the images of the median brightness (0–255) of their outermost ring of pixels. */
  background: number;
  /** The usual longer side, in pixels, of the box around what differs from the background (MNIST's digits: 20 of 28). */
  extent: number;
  /**
   * How the dataset placed its content: by centre of mass (MNIST's digits) or by the middle of
   * the box around it (Fashion-MNIST's objects), whichever sits more steadily over its images.
   */
  centring: 'mass' | 'box';
  /** Where that centre usually is, [y, x] in pixels (MNIST's centre of mass: 14, 14 — not 13.5). */
  centre: [number, number];
}

/** Pixels this far from the background are content (ink, an object). */
const CONTENT_CONTRAST = 32;

/**
 * The median brightness of the outermost ring of pixels of one h × w × c image: its background,
 * even where what it shows touches an edge (a pullover as wide as the frame).
 */
function ringBrightness(image: Uint8Array, h: number, w: number, c: number): number {
  const ring: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y > 0 && y < h - 1 && x > 0 && x < w - 1) continue;
      for (let k = 0; k < c; k++) ring.push(image[(y * w + x) * c + k]!);
    }
  }
  ring.sort((a, b) => a - b);
  return ring[Math.floor(ring.length / 2)]!;
}

/** The box around the pixels of a greyscale image that differ from its background; null when none do. */
function contentBox(image: Uint8Array, h: number, w: number, background: number): { left: number; top: number; width: number; height: number } | null {
  let top = h, bottom = -1, left = w, right = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (Math.abs(image[y * w + x]! - background) <= CONTENT_CONTRAST) continue;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  return bottom < 0 ? null : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** A greyscale split's background and the usual size of its content (medians over its first images). */
export function datasetLook(split: DatasetSplit, shape: readonly [number, number, number], count = BACKGROUND_SAMPLE): DatasetLook {
  const [h, w, c] = shape;
  const size = imageBytes(shape);
  const n = Math.min(count, split.count);
  const middle: [number, number] = [(h - 1) / 2, (w - 1) / 2];
  if (n === 0) return { background: 0, extent: Math.min(h, w), centring: 'box', centre: middle };
  let sum = 0;
  const extents: number[] = [];
  const centres = { mass: [] as Array<[number, number]>, box: [] as Array<[number, number]> };
  for (let i = 0; i < n; i++) {
    const image = split.images.subarray(i * size, (i + 1) * size);
    const ring = ringBrightness(image, h, w, c);
    sum += ring;
    if (c !== 1) continue;
    const box = contentBox(image, h, w, ring);
    const mass = centreOfMass(image, h, w, ring);
    if (!box || !mass) continue;
    extents.push(Math.max(box.width, box.height));
    centres.box.push([box.top + (box.height - 1) / 2, box.left + (box.width - 1) / 2]);
    centres.mass.push(mass);
  }
  extents.sort((a, b) => a - b);
  const background = sum / n;
  const extent = extents[Math.floor(extents.length / 2)] ?? Math.min(h, w);
  if (!extents.length) return { background, extent, centring: 'box', centre: middle };
  const mean = (points: Array<[number, number]>): [number, number] => [0, 1].map((k) => points.reduce((total, p) => total + p[k]!, 0) / points.length) as [number, number];
  const spread = (points: Array<[number, number]>) => {
    const [my, mx] = mean(points);
    return points.reduce((total, [y, x]) => total + (y - my) ** 2 + (x - mx) ** 2, 0) / points.length;
  };
  const centring = spread(centres.mass) <= spread(centres.box) ? 'mass' : 'box';
  return { background, extent, centring, centre: mean(centres[centring]) };
}

/** The centre of mass [y, x] of how far each pixel of a greyscale image is from the background; null for a blank image. */
function centreOfMass(image: Uint8Array, h: number, w: number, background: number): [number, number] | null {
  let mass = 0, my = 0, mx = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const m = Math.abs(image[y * w + x]! - background);
      mass += m;
      my += m * y;
      mx += m * x;
    }
  }
  return mass ? [my / mass, mx / mass] : null;
}

/**
 * A person's image (PNG or JPEG bytes) as one of a dataset's images of `shape`. Colour datasets
 * (image folders, CIFAR) take it as their own images were taken. Greyscale ones (IDX: MNIST,
 * Fashion-MNIST) are drawings or objects on a plain background, prepared as MNIST's were: made
 * grey, inverted when its background is light where the dataset's is dark (a digit drawn in
 * black on white paper) or the reverse, since a model trained on white-on-black strokes has never
 * seen black on white; then cropped to what differs from the background, fitted into a box as
 * large as the dataset's content usually is, and centred on the dataset's background.
 */
export async function imageForDataset(bytes: Uint8Array, shape: readonly [number, number, number], look: DatasetLook, name = 'the image', cropAt?: number): Promise<ImageForDataset> {
  const [h, w, c] = shape;
  if (c === 3) return { ...(await decodeRgbImage(bytes, w, h, name, cropAt)), inverted: false };
  if (c !== 1) throw new DistillInputError(`${name}: images with ${c} channels are not supported`);
  // A drawing is cropped to its content, wherever it lies: there is no window to move.
  if (cropAt !== undefined) throw new DistillInputError(`${name}: a crop position changes nothing for a greyscale dataset, whose images are cropped to their content`);
  let grey: { data: Buffer; info: OutputInfo };
  try {
    // White under any transparency: a drawing saved with a transparent background reads as ink on paper.
    grey = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).rotate().flatten({ background: '#ffffff' }).greyscale()
      .resize(256, 256, { fit: 'inside', withoutEnlargement: true }).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new DistillInputError(`${name}: not a readable image (${firstLine(error)})`);
  }
  const { width, height } = grey.info;
  const own = ringBrightness(grey.data, height, width, 1);
  const inverted = (own - 127.5) * (look.background - 127.5) < 0;
  const image = inverted ? Uint8Array.from(grey.data, (v) => 255 - v) : new Uint8Array(grey.data);
  const background = Math.round(inverted ? 255 - own : own);
  const box = contentBox(image, height, width, background) ?? { left: 0, top: 0, width, height };
  const side = Math.max(1, Math.min(look.extent, h, w));
  const level = { r: background, g: background, b: background };
  const fitted = await sharp(image, { raw: { width, height, channels: 1 } }).extract(box)
    .resize(side, side, { fit: 'contain', background: level }).extractChannel(0).raw().toBuffer();
  return { pixels: placed(fitted, side, h, w, background, look), inverted, cut: null };
}

/**
 * A side × side greyscale image placed on an h × w frame of the background with its centre (of
 * mass, or of the box around its content, as the dataset's) where the dataset's usually is,
 * kept inside the frame.
 */
function placed(image: Uint8Array, side: number, h: number, w: number, background: number, look: DatasetLook): Uint8Array {
  const box = contentBox(image, side, side, background);
  const [cy, cx] = (look.centring === 'mass' ? centreOfMass(image, side, side, background) : box && [box.top + (box.height - 1) / 2, box.left + (box.width - 1) / 2]) ?? [(side - 1) / 2, (side - 1) / 2];
  const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  const top = clamp(Math.round(look.centre[0] - cy), h - side);
  const left = clamp(Math.round(look.centre[1] - cx), w - side);
  const out = new Uint8Array(h * w).fill(background);
  for (let y = 0; y < side; y++) out.set(image.subarray(y * side, (y + 1) * side), (top + y) * w + left);
  return out;
}
