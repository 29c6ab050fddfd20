import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { RunResultSchema, type RunEvent, type RunResult } from '../../electron/contract/events';
import { ensembleSize } from '../../electron/engine/models/ensemble';
import { loadModelFolder } from '../../electron/engine/runs/model-io';
import { createDistillService } from '../../electron/service/distill-service';
import { useCpuBackend } from '../helpers/backend';
import { DISTILL_BIN, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

before(useCpuBackend);

/** A tiny real run on the cpu backend (deterministic). */
const LATER = ['--student', 'mlp-16x1', '--epochs', '2', '--limit-train', '2000', '--limit-test', '500', '--backend', 'cpu', '--json'];
const TINY = [...LATER, '--teacher', 'mlp-64x1', '--teacher-epochs', '3'];

const events = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as RunEvent);
const resultOf = (stdout: string) => RunResultSchema.parse(events(stdout).at(-1));
const accuracies = (r: RunResult) => [r.teacher?.accuracy, r.student?.accuracy, r.baseline?.accuracy];

async function run(args: string[]): Promise<{ all: RunEvent[]; result: RunResult }> {
  const { code, stdout, stderr } = await runCli(['run', ...args]);
  assert.equal(code, 0, stderr);
  return { all: events(stdout), result: resultOf(stdout) };
}

describe('--ensemble: several teachers, their averaged logits distilled', () => {
  let root: string;
  let whole: { all: RunEvent[]; result: RunResult };
  before(async () => {
    root = await tempDir('ensemble-');
    whole = await run([...TINY, '--ensemble', '3', '--out', join(root, 'whole')]);
  });

  it('trains each teacher in its own lane and seed, keeps each, and reports the average as the teacher', async () => {
    const { all, result } = whole;
    const teacherEpochs = all.filter((e): e is Extract<RunEvent, { type: 'epoch' }> => e.type === 'epoch' && e.phase === 'teacher');
    assert.deepEqual(teacherEpochs.map((e) => `${e.method ?? 'teacher'}:${e.epoch}`), ['teacher:1', 'teacher:2', 'teacher:3', 'teacher#2:1', 'teacher#2:2', 'teacher#2:3', 'teacher#3:1', 'teacher#3:2', 'teacher#3:3']);
    assert.equal(result.teacher!.name, 'mlp-64x1 ×3');
    const names = await readdir(join(root, 'whole'));
    for (const folder of ['teacher', 'teacher-seed1', 'teacher-seed2', 'teacher-seed3']) assert.ok(names.includes(folder), folder);
    const choice = result.choices?.find((c) => c.startsWith('teacher: an ensemble'));
    assert.match(choice ?? '', /^teacher: an ensemble of 3 mlp-64x1 trained with seeds 1–3 \(test accuracy 1: [\d.]+%, 2: [\d.]+%, 3: [\d.]+%\), their logits averaged: [\d.]+%/);
    assert.match(choice!, new RegExp(`averaged: ${(result.teacher!.accuracy * 100).toFixed(2)}%`));

    // The saved teacher is one model whose logits are the members' mean, on the test images as anywhere.
    const ensemble = (await loadModelFolder(join(root, 'whole', 'teacher'))).model;
    const members = await Promise.all([1, 2, 3].map(async (s) => (await loadModelFolder(join(root, 'whole', `teacher-seed${s}`))).model));
    assert.equal(ensembleSize(ensemble), 3);
    const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 3);
    const mean = tf.div(tf.addN(members.map((m) => m.predict(x) as tf.Tensor)), 3);
    assert.ok(tf.max(tf.abs(tf.sub(ensemble.predict(x) as tf.Tensor, mean))).dataSync()[0]! < 1e-5);
    assert.ok(tf.max(tf.abs(tf.sub(members[0]!.predict(x) as tf.Tensor, members[1]!.predict(x) as tf.Tensor))).dataSync()[0]! > 1e-3, 'members that differ');
  });

  it("trains as its first teacher the one teacher a run without the ensemble trains, and distils from the average, not from it", async () => {
    const single = await run([...TINY, '--out', join(root, 'single')]);
    const firstDone = whole.all.find((e) => e.type === 'epoch' && e.phase === 'teacher' && e.epoch === 3 && !e.method);
    const singleDone = single.all.find((e) => e.type === 'epoch' && e.phase === 'teacher' && e.epoch === 3);
    assert.equal(firstDone?.type === 'epoch' && firstDone.testAccuracy, singleDone?.type === 'epoch' && singleDone.testAccuracy);
    assert.equal(whole.result.baseline!.accuracy, single.result.baseline!.accuracy, 'the student alone is the same');
    const studentLoss = (all: RunEvent[]) => all.find((e) => e.type === 'epoch' && e.phase === 'student')!;
    assert.notDeepEqual(studentLoss(whole.all), studentLoss(single.all), 'the distilled student learnt from other soft labels');
  });

  it('joins saved teachers with `distill ensemble`, an ensemble counting as one member, and a run distils from them', async () => {
    const joined = await runCli(['ensemble', join(root, 'whole'), join(root, 'single'), '--out', join(root, 'joined'), '--json']);
    assert.equal(joined.code, 0, joined.stderr);
    const saved = JSON.parse(joined.stdout) as { type: string; name: string; members: Array<{ name: string }> };
    assert.equal(saved.type, 'ensemble');
    assert.deepEqual(saved.members.map((m) => m.name), ['mlp-64x1 ×3', 'mlp-64x1']);
    const later = await run([...LATER, '--teacher', join(root, 'joined'), '--no-baseline', '--out', join(root, 'from-joined')]);
    assert.equal(later.result.teacher!.name, 'mlp-64x1 ×3 + mlp-64x1');
    const model = (await loadModelFolder(join(root, 'joined'))).model;
    assert.equal(ensembleSize(model), 2);
    const again = await runCli(['ensemble', join(root, 'whole'), join(root, 'single'), '--out', join(root, 'joined')]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /joined exists: the ensemble is written to a new folder\n$/);
  });

  it("joins runs' teachers in the service, as the app asks, naming runs and never a server path", async () => {
    const service = createDistillService({ runsDir: root, workDir: join(root, '.distill'), host: 'server', version: 'test', onEvent: () => {} });
    try {
      const view = await service.ensembleTeachers({ runIds: ['whole', 'single'] });
      assert.match(view.teacher, /^upload:[0-9a-f]{16}$/);
      assert.equal(view.name, 'mlp-64x1 ×3 + mlp-64x1');
      assert.equal(view.output, 'logits');
      // Its layers are its members': no tensors offered for feature pairs, which it refuses.
      assert.deepEqual(view.tensors ?? [], []);
      const refused = await service.ensembleTeachers({ runIds: ['whole', 'no-such-run'] }).then(() => '', (error: Error) => error.message);
      assert.match(refused, /^run no-such-run: its teacher cannot be read/);
      assert.ok(!refused.includes(root), refused);
      // The refused ensemble left nothing behind; the joined one stays.
      assert.equal((await readdir(join(root, '.distill', 'uploads'))).length, 1);
    } finally {
      await service.dispose();
    }
  });

  it('is a teacher a later run loads: KD from it, a student seeded from its first member, and methods that read layers refused', async () => {
    const later = await run([...LATER, '--teacher', join(root, 'whole'), '--init-from-teacher', '--out', join(root, 'later')]);
    assert.equal(later.result.teacher!.name, 'mlp-64x1 ×3');
    assert.equal(later.result.teacher!.accuracy, whole.result.teacher!.accuracy);
    const start = later.all.find((e) => e.type === 'phase' && e.phase === 'student' && e.status === 'start');
    assert.match(start?.type === 'phase' ? (start.detail ?? '') : '', /init from teacher: from the first of the ensemble's 3 teachers: weight selection: .*dense_1 ← teacher1_dense_1 \(16 of 64 units\)/);
    const refused = await runCli(['run', ...LATER, '--teacher', join(root, 'whole'), '--method', 'rkd', '--out', join(root, 'refused')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /is an ensemble of 3 teachers: the student learns the average of their logits, and rkd reads the teacher's layers: use --method kd, dkd or dist\n/);
    assert.equal(await stat(join(root, 'refused')).catch(() => null), null, 'nothing written');
    // A saved teacher is loaded as it is: an ensemble size asks for teachers it would not train.
    const more = await runCli(['run', ...LATER, '--teacher', join(root, 'whole'), '--ensemble', '2', '--out', join(root, 'more')]);
    assert.equal(more.code, 2);
    assert.match(more.stderr, /^distill: --ensemble changes nothing with a saved teacher: .* is loaded, not trained \(drop --ensemble\)$/m);
  });

  it('exports as ONNX (Mean) and TFLite (a sum scaled by 1/N), each scoring in its runtime what the run reported', async () => {
    const expected = `test accuracy ${(whole.result.teacher!.accuracy * 100).toFixed(2)}%)`;
    for (const format of ['onnx', 'tflite']) {
      const exported = await runCli(['export', join(root, 'whole'), '--role', 'teacher', '--format', format, '--out', join(root, `teacher-${format}`)]);
      assert.equal(exported.code, 0, exported.stderr);
      assert.ok(exported.stdout.trimEnd().endsWith(expected), `${format}: ${exported.stdout}`);
    }
  });

  it('refuses, before anything trains, a method or a study entry that reads the teacher\'s layers', async () => {
    const fitnet = await runCli(['run', ...TINY, '--ensemble', '2', '--method', 'fitnet', '--out', join(root, 'fitnet')]);
    assert.equal(fitnet.code, 2);
    assert.match(fitnet.stderr, /^distill: with --ensemble 2 the student learns the average of the teachers' logits, and fitnet reads the teacher's layers: use --method kd, dkd or dist, or --ensemble 1$/m);
    const study = await runCli(['study', ...TINY, '--ensemble', '2', '--methods', 'kd,sp', '--out', join(root, 'study')]);
    assert.equal(study.code, 2);
    assert.match(study.stderr, /with --ensemble 2 the student learns the average of the teachers' logits, and sp reads/);
  });

  it('resumes a run killed while its second teacher trains, and ends as the run that was not', async () => {
    const out = join(root, 'killed');
    const child = spawn(process.execPath, [DISTILL_BIN, 'run', ...TINY, '--ensemble', '3', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise((resolve) => child.on('close', resolve));
    // Once the second teacher's first epoch is checkpointed.
    const state = join(out, 'checkpoints', 'teacher-seed2', 'state.json');
    const checkpointed = async () => /"epoch":"?1/.test(await readFile(state, 'utf8').catch(() => ''));
    for (let i = 0; i < 3000 && !(/"method":"teacher#2"/.test(stdout) && (await checkpointed())); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    assert.ok(!/"type":"result"/.test(stdout), 'killed before it ended');
    const resumed = await runCli(['resume', out, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const all = events(resumed.stdout);
    assert.ok(all.some((e) => e.type === 'phase' && e.phase === 'teacher' && e.status === 'loaded' && !e.method), 'the first teacher is not trained again');
    assert.ok(all.some((e) => e.type === 'phase' && e.phase === 'teacher' && e.status === 'resumed' && e.method === 'teacher#2'), 'the second goes on from its checkpoint');
    const result = resultOf(resumed.stdout);
    assert.deepEqual(accuracies(result), accuracies(whole.result));
    assert.deepEqual(result.student!.confusion, whole.result.student!.confusion);
  });
});
