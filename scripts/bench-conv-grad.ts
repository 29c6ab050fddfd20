// Issue #5 probe: tfjs's stock Conv2DBackpropFilter against the same gradient composed as
// k×k strided slices + matMuls (which tfjs-webgpu can run split-K). Prints one JSON line per
// shape with both timings and their agreement. Run: npx tsx scripts/bench-conv-grad.ts [--backend webgpu]
// Seen on lavapipe (2 cores): 1.2–2.3× faster for 32–64-channel layers, slower for 1–6 channels.
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { selectBackend } from '../electron/engine/backend/select';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'webgpu' }, repeats: { type: 'string', default: '5' } } });
await selectBackend(values.backend as 'webgpu');

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

async function timeMs(f: () => tf.Tensor, repeats: number): Promise<number> {
  const warm = f();
  await warm.data();
  warm.dispose();
  const start = performance.now();
  for (let r = 0; r < repeats; r++) {
    const y = f();
    await y.data();
    y.dispose();
  }
  return (performance.now() - start) / repeats;
}

// [batch, size, in channels, out channels, kernel, stride]: LeNet, VGG and ResNet layers on CIFAR.
const SHAPES = [[64, 28, 1, 6, 5, 1], [128, 32, 3, 64, 3, 1], [128, 32, 64, 64, 3, 1], [128, 16, 128, 128, 3, 1], [128, 8, 256, 256, 3, 1], [128, 32, 64, 128, 3, 2]] as const;
for (const [n, size, ci, co, k, stride] of SHAPES) {
  const x = tf.randomNormal([n, size, size, ci]) as tf.Tensor4D;
  const out = Math.ceil(size / stride);
  const dy = tf.randomNormal([n, out, out, co]) as tf.Tensor4D;
  const stock = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, ci, co] }) as tf.Tensor;
  const composed = () => filterGradByMatMul(x, dy, k, stride);
  const [a, b] = [stock(), composed()];
  const diff = (await tf.max(tf.abs(tf.sub(a, b))).data())[0]! / (await tf.max(tf.abs(a)).data())[0]!;
  const repeats = Number(values.repeats);
  console.log(JSON.stringify({ backend: tf.getBackend(), shape: `${n}x${size}x${size}x${ci}->${co} k${k} s${stride}`, stockMs: +(await timeMs(stock, repeats)).toFixed(2), matMulMs: +(await timeMs(composed, repeats)).toFixed(2), relDiff: diff }));
  tf.dispose([x, dy, a, b]);
}
