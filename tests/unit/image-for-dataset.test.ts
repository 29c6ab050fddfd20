import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { datasetLook, decodeRgbImage, imageForDataset } from '../../electron/engine/data/image-for-dataset';
import { loadDataset } from '../../electron/engine/data/load';
import { DistillInputError } from '../../electron/engine/errors';

/** Pearson correlation of two images' pixels: 1 when one is the other. */
function correlation(a: Uint8Array, b: Uint8Array): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

const grey = (pixels: Uint8Array, width: number, height: number) => sharp(Buffer.from(pixels), { raw: { width, height, channels: 1 } });

describe("a person's own image, made into one of a dataset's images", () => {
  it("reads how MNIST's digits were placed: on black, 20 pixels at most, centred by mass at (14, 14)", async () => {
    const mnist = await loadDataset('mnist');
    const look = datasetLook(mnist.test, mnist.shape);
    assert.ok(look.background < 5, `background ${look.background}`);
    assert.equal(look.extent, 20);
    assert.equal(look.centring, 'mass');
    assert.ok(Math.abs(look.centre[0] - 14) < 0.3 && Math.abs(look.centre[1] - 14) < 0.3, `centre ${look.centre}`);
  });

  it('gives back an MNIST test image as it was, and the same digit drawn in black on white, five times larger with margins, nearly so', async () => {
    const mnist = await loadDataset('mnist');
    const look = datasetLook(mnist.test, mnist.shape);
    for (let i = 0; i < 10; i++) {
      const digit = mnist.test.images.subarray(i * 784, (i + 1) * 784);
      const same = await imageForDataset(await grey(digit, 28, 28).png().toBuffer(), mnist.shape, look);
      assert.equal(same.inverted, false);
      // Where the box around a digit's strokes (faint edges aside) is 20 pixels, not a pixel moves; where it is 19, the digit is scaled by 20/19.
      assert.ok(correlation(same.pixels, digit) > 0.99, `test image ${i}: correlation ${correlation(same.pixels, digit).toFixed(4)}`);
      if (i === 0) assert.deepEqual(same.pixels, Uint8Array.from(digit), 'test image 0 changed');
      const drawing = await grey(Uint8Array.from(digit, (v) => 255 - v), 28, 28).resize(140, 140)
        .extend({ top: 30, bottom: 30, left: 60, right: 60, background: '#ffffff' }).jpeg().toBuffer();
      const drawn = await imageForDataset(drawing, mnist.shape, look, `drawing ${i}`);
      assert.equal(drawn.inverted, true, `drawing ${i} not inverted`);
      assert.equal(drawn.pixels.length, 784);
      assert.ok(correlation(drawn.pixels, digit) > 0.9, `drawing ${i}: correlation ${correlation(drawn.pixels, digit).toFixed(3)}`);
    }
  });

  it('reads a drawing on a transparent background as ink on paper', async () => {
    const mnist = await loadDataset('mnist');
    const digit = mnist.test.images.subarray(0, 784);
    // Black ink whose opacity is the digit, on nothing.
    const rgba = new Uint8Array(28 * 28 * 4);
    for (let i = 0; i < 784; i++) rgba[i * 4 + 3] = digit[i]!;
    const png = await sharp(Buffer.from(rgba), { raw: { width: 28, height: 28, channels: 4 } }).resize(112, 112).png().toBuffer();
    const made = await imageForDataset(png, mnist.shape, datasetLook(mnist.test, mnist.shape));
    assert.equal(made.inverted, true);
    assert.ok(correlation(made.pixels, digit) > 0.9, `correlation ${correlation(made.pixels, digit).toFixed(3)}`);
  });

  it('turns a photo upright by its EXIF orientation, for colour datasets as for image folders', async () => {
    // Stored 20 × 10, red on the left and blue on the right; orientation 6 shows it turned a quarter clockwise: red on top.
    const rgb = new Uint8Array(20 * 10 * 3);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) rgb.set(x < 10 ? [250, 10, 10] : [10, 10, 250], (y * 20 + x) * 3);
    const jpeg = await sharp(Buffer.from(rgb), { raw: { width: 20, height: 10, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const { pixels } = await decodeRgbImage(jpeg, 10, 20, 'photo.jpg');
    const at = (y: number, x: number) => Array.from(pixels.subarray((y * 10 + x) * 3, (y * 10 + x) * 3 + 3));
    assert.ok(at(1, 5)[0]! > 200 && at(1, 5)[2]! < 60, `top is ${at(1, 5)}`);
    assert.ok(at(18, 5)[2]! > 200 && at(18, 5)[0]! < 60, `bottom is ${at(18, 5)}`);
    const made = await imageForDataset(jpeg, [20, 10, 3], { background: 0, extent: 10, centring: 'box', centre: [9.5, 4.5] });
    assert.deepEqual(made, { pixels, inverted: false, cut: null });
  });

  it("moves the window a colour image is cut to along the side that is cut; in the middle it is the image folders' cut, byte for byte", async () => {
    // Three squares side by side, red, green and blue; the same turned upright, stacked.
    const thirds = async (wide: boolean) => {
      const [w, h] = wide ? [60, 20] : [20, 60];
      const rgb = new Uint8Array(w * h * 3);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set([[240, 10, 10], [10, 240, 10], [10, 10, 240]][Math.floor((wide ? x : y) / 20)]!, (y * w + x) * 3);
      return sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    };
    const look = { background: 0, extent: 16, centring: 'box' as const, centre: [7.5, 7.5] as [number, number] };
    for (const wide of [true, false]) {
      const png = await thirds(wide);
      const colour = async (cropAt?: number) => {
        const made = await imageForDataset(png, [16, 16, 3], look, 'thirds.png', cropAt);
        assert.equal(made.cut, wide ? 'width' : 'height');
        const mean = [0, 1, 2].map((k) => made.pixels.filter((_, i) => i % 3 === k).reduce((a, v) => a + v, 0) / 256);
        return mean.indexOf(Math.max(...mean));
      };
      assert.deepEqual([await colour(0), await colour(), await colour(0.5), await colour(1)], [0, 1, 1, 2], wide ? 'wide' : 'tall');
    }
    // The middle window is sharp's cover crop, byte for byte, for any shape: image folders' images
    // were cut that way before the window could move, and runs trained then read them the same.
    for (const [w, h] of [[61, 20], [20, 61], [33, 32], [35, 32], [640, 481], [32, 32], [9, 97]] as const) {
      const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + (i >> 5) * 11) & 255);
      const png = await sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
      const { pixels, cut } = await decodeRgbImage(png, 32, 32, 'noise.png');
      const cover = await sharp(png).rotate().removeAlpha().resize(32, 32, { fit: 'cover' }).toColourspace('srgb').raw().toBuffer();
      assert.deepEqual(pixels, new Uint8Array(cover), `${w}×${h}`);
      assert.equal(cut, w > h ? 'width' : h > w ? 'height' : null);
    }
    // A greyscale dataset crops an image to what it shows: a window would be ignored, so it is refused.
    const mnist = await loadDataset('mnist');
    await assert.rejects(imageForDataset(await thirds(true), mnist.shape, datasetLook(mnist.test, mnist.shape), 'thirds.png', 0), /^DistillInputError: thirds\.png: a crop position changes nothing for a greyscale dataset/);
  });

  it('refuses a file that is not an image, naming it', async () => {
    const mnist = await loadDataset('mnist');
    await assert.rejects(imageForDataset(new TextEncoder().encode('not an image'), mnist.shape, datasetLook(mnist.test, mnist.shape), 'notes.png'), (error: Error) => error instanceof DistillInputError && /^notes\.png: not a readable image/.test(error.message));
    await assert.rejects(decodeRgbImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), 32, 32, 'cut.png'), (error: Error) => error instanceof DistillInputError && /^cut\.png: not a readable image/.test(error.message));
  });
});
