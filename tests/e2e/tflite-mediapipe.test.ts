import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { selectBackend } from '../../electron/engine/backend/select';
import { exportModel } from '../../electron/engine/export/registry';
import type { ExportFormatId } from '../../electron/contract/catalogue';
import { buildModel } from '../../electron/engine/models/registry';
import { saveModelFolder } from '../../electron/engine/runs/model-io';
import { chromiumMissing, launchChromium } from '../helpers/browser';
import { tempDir } from '../helpers/fixtures';

// MediaPipe's ImageClassifier (Google's on-device task API for Android, iOS and the web) feeds a
// .tflite model from its metadata alone: the normalisation, the colour space and the label file.
// Its web build runs here in Chromium on the CPU, as it runs in a phone's browser.
const missing = chromiumMissing();
const MEDIAPIPE = dirname(createRequire(import.meta.url).resolve('@mediapipe/tasks-vision/vision_bundle.js'));
const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
type Category = { index: number; categoryName: string; score: number };

/** Serves MediaPipe's bundle and wasm, and whichever model the test puts at /model.tflite. */
function serve(model: () => Promise<Uint8Array>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const file = path === '/vision_bundle.mjs' ? join(MEDIAPIPE, 'vision_bundle.mjs') : /^\/wasm\/vision_wasm_internal\.(js|wasm)$/.test(path) ? join(MEDIAPIPE, path) : null;
    const type = path.endsWith('.wasm') ? 'application/wasm' : path.endsWith('.tflite') ? 'application/octet-stream' : path === '/' ? 'text/html' : 'text/javascript';
    const body = path === '/' ? Promise.resolve('<!doctype html><title>MediaPipe</title>') : path === '/model.tflite' ? model() : file ? readFile(file) : null;
    if (!body) return void res.writeHead(404).end();
    void body.then((bytes) => res.writeHead(200, { 'content-type': type }).end(bytes));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })));
}

/** MediaPipe's categories for RGB images given as bytes, every class with its score; or its error. */
async function classify(page: Page, bytes: Uint8Array, [height, width]: [number, number, number]): Promise<Category[][] | string> {
  return page.evaluate(
    async ({ bytes, height, width }) => {
      // A module script's import, in the page; the path is the test server's.
      const { FilesetResolver, ImageClassifier } = await import(/* @vite-ignore */ '/vision_bundle.mjs' as string);
      try {
        const classifier = await ImageClassifier.createFromOptions(await FilesetResolver.forVisionTasks('/wasm'), { baseOptions: { modelAssetPath: '/model.tflite', delegate: 'CPU' }, runningMode: 'IMAGE', maxResults: -1 });
        const size = height * width;
        const results: Category[][] = [];
        for (let k = 0; k < bytes.length / (size * 3); k++) {
          const rgba = new Uint8ClampedArray(size * 4).fill(255);
          for (let p = 0; p < size; p++) for (let c = 0; c < 3; c++) rgba[4 * p + c] = bytes[(k * size + p) * 3 + c]!;
          results.push(classifier.classify(new ImageData(rgba, width, height)).classifications[0].categories);
        }
        classifier.close();
        return results;
      } catch (error) {
        return String(error);
      }
    },
    { bytes: Array.from(bytes), height, width },
  );
}

/** Noise images as RGB bytes, from a seeded linear congruential generator. */
function noiseBytes(length: number, seed: number): Uint8Array {
  let state = seed;
  return Uint8Array.from({ length }, () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24);
}

/** Each image's categories: every score within `tolerance` of the largest logit of TensorFlow.js's, and the same top class. */
function assertScores(result: Category[][], expected: Float32Array, format: string, tolerance: number): void {
  result.forEach((categories, k) => {
    const want = expected.subarray(k * 10, k * 10 + 10);
    const magnitude = Math.max(1, ...Array.from(want, Math.abs));
    assert.equal(categories.length, 10);
    for (const { index, score } of categories) assert.ok(Math.abs(score - want[index]!) <= tolerance * magnitude, `${format} image ${k}, ${CLASSES[index]}: ${score} against ${want[index]}`);
    assert.equal(categories[0]!.index, Array.from(want).reduce((b, v, i, all) => (v > all[b]! ? i : b), 0), `${format} image ${k}: top class`);
  });
}

describe('TFLite exports in MediaPipe’s ImageClassifier, fed by their metadata alone', { skip: missing ?? false }, () => {
  let browser: Browser;
  let page: Page;
  let server: Server;
  let modelBytes: Uint8Array = new Uint8Array();
  before(async () => {
    await selectBackend('cpu');
    const served = await serve(async () => modelBytes);
    server = served.server;
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(served.url);
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('reads the labels and the input scale: the float32 file gives TensorFlow.js’s logits on CIFAR-style normalised colour images, the int8 file the same classes, and the uint8 file (bytes in, uint8 out) the int8 file’s scores', async () => {
    const shape: [number, number, number] = [32, 32, 3];
    const normalization = { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] };
    const model = buildModel('resnet20@0.25', { inputShape: shape, classes: 10, seed: 3, dropout: 0 });
    const dir = await tempDir('mediapipe-');
    await saveModelFolder(model, join(dir, 'model'), { architecture: 'resnet20@0.25', inputShape: shape, classNames: CLASSES, output: 'logits', preprocessing: '(pixels / 255 − mean) / std per channel', normalization, dataset: 'test' });
    const images = 4;
    // Noise images, and int8 calibrated on other noise of the same kind, as a run calibrates on its training images.
    const bytes = noiseBytes(images * 32 * 32 * 3, 12345);
    const normalised = tf.tidy(() => tf.div(tf.sub(tf.div(tf.tensor4d(bytes, [images, ...shape], 'float32'), 255), normalization.mean), normalization.std));
    const expected = (await (model.predict(normalised) as tf.Tensor).data()) as Float32Array;
    const calibration = tf.randomUniform([64, ...shape], 0, 1, 'float32', 13) as tf.Tensor4D;
    const scores: Partial<Record<ExportFormatId, Category[][]>> = {};
    for (const [format, tolerance] of [['tflite', 1e-4], ['tflite-int8', 5e-2], ['tflite-uint8', 5e-2]] as Array<[ExportFormatId, number]>) {
      await exportModel({ modelDir: join(dir, 'model'), format, destination: join(dir, format), role: 'student', run: null, version: 'test', measure: false, calibrationImages: calibration });
      modelBytes = new Uint8Array(await readFile(join(dir, format, 'model.tflite')));
      const result = await classify(page, bytes, shape);
      assert.ok(typeof result !== 'string', `${format}: ${result}`);
      scores[format] = result;
      for (const { index, categoryName } of result.flat()) assert.equal(categoryName, CLASSES[index], `${format}: output ${index} is named from labels.txt`);
      assertScores(result, expected, format, tolerance);
    }
    // uint8 in and out runs the int8 file's integer arithmetic: MediaPipe, reading the output's scale and zero point, gives its scores.
    scores['tflite-uint8']!.forEach((categories, k) => {
      const int8 = new Map(scores['tflite-int8']![k]!.map((c) => [c.index, c.score]));
      for (const { index, score } of categories) assert.ok(Math.abs(score - int8.get(index)!) <= 1e-5 * Math.max(1, Math.abs(score)), `image ${k}, ${CLASSES[index]}: uint8 file ${score}, int8 file ${int8.get(index)}`);
    });
    tf.dispose([normalised, calibration]);
    model.dispose();
  });

  it('runs a grey model on colour images: the file makes them grey (BT.601 luma) and normalises them inside, as TensorFlow.js computes it', async () => {
    const shape: [number, number, number] = [28, 28, 1];
    const normalization = { mean: [0.286], std: [0.353] };
    const model = buildModel('lenet5', { inputShape: shape, classes: 10, seed: 1, dropout: 0 });
    const dir = await tempDir('mediapipe-grey-');
    await saveModelFolder(model, join(dir, 'model'), { architecture: 'lenet5', inputShape: shape, classNames: CLASSES, output: 'logits', preprocessing: '(pixels / 255 − mean) / std', normalization, dataset: 'test' });
    const images = 3;
    const bytes = noiseBytes(images * 28 * 28 * 3, 777);
    // What the model saw in training: grey pixels / 255, normalised; grey from colour by the luma weights, computed here.
    const seen = tf.tidy(() => tf.div(tf.sub(tf.sum(tf.mul(tf.div(tf.tensor4d(bytes, [images, 28, 28, 3], 'float32'), 255), [0.299, 0.587, 0.114]), -1, true), normalization.mean), normalization.std));
    const expected = (await (model.predict(seen) as tf.Tensor).data()) as Float32Array;
    const calibration = tf.randomUniform([64, ...shape], 0, 1, 'float32', 13) as tf.Tensor4D;
    for (const [format, tolerance] of [['tflite', 1e-4], ['tflite-int8', 5e-2]] as Array<[ExportFormatId, number]>) {
      await exportModel({ modelDir: join(dir, 'model'), format, destination: join(dir, format), role: 'student', run: null, version: 'test', measure: false, calibrationImages: calibration });
      modelBytes = new Uint8Array(await readFile(join(dir, format, 'model.tflite')));
      const result = await classify(page, bytes, [28, 28, 3]);
      assert.ok(typeof result !== 'string', `${format}: ${result}`);
      assertScores(result, expected, format, tolerance);
    }
    tf.dispose([seen, calibration]);
    model.dispose();
  });
});

if (missing) console.log(`# MediaPipe end-to-end test skipped: ${missing}`);
