import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../electron/engine/backend/select';
import { exportModel } from '../../electron/engine/export/registry';
import { onnxNodes } from '../../electron/engine/export/onnx/encode';
import { buildModel } from '../../electron/engine/models/registry';
import { saveModelFolder } from '../../electron/engine/runs/model-io';
import { onnxEmbeddingName, openOnnxTeacher } from '../../electron/engine/runs/onnx-teacher';
import { forwardWithFeatures } from '../../electron/engine/runs/teacher-source';
import { tempDir } from '../helpers/fixtures';

describe("an ONNX teacher's inner tensors", () => {
  it('are the same values as its layers give in TensorFlow.js, maps channels last', async () => {
    await selectBackend('cpu');
    // A LeNet-5 written as ONNX by this app: its convolutions run in NCHW inside the graph.
    const model = buildModel('lenet5', { inputShape: [28, 28, 1], classes: 10, seed: 3, dropout: 0 });
    const root = await tempDir('onnx-features-');
    await saveModelFolder(model, join(root, 'tfjs'), { architecture: 'lenet5', inputShape: [28, 28, 1], classNames: [], output: 'logits', preprocessing: 'pixels / 255', dataset: 'mnist' });
    await exportModel({ modelDir: join(root, 'tfjs'), format: 'onnx', destination: join(root, 'onnx'), role: 'teacher', run: null, version: 'test', measure: false });
    const path = join(root, 'onnx', 'model.onnx');
    const bytes = new Uint8Array(await readFile(path));
    // The first convolution's ReLU is conv_1's output; the ReLU after the first Gemm is fc_1's; the last Gemm reads fc_2's.
    const nodes = onnxNodes(bytes);
    const firstRelu = nodes.find((n) => n.op === 'Relu')!.outputs[0]!;
    const firstGemm = nodes.findIndex((n) => n.op === 'Gemm');
    const denseRelu = nodes.slice(firstGemm).find((n) => n.op === 'Relu')!.outputs[0]!;
    const embedding = onnxEmbeddingName(bytes)!;
    const teacher = await openOnnxTeacher(path);
    assert.equal(teacher.tensors.embedding, embedding);
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 11) as tf.Tensor4D;
    try {
      const { features } = await teacher.runWithFeatures(x, [firstRelu, denseRelu, embedding]);
      const expected = forwardWithFeatures(model, ['conv_1', 'fc_1', 'fc_2'])(x, false);
      for (const [i, layer] of ['conv_1', 'fc_1', 'fc_2'].entries()) {
        const want = expected.features[i]!;
        assert.deepEqual(features[i]!.shape, want.shape.slice(1), layer);
        const gapTensor = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.tensor(features[i]!.data, want.shape), want))));
        const gap = (await gapTensor.data())[0]!;
        gapTensor.dispose();
        assert.ok(gap < 1e-4, `${layer}: largest difference ${gap}`);
      }
      tf.dispose([expected.logits, ...expected.features]);
    } finally {
      x.dispose();
      await teacher.release();
      model.dispose();
    }
  });
});
