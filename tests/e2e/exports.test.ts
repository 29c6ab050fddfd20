import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ApiEvent } from '../../electron/contract/api';
import { EXPORT_FORMAT_IDS } from '../../electron/contract/catalogue';
import { selectBackend } from '../../electron/engine/backend/select';
import type { ModelCard } from '../../electron/engine/export/model-card';
import { loadModelFolder } from '../../electron/engine/runs/model-io';
import { createDistillService } from '../../electron/service/distill-service';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

let root: string;
before(async () => {
  root = await tempDir('exports-');
  const run = await runCli(['run', '--teacher', 'mlp-64x1', '--student', 'mlp-32x1', '--teacher-epochs', '2', '--epochs', '2', '--limit-train', '2000', '--limit-test', '400', '--teacher-jitter', '0', '--backend', 'cpu', '--out', join(root, 'run')]);
  assert.equal(run.code, 0, run.stderr);
  await selectBackend('cpu');
});

describe('distill export in every catalogue format, with a model card', () => {
  it('writes loadable models, labels and cards; quantized weights are smaller and predict alike', async () => {
    const probe = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 3);
    const outputs: Record<string, { logits: Float32Array; bytes: number; card: ModelCard }> = {};
    for (const format of EXPORT_FORMAT_IDS.filter((id) => id.startsWith('tfjs'))) {
      const dest = join(root, format);
      const { code, stdout, stderr } = await runCli(['export', join(root, 'run'), '--role', 'student', '--format', format, '--out', dest]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /student exported as TensorFlow\.js LayersModel.* \(5 files, .*test accuracy \d+\.\d\d%/);
      const { model, metadata } = await loadModelFolder(dest);
      assert.equal(metadata?.architecture, 'mlp-32x1');
      const logits = (await (model.predict(probe) as tf.Tensor).data()) as Float32Array;
      model.dispose();
      assert.equal((await readFile(join(dest, 'labels.txt'), 'utf8')).trim().split('\n').length, 10);
      const card = JSON.parse(await readFile(join(dest, 'model-card.json'), 'utf8')) as ModelCard;
      assert.match(await readFile(join(dest, 'model-card.md'), 'utf8'), /## Accuracy on the test split/);
      outputs[format] = { logits, bytes: (await stat(join(dest, 'weights.bin'))).size, card };
    }
    const f32 = outputs.tfjs!;
    const result = JSON.parse(await readFile(join(root, 'run', 'result.json'), 'utf8'));
    // The card carries the run's facts, and the float32 export measures exactly the run's accuracy.
    assert.deepEqual([f32.card.accuracy.teacher, f32.card.accuracy.student, f32.card.accuracy.studentAlone], [result.teacher.accuracy, result.student.accuracy, result.baseline.accuracy]);
    assert.equal(f32.card.accuracy.exported, result.student.accuracy);
    assert.equal(f32.card.accuracy.quantizationLoss, 0);
    assert.equal(f32.card.accuracy.testImages, 400);
    assert.deepEqual([f32.card.training?.method, f32.card.training?.temperature, f32.card.training?.alpha], ['kd', 4, 0.5]);
    assert.equal(f32.card.preprocessing.scale, 1 / 255);
    assert.equal(f32.card.size.params, result.student.params);
    // Sizes: float16 halves the weights, uint8 quarters them.
    assert.equal(outputs['tfjs-f16']!.bytes * 2, f32.bytes);
    assert.equal(outputs['tfjs-u8']!.bytes * 4, f32.bytes);
    // Predictions: float16 within 1e-2 of float32, uint8 the same class on nearly every input.
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    assert.ok(maxDiff(outputs['tfjs-f16']!.logits, f32.logits) < 1e-2, `f16 differs by ${maxDiff(outputs['tfjs-f16']!.logits, f32.logits)}`);
    const argmax = (a: Float32Array) => Array.from({ length: a.length / 10 }, (_, r) => a.subarray(r * 10, r * 10 + 10).reduce((best, v, i, row) => (v > row[best]! ? i : best), 0));
    const same = argmax(outputs['tfjs-u8']!.logits).filter((c, i) => c === argmax(f32.logits)[i]).length;
    assert.ok(same >= 60, `uint8 agrees on ${same} of 64`);
    for (const format of ['tfjs-f16', 'tfjs-u8'] as const) assert.ok(Math.abs(outputs[format]!.card.accuracy.quantizationLoss!) <= 0.02, `${format}: ${outputs[format]!.card.accuracy.quantizationLoss}`);
    probe.dispose();
  });

  it("ONNX: model.onnx run in onnxruntime-node scores what the run's student scored", async () => {
    const dest = join(root, 'onnx');
    const { code, stdout, stderr } = await runCli(['export', join(root, 'run'), '--format', 'onnx', '--out', dest]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /student exported as ONNX to .* \(4 files, .*test accuracy \d+\.\d\d%/);
    const card = JSON.parse(await readFile(join(dest, 'model-card.json'), 'utf8')) as ModelCard;
    const result = JSON.parse(await readFile(join(root, 'run', 'result.json'), 'utf8'));
    assert.ok(Math.abs(card.accuracy.exported! - result.student.accuracy) <= 0.0025, `${card.accuracy.exported} vs ${result.student.accuracy}`);
    assert.equal(card.format.id, 'onnx');
  });

  it("int8 ONNX, calibrated on the run's training images, scores within a point of the run's student in a third of the file", async () => {
    const result = JSON.parse(await readFile(join(root, 'run', 'result.json'), 'utf8'));
    const dest = join(root, 'onnx-int8');
    const { code, stdout, stderr } = await runCli(['export', join(root, 'run'), '--format', 'onnx-int8', '--out', dest]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /student exported as ONNX, int8 to .* \(4 files, .*test accuracy \d+\.\d\d%/);
    const card = JSON.parse(await readFile(join(dest, 'model-card.json'), 'utf8')) as ModelCard;
    assert.ok(Math.abs(card.accuracy.exported! - result.student.accuracy) <= 0.01, `${card.accuracy.exported} vs ${result.student.accuracy}`);
    assert.equal(card.accuracy.testImages, 400);
    const [float, int8] = await Promise.all([join(root, 'onnx'), dest].map(async (dir) => (await stat(join(dir, 'model.onnx'))).size));
    assert.ok(int8! < float! / 3, `int8 ${int8} of ${float} bytes`);
  });

  it("TFLite: model.tflite run in LiteRT.js scores what the run's student scored; int8 weights, and full integer int8 calibrated on the run's training images, within a point of it in a third of the file", async () => {
    const result = JSON.parse(await readFile(join(root, 'run', 'result.json'), 'utf8'));
    const sizes: Record<string, number> = {};
    for (const format of ['tflite', 'tflite-dynamic', 'tflite-int8'] as const) {
      const dest = join(root, format);
      const { code, stdout, stderr } = await runCli(['export', join(root, 'run'), '--format', format, '--out', dest]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /student exported as TFLite \(LiteRT\).* to .* \(4 files, .*test accuracy \d+\.\d\d%/);
      const card = JSON.parse(await readFile(join(dest, 'model-card.json'), 'utf8')) as ModelCard;
      const tolerance = format === 'tflite' ? 0.0025 : 0.01;
      assert.ok(Math.abs(card.accuracy.exported! - result.student.accuracy) <= tolerance, `${format}: ${card.accuracy.exported} vs ${result.student.accuracy}`);
      assert.equal(card.accuracy.testImages, 400);
      assert.deepEqual([card.format.id, card.preprocessing.batch], [format, 1]);
      sizes[format] = (await stat(join(dest, 'model.tflite'))).size;
    }
    assert.ok(sizes['tflite-dynamic']! < sizes.tflite! / 3, `int8 weights ${sizes['tflite-dynamic']} of ${sizes.tflite} bytes`);
    assert.ok(sizes['tflite-int8']! < sizes.tflite! / 3, `full integer ${sizes['tflite-int8']} of ${sizes.tflite} bytes`);
  });

  it('exports the teacher too; refuses an existing destination and a folder that is not a run', async () => {
    const teacher = await runCli(['export', join(root, 'run'), '--role', 'teacher', '--format', 'tfjs-u8', '--out', join(root, 'teacher-u8')]);
    assert.equal(teacher.code, 0, teacher.stderr);
    const again = await runCli(['export', join(root, 'run'), '--out', join(root, 'tfjs')]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists: export to a new name/);
    const notRun = await runCli(['export', root, '--out', join(root, 'x')]);
    assert.equal(notRun.code, 2);
    assert.match(notRun.stderr, /not a run folder/);
  });
});

describe('exports through the app service: progress and Cancel', () => {
  const progressOf = (events: ApiEvent[]) => events.flatMap((e) => (e.type === 'export-progress' ? [`${e.stage} ${e.done}/${e.total}`] : []));

  it('reports each stage, then the checked images as they go', async () => {
    const events: ApiEvent[] = [];
    const service = createDistillService({ runsDir: root, workDir: join(root, '.distill-progress'), host: 'server', version: 'test', onEvent: (e) => events.push(e) });
    const done = await service.exportModel({ runId: 'run', role: 'student', format: 'onnx' });
    assert.match(done.downloadUrl ?? '', /^\/api\/download\/[a-f0-9]{16}$/);
    assert.deepEqual(progressOf(events), ['writing 0/1', 'writing 1/1', 'checking 0/400', 'checking 256/400', 'checking 400/400', 'packaging 0/1', 'packaging 1/1']);
    assert.ok(events.every((e) => e.type !== 'export-progress' || (e.runId === 'run' && e.role === 'student')));
    await service.dispose();
  });

  it('Cancel mid-check stops the export and leaves nothing; the next export of that model works', async () => {
    let service: ReturnType<typeof createDistillService> | null = null;
    const cancels: boolean[] = [];
    const events: ApiEvent[] = [];
    const onEvent = (e: ApiEvent) => {
      events.push(e);
      if (e.type === 'export-progress' && e.stage === 'checking' && e.done === 0) void service!.cancelExport({ runId: 'run', role: 'teacher' }).then((r) => cancels.push(r.cancelled));
    };
    service = createDistillService({ runsDir: root, workDir: join(root, '.distill-cancel'), host: 'electron', version: 'test', onEvent });
    const destination = join(root, 'cancelled-teacher');
    await assert.rejects(service.exportModelTo({ runId: 'run', role: 'teacher', format: 'tfjs', destination }), /export of the teacher cancelled: nothing was written/);
    assert.deepEqual(cancels, [true]);
    // It stopped at the check's first batch: no image was checked after Cancel.
    assert.deepEqual(progressOf(events), ['writing 0/1', 'writing 1/1', 'checking 0/400']);
    assert.equal(await stat(destination).catch(() => null), null, 'the cancelled export left files behind');
    // Over HTTP: the half-made download folder goes too.
    await assert.rejects(service.exportModel({ runId: 'run', role: 'teacher', format: 'tfjs' }), /cancelled/);
    assert.deepEqual(await readdir(join(root, '.distill-cancel', 'exports')), []);
    // Nothing is left registered: cancelling now cancels nothing, and the same export runs to the end.
    assert.deepEqual(await service.cancelExport({ runId: 'run', role: 'teacher' }), { cancelled: false });
    const quiet = createDistillService({ runsDir: root, workDir: join(root, '.distill-cancel'), host: 'electron', version: 'test', onEvent: () => {} });
    const saved = await quiet.exportModelTo({ runId: 'run', role: 'teacher', format: 'tfjs', destination });
    assert.equal(saved.savedTo, destination);
    assert.ok((await stat(join(destination, 'model.json'))).isFile());
    await Promise.all([service.dispose(), quiet.dispose()]);
  });

  it('refuses a second export of the same model while one runs', async () => {
    const service = createDistillService({ runsDir: root, workDir: join(root, '.distill-twice'), host: 'server', version: 'test', onEvent: () => {} });
    const first = service.exportModel({ runId: 'run', role: 'baseline', format: 'tfjs' });
    await assert.rejects(service.exportModel({ runId: 'run', role: 'baseline', format: 'onnx' }), /the baseline of run run is being exported already/);
    assert.ok((await first).downloadUrl);
    await service.dispose();
  });
});
