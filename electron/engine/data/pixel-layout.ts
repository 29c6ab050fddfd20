import { DistillInputError } from '../errors';

/**
 * What a pixel CSV's row of values makes: a square grayscale image (784 = 28 × 28) or a square
 * RGB one (2,352 = 28 × 28 × 3, as HAM10000's hmnist_28_28_RGB.csv). No count is both: 3·s² is
 * never a square.
 */
export function csvImageShape(pixels: number, name: string): [number, number, number] {
  for (const channels of [1, 3]) {
    const side = Math.round(Math.sqrt(pixels / channels));
    if (side >= 2 && side * side * channels === pixels) return [side, side, channels];
  }
  throw new DistillInputError(
    `${name}: ${pixels} pixel columns do not make a square grayscale image (784 columns make 28 × 28) or a square RGB one (2,352 make 28 × 28 × 3); each row is a label and the pixels`,
  );
}

/** Rows looked at to tell the channel order, and the most values they may hold: enough for a stable mean, few enough to be instant. */
const SAMPLE_ROWS = 256;
const SAMPLE_VALUES = 20_000_000;

/**
 * Mean absolute difference between neighbouring pixels (right and below, every channel) of the
 * sampled rows read with channels last (`planar` false) or as three planes, red then green then
 * blue (`planar`, CIFAR's own record order).
 */
function roughness(images: Uint8Array, count: number, side: number, planar: boolean): number {
  const pixels = side * side * 3;
  const at = (row: number, y: number, x: number, c: number) => images[row * pixels + (planar ? c * side * side + y * side + x : (y * side + x) * 3 + c)]!;
  let sum = 0;
  let n = 0;
  const rows = Math.max(1, Math.min(SAMPLE_ROWS, Math.floor(SAMPLE_VALUES / pixels)));
  const step = Math.max(1, Math.floor(count / rows));
  for (let row = 0; row < count; row += step) {
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const v = at(row, y, x, c);
          if (x + 1 < side) sum += Math.abs(v - at(row, y, x + 1, c));
          if (y + 1 < side) sum += Math.abs(v - at(row, y + 1, x, c));
          n += (x + 1 < side ? 1 : 0) + (y + 1 < side ? 1 : 0);
        }
      }
    }
  }
  return n === 0 ? 0 : sum / n;
}

/**
 * An RGB CSV's rows hold each pixel's red, green and blue together (a NumPy or PIL image
 * flattened: HAM10000's files) or three planes one after the other (CIFAR's record order, which
 * its CSV copies keep). Neither is marked; read the wrong way a picture's neighbouring values
 * come from other places or channels, so the order whose images are smoother is the file's.
 * Ties (noise) read channels last.
 */
export function isPlanarRgb(images: Uint8Array, count: number, side: number): boolean {
  return roughness(images, count, side, true) < 0.8 * roughness(images, count, side, false);
}

/** Planar RGB rows rewritten in place with channels last, as every split here is kept. */
export function planarToChannelsLast(images: Uint8Array, count: number, side: number): void {
  const plane = side * side;
  const row = new Uint8Array(plane * 3);
  for (let r = 0; r < count; r++) {
    const at = r * plane * 3;
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) row[p * 3 + c] = images[at + c * plane + p]!;
    images.set(row, at);
  }
}
