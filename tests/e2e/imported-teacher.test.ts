import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { RunResultSchema } from '../../electron/contract/events';
import { selectBackend } from '../../electron/engine/backend/select';
import { exportModel } from '../../electron/engine/export/registry';
import { createDistillService } from '../../electron/service/distill-service';
import { loadModelFolder, saveModelFolder } from '../../electron/engine/runs/model-io';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { writeMlpGraphModel } from '../helpers/graph-model';

const RECIPE = ['--student', 'mlp-16x1', '--epochs', '2', '--limit-train', '2000', '--limit-test', '500', '--batch-size', '50', '--backend', 'cpu', '--no-baseline', '--json'];

/** Saves a model as someone else's tool would: no Distill Studio metadata in model.json. */
async function saveForeign(model: tf.LayersModel, dir: string): Promise<void> {
  await saveModelFolder(model, dir, { architecture: 'x', inputShape: [28, 28, 1], classNames: [], output: 'logits', preprocessing: '', dataset: '' });
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  delete json.userDefinedMetadata;
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
}

let root: string;
before(async () => {
  root = await tempDir('imported-teacher-');
  const trained = await runCli(['run', '--teacher', 'mlp-64x1', '--teacher-epochs', '3', '--teacher-jitter', '0', ...RECIPE, '--out', join(root, 'source')]);
  assert.equal(trained.code, 0, trained.stderr);
  await selectBackend('cpu');
  const { model } = await loadModelFolder(join(root, 'source', 'teacher'));
  await saveForeign(model, join(root, 'logits'));
  // The same teacher ending in a softmax, as many exported classifiers do.
  const softmax = tf.model({ inputs: model.inputs, outputs: tf.layers.activation({ activation: 'softmax' }).apply(model.outputs[0]!) as tf.SymbolicTensor });
  await saveForeign(softmax, join(root, 'softmax'));
  // The same teacher with its classes in another order (its last layer's columns rotated).
  const last = model.layers.at(-1)!;
  const [kernel, bias] = last.getWeights();
  const rotate = (t: tf.Tensor) => tf.concat([t.slice([...Array(t.rank - 1).fill(0), 3]), t.slice([...Array(t.rank - 1).fill(0), 0], [...t.shape.slice(0, -1), 3])], -1);
  last.setWeights([rotate(kernel!), rotate(bias!)]);
  await saveForeign(model, join(root, 'rotated'));
  // The rotated teacher again, naming its classes in a labels.txt: matched by name.
  await saveForeign(model, join(root, 'rotated-named'));
  await writeFile(join(root, 'rotated-named', 'labels.txt'), [3, 4, 5, 6, 7, 8, 9, 0, 1, 2].join('\n') + '\n');
  // The original teacher as a GraphModel (tensorflowjs_converter's layout), ending in a softmax.
  const { model: original } = await loadModelFolder(join(root, 'logits'));
  await writeMlpGraphModel(original, join(root, 'graph'), { softmax: true });
  // The original teacher taking 0–255 pixels: its first layer's kernel divided by 255.
  const first = original.layers.find((l) => l.getClassName() === 'Dense')!;
  const [k, b] = first.getWeights();
  first.setWeights([tf.div(k!, 255), b!]);
  await saveForeign(original, join(root, 'bytes'));
});

const lastLine = (stdout: string) => RunResultSchema.parse(JSON.parse(stdout.trim().split('\n').at(-1)!));

describe('a teacher brought from elsewhere', () => {
  it('that outputs probabilities distils as well as the same teacher giving logits, and the run says so', async () => {
    const withLogits = await runCli(['run', '--teacher', join(root, 'logits'), ...RECIPE, '--out', join(root, 'a')]);
    const withSoftmax = await runCli(['run', '--teacher', join(root, 'softmax'), ...RECIPE, '--out', join(root, 'b')]);
    assert.equal(withLogits.code, 0, withLogits.stderr);
    assert.equal(withSoftmax.code, 0, withSoftmax.stderr);
    const phase = withSoftmax.stdout.split('\n').find((l) => l.includes('"phase":"teacher"') && l.includes('"loaded"'))!;
    assert.match(phase, /it outputs probabilities \(a softmax at the end\): their logarithms are used as logits/);
    assert.doesNotMatch(withLogits.stdout.split('\n').find((l) => l.includes('"loaded"'))!, /probabilities/);
    // log(softmax(z)) differs from z by a constant per row, so the soft targets at T are the same.
    const [a, b] = [lastLine(withLogits.stdout), lastLine(withSoftmax.stdout)];
    assert.equal(a.teacher!.accuracy, b.teacher!.accuracy);
    assert.ok(Math.abs(a.student!.accuracy - b.student!.accuracy) <= 0.004, `${a.student!.accuracy} vs ${b.student!.accuracy}`);
    const saved = JSON.parse(await readFile(join(root, 'b', 'teacher', 'model.json'), 'utf8'));
    assert.equal(saved.userDefinedMetadata.output, 'probabilities');
  });

  it('that scores about chance stops the run with what was assumed', async () => {
    const { code, stderr } = await runCli(['run', '--teacher', join(root, 'rotated'), ...RECIPE, '--out', join(root, 'c')]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /scores \d+\.\d% on the test split, no better than chance \(10\.0%\) for 10 classes: its preprocessing or class order probably differs from this dataset's\. Assumed: inputs 28×28×1 .*pixels \/ 255.*classes in the order 0, 1, 2, 3, 4, …/);
    assert.equal(stderr.trim().split('\n').filter((l) => !/Vulkan|BackendVk/.test(l)).length, 1, stderr);
  });

  it("an ONNX teacher's run keeps it with its labels.txt, so the run's teacher folder teaches a later run as the file did", async () => {
    // The rotated teacher as ONNX whose metadata names the classes in the dataset's order (wrong
    // for it) and whose labels.txt names them as it predicts them: labels.txt is what is right.
    await selectBackend('cpu');
    const { model } = await loadModelFolder(join(root, 'rotated'));
    const classNames = Array.from({ length: 10 }, (_, i) => String(i));
    await saveModelFolder(model, join(root, 'rotated-meta'), { architecture: 'mlp-64x1', inputShape: [28, 28, 1], classNames, output: 'logits', preprocessing: 'pixels / 255', dataset: 'mnist' });
    const onnxDir = join(root, 'rotated-onnx');
    await exportModel({ modelDir: join(root, 'rotated-meta'), format: 'onnx', destination: onnxDir, role: 'teacher', run: null, version: 'test', measure: false });
    await writeFile(join(onnxDir, 'labels.txt'), [3, 4, 5, 6, 7, 8, 9, 0, 1, 2].join('\n') + '\n');
    // Declared "none" (as MNIST's own normalisation is), to see the later runs take it from this one.
    const first = await runCli(['run', '--teacher', join(onnxDir, 'model.onnx'), '--teacher-normalization', 'none', ...RECIPE, '--out', join(root, 'onnx-first')]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout.split('\n').find((l) => l.includes('"loaded"'))!, /ONNX, run by onnxruntime-node.*classes matched by name \(10 of 10 outputs reordered/);
    // The run's teacher folder, as `--teacher runs/<id>/teacher` and the app's run:<id> give it.
    const again = await runCli(['run', '--teacher', join(root, 'onnx-first', 'teacher'), ...RECIPE, '--out', join(root, 'onnx-again')]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout.split('\n').find((l) => l.includes('"loaded"'))!, /ONNX, run by onnxruntime-node.*classes matched by name \(10 of 10 outputs reordered/);
    const [a, b] = [lastLine(first.stdout), lastLine(again.stdout)];
    assert.equal(b.teacher!.accuracy, a.teacher!.accuracy);
    assert.ok(a.teacher!.accuracy > 0.5, `teacher ${a.teacher!.accuracy}`);
    assert.equal(b.student!.accuracy, a.student!.accuracy);
    // The results say it runs as given (the app then offers no export of it).
    assert.equal(a.teacher!.runsAsGiven, 'ONNX');
    assert.equal(b.teacher!.runsAsGiven, 'ONNX');
    const config = JSON.parse(await readFile(join(root, 'onnx-again', 'config.json'), 'utf8'));
    assert.equal(config.teacher, join(root, 'onnx-first', 'teacher', 'model.onnx'));
    assert.equal(config.teacherNormalization, 'none');
    // The kept file itself, named by its path, is that run's teacher too.
    const byFile = await runCli(['run', '--teacher', join(root, 'onnx-first', 'teacher', 'model.onnx'), ...RECIPE, '--out', join(root, 'onnx-by-file')]);
    assert.equal(byFile.code, 0, byFile.stderr);
    assert.equal(JSON.parse(await readFile(join(root, 'onnx-by-file', 'config.json'), 'utf8')).teacherNormalization, 'none');
    const check = await runCli(['check-teacher', '--teacher', join(root, 'onnx-first', 'teacher'), '--backend', 'cpu']);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /teacher model\.onnx: ONNX/);
    // It is not converted on export: the message says where the file is.
    const exported = await runCli(['export', join(root, 'onnx-first'), '--role', 'teacher', '--format', 'tflite', '--out', join(root, 'onnx-first-export')]);
    assert.equal(exported.code, 2, exported.stderr);
    assert.match(exported.stderr, /run onnx-first's teacher is the ONNX file it was given, kept as .*onnx-first\/teacher\/model\.onnx: it runs as it is and is not converted/);
  });

  it('as a GraphModel, a LayersModel fed 0–255, or with its classes named in another order, teaches as the original does', async () => {
    const original = lastLine((await runCli(['run', '--teacher', join(root, 'logits'), ...RECIPE, '--out', join(root, 'orig')])).stdout);
    const cases: Array<[string, string[], RegExp]> = [
      ['graph', [], /TensorFlow\.js GraphModel, run by TensorFlow\.js \(cpu\).*it outputs probabilities/],
      ['bytes', ['--teacher-input-range', '0-255'], /TensorFlow\.js LayersModel, run by TensorFlow\.js \(cpu\), fed pixels 0–255/],
      ['rotated-named', [], /classes matched by name \(10 of 10 outputs reordered/],
    ];
    for (const [name, flags, detail] of cases) {
      const { code, stdout, stderr } = await runCli(['run', '--teacher', join(root, name), ...flags, ...RECIPE, '--out', join(root, `as-${name}`)]);
      assert.equal(code, 0, `${name}: ${stderr}`);
      assert.match(stdout.split('\n').find((l) => l.includes('"loaded"'))!, detail);
      const result = lastLine(stdout);
      assert.ok(Math.abs(result.teacher!.accuracy - original.teacher!.accuracy) <= 0.002, `${name}: teacher ${result.teacher!.accuracy} vs ${original.teacher!.accuracy}`);
      assert.ok(Math.abs(result.student!.accuracy - original.student!.accuracy) <= 0.01, `${name}: student ${result.student!.accuracy} vs ${original.student!.accuracy}`);
      // A GraphModel runs as given; a LayersModel is this app's own kind and exports.
      assert.equal(result.teacher!.runsAsGiven, name === 'graph' ? 'TensorFlow.js GraphModel' : undefined, name);
    }
    // That run's teacher again, named by the run folder: fed as that run declared it (0–255) with no flags.
    const again = await runCli(['run', '--teacher', join(root, 'as-bytes'), ...RECIPE, '--out', join(root, 'bytes-again')]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout.split('\n').find((l) => l.includes('"loaded"'))!, /fed pixels 0–255/);
    assert.equal(lastLine(again.stdout).teacher!.accuracy, original.teacher!.accuracy);
    // The same through the run's teacher folder, and a flag given here still wins.
    for (const [flags, fed] of [[[], /^fed: pixels 0–255/m], [['--teacher-input-range', '0-1'], /^fed: pixels \/ 255/m]] as const) {
      const check = await runCli(['check-teacher', '--teacher', join(root, 'as-bytes', 'teacher'), ...flags, '--backend', 'cpu']);
      assert.match(check.stdout + check.stderr, fed);
    }
    // Over the API, `run:<id>` with the declaration left out of the request does the same.
    const service = createDistillService({ runsDir: root, workDir: join(root, '.service'), host: 'server', version: 'test', onEvent: () => {} });
    try {
      const { runId } = await service.startRun({ preset: 'quick', overrides: { teacher: 'run:as-bytes', student: 'mlp-16x1', epochs: 1, limitTrain: 500, limitTest: 200, trainBaseline: false, backend: 'cpu' } });
      let status = 'running';
      for (let waited = 0; status === 'running' && waited < 120; waited++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        status = JSON.parse(await readFile(join(root, runId, 'status.json'), 'utf8').catch(() => '{"status":"running"}')).status;
      }
      assert.equal(status, 'completed');
      const config = JSON.parse(await readFile(join(root, runId, 'config.json'), 'utf8'));
      assert.equal(config.teacherInputRange, '0-255');
      assert.equal(config.teacher, join(root, 'as-bytes', 'teacher'));
    } finally {
      await service.dispose();
    }
    const graphExport = await runCli(['export', join(root, 'as-graph'), '--role', 'teacher', '--format', 'onnx', '--out', join(root, 'as-graph-export')]);
    assert.equal(graphExport.code, 2, graphExport.stderr);
    assert.match(graphExport.stderr, /run as-graph's teacher is the TensorFlow\.js GraphModel it was given, kept in .*as-graph\/teacher: it runs as it is and is not converted/);
    // Runs forward only, yet gives its inner tensors by name: FitNets from the GraphModel's hidden ReLU,
    // relational KD from what the LayersModel fed 0–255 has its classifier read.
    const fitnet = await runCli(['run', '--teacher', join(root, 'graph'), ...RECIPE, '--method', 'fitnet', '--student', 'mlp-16x2', '--feature-pairs', 'dense_1:dense_1/Relu', '--out', join(root, 'fit')]);
    assert.equal(fitnet.code, 0, fitnet.stderr);
    assert.match(fitnet.stdout, /hints dense_1 \(16\) ← dense_1\/Relu \(64\)/);
    const rkd = await runCli(['run', '--teacher', join(root, 'bytes'), '--teacher-input-range', '0-255', ...RECIPE, '--method', 'rkd', '--out', join(root, 'rkd')]);
    assert.equal(rkd.code, 0, rkd.stderr);
    assert.match(rkd.stdout, /distances and angles between embeddings dense_1 \(16\) ← dense_1 \(64\)/);
    assert.ok(lastLine(rkd.stdout).student!.accuracy > 0.5, `RKD from the LayersModel: ${lastLine(rkd.stdout).student!.accuracy}`);
    // Without pairs, FitNets pairs by shape: the student's middle hidden layer with the graph's hidden ReLU, kept in config.json.
    const unpaired = await runCli(['run', '--teacher', join(root, 'graph'), ...RECIPE, '--method', 'fitnet', '--student', 'mlp-16x2', '--out', join(root, 'fit-unpaired')]);
    assert.equal(unpaired.code, 0, unpaired.stderr);
    assert.match(unpaired.stdout, /hints dense_1 \(16\) ← dense_1\/Relu \(64\)/);
    assert.equal(JSON.parse(await readFile(join(root, 'fit-unpaired', 'config.json'), 'utf8')).methodOptions.fitnet.featurePairs, 'dense_1:dense_1/Relu');
    // Attention transfer finds no feature map in an MLP's graph to pair: one line naming both sides' stages.
    const noMaps = await runCli(['run', '--teacher', join(root, 'graph'), ...RECIPE, '--method', 'at', '--student', 'lenet5@0.5', '--out', join(root, 'at-unpaired')]);
    assert.equal(noMaps.code, 2, noMaps.stderr);
    assert.match(noMaps.stderr, /attention transfer: no stage of graph is within twice the spatial size of a stage of lenet5 \(student conv_1 \(28×28×3\), conv_2 \(10×10×8\); teacher dense_1\/Relu \(64\)\); name pairs with --feature-pairs STUDENT_LAYER:TEACHER_TENSOR/);
    // A GraphModel cut short, or using an operator TensorFlow.js lacks: one line each, exit 2.
    await cp(join(root, 'graph'), join(root, 'graph-cut'), { recursive: true });
    const shard = join(root, 'graph-cut', 'group1-shard1of1.bin');
    await writeFile(shard, (await readFile(shard)).subarray(0, 1000));
    await cp(join(root, 'graph'), join(root, 'graph-op'), { recursive: true });
    const json = join(root, 'graph-op', 'model.json');
    await writeFile(json, (await readFile(json, 'utf8')).replace('"op":"Relu"', '"op":"FancyRelu"'));
    for (const [name, pattern] of [['graph-cut', /graph-cut: the weight files hold 1000 bytes but model\.json describes \d+ \(cut short\?\)/], ['graph-op', /graph-op: the GraphModel uses the operator FancyRelu, which TensorFlow\.js cannot run/]] as const) {
      const bad = await runCli(['check-teacher', '--teacher', join(root, name), '--backend', 'cpu']);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, pattern);
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    }
  });
});
