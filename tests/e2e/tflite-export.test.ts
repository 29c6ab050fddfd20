import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../electron/engine/backend/select';
import { exportModel } from '../../electron/engine/export/registry';
import { layersModelToTflite } from '../../electron/engine/export/tflite/convert';
import { evaluateTfliteGraph } from '../../electron/engine/export/tflite/evaluate';
import { openLiteRtSession } from '../../electron/engine/export/tflite/run';
import { buildModel } from '../../electron/engine/models/registry';
import { saveModelFolder } from '../../electron/engine/runs/model-io';
import { EXPORT_CASES, modelForExport } from '../helpers/export-cases';
import { tempDir } from '../helpers/fixtures';

const CASES = EXPORT_CASES;

/** RGB images made grey with BT.601's luma weights, computed here apart from the exporter's graph. */
const lumaOf = (x: tf.Tensor4D): tf.Tensor4D => tf.tidy(() => tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), -1, true));

before(() => selectBackend('cpu'));

describe('TFLite export of every architecture, run in LiteRT.js (XNNPACK in WebAssembly)', () => {
  for (const [name, shape] of CASES) {
    it(`${name} on ${shape.join('×')}: the same logits as TensorFlow.js, image by image (float32 ≤ 1e-4 and the same classes; float16 and int8 weights close, and smaller)`, async () => {
      const model = modelForExport(name, shape);
      const dir = await tempDir('tflite-');
      await saveModelFolder(model, join(dir, 'model'), { architecture: name, inputShape: shape, classNames: Array.from({ length: 10 }, (_, i) => String(i)), output: 'logits', preprocessing: 'pixels / 255, shape [batch, height, width, channels]', dataset: 'test' });
      const images = 3;
      // The file takes RGB; a grey model makes it grey inside, so it is fed colour and checked against the model on its luma.
      const grey = shape[2] === 1;
      const x = tf.randomUniform([images, shape[0], shape[1], 3], 0, 1, 'float32', 11) as tf.Tensor4D;
      const seen = grey ? lumaOf(x) : x;
      const expected = (await (model.predict(seen) as tf.Tensor).data()) as Float32Array;
      const pixels = (await x.data()) as Float32Array;
      tf.dispose([x, seen]);
      model.dispose();
      const magnitude = Math.max(1, ...Array.from(expected, Math.abs));
      const sizes: Record<string, number> = {};
      // Full-integer int8 calibrates on other images than it is checked on, as an export from a run does on its training images.
      const calibration = tf.randomUniform([64, ...shape], 0, 1, 'float32', 13) as tf.Tensor4D;
      for (const [format, tolerance] of [['tflite', 1e-4], ['tflite-f16', 1e-3 * magnitude], ['tflite-dynamic', 2e-2 * magnitude], ['tflite-int8', 4e-2 * magnitude]] as const) {
        await exportModel({ modelDir: join(dir, 'model'), format, destination: join(dir, format), role: 'student', run: null, version: 'test', measure: false, calibrationImages: calibration });
        const bytes = new Uint8Array(await readFile(join(dir, format, 'model.tflite')));
        sizes[format] = bytes.length;
        assert.equal(new TextDecoder().decode(bytes.subarray(4, 8)), 'TFL3', 'file identifier');
        const session = await openLiteRtSession(bytes);
        try {
          assert.deepEqual(session.inputShape, [1, shape[0], shape[1], 3]);
          const got = await session.run(pixels, images);
          assert.equal(got.length, images);
          got.forEach((row, r) => {
            const want = expected.subarray(r * 10, r * 10 + 10);
            assert.equal(row.length, 10);
            const diff = row.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
            assert.ok(diff <= tolerance, `${name} ${format} image ${r}: max |Δlogit| ${diff} > ${tolerance}`);
            const argmax = (a: ArrayLike<number>) => Array.from(a).reduce((b, v, i, all) => (v > all[b]! ? i : b), 0);
            if (format !== 'tflite-dynamic' && format !== 'tflite-f16') assert.equal(argmax(row), argmax(want), `${format} image ${r}: class`);
          });
        } finally {
          await session.close();
        }
        const card = JSON.parse(await readFile(join(dir, format, 'model-card.json'), 'utf8'));
        assert.equal(card.preprocessing.batch, 1);
        const words = await readFile(join(dir, format, 'model-card.md'), 'utf8');
        assert.match(words, new RegExp(`Input: \`\\[1, ${shape[0]}, ${shape[1]}, 3\\]\``));
        assert.equal(card.preprocessing.greyInside, grey);
        if (grey) assert.match(words, /Preprocessing: RGB pixels \/ 255, shape \[1, height, width, 3\]; the model makes them grey \(0\.299 R \+ 0\.587 G \+ 0\.114 B, BT\.601's luma; a grey image goes in as R = G = B\) inside\./);
        else assert.match(words, /Preprocessing: pixels \/ 255, shape \[1, height, width, channels\]\./);
      }
      calibration.dispose();
      // float16 about halves the file; int8 quarters the big kernels (small ones stay float32, as TFLite's converter leaves them).
      assert.ok(sizes['tflite-f16']! < 0.62 * sizes.tflite!, `float16 ${sizes['tflite-f16']} of ${sizes.tflite}`);
      assert.ok(sizes['tflite-dynamic']! < sizes['tflite-f16']!, `int8 weights ${sizes['tflite-dynamic']} of ${sizes.tflite}`);
      assert.ok(sizes['tflite-int8']! < 0.55 * sizes.tflite!, `full integer ${sizes['tflite-int8']} of ${sizes.tflite}`);
    });
  }

  it("takes the image's bytes and gives the full-integer file's logits as uint8 (tflite-uint8), grey and colour", async () => {
    for (const [name, shape] of [EXPORT_CASES[1]!, EXPORT_CASES[3]!]) {
      const model = modelForExport(name, shape);
      const dir = await tempDir('tflite-uint8-');
      await saveModelFolder(model, join(dir, 'model'), { architecture: name, inputShape: shape, classNames: Array.from({ length: 10 }, (_, i) => String(i)), output: 'logits', preprocessing: 'pixels / 255', dataset: 'test' });
      const calibration = tf.randomUniform([64, ...shape], 0, 1, 'float32', 13) as tf.Tensor4D;
      const sessions = [];
      for (const format of ['tflite-int8', 'tflite-uint8'] as const) {
        await exportModel({ modelDir: join(dir, 'model'), format, destination: join(dir, format), role: 'student', run: null, version: 'test', measure: false, calibrationImages: calibration });
        sessions.push(await openLiteRtSession(new Uint8Array(await readFile(join(dir, format, 'model.tflite')))));
      }
      calibration.dispose();
      const [int8, uint8] = sessions as [Awaited<ReturnType<typeof openLiteRtSession>>, Awaited<ReturnType<typeof openLiteRtSession>>];
      try {
        assert.equal(int8.inputType, 'float32');
        assert.equal(uint8.inputType, 'uint8');
        assert.deepEqual(uint8.inputShape, [1, shape[0], shape[1], 3]);
        const images = 4;
        let state = 99;
        const bytes = Uint8Array.from({ length: images * shape[0] * shape[1] * 3 }, () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24);
        const floats = (await int8.run(Float32Array.from(bytes, (b) => b / 255), images)).flatMap((row) => Array.from(row));
        const quantized = (await uint8.run(bytes, images)).flatMap((row) => Array.from(row));
        // The same integer arithmetic inside: the float logits are (q − zero point) · scale for one scale and zero point.
        assert.ok(quantized.every((q) => Number.isInteger(q) && q >= 0 && q <= 255), 'uint8 outputs');
        const [lo, hi] = [quantized.indexOf(Math.min(...quantized)), quantized.indexOf(Math.max(...quantized))];
        const scale = (floats[hi]! - floats[lo]!) / (quantized[hi]! - quantized[lo]!);
        const zeroPoint = quantized[hi]! - floats[hi]! / scale;
        assert.ok(scale > 0 && Math.abs(zeroPoint - Math.round(zeroPoint)) < 1e-3, `${name}: scale ${scale}, zero point ${zeroPoint}`);
        quantized.forEach((q, i) => assert.ok(Math.abs((q - Math.round(zeroPoint)) * scale - floats[i]!) <= 1e-5 * Math.max(1, Math.abs(floats[i]!)), `${name} output ${i}: ${q} against ${floats[i]}`));
        const card = JSON.parse(await readFile(join(dir, 'tflite-uint8', 'model-card.json'), 'utf8'));
        assert.equal(card.preprocessing.inputType, 'uint8');
        assert.equal(card.outputType, 'uint8');
      } finally {
        await Promise.all(sessions.map((session) => session.close()));
        model.dispose();
      }
    }
  });

  it('runs the float32 graph with TensorFlow.js ops as the model runs (what int8 calibrates with)', async () => {
    for (const [name, shape] of CASES) {
      const model = buildModel(name, { inputShape: shape, classes: 10, seed: 5, dropout: 0 });
      const x = tf.randomUniform([4, shape[0], shape[1], 3], 0, 1, 'float32', 2) as tf.Tensor4D;
      const graph = await layersModelToTflite(model, {});
      const { output, ranges } = await evaluateTfliteGraph(graph, x);
      const seen = shape[2] === 1 ? lumaOf(x) : x.clone();
      const expected = model.predict(seen) as tf.Tensor;
      seen.dispose();
      const diff = (await tf.max(tf.abs(tf.sub(output, expected))).data())[0]!;
      assert.ok(diff <= 1e-5, `${name}: max |Δ| ${diff}`);
      // Every tensor an op computes has a range, and the logits' range is the logits'.
      for (const o of graph.operators) assert.ok(ranges.has(o.outputs[0]!), `${name}: ${graph.tensors[o.outputs[0]!]!.name} not calibrated`);
      const [lo, hi] = ranges.get(graph.output)!;
      const [min, max] = [(await expected.min().data())[0]!, (await expected.max().data())[0]!];
      assert.ok(Math.abs(lo - min) <= 1e-5 && Math.abs(hi - max) <= 1e-5, `${name}: logits' range [${lo}, ${hi}] against [${min}, ${max}]`);
      tf.dispose([x, output, expected]);
      model.dispose();
    }
  });

  it("refuses full-integer int8 for a model whose training images are not at hand, saying what to do", async () => {
    const model = buildModel('mlp-30x2', { inputShape: [28, 28, 1], classes: 10, seed: 1, dropout: 0 });
    const dir = await tempDir('tflite-bare-');
    await saveModelFolder(model, join(dir, 'model'), { architecture: 'mlp-30x2', inputShape: [28, 28, 1], classNames: Array.from({ length: 10 }, (_, i) => String(i)), output: 'logits', preprocessing: 'pixels / 255', dataset: join(dir, 'no-such-dataset') });
    model.dispose();
    await assert.rejects(exportModel({ modelDir: join(dir, 'model'), format: 'tflite-int8', destination: join(dir, 'int8'), role: 'student', run: null, version: 'test', measure: false }), /calibrates on the model's training images, and its dataset is not at hand: export it from its run, or choose tflite-dynamic/);
    assert.equal(existsSync(join(dir, 'int8')), false, 'nothing is left behind');
  });

  it('names a model LiteRT cannot read in one error', async () => {
    await assert.rejects(openLiteRtSession(new TextEncoder().encode('not a flatbuffer at all, just text')), /LiteRT could not load the model/);
  });
});
