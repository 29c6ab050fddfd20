import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunResultSchema, TrainerProgressEventSchema } from '../../electron/contract/events';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { imageBatch } from '../../electron/engine/data/batches';
import { encodeIdx } from '../../electron/engine/data/idx';
import { loadDataset } from '../../electron/engine/data/load';
import { loadModelFolder } from '../../electron/engine/runs/model-io';
import { runCli } from '../helpers/cli';

const TINY = ['--teacher', 'mlp-64x1', '--student', 'mlp-16x1', '--teacher-epochs', '2', '--epochs', '2', '--teacher-jitter', '0', '--limit-train', '2000', '--limit-test', '500'];

describe('distill run --json', () => {
  it('prints JSON Lines only: progress events, then one result line', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cli-run-'));
    const { code, stdout, stderr } = await runCli(['run', ...TINY, '--json', '--out', out]);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    assert.ok(lines.some((line) => line.type === 'progress'));
    for (const line of lines.filter((l) => l.type === 'progress')) TrainerProgressEventSchema.parse(line);
    const result = RunResultSchema.parse(lines.at(-1));
    assert.equal(lines.filter((l) => l.type === 'result').length, 1);
    for (const role of ['teacher', 'student', 'baseline'] as const) {
      assert.ok(result[role]!.accuracy > 0.6, `${role} accuracy ${result[role]!.accuracy}`);
      assert.ok(result[role]!.params > 0 && result[role]!.bytes === result[role]!.params * 4);
    }
    assert.ok(Math.abs(result.kdGain! - (result.student!.accuracy - result.baseline!.accuracy)) < 1e-12);
    // The two students are one architecture: one latency, the faster of their two timings.
    assert.ok(result.student!.latencyMs > 0);
    assert.equal(result.student!.latencyMs, result.baseline!.latencyMs);
    assert.equal(result.outDir, out);
    assert.ok(['wasm', 'cpu', 'webgpu', 'tensorflow'].includes(result.backend.name));
  });

  it('takes a saved teacher by a bare folder name in the current folder, as it takes a path', async () => {
    const here = await mkdtemp(join(tmpdir(), 'cli-bare-'));
    const first = await runCli(['run', ...TINY, '--json', '--out', join(here, 'first')]);
    assert.equal(first.code, 0, first.stderr);
    await cp(join(here, 'first', 'teacher'), join(here, 'my-teacher'), { recursive: true });
    const again = await runCli(['run', '--teacher', 'my-teacher', '--student', 'mlp-16x1', '--epochs', '1', '--limit-train', '2000', '--limit-test', '500', '--no-baseline', '--json', '--out', join(here, 'again')], { cwd: here });
    assert.equal(again.code, 0, again.stderr);
    const teacherOf = (stdout: string) => RunResultSchema.parse(JSON.parse(stdout.trim().split('\n').at(-1)!)).teacher!.accuracy;
    assert.equal(teacherOf(again.stdout), teacherOf(first.stdout), 'the same teacher on the same test images');
    // A folder of that name that holds no model says what is wrong with it; a name that is neither is a model name.
    await mkdir(join(here, 'my-broken'));
    await writeFile(join(here, 'my-broken', 'model.json'), '{}');
    assert.match((await runCli(['run', '--teacher', 'my-broken'], { cwd: here })).stderr, /^distill: my-broken\/model\.json: not a TensorFlow\.js model/);
    assert.match((await runCli(['run', '--teacher', 'my-missing'], { cwd: here })).stderr, /^distill: unknown teacher model "my-missing", nor a saved model folder or an \.onnx file/);
  });

  it('without --json prints a comparison table; distill export writes its student in a catalogue format', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cli-run-'));
    const { code, stdout } = await runCli(['run', ...TINY, '--method', 'kd', '--backend', 'cpu', '--out', out]);
    assert.equal(code, 0);
    const dest = join(await mkdtemp(join(tmpdir(), 'cli-export-')), 'student');
    const exported = await runCli(['export', out, '--role', 'student', '--format', 'tfjs', '--out', dest]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /student exported as TensorFlow\.js LayersModel to .*student \(5 files, /);
    assert.deepEqual(await readFile(join(dest, 'weights.bin')), await readFile(join(out, 'student', 'weights.bin')));
    // Nothing saved before is overwritten; an unknown format is named.
    const again = await runCli(['export', out, '--out', dest]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists: export to a new name/);
    const badFormat = await runCli(['export', out, '--format', 'pickle', '--out', `${dest}-2`]);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format: expected tfjs\|tfjs-f16\|tfjs-u8\|onnx\|onnx-raw\|onnx-int8\|tflite\|tflite-f16\|tflite-dynamic\|tflite-int8\|tflite-uint8, got "pickle"/);
    assert.match(stdout, /teacher\s+mlp-64x1\s+50,890/);
    assert.match(stdout, /KD student\s+mlp-16x1/);
    assert.match(stdout, /student alone\s+mlp-16x1/);
    assert.match(stdout, /KD gain over the student alone: [+-]\d+\.\d\d points/);
    assert.match(stdout, /backend cpu/);
  });
});

describe('bad input: exit 2 and one clear line on stderr', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown flag, near a known one', ['run', '--temprature', '4'], /unknown option '--temprature' \(did you mean --temperature\?\)$/m],
    ['unknown flag, near none', ['run', '--frobnicate'], /unknown option '--frobnicate'$/m],
    ['unknown flag of another command', ['datasets', 'inspect', 'mnist', '--jsn'], /unknown option '--jsn' \(did you mean --json\?\)$/m],
    ['a model file without its flag', ['check-teacher', 'teacher.onnx'], /unexpected argument 'teacher\.onnx': this command takes flags only \(did you mean --teacher teacher\.onnx\?\)$/m],
    ['a folder without its flag', ['run', 'my-data'], /unexpected argument 'my-data': this command takes flags only \(did you mean --dataset my-data or --teacher my-data\?\)$/m],
    // The reverse: a bare folder given a flag; the nearest flag (--out) would mislead.
    ['a run folder given a flag', ['export', '--run', 'runs/x', '--out', 'y'], /unknown option '--run': this command takes its folders, files and names without a flag \(usage: distill export RUN_DIR \[--role .*--out PATH\)$/m],
    ['unknown model', ['run', '--student', 'resnet999'], /unknown student model "resnet999": the models are mlp-<width>x<depth>, lenet5, vgg11, .*resnet56, mobilenetv2/],
    ['temperature not a number', ['run', '--temperature', 'hot'], /--temperature: expected a number, got "hot"/],
    ['temperature zero', ['run', '--temperature', '0'], /invalid temperature 0/],
    ['alpha above 1', ['run', '--alpha', '1.5'], /invalid alpha 1.5/],
    ['negative temperature', ['run', '--temperature', '-1'], /invalid temperature -1/],
    ['negative learning rate', ['run', '--lr', '-.5'], /invalid lr -0.5/],
    ['sweep with --epochs', ['sweep', '--epochs', '3'], /sweep takes no --epochs: use --sweep-epochs/],
    ['unknown backend', ['run', '--backend', 'cuda'], /--backend: expected auto\|cpu\|wasm\|webgpu\|tensorflow, got "cuda"/],
    ['unavailable backend', ['bench', '--backend', 'tensorflow', '--steps', '1'], /backend tensorflow is not available/],
    ['missing dataset', ['run', '--dataset', '/no/such/data'], /dataset \/no\/such\/data: no such file or folder/],
    ['unknown command', ['train'], /unknown command "train"/],
    // A flag that would change nothing is refused, saying what it acts under.
    ['an option of a method not in use', ['run', '--dkd-beta', '2'], /--dkd-beta is read by DKD; this run trains with KD \(Hinton\) only: drop it, or use --method dkd$/m],
    ["KD's T for the student alone", ['run', '--method', 'baseline', '--temperature', '4'], /--temperature is read by KD \(Hinton\), FitNets, DKD and DIST; this run trains with Student alone only: drop it$/m],
    ['an option of a method a study leaves out', ['study', '--methods', 'kd,baseline', '--at-weight', '5'], /--at-weight is read by Attention transfer; this study trains with KD \(Hinton\) and Student alone only: drop it, or add at to --methods$/m],
    ['a DIST option in a sweep', ['sweep', '--dist-beta', '2'], /--dist-beta is read by DIST; this sweep trains with KD \(Hinton\) only: drop it$/m],
    // KD's T acts on a feature method only through the soft term --kd-weight adds to its loss.
    ["KD's T for CRD without its soft term", ['run', '--method', 'crd', '--temperature', '2'], /--temperature acts on CRD only through KD's soft term, which is off: add --kd-weight W \(1 is Tian et al.'s\), or drop --temperature$/m],
    ["a soft term's weight for KD itself", ['run', '--kd-weight', '1'], /--kd-weight is read by Attention transfer, NST, VID, ReviewKD, OFD, RKD, SP, PKT and CRD; this run trains with KD \(Hinton\) only: drop it$/m],
    // Only image folders are resized: IDX and CIFAR images keep their size.
    ['an image size for IDX images', ['run', '--image-size', '64'], /^distill: --image-size changes nothing for mnist: it is in IDX format, whose images keep their size; only Parquet \(Hugging Face\) or image folder datasets have their images resized \(drop --image-size\)$/m],
    ['an image size when inspecting IDX', ['datasets', 'inspect', 'mnist', '--image-size', '64'], /--image-size changes nothing for mnist: it is in IDX format/],
    ['a step milestone after the last epoch', ['run', '--schedule', 'step', '--milestones', '3,8', '--epochs', '5'], /^distill: --milestones 8: the rate is cut once that many epochs are done, and training ends after 8, so it would never be cut there; use numbers below 8$/m],
    ["weight selection's steps with no start from the teacher", ['run', '--selection-steps', '4'], /--selection-steps changes nothing without --init-from-teacher, or --sweep without --no-sweep-from-teacher: add one of them, or drop --selection-steps$/m],
    ["weight selection's steps in a study that starts no student from the teacher", ['study', '--methods', 'kd,baseline', '--selection-steps', '1'], /--selection-steps changes nothing in a study whose students all start at random: add an init\+ method to --methods \(init\+kd\), or --init-from-teacher, or drop --selection-steps$/m],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, async () => {
      const { code, stdout, stderr } = await runCli(args);
      assert.equal(code, 2, stderr);
      assert.match(stderr, pattern);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.equal(stdout, '');
    });
  }

  it('a truncated IDX file in a dataset folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bad-idx-'));
    const images = encodeIdx([2, 28, 28], new Uint8Array(2 * 784));
    await writeFile(join(dir, 'train-images-idx3-ubyte'), images.subarray(0, 500));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([2], Uint8Array.from([0, 1])));
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), images);
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([2], Uint8Array.from([0, 1])));
    for (const args of [['datasets', 'inspect', dir], ['run', '--dataset', dir]]) {
      const { code, stderr } = await runCli(args);
      assert.equal(code, 2);
      assert.match(stderr, /train-images-idx3-ubyte: truncated IDX file: 2×28×28 needs 1568 data bytes, found 484/);
    }
  });

  it('a file given as the runs folder', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'runs-file-')), 'runs.txt');
    await writeFile(file, 'not a folder');
    for (const args of [['runs', '--runs-dir', file], ['serve', '--port', '0', '--runs-dir', file]]) {
      const { code, stdout, stderr } = await runCli(args);
      assert.equal(code, 2, stderr);
      assert.equal(stderr, `distill: ${file}: not a folder (the runs folder holds one folder per run)\n`);
      assert.equal(stdout, '');
    }
    // A run says which part of its path is in the way, and the file is left as it was.
    const run = await runCli(['run', ...TINY, '--runs-dir', join(file, 'inside')]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^distill: cannot write the run folder .*runs\.txt\/inside\/[\w-]+: a part of the path is a file, not a folder \(ENOTDIR\)\n$/);
    assert.equal(await readFile(file, 'utf8'), 'not a folder');
  });
});

describe('distill show', () => {
  it('shows a finished run again as it ended, as text or its JSON result line; an unfinished one says why not, and how to go on', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'cli-show-')), 'run');
    const run = await runCli(['run', ...TINY, '--no-baseline', '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    const shown = await runCli(['show', out]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /KD student\s+mlp-16x1/);
    // Then the commands that train it again (tests/e2e/run-again.test.ts runs them).
    const [asEnded, again] = shown.stdout.split('\n\nto train it again:\n');
    assert.equal(asEnded!.trim(), run.stdout.trim(), 'the same table and advice as the run printed');
    assert.match(again!, /^ {2}distill run --preset quick .*--no-baseline/);
    const json = await runCli(['show', out, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(RunResultSchema.parse(JSON.parse(json.stdout)), RunResultSchema.parse(JSON.parse(await readFile(join(out, 'result.json'), 'utf8'))));
    // Not finished: one line naming the status and the way on; nothing written.
    await writeFile(join(out, 'status.json'), JSON.stringify({ status: 'cancelled', error: 'run cancelled', updatedAt: new Date().toISOString() }));
    await rm(join(out, 'result.json'));
    const cancelled = await runCli(['show', out]);
    assert.equal(cancelled.code, 2);
    assert.equal(cancelled.stderr, `distill: run run has not completed (cancelled: run cancelled), so it has no results to show: \`distill resume ${out}\` goes on with it\n`);
    const missing = await runCli(['show', tmpdir()]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /: not a run folder \(no readable config\.json and status\.json\)$/m);
  });
});

describe('distill predict', () => {
  it("tries a person's own images on a run's three models, prepared as the training images were", async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'cli-predict-')), 'run');
    const run = await runCli(['run', ...TINY, '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    const mnist = await loadDataset('mnist');
    const digit = mnist.test.images.subarray(0, 784);
    const asItIs = join(out, '..', 'seven.png');
    await sharp(Buffer.from(digit), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(asItIs);
    // The same digit drawn in black on white paper, five times larger, with margins.
    const drawn = join(out, '..', 'seven-drawn.jpg');
    await sharp(Buffer.from(Uint8Array.from(digit, (v) => 255 - v)), { raw: { width: 28, height: 28, channels: 1 } }).resize(140, 140)
      .extend({ top: 30, bottom: 30, left: 60, right: 60, background: '#ffffff' }).jpeg().toFile(drawn);
    const json = await runCli(['predict', out, asItIs, drawn, '--json']);
    assert.equal(json.code, 0, json.stderr);
    type Line = { image: string; inverted: boolean; predictions: Record<string, Array<{ class: string; probability: number }>> };
    const [plain, paper] = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Line) as [Line, Line];
    assert.deepEqual([plain.image, plain.inverted, paper.image, paper.inverted], [asItIs, false, drawn, true]);
    // Test image 0 as a file gives what the teacher gives test image 0 in training's own batches.
    const teacher = (await loadModelFolder(join(out, 'teacher'))).model;
    const { x, labels } = imageBatch(mnist.test, mnist.shape, [0], 0, 1);
    const probabilities = tf.tidy(() => tf.softmax(teacher.predict(x) as tf.Tensor).dataSync());
    tf.dispose([x, labels]);
    teacher.dispose();
    for (const { class: name, probability } of plain.predictions.teacher!) assert.ok(Math.abs(probability - probabilities[Number(name)]!) < 1e-5, `class ${name}: ${probability} against ${probabilities[Number(name)]}`);
    for (const role of ['teacher', 'student', 'baseline']) {
      assert.equal(plain.predictions[role]!.length, 3);
      assert.equal(paper.predictions[role]![0]!.class, plain.predictions[role]![0]!.class, `${role}: the drawing is not read as the same digit`);
    }
    const text = await runCli(['predict', out, drawn]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /seven-drawn\.jpg \(inverted: its background is the opposite of the dataset’s images’\)\n {2}teacher {8}\d \d+\.\d% · \d \d+\.\d% · \d \d+\.\d%\n {2}KD student {5}\d/);
    assert.match(text.stdout, /\n {2}student alone {2}\d \d+\.\d%/);
    // A study: its best distilled student by default, or the one asked for; a run has one student.
    const study = join(out, '..', 'study');
    assert.equal((await runCli(['study', '--methods', 'kd,dist,baseline', ...TINY, '--out', study])).code, 0);
    const best = (JSON.parse(await readFile(join(study, 'study.json'), 'utf8')) as { rows: Array<{ method: string; accuracy: number }> }).rows
      .filter((row) => row.method !== 'baseline').sort((a, b) => b.accuracy - a.accuracy)[0]!.method;
    assert.match((await runCli(['predict', study, drawn])).stdout, new RegExp(`\\n {2}${best === 'kd' ? 'KD' : 'DIST'} student {3}\\d`));
    assert.match((await runCli(['predict', study, drawn, '--method', 'dist'])).stdout, /\n {2}DIST student {3}\d/);
    assert.match((await runCli(['predict', study, drawn, '--method', 'dkd'])).stderr, /study study has no "dkd" student \(its methods: kd, dist\)/);
    assert.match((await runCli(['predict', out, drawn, '--method', 'kd'])).stderr, /run run is not a study: it has one student \(leave out --method\)/);
    // MNIST's images are greyscale, cropped to what they show: there is no window to move.
    assert.match((await runCli(['predict', out, drawn, '--crop-at', '0'])).stderr, /^distill: --crop-at changes nothing for mnist: its images are greyscale, and yours are cropped to what they show \(drop --crop-at\)\n$/);
    assert.match((await runCli(['predict', out, drawn, '--crop-at', '2'])).stderr, /^distill: --crop-at: 2 is not between 0 \(left or top\) and 1 \(right or bottom\)\n$/);
    // A file that is not an image: one line naming it, exit 2.
    await writeFile(join(out, '..', 'notes.png'), 'not an image');
    const bad = await runCli(['predict', out, join(out, '..', 'notes.png')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^distill: .*notes\.png: not a readable image \(.+\)\n$/);
  });
});

describe('distill predict on a colour dataset', () => {
  it('cuts a wide photo to the frame where --crop-at says: its red left end, its blue right end', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cli-predict-colour-'));
    for (const [name, rgb] of [['red', [230, 20, 20]], ['blue', [20, 20, 230]]] as const) {
      await mkdir(join(root, 'colours', name), { recursive: true });
      for (let i = 0; i < 30; i++) await sharp({ create: { width: 10, height: 10, channels: 3, background: { r: rgb[0] - i, g: rgb[1] + i, b: rgb[2] - i } } }).png().toFile(join(root, 'colours', name, `${i}.png`));
    }
    const out = join(root, 'run');
    const run = await runCli(['run', '--dataset', join(root, 'colours'), '--image-size', '8', '--teacher', 'mlp-32x1', '--student', 'mlp-8x1', '--teacher-epochs', '3', '--epochs', '3', '--teacher-jitter', '0', '--batch-size', '8', '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    // Red on the left, grey in the middle, blue on the right.
    const wide = join(root, 'wide.png');
    const rgb = new Uint8Array(60 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 60; x++) rgb.set(x < 20 ? [230, 20, 20] : x < 40 ? [128, 128, 128] : [20, 20, 230], (y * 60 + x) * 3);
    await sharp(Buffer.from(rgb), { raw: { width: 60, height: 20, channels: 3 } }).png().toFile(wide);
    type Line = { cut: string | null; predictions: Record<string, Array<{ class: string }>> };
    const at = async (cropAt: string) => {
      const result = await runCli(['predict', out, wide, '--crop-at', cropAt, '--json']);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as Line;
    };
    const [left, right] = [await at('0'), await at('1')];
    assert.deepEqual([left.cut, right.cut], ['width', 'width']);
    assert.deepEqual([left.predictions.teacher![0]!.class, right.predictions.teacher![0]!.class], ['red', 'blue']);
    const text = await runCli(['predict', out, wide]);
    assert.match(text.stdout, /wide\.png \(its width cut to fill the dataset’s frame, the window at 0\.5: --crop-at 0 to 1 moves it\)\n/);
  });
});

describe('distill compare', () => {
  it('puts finished runs side by side: only the settings that differ, then what each came to, as the app compares them', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cli-compare-'));
    for (const t of ['2', '4']) {
      const run = await runCli(['run', ...TINY, '--temperature', t, '--json', '--out', join(root, `t${t}`)]);
      assert.equal(run.code, 0, run.stderr);
    }
    const results = await Promise.all(['t2', 't4'].map(async (id) => RunResultSchema.parse(JSON.parse(await readFile(join(root, id, 'result.json'), 'utf8')))));
    const text = await runCli(['compare', join(root, 't2'), join(root, 't4')]);
    assert.equal(text.code, 0, text.stderr);
    const rows = text.stdout.split('\n');
    assert.match(rows[0]!, /^\s+t2\s+t4$/);
    assert.match(text.stdout, /^KD \(Hinton\): temperature T\s+2\s+4$/m);
    assert.doesNotMatch(text.stdout, /^student epochs/m, 'a setting both runs share is not a row');
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    assert.match(text.stdout, new RegExp(`^distilled student\\s+${pct(results[0]!.student!.accuracy)}\\s+${pct(results[1]!.student!.accuracy)}$`, 'm'));
    assert.match(text.stdout, /^gain over the student alone \(points\)\s+[+-]\d+\.\d\d\s+[+-]\d+\.\d\d$/m);
    const json = await runCli(['compare', join(root, 't2'), join(root, 't4'), '--json']);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { runs: string[]; settings: Array<{ key: string; values: string[] }>; results: Array<{ key: string; values: string[] }> };
    assert.deepEqual(parsed.runs, ['t2', 't4']);
    assert.deepEqual(parsed.settings.map((row) => [row.key, row.values]), [['kd.temperature', ['2', '4']]]);
    assert.deepEqual(parsed.results.find((row) => row.key === 'alone')?.values, results.map((r) => pct(r.baseline!.accuracy)));
    // One run, or one that has not finished: one line each, exit 2.
    const one = await runCli(['compare', join(root, 't2')]);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /^distill: compare needs two runs or more: distill compare RUN_DIR RUN_DIR… \[--json\]\n$/);
    await writeFile(join(root, 't4', 'status.json'), JSON.stringify({ status: 'failed', error: 'x', updatedAt: new Date().toISOString() }));
    const failed = await runCli(['compare', join(root, 't2'), join(root, 't4')]);
    assert.equal(failed.code, 2);
    assert.equal(failed.stderr, 'distill: run t4 has not completed (failed): only completed runs are compared\n');
  });
});

describe('a dataset other than MNIST with no --preset', () => {
  it('says once, before training, that quick was tuned on MNIST and what auto would do; not with --preset or --json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'own-idx-'));
    // 300 noise images in 10 classes: enough for one tiny epoch, not for accuracy.
    const pixels = Uint8Array.from({ length: 300 * 784 }, (_, i) => (i * 7919) % 256);
    const labels = Uint8Array.from({ length: 300 }, (_, i) => i % 10);
    await writeFile(join(dir, 'train-images-idx3-ubyte'), encodeIdx([300, 28, 28], pixels));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([300], labels));
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), encodeIdx([300, 28, 28], pixels));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([300], labels));
    const tiny = ['run', '--dataset', dir, '--teacher', 'mlp-16x1', '--student', 'mlp-8x1', '--teacher-epochs', '1', '--epochs', '1', '--no-baseline', '--backend', 'cpu'];
    const note = /^note: with no --preset this run takes quick, which was tuned on MNIST; auto makes its choices on a validation split of your data \(~15 min[^)]*\)+: add --preset auto for this dataset$/m;
    const plain = await runCli([...tiny, '--out', join(dir, 'plain')]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, note);
    assert.ok(plain.stderr.indexOf('note:') < plain.stderr.indexOf('teacher mlp-16x1: training'), 'the note comes before the training');
    const named = await runCli([...tiny, '--preset', 'quick', '--out', join(dir, 'named')]);
    assert.equal(named.code, 0, named.stderr);
    assert.doesNotMatch(named.stderr, /note:/);
    const json = await runCli([...tiny, '--json', '--out', join(dir, 'json')]);
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stderr + json.stdout, /note:/);
  });
});

describe('help and version', () => {
  it('COMMAND --help prints that command\'s usage and exits 0, with the flags\' reference where it takes them; --version the package\'s', async () => {
    const run = await runCli(['run', '--teacher', 'mlp-800x2', '--help']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^distill run \[--preset /);
    assert.match(run.stdout, /Run settings[^\n]*\n {2}Data:\n {4}--dataset /);
    assert.equal(run.stderr, '');
    const models = await runCli(['models', '-h']);
    assert.equal(models.code, 0);
    assert.equal(models.stdout, 'distill models [NAME…] [--shape HxWxC] [--classes K] [--json]\n');
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout, `distill ${pkg.version}\n`);
  });
});

describe('distill datasets inspect and bench', () => {
  it('models describes the names given, and aligns the families as text', async () => {
    const json = await runCli(['models', 'resnet20@0.25', 'mlp-100x2', '--shape', '32x32x3', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const rows = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { name: string; params: number; macs: number });
    assert.deepEqual(rows.map((r) => r.name), ['resnet20@0.25', 'mlp-100x2']);
    assert.equal(rows[1]!.params, 3072 * 100 + 100 + 100 * 100 + 100 + 100 * 10 + 10);
    const text = await runCli(['models']);
    const lines = text.stdout.split('\n');
    const familyAt = lines[0]!.indexOf('family');
    assert.ok(lines.slice(2).filter(Boolean).every((line) => /^\S/.test(line.slice(familyAt)) && line[familyAt - 1] === ' '), 'every family starts under its header');
    assert.match(text.stdout, /mlp-30x2 +24,790 +99\.2 kB +24\.7k +fully connected/);
    const unknown = await runCli(['models', 'nosuchnet']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown model "nosuchnet"/);
  });

  it('inspect --json describes the bundled MNIST', async () => {
    const { code, stdout } = await runCli(['datasets', 'inspect', 'mnist', '--json']);
    assert.equal(code, 0);
    const summary = JSON.parse(stdout);
    assert.equal(summary.format, 'idx');
    assert.equal(summary.classes, 10);
    assert.deepEqual(summary.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual([summary.train, summary.test, summary.shape], [60000, 10000, [28, 28, 1]]);
  });

  it("a FER2013-style CSV: inspect shows its own validation split, and a run with a validation split chooses on it", async () => {
    // emotion,pixels,Usage: 8×8 images whose brightness says the class, 60 Training, 20 PublicTest, 20 PrivateTest rows.
    const usage = (r: number) => (r < 60 ? 'Training' : r < 80 ? 'PublicTest' : 'PrivateTest');
    const rows = Array.from({ length: 100 }, (_, r) => `${r % 3},"${Array.from({ length: 64 }, (_, p) => ((r % 3) * 100 + ((r + p) % 40)).toString()).join(' ')}",${usage(r)}`);
    const dir = await mkdtemp(join(tmpdir(), 'fer-'));
    await writeFile(join(dir, 'fer2013.csv'), ['emotion,pixels,Usage', ...rows].join('\n') + '\n');
    const inspect = await runCli(['datasets', 'inspect', dir]);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, /train 60 · validation 20 \(the dataset's own: a run with a validation split chooses on it\) · test 20/);
    assert.match(inspect.stdout, /class +train +validation +test/);
    const flags = ['--dataset', dir, '--teacher', 'mlp-16x1', '--student', 'mlp-8x1', '--teacher-epochs', '2', '--epochs', '1', '--no-baseline', '--backend', 'cpu', '--json'];
    const run = await runCli(['run', ...flags, '--validation-split', '0.1', '--out', join(dir, 'with')]);
    assert.equal(run.code, 0, run.stderr);
    const result = RunResultSchema.parse(JSON.parse(run.stdout.trim().split('\n').at(-1)!));
    assert.match(result.choices!.join('\n'), /^the dataset's own validation split, 20 images, every choice below is made on them/m);
    const epochs = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; phase?: string; valAccuracy?: number });
    assert.ok(epochs.filter((e) => e.type === 'epoch').every((e) => e.valAccuracy !== undefined), 'every epoch scored on it');
    // Without a validation split the run trains on the 60 training rows and holds nothing out.
    const plain = await runCli(['run', ...flags, '--out', join(dir, 'without')]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(RunResultSchema.parse(JSON.parse(plain.stdout.trim().split('\n').at(-1)!)).choices?.some((c) => /validation split/.test(c)) ?? false, false);
  });

  it('bench --json prints one line per model', async () => {
    const { code, stdout, stderr } = await runCli(['bench', '--model', 'mlp-30x2,mlp-8x1', '--batch-size', '16', '--steps', '2', '--backend', 'cpu', '--json']);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.model, l.backend, l.batchSize]), [['mlp-30x2', 'cpu', 16], ['mlp-8x1', 'cpu', 16]]);
    for (const line of lines) assert.ok(line.imgPerSec > 0);
  });

  it("bench --stock-kernels and --profile on wasm, with batch norm and ReLU6 (tfjs's own kernels put back)", async () => {
    const args = ['bench', '--model', 'resnet20@0.25,mobilenetv2@0.25', '--shape', '16x16x3', '--batch-size', '2', '--steps', '1', '--backend', 'wasm', '--json'];
    const stock = await runCli([...args, '--stock-kernels']);
    assert.equal(stock.code, 0, stock.stderr);
    const lines = stock.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.model, l.kernels]), [['resnet20@0.25', 'stock'], ['mobilenetv2@0.25', 'stock']]);
    for (const line of lines) assert.ok(line.imgPerSec > 0 && line.hostMsPerStep > 0);
    const profiled = await runCli([...args, '--profile']);
    assert.equal(profiled.code, 0, profiled.stderr);
    for (const line of profiled.stdout.trim().split('\n').map((l) => JSON.parse(l))) {
      assert.ok(line.kernelsPerStep > 100 && line.kernelMs > 0, JSON.stringify(line).slice(0, 200));
      assert.equal(line.rows.reduce((sum: number, row: { calls: number }) => sum + row.calls, 0), line.kernelsPerStep);
      assert.ok(line.rows.some((row: { kernel: string }) => row.kernel === 'Conv2DBackpropFilter'));
    }
  });
});
