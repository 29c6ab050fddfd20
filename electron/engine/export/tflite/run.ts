import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DatasetSplit } from '../../data/dataset';
import type { BatchWatch } from '../../train/evaluate';
import { predictedClasses } from '../predictions';

/**
 * LiteRT.js (Google's TFLite runtime for the web, XNNPACK in WebAssembly) loads like a browser
 * script: it wants `self`, `importScripts` and, finding Node, a global `require`. Those globals
 * live in a worker of their own, so nothing leaks into the engine's process, and the runtime's
 * memory goes with the worker. The compat build is the one without relaxed SIMD, which Node 20
 * lacks. The worker answers each batch of images with the logits of each, run one at a time at
 * batch 1, as the file declares and a phone runs it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const vm = require('node:vm');
globalThis.self = globalThis;
globalThis.require = require;
globalThis.__dirname = workerData.wasmDir;
globalThis.importScripts = (file) => vm.runInThisContext(fs.readFileSync(file, 'utf8'), { filename: file });
const log = [];
globalThis.Module = { wasmBinary: fs.readFileSync(workerData.wasmDir + '/litert_wasm_compat_internal.wasm'), print: () => {}, printErr: (line) => log.push(line) };
console.warn = () => {};
(async () => {
  let model;
  try {
    const core = await import(workerData.coreUrl);
    await core.loadLiteRt(workerData.wasmDir + '/litert_wasm_compat_internal.js');
    model = await core.loadAndCompile(new Uint8Array(workerData.model), { accelerator: 'wasm' });
    const [input] = model.getInputDetails();
    parentPort.postMessage({ ready: { shape: Array.from(input.shape), dtype: input.dtype } });
    parentPort.on('message', async ({ images, count }) => {
      try {
        const size = images.length / count;
        const logits = [];
        for (let i = 0; i < count; i++) {
          const tensor = new core.Tensor(images.subarray(i * size, (i + 1) * size), [1, ...input.shape.slice(1)]);
          const [out] = await model.run(tensor);
          tensor.delete();
          logits.push(Float32Array.from(out.toTypedArray()));
          out.delete();
        }
        parentPort.postMessage({ logits });
      } catch (error) {
        parentPort.postMessage({ error: String(error && error.message || error) + (log.length ? ' (' + log.slice(-3).join('; ') + ')' : '') });
      }
    });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) + (log.length ? ' (' + log.slice(-3).join('; ') + ')' : '') });
  }
})();
`;

type WorkerReply = { ready: { shape: number[]; dtype: string } } | { logits: Float32Array[] } | { error: string };

/** A .tflite model loaded in LiteRT.js, in a worker; `close` ends the worker. */
export interface LiteRtSession {
  inputShape: number[];
  /** float32, or uint8 for a file that takes the image's bytes. */
  inputType: string;
  /**
   * The outputs for `count` images laid end to end, as the card prepares them (float32, or the
   * bytes for a file that takes uint8); a uint8 output's raw values, not dequantized.
   */
  run(images: Float32Array | Uint8Array, count: number): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export async function openLiteRtSession(modelBytes: Uint8Array): Promise<LiteRtSession> {
  const require = createRequire(import.meta.url);
  // In an installed app the package is unpacked beside the asar (package.json's asarUnpack): a worker reads real files.
  const coreEntry = require.resolve('@litertjs/core').replace(/\.asar([\\/])/, '.asar.unpacked$1');
  const wasmDir = join(dirname(dirname(coreEntry)), 'wasm');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { wasmDir, coreUrl: pathToFileURL(coreEntry).href, model: modelBytes } });
  let pending: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | null = null;
  const next = () => new Promise<WorkerReply>((resolve, reject) => (pending = { resolve, reject }));
  worker.on('message', (reply: WorkerReply) => pending?.resolve(reply));
  worker.on('error', (error) => pending?.reject(error));
  worker.on('exit', (code) => pending?.reject(new Error(`LiteRT worker exited (${code})`)));
  const first = await next();
  if ('error' in first) {
    await worker.terminate();
    throw new Error(`LiteRT could not load the model: ${first.error}`);
  }
  if (!('ready' in first)) throw new Error('LiteRT worker answered out of turn');
  return {
    inputShape: first.ready.shape,
    inputType: first.ready.dtype,
    async run(images, count) {
      const reply = next();
      worker.postMessage({ images, count });
      const answer = await reply;
      if ('error' in answer) throw new Error(`LiteRT could not run the model: ${answer.error}`);
      if (!('logits' in answer)) throw new Error('LiteRT worker answered out of turn');
      return answer.logits;
    },
    async close() {
      pending = null;
      await worker.terminate();
    },
  };
}

/** Grey pixels as RGB ones, R = G = B: what a TFLite export of a grey model takes. */
export function greyAsRgb<T extends Float32Array | Uint8Array>(pixels: T): T {
  // Not pixels.constructor: a dataset's bytes may be a Buffer, whose constructor is deprecated.
  const rgb = (pixels instanceof Float32Array ? new Float32Array(pixels.length * 3) : new Uint8Array(pixels.length * 3)) as T;
  for (let i = 0; i < pixels.length; i++) rgb.fill(pixels[i]!, i * 3, i * 3 + 3);
  return rgb;
}

/**
 * Runs an exported model.tflite in LiteRT.js over a split (pixels / 255; the dataset's
 * normalisation is inside the file) and returns its predicted classes.
 */
export async function tflitePredictions(dir: string, split: DatasetSplit, shape: readonly [number, number, number], options: { rawPixels?: boolean; watch?: BatchWatch } = {}, batchSize = 256): Promise<Int32Array> {
  const session = await openLiteRtSession(new Uint8Array(await readFile(join(dir, 'model.tflite'))));
  try {
    // The file takes RGB, as pixels / 255 or (rawPixels) the bytes as stored: a grey model makes them grey, and the dataset's normalisation is inside it.
    const rgb = shape[2] === 1 && session.inputShape.at(-1) === 3;
    const size = shape[0] * shape[1] * shape[2];
    return await predictedClasses(split, shape, options.watch, batchSize, async ({ start, end, scaled }) => {
      const pixels = options.rawPixels ? new Uint8Array(split.images.subarray(start * size, end * size)) : await scaled();
      const rows = await session.run(rgb ? greyAsRgb(pixels) : pixels, end - start);
      const logits = new Float32Array(rows.reduce((n, row) => n + row.length, 0));
      rows.reduce((at, row) => (logits.set(row, at), at + row.length), 0);
      return logits;
    });
  } finally {
    await session.close();
  }
}
