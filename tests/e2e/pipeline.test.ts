import { selectBackend } from '../../electron/engine/backend/select';
import type { BackendInfo } from '../../electron/contract/events';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { RunEvent, RunResult } from '../../electron/contract/events';
import { loadDataset } from '../../electron/engine/data/load';
import { limitSplit } from '../../electron/engine/data/dataset';
import { RunCancelledError, DistillInputError } from '../../electron/engine/errors';
import { resolveConfig } from '../../electron/engine/presets';
import { loadModelFolder } from '../../electron/engine/runs/model-io';
import { runDistillation } from '../../electron/engine/runs/pipeline';
import { STORED_PROGRESS_PER_EPOCH } from '../../electron/engine/runs/progress-samples';
import { listRuns } from '../../electron/engine/runs/store';
import { evaluateModel } from '../../electron/engine/train/evaluate';

/** A few thousand real MNIST images and small MLPs: seconds on the wasm backend. */
const tiny = resolveConfig('quick', {
  teacher: 'mlp-256x1',
  student: 'mlp-16x1',
  teacherEpochs: 2,
  epochs: 2,
  limitTrain: 3000,
  limitTest: 1000,
  batchSize: 50,
  lr: 0.05,
  teacherJitter: 0,
});

let root: string;
let result: RunResult;
const events: RunEvent[] = [];
/** Events that reached the listener before the run's folder held them. */
const heardBeforeStored: string[] = [];

let backend: BackendInfo;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'runs-'));
  backend = await selectBackend(tiny.backend);
  let dir = '';
  result = await runDistillation({
    config: tiny,
    backend,
    runsRoot: root,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'started') dir = e.outDir;
      if (e.type !== 'progress' && !readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').includes(JSON.stringify(e))) heardBeforeStored.push(e.type);
    },
  });
});

describe('distillation run on MNIST', () => {
  it('trains teacher, KD student and the student alone far above chance', () => {
    assert.ok(result.teacher!.accuracy > 0.85, `teacher ${result.teacher!.accuracy}`);
    assert.ok(result.student!.accuracy > 0.7, `student ${result.student!.accuracy}`);
    assert.ok(result.baseline!.accuracy > 0.7, `baseline ${result.baseline!.accuracy}`);
    assert.equal(result.kdGain, result.student!.accuracy - result.baseline!.accuracy);
    assert.equal(result.teacher!.params, 784 * 256 + 256 + 256 * 10 + 10);
    assert.equal(result.student!.bytes, result.student!.params * 4);
  });

  it('reports progress and one epoch event per epoch of each phase', () => {
    const progress = events.filter((e) => e.type === 'progress');
    assert.ok(progress.length >= 6, `only ${progress.length} progress events`);
    for (const phase of ['teacher', 'student', 'baseline'] as const) {
      assert.deepEqual(events.filter((e) => e.type === 'epoch' && e.phase === phase).map((e) => (e as { epoch: number }).epoch), [1, 2], phase);
      assert.ok(progress.some((e) => e.phase === phase && e.imgPerSec > 0 && e.etaSec >= 0));
    }
  });

  it('sends an event only once its folder holds it, so a window that lost events can read them all back', () => {
    assert.ok(events.filter((e) => e.type !== 'progress').length >= 10);
    assert.deepEqual(heardBeforeStored, []);
  });

  it('writes a complete run folder', async () => {
    for (const file of ['config.json', 'metrics.jsonl', 'result.json', 'status.json', 'teacher/model.json', 'student/weights.bin', 'baseline/model.json']) {
      assert.ok(existsSync(join(result.outDir, file)), file);
    }
    assert.equal(JSON.parse(await readFile(join(result.outDir, 'status.json'), 'utf8')).status, 'completed');
    const [stored] = await listRuns(root);
    assert.equal(stored!.result!.student!.accuracy, result.student!.accuracy);
    assert.equal(stored!.metrics.filter((e) => e.type === 'epoch').length, 6);
  });

  it('keeps a few progress lines of every epoch, for the loss curve of the run reopened', async () => {
    const lines = (await readFile(join(result.outDir, 'metrics.jsonl'), 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as RunEvent);
    for (const phase of ['teacher', 'student', 'baseline'] as const) {
      for (const epoch of [1, 2]) {
        const at = lines.findIndex((e) => e.type === 'epoch' && e.phase === phase && e.epoch === epoch);
        const samples = lines.filter((e, i) => e.type === 'progress' && e.phase === phase && e.epoch === epoch && i < at);
        assert.ok(samples.length >= 1 && samples.length <= STORED_PROGRESS_PER_EPOCH, `${phase} epoch ${epoch}: ${samples.length} stored`);
        assert.equal(lines.filter((e) => e.type === 'progress' && e.phase === phase && e.epoch === epoch).length, samples.length, 'all before the epoch line');
        // Each stored line is one the run sent live.
        for (const sample of samples) assert.ok(events.some((e) => JSON.stringify(e) === JSON.stringify(sample)));
      }
    }
  });

  it('exports a student that reloads with the same predictions', async () => {
    const { model, metadata } = await loadModelFolder(join(result.outDir, 'student'));
    assert.equal(metadata!.architecture, 'mlp-16x1');
    assert.deepEqual(metadata!.inputShape, [28, 28, 1]);
    const mnist = await loadDataset('mnist');
    const evaluation = await evaluateModel(model, limitSplit(mnist.test, 1000, mnist.shape), mnist.shape, 250);
    assert.equal(evaluation.accuracy, result.student!.accuracy);
    model.dispose();
  });

  it('reuses a saved teacher without training it again', async () => {
    const reuse = await runDistillation({
      config: { ...tiny, teacher: join(result.outDir, 'teacher'), trainBaseline: false, epochs: 1 },
      backend, runsRoot: root,
    });
    assert.equal(reuse.teacher!.accuracy, result.teacher!.accuracy);
    assert.equal(reuse.baseline, null);
    assert.ok(reuse.student!.accuracy > 0.5);
  });
});

describe('runs that do not complete', () => {
  it('a cancelled run stops promptly and is marked cancelled, without result.json', async () => {
    const controller = new AbortController();
    let outDir = '';
    const started = performance.now();
    await assert.rejects(
      runDistillation({
        config: { ...tiny, teacherEpochs: 50 },
        backend, runsRoot: root,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'started') outDir = e.outDir;
          if (e.type === 'progress') controller.abort();
        },
      }),
      RunCancelledError,
    );
    assert.ok(performance.now() - started < 30_000);
    assert.equal(JSON.parse(await readFile(join(outDir, 'status.json'), 'utf8')).status, 'cancelled');
    assert.equal(existsSync(join(outDir, 'result.json')), false);
  });

  it('a teacher that does not fit the dataset fails the run with a clear error', async () => {
    // The teacher names classes 0–9; the five-class copy's 0–4 are matched by name, and its blank
    // images leave the teacher at chance: the run stops before a student learns from noise.
    const student = join(result.outDir, 'student');
    let outDir = '';
    await assert.rejects(
      runDistillation({ config: { ...tiny, teacher: student, dataset: await fiveClassCopy() }, backend, runsRoot: root, onEvent: (e) => { if (e.type === 'started') outDir = e.outDir; } }),
      (e: Error) => e instanceof DistillInputError && /scores 20\.0% on the test split, no better than chance \(20\.0%\) for 5 classes.*classes matched by name/.test(e.message),
    );
    const status = JSON.parse(await readFile(join(outDir, 'status.json'), 'utf8'));
    assert.equal(status.status, 'failed');
    assert.match(status.error, /no better than chance/);
  });
});

/** A small IDX dataset of MNIST shape with five classes. */
async function fiveClassCopy(): Promise<string> {
  const { encodeIdx } = await import('../../electron/engine/data/idx');
  const { writeFile } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'five-'));
  const n = 20;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 5);
  await writeFile(join(dir, 'train-images-idx3-ubyte'), encodeIdx([n, 28, 28], new Uint8Array(n * 784)));
  await writeFile(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([n], labels));
  await writeFile(join(dir, 't10k-images-idx3-ubyte'), encodeIdx([n, 28, 28], new Uint8Array(n * 784)));
  await writeFile(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([n], labels));
  return dir;
}
