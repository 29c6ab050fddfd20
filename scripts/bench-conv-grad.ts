// Issue #5: Conv2DBackpropFilter three ways on one backend, per layer shape: this project's kernel
// (webgpu: implicit GEMM with split-K; wasm: im2col + XNNPACK matMul), the backend's stock kernel,
// and k×k strided slices + tfjs matMuls. One JSON line per shape with the times and agreement.
// Run: npx tsx scripts/bench-conv-grad.ts [--backend webgpu] [--batch 32] [--repeats 5]
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { installKernels, restoreStockKernels } from '../electron/engine/backend/kernels/install';
import { selectBackend } from '../electron/engine/backend/select';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'webgpu' }, repeats: { type: 'string', default: '5' }, batch: { type: 'string' } } });
const backend = await selectBackend(values.backend as 'webgpu');

function filterGradByMatMul(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, , , ci] = x.shape;
    const [, ho, wo, co] = dy.shape;
    const pad = tf.backend_util.computeConv2DInfo(x.shape, [k, k, ci, co], stride, 1, 'same').padInfo;
    const padded = tf.pad(x, [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]]);
    const rows = n * ho * wo;
    const grad = dy.reshape([rows, co]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const patch = tf.stridedSlice(padded, [0, i, j, 0], [n, i + (ho - 1) * stride + 1, j + (wo - 1) * stride + 1, ci], [1, stride, stride, 1]);
        taps.push(tf.matMul(patch.reshape([rows, ci]), grad, true, false));
      }
    }
    return tf.stack(taps).reshape([k, k, ci, co]) as tf.Tensor4D;
  });
}

async function timeMs(f: () => tf.Tensor, repeats: number): Promise<{ ms: number; value: tf.Tensor }> {
  const value = f();
  await value.data();
  const start = performance.now();
  for (let r = 0; r < repeats; r++) {
    const y = f();
    await y.data();
    y.dispose();
  }
  return { ms: +((performance.now() - start) / repeats).toFixed(2), value };
}

async function relDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [d, m] = await Promise.all([tf.max(tf.abs(tf.sub(a, b))).data(), tf.max(tf.abs(a)).data()]);
  return d[0]! / m[0]!;
}

// [batch, size, in channels, out channels, kernel, stride]: LeNet-5 on MNIST; VGG/ResNet-18 layers on CIFAR.
const SHAPES = [[64, 28, 1, 6, 5, 1], [256, 32, 3, 64, 3, 1], [256, 32, 64, 64, 3, 1], [256, 16, 128, 128, 3, 1], [256, 8, 256, 256, 3, 1], [256, 4, 512, 512, 3, 1], [256, 32, 64, 128, 3, 2]] as const;
const repeats = Number(values.repeats);
for (const [batch, size, ci, co, k, stride] of SHAPES) {
  const n = values.batch ? Number(values.batch) : batch;
  const x = tf.randomNormal([n, size, size, ci]) as tf.Tensor4D;
  const out = Math.ceil(size / stride);
  const dy = tf.randomNormal([n, out, out, co]) as tf.Tensor4D;
  const kernel = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, ci, co] }) as tf.Tensor;
  const ours = await timeMs(kernel, repeats);
  const stockNames = restoreStockKernels(backend.name);
  const stock = stockNames.includes('Conv2DBackpropFilter') ? await timeMs(kernel, repeats) : null;
  installKernels(backend.name);
  const composed = await timeMs(() => filterGradByMatMul(x, dy, k, stride), repeats);
  console.log(JSON.stringify({
    backend: backend.name,
    shape: `${n}x${size}x${size}x${ci}->${co} k${k} s${stride}`,
    distillMs: ours.ms,
    stockMs: stock?.ms ?? null,
    slicesMatMulMs: composed.ms,
    relDiffVsSlices: await relDiff(composed.value, ours.value),
    relDiffStock: stock ? await relDiff(stock.value, ours.value) : null,
  }));
  tf.dispose([x, dy, ours.value, composed.value, ...(stock ? [stock.value] : [])]);
}
