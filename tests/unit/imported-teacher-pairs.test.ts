import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { RunConfig } from '../../electron/contract/run-config';
import { attentionMap } from '../../electron/engine/losses/attention';
import { alignedStages, attentionPairsFromStages, describePairs, hintPairFromStages } from '../../electron/engine/methods/layer-pairing';
import { getMethod } from '../../electron/engine/methods/registry';
import { buildModel } from '../../electron/engine/models/registry';
import type { ExternalTeacher, TeacherFeatureBatch } from '../../electron/engine/runs/external-teacher';
import { graphTensorNames } from '../../electron/engine/runs/graph-ops';
import { openLayersTeacher } from '../../electron/engine/runs/graph-teacher';
import { saveModelFolder } from '../../electron/engine/runs/model-io';
import { keptForAttention, storedFeatureShapes } from '../../electron/engine/runs/teacher-attention';
import { teacherFeaturePlan, teacherStages, withChosenFeaturePairs } from '../../electron/engine/runs/teacher-feature-plan';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

/** A teacher that says what it makes, each tensor of a fixed shape per image, and counts how often it ran. */
function fakeTeacher(tensors: Array<[string, string, number[]]>, embedding: string | null): ExternalTeacher & { runs: string[][] } {
  const shapes = new Map(tensors.map(([name, , shape]) => [name, shape]));
  const runs: string[][] = [];
  return {
    runs,
    name: 'fake.onnx',
    format: 'ONNX',
    runtime: 'test',
    params: 0,
    bytes: 0,
    inputDims: [28, 28, 1],
    outputs: 10,
    classNames: null,
    tensors: { list: tensors.map(([name, op]) => ({ name, op })), embedding },
    run: async () => new Float32Array(10),
    async runWithFeatures(x, names) {
      runs.push([...names]);
      const n = x.shape[0];
      const features = names.map((name): TeacherFeatureBatch => {
        const shape = shapes.get(name)!;
        return { name, shape, data: new Float32Array(n * shape.reduce((a, b) => a * b, 1)) };
      });
      return { outputs: new Float32Array(n * 10), features };
    },
    release: async () => {},
  };
}

/** A PyTorch CNN's graph: two conv stages at 28 and 14 px (each ReLU'd twice), pooled to 7, a hidden vector, then the classifier. */
const cnn = fakeTeacher(
  [
    ['/c1/Conv_output_0', 'Conv', [28, 28, 16]],
    ['/r1/Relu_output_0', 'Relu', [28, 28, 16]],
    ['/r1b/Relu_output_0', 'Relu', [28, 28, 16]],
    ['/p1/MaxPool_output_0', 'MaxPool', [14, 14, 16]],
    ['/r2/Relu_output_0', 'Relu', [14, 14, 32]],
    ['odd,name', 'Relu', [14, 14, 32]],
    ['/r2b/Relu_output_0', 'Relu', [14, 14, 32]],
    ['/p2/MaxPool_output_0', 'MaxPool', [7, 7, 32]],
    ['/fc/Relu_output_0', 'Relu', [128]],
    ['/head/Gemm_output_0', 'Gemm', [10]],
    ['/head/Relu_output_0', 'Relu', [10]],
  ],
  '/fc/Relu_output_0',
);

const shape = { inputShape: [28, 28, 1] as [number, number, number], classes: 10, seed: 1, dropout: 0 };

describe("an imported teacher's feature pairs, chosen by shape", () => {
  it("finds its stages: each spatial size's last hidden activation, and its hidden vectors up to the classifier's input", async () => {
    const stages = await teacherStages(cnn, [28, 28, 1]);
    assert.deepEqual(stages.maps.map((m) => m.name), ['/r1b/Relu_output_0', '/r2b/Relu_output_0']);
    assert.deepEqual(stages.vectors.map((v) => v.name), ['/fc/Relu_output_0']);
    // A name --feature-pairs cannot spell is never asked for, nor anything after the embedding.
    assert.ok(!cnn.runs.at(-1)!.includes('odd,name') && !cnn.runs.at(-1)!.includes('/head/Relu_output_0'));
  });

  it('pairs FitNets and attention transfer by spatial size, and refuses with both sides where none agrees', async () => {
    const stages = await teacherStages(cnn, [28, 28, 1]);
    const resnet = buildModel('resnet20@0.25', shape);
    const at = attentionPairsFromStages(resnet, stages, cnn.name);
    assert.deepEqual(at.map((p) => [p.student.name, p.teacher.name]), [['stage_1', '/r1b/Relu_output_0'], ['stage_2', '/r2b/Relu_output_0']]);
    assert.deepEqual(hintPairFromStages(resnet, stages, cnn.name).map((p) => [p.student.name, p.teacher.name]), [['stage_2', '/r2b/Relu_output_0']]);
    const mlp = buildModel('mlp-32x2', shape);
    assert.deepEqual(hintPairFromStages(mlp, stages, cnn.name).map((p) => [p.student.name, p.teacher.name]), [['dense_1', '/fc/Relu_output_0']]);
    const noMaps = { maps: [], vectors: stages.vectors };
    assert.throws(() => attentionPairsFromStages(resnet, noMaps, cnn.name), /attention transfer: no stage of fake\.onnx is within twice the spatial size of a stage of .*\(student stage_1 \(28×28×4\), stage_2 \(14×14×8\), stage_3 \(7×7×16\); teacher \/fc\/Relu_output_0 \(128\)\)/);
    assert.throws(() => hintPairFromStages(resnet, noMaps, cnn.name), /FitNets: fake\.onnx has no hidden feature map within twice 14×14 to pair with the student's stage_2 \(14×14×8\)/);
    tf.dispose([resnet, mlp].flatMap((m) => m.weights.map((w) => w.read())));
  });

  it("pairs a teacher fed at another resolution by the nearest size, within twice the student's", async () => {
    // An ImageNet network fed 224 px (stages at 112, 56, 28, 14 and 7) teaching a student of 32-px images.
    const imagenet = fakeTeacher(
      [112, 56, 28, 14, 7].map((size, i): [string, string, number[]] => [`/layer${i}/Relu_output_0`, 'Relu', [size, size, 64 << i]]),
      null,
    );
    const stages = await teacherStages(imagenet, [224, 224, 3]);
    const resnet = buildModel('resnet20@0.25', { ...shape, inputShape: [32, 32, 3] });
    const at = attentionPairsFromStages(resnet, stages, imagenet.name);
    assert.deepEqual(at.map((p) => `${p.student.shape[0]}←${p.teacher.shape[0]}`), ['32←28', '16←14', '8←7']);
    assert.match(describePairs(at), /^stage_1 \(32×32×4\) ← \/layer2\/Relu_output_0 \(28×28×256\) \(compared pooled to 28×28\), /);
    assert.deepEqual(hintPairFromStages(resnet, stages, imagenet.name).map((p) => `${p.student.name}←${p.teacher.shape[0]}`), ['stage_2←14']);
    // A 32-px teacher (stages at 32 and 16) and a 28-px student: 28 ← 32 and 14 ← 16; nothing within twice 7.
    const colour = fakeTeacher([['/a/Relu_output_0', 'Relu', [32, 32, 16]], ['/b/Relu_output_0', 'Relu', [16, 16, 32]]], null);
    const small = buildModel('resnet20@0.25', shape);
    assert.deepEqual(attentionPairsFromStages(small, await teacherStages(colour, [32, 32, 1]), colour.name).map((p) => `${p.student.name}←${p.teacher.shape[0]}`), ['stage_1←32', 'stage_2←16']);
    tf.dispose([resnet, small].flatMap((m) => m.weights.map((w) => w.read())));
  });

  it('lines stages up in order when sizes are ambiguous: a 40-px teacher (40, 20, 10) pairs 28 ← 40, not 28 ← 20', () => {
    const maps = (...sizes: number[]) => sizes.map((size, i) => ({ name: `m${i}`, shape: [size, size, 8] }));
    const pairsOf = (student: number[], teacher: number[]) => alignedStages(maps(...student), maps(...teacher)).map((p) => `${p.student.shape[0]}←${p.teacher.shape[0]}`);
    assert.deepEqual(pairsOf([28, 14, 7], [40, 20, 10]), ['28←40', '14←20', '7←10']);
    assert.deepEqual(pairsOf([28, 14, 7], [28, 14]), ['28←28', '14←14']);
    assert.deepEqual(pairsOf([32, 16, 8], [112, 56, 28, 14, 7]), ['32←28', '16←14', '8←7']);
    assert.deepEqual(pairsOf([28, 14, 7], [28, 14, 3]), ['28←28', '14←14']);
    assert.deepEqual(pairsOf([28, 10], [7]), ['10←7']);
    assert.deepEqual(pairsOf([28, 10], [5]), [], 'twice the size or more is another stage');
  });

  it('writes the chosen pairs into the config, and leaves named ones alone', async () => {
    const config: RunConfig = { ...presetConfig('quick'), teacher: 'fake.onnx', student: 'resnet20@0.25' };
    const methods = [getMethod('fitnet'), getMethod('at')];
    const student = buildModel('resnet20@0.25', shape);
    const chosen = await withChosenFeaturePairs(config, methods, cnn, student, [28, 28, 1]);
    assert.equal(chosen.methodOptions.at.featurePairs, 'stage_1:/r1b/Relu_output_0,stage_2:/r2b/Relu_output_0');
    assert.equal(chosen.methodOptions.fitnet.featurePairs, 'stage_2:/r2b/Relu_output_0');
    const named = { ...config, methodOptions: { ...config.methodOptions, at: { ...config.methodOptions.at, featurePairs: 'stage_1:/r1/Relu_output_0' } } };
    assert.equal((await withChosenFeaturePairs(named, [getMethod('at')], cnn, student, [28, 28, 1])).methodOptions.at.featurePairs, 'stage_1:/r1/Relu_output_0');
  });
});

describe("an imported graph's activations", () => {
  it('tell SiLU and hard swish, exported as products, from a squeeze-and-excitation gate', () => {
    // The nodes torch.onnx.export (opset 13) writes for Conv → SiLU → SE block → Conv → Hardswish → Linear.
    const nodes = [
      ['Conv', ['x', '0.weight', '0.bias'], '/0/Conv_output_0'],
      ['Sigmoid', ['/0/Conv_output_0'], '/1/Sigmoid_output_0'],
      ['Mul', ['/0/Conv_output_0', '/1/Sigmoid_output_0'], '/1/Mul_output_0'],
      ['ReduceMean', ['/1/Mul_output_0'], '/2/ReduceMean_output_0'],
      ['Conv', ['/2/ReduceMean_output_0', '2.fc.weight', '2.fc.bias'], '/2/fc/Conv_output_0'],
      ['Sigmoid', ['/2/fc/Conv_output_0'], '/2/Sigmoid_output_0'],
      ['Mul', ['/1/Mul_output_0', '/2/Sigmoid_output_0'], '/2/Mul_output_0'],
      ['Conv', ['/2/Mul_output_0', '3.weight', '3.bias'], '/3/Conv_output_0'],
      ['HardSigmoid', ['/3/Conv_output_0'], '/4/HardSigmoid_output_0'],
      ['Mul', ['/3/Conv_output_0', '/4/HardSigmoid_output_0'], '/4/Mul_output_0'],
      ['Flatten', ['/4/Mul_output_0'], '/5/Flatten_output_0'],
      ['Gemm', ['/5/Flatten_output_0', '6.weight', '6.bias'], 'y'],
    ] as const;
    const named = graphTensorNames(nodes.map(([op, inputs, output]) => ({ op, inputs, outputs: [output] })));
    assert.deepEqual(
      named.filter((t) => t.op !== 'Conv' && t.op !== 'Sigmoid' && t.op !== 'HardSigmoid').map((t) => `${t.name} ${t.op}`),
      ['/1/Mul_output_0 SiLU', '/2/ReduceMean_output_0 ReduceMean', '/2/Mul_output_0 Mul', '/4/Mul_output_0 HardSwish', '/5/Flatten_output_0 Flatten', 'y Gemm'],
    );
  });
});

describe('a ConvNeXt block and a transformer, as torch.onnx.export writes them', () => {
  // A ConvNeXt block (opset 13): depthwise conv, then channels-last for LayerNorm, Linear, GELU
  // (through Erf), Linear, back to NCHW, and the residual sum. Constants are nodes; weights are not.
  const block = [
    ['Conv', ['x', 'stem.weight'], '/stem/Conv_output_0'],
    ['Conv', ['/stem/Conv_output_0', 'dw.weight'], '/dw/Conv_output_0'],
    ['Transpose', ['/dw/Conv_output_0'], '/Transpose_output_0', [0, 2, 3, 1]],
    ['ReduceMean', ['/Transpose_output_0'], '/norm/ReduceMean_output_0'],
    ['Constant', [], '/norm/Constant_output_0'],
    ['Add', ['/norm/ReduceMean_output_0', '/norm/Constant_output_0'], '/norm/Add_output_0'],
    ['Add', ['/norm/ReduceMean_output_0', 'norm.bias'], '/norm/Add_1_output_0'],
    ['MatMul', ['/norm/Add_1_output_0', 'fc1.weight'], '/fc1/MatMul_output_0'],
    ['Add', ['fc1.bias', '/fc1/MatMul_output_0'], '/fc1/Add_output_0'],
    ['Constant', [], '/act/Constant_output_0'],
    ['Div', ['/fc1/Add_output_0', '/act/Constant_output_0'], '/act/Div_output_0'],
    ['Erf', ['/act/Div_output_0'], '/act/Erf_output_0'],
    ['Constant', [], '/act/Constant_1_output_0'],
    ['Add', ['/act/Erf_output_0', '/act/Constant_1_output_0'], '/act/Add_output_0'],
    ['Mul', ['/fc1/Add_output_0', '/act/Add_output_0'], '/act/Mul_output_0'],
    ['Constant', [], '/act/Constant_2_output_0'],
    ['Mul', ['/act/Mul_output_0', '/act/Constant_2_output_0'], '/act/Mul_1_output_0'],
    ['MatMul', ['/act/Mul_1_output_0', 'fc2.weight'], '/fc2/MatMul_output_0'],
    ['Transpose', ['/fc2/MatMul_output_0'], '/Transpose_1_output_0', [0, 3, 1, 2]],
    ['Add', ['/stem/Conv_output_0', '/Transpose_1_output_0'], '/Add_output_0'],
    ['ReduceMean', ['/Add_output_0'], '/ReduceMean_output_0'],
    ['Gemm', ['/ReduceMean_output_0', 'head.weight'], 'logits'],
  ] as const;
  const nodes = block.map(([op, inputs, output, perm]) => ({ op, inputs, outputs: [output], ...(perm ? { perm } : {}) }));

  it('finds GELU through Erf, the residual sum apart from biases and constants, and the maps a block moved channels-last', () => {
    const named = graphTensorNames(nodes, 'nchw');
    const op = (name: string) => named.find((t) => t.name === name)!.op;
    assert.equal(op('/act/Mul_1_output_0'), 'Gelu');
    assert.equal(op('/act/Mul_output_0'), 'Mul', 'x · (1 + erf) before the half is not yet GELU');
    assert.equal(op('/Add_output_0'), 'ResidualAdd');
    assert.deepEqual(['/norm/Add_output_0', '/norm/Add_1_output_0', '/fc1/Add_output_0', '/act/Add_output_0'].map(op), ['Add', 'Add', 'Add', 'Add']);
    const channelsLast = named.filter((t) => t.channelsLast).map((t) => t.name);
    assert.deepEqual(channelsLast, ['/Transpose_output_0', '/norm/ReduceMean_output_0', '/norm/Add_output_0', '/norm/Add_1_output_0', '/fc1/MatMul_output_0', '/fc1/Add_output_0', '/act/Div_output_0', '/act/Erf_output_0', '/act/Add_output_0', '/act/Mul_output_0', '/act/Mul_1_output_0', '/fc2/MatMul_output_0']);
    // The half first, then the product: the product ends the pattern.
    const halfFirst = graphTensorNames([
      ['Constant', [], 'c'], ['Div', ['x', 'c'], 'd'], ['Erf', ['d'], 'e'], ['Add', ['e', 'c'], 'a'], ['Mul', ['x', 'c'], 'h'], ['Mul', ['h', 'a'], 'y'],
    ].map(([o, i, out]) => ({ op: o as string, inputs: i as string[], outputs: [out as string] })));
    assert.equal(halfFirst.find((t) => t.name === 'y')!.op, 'Gelu');
    // TensorFlow's graph of the same (AddV2; its constants are not nodes in a GraphModel's list).
    const tfGelu = graphTensorNames([['RealDiv', ['x', 'k'], 'd'], ['Erf', ['d'], 'e'], ['AddV2', ['e', 'one'], 'a'], ['Mul', ['x', 'a'], 'p'], ['Mul', ['p', 'half'], 'y']].map(([o, i, out]) => ({ op: o as string, inputs: i as string[], outputs: [out as string] })));
    assert.deepEqual(tfGelu.map((t) => t.op), ['RealDiv', 'Erf', 'AddV2', 'Mul', 'Gelu']);
    // A graph fed channels-last (tf2onnx) turns NCHW at its first Transpose; without a layout (a GraphModel) nothing is marked.
    const tf2onnx = graphTensorNames([{ op: 'Transpose', inputs: ['x'], outputs: ['t'], perm: [0, 3, 1, 2] }, { op: 'Conv', inputs: ['t', 'w'], outputs: ['c'] }], 'nhwc');
    assert.deepEqual(tf2onnx.map((t) => Boolean(t.channelsLast)), [false, false]);
    assert.ok(graphTensorNames(nodes).every((t) => !t.channelsLast));
  });

  it('takes the residual sums as stages, and names a transformer\'s tokens when it has no map to pair', async () => {
    const convnext = fakeTeacher(
      [
        ['/dw/Conv_output_0', 'Conv', [7, 7, 16]],
        ['/act/Mul_1_output_0', 'Gelu', [7, 7, 64]],
        ['/Add_output_0', 'ResidualAdd', [7, 7, 16]],
        ['/down/Conv_output_0', 'Conv', [3, 3, 32]],
        ['/Add_1_output_0', 'ResidualAdd', [3, 3, 32]],
        ['logits', 'Gemm', [10]],
      ],
      'logits',
    );
    const stages = await teacherStages(convnext, [28, 28, 1]);
    assert.deepEqual(stages.maps.map((m) => m.name), ['/Add_output_0', '/Add_1_output_0']);
    assert.equal(stages.tokens, undefined);
    const vit = fakeTeacher([['/patch/Conv_output_0', 'Conv', [4, 4, 32]], ['/blocks/0/Add_output_0', 'ResidualAdd', [17, 32]], ['/blocks/0/mlp/Mul_1_output_0', 'Gelu', [17, 64]], ['/blocks/0/Add_1_output_0', 'ResidualAdd', [17, 32]], ['/head/Gemm_output_0', 'Gemm', [10]]], '/blocks/0/Add_1_output_0');
    const tokens = await teacherStages(vit, [28, 28, 1]);
    assert.deepEqual([tokens.maps, tokens.vectors, tokens.tokens!.map((t) => t.name)], [[], [], ['/blocks/0/Add_output_0', '/blocks/0/mlp/Mul_1_output_0', '/blocks/0/Add_1_output_0']]);
    const student = buildModel('lenet5@0.5', { inputShape: [28, 28, 1], classes: 10, seed: 1, dropout: 0 });
    assert.throws(() => attentionPairsFromStages(student, tokens, 'vit.onnx'), /teacher none: its hidden tensors are token sequences \(such as \/blocks\/0\/Add_1_output_0 \(17×32\): tokens × width, a transformer's\), which FitNets, Attention transfer, NST, VID, ReviewKD and OFD cannot pair with feature maps; KD, DKD and DIST read its outputs, RKD, SP, PKT and CRD its embedding\)/);
  });

  it("takes a Keras model's Add layers as stages when it is run as given: a residual sum with no activation after it", async () => {
    // conv → [conv, conv] + skip, no ReLU after the sum (ConvNeXt's shape), then pooled to 7 px and another such block.
    const input = tf.input({ shape: [28, 28, 1] });
    const block = (x: tf.SymbolicTensor, channels: number, name: string) => {
      const inner = tf.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same', activation: 'relu', name: `${name}_conv` }).apply(x) as tf.SymbolicTensor;
      const out = tf.layers.conv2d({ filters: channels, kernelSize: 1, name: `${name}_proj` }).apply(inner) as tf.SymbolicTensor;
      return tf.layers.add({ name: `${name}_add` }).apply([x, out]) as tf.SymbolicTensor;
    };
    const stem = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'stem' }).apply(input) as tf.SymbolicTensor;
    const first = block(stem, 8, 'b1');
    const pooled = tf.layers.maxPooling2d({ poolSize: 4, name: 'pool' }).apply(first) as tf.SymbolicTensor;
    const second = block(pooled, 8, 'b2');
    const head = tf.layers.dense({ units: 10, name: 'head' }).apply(tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(second) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const dir = await mkdtemp(join(tmpdir(), 'keras-residual-'));
    const built = tf.model({ inputs: input, outputs: head });
    await saveModelFolder(built, dir, { architecture: 'keras-residual', inputShape: [28, 28, 1], classNames: [...'0123456789'], output: 'logits', preprocessing: 'pixels / 255', dataset: 'test' });
    built.dispose();
    const teacher = await openLayersTeacher(dir);
    try {
      assert.deepEqual(teacher.tensors.list.filter((t) => t.op === 'ResidualAdd').map((t) => t.name), ['b1_add', 'b2_add']);
      const stages = await teacherStages(teacher, [28, 28, 1]);
      assert.deepEqual(stages.maps.map((m) => `${m.name} ${m.shape.join('×')}`), ['b1_add 28×28×8', 'b2_add 7×7×8']);
    } finally {
      await teacher.release();
    }
  });
});

describe('maps only attention transfer reads', () => {
  it('are kept as one channel whose attention map is the full map’s', () => {
    const data = Float32Array.from({ length: 2 * 5 * 4 * 7 }, (_, i) => Math.sin(i * 0.37) * (i % 5));
    const kept = keptForAttention({ name: 'm', data, shape: [5, 4, 7] });
    assert.deepEqual([kept.shape, kept.channels, kept.data.length], [[5, 4, 1], 7, 2 * 5 * 4]);
    const [full, reduced] = tf.tidy(() => [attentionMap(tf.tensor4d(data, [2, 5, 4, 7])).arraySync(), attentionMap(tf.tensor4d(kept.data, [2, 5, 4, 1])).arraySync()]);
    const worst = Math.max(...full!.flatMap((row, i) => row.map((v, j) => Math.abs(v - reduced![i]![j]!))));
    assert.ok(worst < 1e-6, `attention maps differ by ${worst}`);
  });

  it('are the tensors attention transfer alone names, and count one channel against the memory cap', () => {
    const config: RunConfig = presetConfig('quick');
    const paired: RunConfig = {
      ...config,
      methodOptions: { ...config.methodOptions, at: { ...config.methodOptions.at, featurePairs: 'stage_1:/r1b/Relu_output_0,stage_2:/r2b/Relu_output_0' }, fitnet: { ...config.methodOptions.fitnet, featurePairs: 'stage_2:/r2b/Relu_output_0' } },
    };
    const plan = teacherFeaturePlan(paired, [getMethod('at'), getMethod('fitnet')], cnn);
    assert.deepEqual(plan.attentionOnly, ['/r1b/Relu_output_0']);
    const stored = storedFeatureShapes([{ name: '/r1b/Relu_output_0', shape: [28, 28, 16] }, { name: '/r2b/Relu_output_0', shape: [14, 14, 32] }], plan);
    assert.deepEqual(stored.map((s) => s.shape), [[28, 28, 1], [14, 14, 32]]);
  });
});
