import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RunResultSchema } from '../../electron/contract/events';
import { presetConfig } from '../../electron/contract/catalogue';
import { probeBackends } from '../../electron/engine/backend/select';
import { imageBatch } from '../../electron/engine/data/batches';
import { loadDataset } from '../../electron/engine/data/load';
import { getMethod } from '../../electron/engine/methods/registry';
import { externalTeacherLogits, fitExternalTeacher, openExternalTeacher } from '../../electron/engine/runs/external-teacher';
import { importedTeacherSource } from '../../electron/engine/runs/imported-teacher-source';
import { checkMethodsFit } from '../../electron/engine/runs/phases';
import type { ModelCard } from '../../electron/engine/export/model-card';
import { runCli } from '../helpers/cli';
import { pythonModulesMissing, SYSTEM_PYTHON, tempDir } from '../helpers/fixtures';

const PYTHON = SYSTEM_PYTHON;
const SCRIPT = fileURLToPath(new URL('../fixtures/torch/train_teacher.py', import.meta.url));
const RESIDUAL_SCRIPT = fileURLToPath(new URL('../fixtures/torch/residual_teacher.py', import.meta.url));
const MNIST = fileURLToPath(new URL('../../resources/datasets/mnist', import.meta.url));

const missing = pythonModulesMissing(['torch', 'onnx'], 'python3-torch python3-onnx');
if (missing) console.log(`# PyTorch teacher test skipped: ${missing}`);

describe('a PyTorch teacher exported with torch.onnx.export', { skip: missing ?? false }, () => {
  let root: string;
  let torchAccuracy: number;
  before(async () => {
    root = await tempDir('torch-teacher-');
    // NCHW input, a softmax at the end, trained here on 10,000 MNIST images.
    torchAccuracy = Number(execFileSync(PYTHON, [SCRIPT, MNIST, join(root, 'teacher.onnx'), '10000', join(root, 'teacher-255.onnx'), root], { encoding: 'utf8', timeout: 300_000 }).trim().split('\n').at(-1));
    assert.ok(torchAccuracy > 0.9, `PyTorch teacher: ${torchAccuracy}`);
  });

  it('distils into a student that beats the same student alone, and exports it as ONNX and tfjs-u8', async () => {
    const { code, stdout, stderr } = await runCli(['run', '--teacher', join(root, 'teacher.onnx'), '--out', join(root, 'run'), '--json'], { timeoutMs: 300_000 });
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; phase?: string; status?: string; detail?: string });
    const loaded = lines.find((l) => l.type === 'phase' && l.phase === 'teacher' && l.status === 'loaded')!;
    assert.match(loaded.detail!, /ONNX, run by onnxruntime-node \(cpu\), NCHW input/);
    assert.match(loaded.detail!, /it outputs probabilities \(a softmax at the end\): their logarithms are used as logits/);
    const result = RunResultSchema.parse(lines.at(-1));
    // The same model on the same images: the teacher scores here what it scored in PyTorch.
    assert.ok(Math.abs(result.teacher!.accuracy - torchAccuracy) <= 0.001, `${result.teacher!.accuracy} here, ${torchAccuracy} in PyTorch`);
    assert.ok(result.kdGain! > 0, `KD ${result.student!.accuracy} vs alone ${result.baseline!.accuracy}`);
    for (const format of ['onnx', 'tfjs-u8']) {
      const exported = await runCli(['export', join(root, 'run'), '--format', format, '--out', join(root, format)]);
      assert.equal(exported.code, 0, exported.stderr);
      const card = JSON.parse(await readFile(join(root, format, 'model-card.json'), 'utf8')) as ModelCard;
      assert.ok(Math.abs(card.accuracy.exported! - result.student!.accuracy) <= 0.005, `${format}: ${card.accuracy.exported} vs ${result.student!.accuracy}`);
      assert.equal(card.training?.teacher, 'teacher.onnx');
    }
  });

  it("takes a teacher's own input range when declared; undeclared, it stops at chance and says what it assumed", async () => {
    const base = ['run', '--teacher', join(root, 'teacher-255.onnx'), '--epochs', '1', '--limit-train', '1000', '--no-baseline', '--json'];
    const undeclared = await runCli([...base, '--out', join(root, 'r255-a')]);
    assert.equal(undeclared.code, 2, undeclared.stderr);
    assert.match(undeclared.stderr, /no better than chance .* \(declare it with --teacher-input-range, --teacher-normalization and --teacher-mean-std; .*\)\. Assumed: .*pixels \/ 255/);
    const declared = await runCli([...base, '--teacher-input-range', '0-255', '--out', join(root, 'r255-b')]);
    assert.equal(declared.code, 0, declared.stderr);
    const result = RunResultSchema.parse(JSON.parse(declared.stdout.trim().split('\n').at(-1)!));
    assert.ok(Math.abs(result.teacher!.accuracy - torchAccuracy) <= 0.001, `${result.teacher!.accuracy} vs ${torchAccuracy}`);
    assert.match(declared.stdout, /fed pixels 0–255/);
    const config = JSON.parse(await readFile(join(root, 'r255-b', 'config.json'), 'utf8'));
    assert.equal(config.teacherInputRange, '0-255', 'the declaration is stored in the run');
    const imagenet = await runCli([...base, '--teacher-normalization', 'imagenet', '--out', join(root, 'r255-c')]);
    assert.equal(imagenet.code, 2);
    assert.match(imagenet.stderr, /--teacher-normalization imagenet needs colour images; this dataset has 1 channel/);
  });

  it('is checked before distilling: classes matched by a labels.txt, a custom mean/std, a resize to its own input', async () => {
    const check = async (args: string[]) => {
      const { code, stdout, stderr } = await runCli(['check-teacher', '--images', '2000', '--json', ...args]);
      return { code, stderr, report: code === 0 || stdout.trim() ? (JSON.parse(stdout.trim().split('\n').at(-1)!) as { accuracy: number; mappingText: string; fed: string; mapping: { columns: number[] }; samples: Array<{ label: number; predicted: number }>; stages: unknown }) : null };
    };
    const plain = await check(['--teacher', join(root, 'teacher.onnx')]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(plain.report!.accuracy > 0.85, `${plain.report!.accuracy}`);
    assert.ok(plain.report!.samples.length >= 10 && plain.report!.samples.every((s) => s.predicted >= 0 && s.predicted < 10));
    // Where FitNets and attention transfer read it when no pairs are named: its two ReLU maps (28 and 14 px) and the vector its classifier reads.
    assert.deepEqual(plain.report!.stages, {
      maps: [{ name: '/0/0.1/Relu_output_0', shape: [28, 28, 16] }, { name: '/0/0.4/Relu_output_0', shape: [14, 14, 32] }],
      vectors: [{ name: '/0/0.8/Relu_output_0', shape: [128] }],
    });
    // Real exporters' graphs: a residual network's stages are the ReLUs after each stage's last sum; SiLU and
    // hard swish (exported as x·sigmoid(x)) are stages, a squeeze-and-excitation gate is not. Untrained: at chance, so exit 2.
    execFileSync(PYTHON, [RESIDUAL_SCRIPT, join(root, 'resnet.onnx'), join(root, 'silu.onnx'), root], { timeout: 120_000 });
    const stagesOf = async (file: string) => {
      const { code, report } = await check(['--teacher', join(root, file)]);
      assert.equal(code, 2);
      return report!.stages as { maps: Array<{ name: string; shape: number[] }> };
    };
    assert.deepEqual((await stagesOf('resnet.onnx')).maps, [
      { name: '/l1/l1.1/Relu_1_output_0', shape: [28, 28, 16] },
      { name: '/l2/l2.1/Relu_1_output_0', shape: [14, 14, 32] },
      { name: '/l3/l3.1/Relu_1_output_0', shape: [7, 7, 64] },
    ]);
    assert.deepEqual((await stagesOf('silu.onnx')).maps.map((m) => m.name), ['/1/Mul_output_0', '/4/Mul_output_0']);
    // ConvNeXt: its stages are the sums that close its blocks (no activation follows them), read as NCHW, not the channels-last maps inside.
    assert.deepEqual((await stagesOf('convnext.onnx')).maps, [
      { name: '/b1/Add_output_0', shape: [14, 14, 16] },
      { name: '/b2/Add_output_0', shape: [7, 7, 32] },
    ]);
    // A channels-last map inside a block (its GELU, exported through Erf) is read as PyTorch laid it out.
    const probe = JSON.parse(await readFile(join(root, 'convnext-probe.json'), 'utf8')) as { shape: number[]; values: number[] };
    const convnext = await openExternalTeacher(join(root, 'convnext.onnx'));
    try {
      assert.deepEqual(convnext.tensors.list.filter((t) => t.op === 'Gelu').map((t) => [t.name, t.channelsLast]), [['/b1/act/Mul_1_output_0', true], ['/b2/act/Mul_1_output_0', true]]);
      const image = tf.tensor4d(Float32Array.from({ length: 28 * 28 }, (_, i) => Math.sin(Math.fround(i) * Math.fround(0.1))), [1, 28, 28, 1]);
      const { features } = await convnext.runWithFeatures(image, ['/b1/act/Mul_1_output_0']);
      image.dispose();
      assert.deepEqual(features[0]!.shape, probe.shape.slice(1));
      const worst = Math.max(...probe.values.map((v, i) => Math.abs(v - features[0]!.data[i]!)));
      assert.ok(worst < 1e-4, `the GELU map differs from PyTorch's by up to ${worst}`);
    } finally {
      await convnext.release();
    }
    // A vision transformer has no map to pair: the check says so, and which methods it serves.
    const vit = await runCli(['check-teacher', '--images', '200', '--teacher', join(root, 'vit.onnx')]);
    assert.match(vit.stdout, /^stages FitNets and attention transfer pair by shape: none: its hidden tensors are token sequences \(such as \/blocks\/layers\.1\/Add_2_output_0 \(17×32\): tokens × width, a transformer's\)/m);
    const words = await runCli(['check-teacher', '--images', '200', '--teacher', join(root, 'teacher.onnx')]);
    assert.match(words.stdout, /^stages FitNets and attention transfer pair by shape: \/0\/0\.1\/Relu_output_0 \(28×28×16\), \/0\/0\.4\/Relu_output_0 \(14×14×32\), \/0\/0\.8\/Relu_output_0 \(128\)$/m);
    // Its outputs in another order, named in labels.txt: matched by name, the same accuracy.
    const permuted = await check(['--teacher', join(root, 'permuted', 'teacher.onnx')]);
    assert.equal(permuted.code, 0, permuted.stderr);
    assert.equal(permuted.report!.accuracy, plain.report!.accuracy);
    assert.match(permuted.report!.mappingText, /matched by name/);
    assert.deepEqual(permuted.report!.mapping.columns, [2, 4, 7, 0, 9, 5, 8, 1, 6, 3]);
    // The same file without its labels.txt: at chance, exit 2, and the message says what to do.
    await mkdir(join(root, 'unnamed'));
    await copyFile(join(root, 'permuted', 'teacher.onnx'), join(root, 'unnamed', 'teacher.onnx'));
    const unnamed = await check(['--teacher', join(root, 'unnamed', 'teacher.onnx')]);
    assert.equal(unnamed.code, 2);
    assert.match(unnamed.stderr, /no better than chance .*labels\.txt/);
    // Trained on (x − 0.1307) / 0.3081: exact when declared.
    const normalised = await check(['--teacher', join(root, 'normalised.onnx'), '--teacher-normalization', 'custom', '--teacher-mean-std', '0.1307/0.3081']);
    assert.equal(normalised.code, 0, normalised.stderr);
    assert.ok(Math.abs(normalised.report!.accuracy - plain.report!.accuracy) <= 0.001, `${normalised.report!.accuracy}`);
    // Takes 32×32 colour: refused without --teacher-resize, close to the original with it.
    const unsized = await check(['--teacher', join(root, 'colour32.onnx')]);
    assert.equal(unsized.code, 2);
    assert.match(unsized.stderr, /the teacher takes 32×32×3 images and the dataset's are 28×28×1 .*--teacher-resize/);
    const resized = await check(['--teacher', join(root, 'colour32.onnx'), '--teacher-resize']);
    assert.equal(resized.code, 0, resized.stderr);
    assert.match(resized.report!.fed, /resized 28×28×1 → 32×32×3/);
    assert.ok(resized.report!.accuracy > plain.report!.accuracy - 0.02, `${resized.report!.accuracy} resized vs ${plain.report!.accuracy}`);
    // A run with the permuted teacher distils from it as from the original.
    const run = await runCli(['run', '--teacher', join(root, 'permuted', 'teacher.onnx'), '--epochs', '1', '--limit-train', '1000', '--no-baseline', '--json', '--out', join(root, 'perm-run')]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Math.abs(RunResultSchema.parse(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).teacher!.accuracy - torchAccuracy) <= 0.001);
  });

  it("runs on onnxruntime's WebGPU provider when the run computes on WebGPU, with the CPU provider's accuracy", async (t) => {
    const probe = (await probeBackends()).webgpu;
    if (!probe.ok) {
      t.skip(`no WebGPU adapter here (${probe.reason})`);
      return;
    }
    const outcome = async (backend: string) => {
      const { code, stdout, stderr } = await runCli(['check-teacher', '--teacher', join(root, 'teacher.onnx'), '--backend', backend, '--images', '500', '--json']);
      assert.equal(code, 0, stderr);
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as { runtime: string; accuracy: number };
    };
    const [gpu, cpu] = [await outcome('webgpu'), await outcome('wasm')];
    assert.match(gpu.runtime, /onnxruntime-node \(webgpu\)/);
    assert.match(cpu.runtime, /onnxruntime-node \(cpu\)/);
    assert.ok(Math.abs(gpu.accuracy - cpu.accuracy) <= 0.002, `webgpu ${gpu.accuracy} vs cpu ${cpu.accuracy}`);
  });

  it('teaches FitNets, attention transfer, NST, VID, ReviewKD, RKD, SP, PKT and CRD from its inner tensors, named as its graph names them', async () => {
    const base = ['--limit-train', '2000', '--limit-test', '500', '--backend', 'wasm', '--json'];
    // The PyTorch teacher and 2 epochs unless a case names its own.
    const defaults = (flags: string[]) => [...(flags.includes('--teacher') ? [] : ['--teacher', join(root, 'teacher.onnx')]), ...(flags.includes('--epochs') ? [] : ['--epochs', '2'])];
    const cases: Array<[string, string[], RegExp]> = [
      // The 128 units its classifier reads, hinted into the student's first hidden layer (3 epochs: KD's α ramps up over the first after the hints).
      ['fitnet', ['--student', 'mlp-64x2', '--feature-pairs', 'dense_1:/0/0.8/Relu_output_0', '--hint-epochs', '1', '--epochs', '3'], /hints dense_1 \(64\) ← \/0\/0\.8\/Relu_output_0 \(128\) for 1 epoch, then KD \(T = 4, α = 0\.5, warm-up 1 epoch\)/],
      // Its first convolution's maps (NCHW in the graph), channels last beside the student's.
      ['at', ['--student', 'lenet5@0.5', '--feature-pairs', 'conv_1:/0/0.1/Relu_output_0'], /attention maps conv_1 \(28×28×3\) ← \/0\/0\.1\/Relu_output_0 \(28×28×16\)/],
      // The same map in full (not kept as its attention), its 16 channels against the student's 3.
      ['nst', ['--student', 'lenet5@0.5', '--feature-pairs', 'conv_1:/0/0.1/Relu_output_0'], /channel patterns conv_1 \(28×28×3\) ← \/0\/0\.1\/Relu_output_0 \(28×28×16\), weight 50/],
      // The embedding, found as the tensor its last Gemm reads.
      ['rkd', ['--student', 'mlp-64x2'], /distances and angles between embeddings dense_2 \(64\) ← \/0\/0\.8\/Relu_output_0 \(128\)/],
      ['sp', ['--student', 'mlp-64x2'], /similarities between embeddings dense_2 \(64\) ← \/0\/0\.8\/Relu_output_0 \(128\), weight 3000/],
      ['pkt', ['--student', 'lenet5@0.5'], /similarity distributions between embeddings fc_2 \(42\) ← \/0\/0\.8\/Relu_output_0 \(128\), weight 30000/],
      ['crd', ['--student', 'mlp-64x2', '--crd-negatives', '512'], /contrast between embeddings dense_2 \(64\) ← \/0\/0\.8\/Relu_output_0 \(128\) projected to 128, 512 negatives from a memory of 2,000 images/],
      // No pairs named: chosen by shape, the student's middle stage with the graph's last ReLU map of its size.
      // (3 epochs: β ramps up over the first.)
      ['at', ['--student', 'resnet20@0.25', '--epochs', '3'], /attention maps stage_1 \(28×28×4\) ← \/0\/0\.1\/Relu_output_0 \(28×28×16\), stage_2 \(14×14×8\) ← \/0\/0\.4\/Relu_output_0 \(14×14×32\), β/],
      ['vid', ['--student', 'lenet5@0.5', '--feature-pairs', 'conv_1:/0/0.1/Relu_output_0'], /Gaussians for conv_1 \(28×28×3\) ← \/0\/0\.1\/Relu_output_0 \(28×28×16\), weight 1, initial variance 5/],
      // Every stage lined up by shape, then the embedding its last Gemm reads as the deepest level.
      ['reviewkd', ['--student', 'resnet20@0.25', '--epochs', '3'], /review of stage_1 \(28×28×4\) ← \/0\/0\.1\/Relu_output_0 \(28×28×16\), stage_2 \(14×14×8\) ← \/0\/0\.4\/Relu_output_0 \(14×14×32\), [\w_]+ \(16\) ← \/0\/0\.8\/Relu_output_0 \(128\), through 3 attention-based fusions of 16 channels, weight 1/],
      ['nst', ['--student', 'resnet20@0.25', '--epochs', '3'], /channel patterns stage_1 \(28×28×4\) ← \/0\/0\.1\/Relu_output_0 \(28×28×16\), stage_2 \(14×14×8\) ← \/0\/0\.4\/Relu_output_0 \(14×14×32\), weight 50/],
      // Named by hand across sizes: the student's 28-px map compared with the teacher's 14-px one, pooled.
      ['at', ['--student', 'lenet5@0.5', '--feature-pairs', 'conv_1:/0/0.4/Relu_output_0'], /attention maps conv_1 \(28×28×3\) ← \/0\/0\.4\/Relu_output_0 \(14×14×32\) \(compared pooled to 14×14\)/],
      // A teacher that sees the images at 40 px (stages at 40, 20 and 10) shares no size with the student: its stages line up in order, each pair pooled to the smaller.
      ['at', ['--teacher', join(root, 'size40.onnx'), '--teacher-resize', '--student', 'resnet20@0.25', '--epochs', '3'], /attention maps stage_1 \(28×28×4\) ← \/1\/Relu_output_0 \(40×40×16\) \(compared pooled to 28×28\), stage_2 \(14×14×8\) ← \/4\/Relu_output_0 \(20×20×32\) \(compared pooled to 14×14\), stage_3 \(7×7×16\) ← \/7\/Relu_output_0 \(10×10×64\) \(compared pooled to 7×7\)/],
    ];
    for (const [method, flags, pairing] of cases) {
      const { code, stdout, stderr } = await runCli(['run', ...base, ...defaults(flags), '--method', method, ...flags, '--out', join(root, `inner-${method}-${Math.random().toString(36).slice(2)}`)], { timeoutMs: 300_000 });
      assert.equal(code, 0, `${method}: ${stderr}`);
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; phase?: string; status?: string; detail?: string });
      assert.match(lines.find((l) => l.type === 'phase' && l.phase === 'student' && l.status === 'start')!.detail!, pairing);
      const result = RunResultSchema.parse(lines.at(-1));
      // It learnt: far above chance after two epochs on 2,000 images.
      assert.ok(result.student!.accuracy > 0.5, `${method}: ${result.student!.accuracy}`);
    }
  });

  it('runs on every batch when the students see shifted or flipped images, giving what it gives on the plain images', async () => {
    // The same batch both ways: precomputed from the split, and from a student's normalised batch turned back into pixels.
    const mnist = await loadDataset(MNIST);
    const split = { ...mnist.train, normalization: { mean: [0.13], std: [0.31] } };
    const dataset = { ...mnist, train: split };
    const declared = presetConfig('quick');
    const teacher = await openExternalTeacher(join(root, 'teacher.onnx'));
    try {
      const fit = await fitExternalTeacher(teacher, split, mnist.shape, mnist.classNames, declared);
      const once = await externalTeacherLogits(teacher, split, mnist.shape, declared, fit, 64);
      const plan = { names: ['/0/0.1/Relu_output_0'], embedding: null, attentionOnly: ['/0/0.1/Relu_output_0'] };
      const source = importedTeacherSource(dataset, declared, { teacher, fit, plan, probabilities: once.probabilities }, ['/0/0.1/Relu_output_0']);
      const { x, labels } = imageBatch(split, mnist.shape, Int32Array.from({ length: 64 }, (_, i) => i), 0, 64);
      const outputs = await source.outputsFor(x, Int32Array.from({ length: 64 }, (_, i) => i));
      const perBatch = await outputs.logits.data();
      const worst = Math.max(...once.logits.map((v, i) => Math.abs(v - perBatch[i]!)));
      assert.ok(worst < 1e-4, `logits differ by ${worst}`);
      // Its first ReLU map, kept for attention transfer alone as one channel.
      assert.deepEqual(outputs.features[0]!.shape, [64, 28, 28, 1]);
      tf.dispose([x, labels, outputs.logits, ...outputs.features]);
    } finally {
      await teacher.release();
    }
    // A map too large to keep over every training image (FitNets reads all 16 channels): run on each batch instead, and said so.
    const huge = await runCli(['run', '--teacher', join(root, 'teacher.onnx'), '--method', 'fitnet', '--student', 'lenet5@0.5', '--feature-pairs', 'conv_1:/0/0.1/Relu_output_0', '--limit-train', '60000', '--limit-test', '500', '--epochs', '1', '--no-baseline', '--backend', 'wasm', '--json', '--out', join(root, 'huge')], { timeoutMs: 300_000 });
    assert.equal(huge.code, 0, huge.stderr);
    const hugeLines = huge.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; phase?: string; status?: string; detail?: string });
    assert.match(hugeLines.find((l) => l.type === 'phase' && l.phase === 'teacher' && l.status === 'loaded')!.detail!, /run on every batch the students see, as its tensors \/0\/0\.1\/Relu_output_0 \(28×28×16\) over 60,000 training images would take 2\.8 GB to keep/);
    // A run with shifted images: KD, and attention transfer from the teacher's maps on each batch.
    for (const [method, flags] of [['kd', ['--student', 'mlp-64x2']], ['at', ['--student', 'lenet5@0.5']]] as const) {
      const { code, stdout, stderr } = await runCli(['run', '--teacher', join(root, 'teacher.onnx'), '--method', method, ...flags, '--student-jitter', '2', '--epochs', '2', '--limit-train', '2000', '--limit-test', '500', '--no-baseline', '--backend', 'wasm', '--json', '--out', join(root, `jitter-${method}`)], { timeoutMs: 300_000 });
      assert.equal(code, 0, `${method}: ${stderr}`);
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; phase?: string; status?: string; detail?: string });
      assert.match(lines.find((l) => l.type === 'phase' && l.phase === 'teacher' && l.status === 'loaded')!.detail!, /run on every batch the students see, as they are shifted or flipped/);
      const result = RunResultSchema.parse(lines.at(-1));
      assert.ok(result.student!.accuracy > 0.5, `${method}: ${result.student!.accuracy}`);
    }
  });

  it('refuses what an ONNX teacher cannot do, and a broken file, with one line', async () => {
    const bytes = await readFile(join(root, 'teacher.onnx'));
    await writeFile(join(root, 'cut.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const cases: Array<[string[], RegExp]> = [
      [['--teacher', join(root, 'cut.onnx')], /cut\.onnx: not an ONNX model/],
      [['--teacher', join(root, 'teacher.onnx'), '--method', 'fitnet', '--feature-pairs', 'dense_1:/0/0.8/Relu_output_9'], /teacher\.onnx has no tensor "\/0\/0\.8\/Relu_output_9" \(it makes \/0\/0\.0\/Conv_output_0 \(Conv\), /],
      [['--teacher', join(root, 'teacher.onnx'), '--method', 'at', '--student', 'lenet5@0.5', '--feature-pairs', 'conv_2:/0/0.8/Relu_output_0'], /attention transfer: cannot pair conv_2 \(10×10×8\) with \/0\/0\.8\/Relu_output_0 \(128\): one is a feature map, the other a vector/],
      [['--teacher', join(root, 'teacher.onnx'), '--init-from-teacher'], /--init-from-teacher copies the teacher's weights; an ONNX teacher runs as it is in onnxruntime, its weights not read/],
      [['--teacher', join(root, 'missing.onnx')], /missing\.onnx: no such ONNX file/],
    ];
    for (const [args, pattern] of cases) {
      const { code, stderr } = await runCli(['run', ...args, '--epochs', '1', '--limit-train', '500', '--out', join(root, `bad-${Math.random().toString(36).slice(2)}`)]);
      assert.equal(code, 2, stderr);
      assert.match(stderr, pattern);
      // Dawn warns on machines without Vulkan, with a blank line after; the app's own error is one line.
      assert.equal(stderr.trim().split('\n').filter((l) => l.trim() && !/Vulkan|BackendVk|Warning/.test(l)).length, 1, stderr);
    }
    // Attention transfer reads only a map's attention, kept in one channel of 16: the pre-check passes it over all of MNIST.
    const config = { ...presetConfig('quick'), teacher: join(root, 'teacher.onnx'), student: 'lenet5@0.5', method: 'at' as const, limitTrain: null };
    const withPairs = { ...config, methodOptions: { ...config.methodOptions, at: { ...config.methodOptions.at, featurePairs: 'conv_1:/0/0.1/Relu_output_0' } } };
    const mnist = { shape: [28, 28, 1] as [number, number, number], classNames: [...'0123456789'] };
    assert.equal((await checkMethodsFit(withPairs, mnist, [getMethod('at')])).methodOptions.at.featurePairs, 'conv_1:/0/0.1/Relu_output_0');
  });
});
