// Times exported ONNX files (`distill export … --format onnx|onnx-raw|onnx-int8`) in
// onnxruntime-node on the CPU, one image at a time on one thread, as a phone or a laptop app
// runs a classifier: the fastest mean of 15 rounds of 200 runs, after 50 to warm up.
//   node --import tsx scripts/bench-onnx-export.ts EXPORT_DIR…
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node --import tsx scripts/bench-onnx-export.ts EXPORT_DIR…');
  process.exit(2);
}
for (const dir of dirs) {
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 });
  const meta = session.inputMetadata[0]!;
  if (!meta.isTensor) throw new Error(`${dir}: the model's input is not a tensor`);
  const shape = [1, ...meta.shape.slice(1).map(Number)];
  const size = shape.reduce((a, b) => a * b, 1);
  const input =
    meta.type === 'uint8'
      ? new ort.Tensor('uint8', Uint8Array.from({ length: size }, (_, i) => (i * 37) % 256), shape)
      : new ort.Tensor('float32', Float32Array.from({ length: size }, (_, i) => ((i * 37) % 256) / 255), shape);
  for (let i = 0; i < 50; i++) await session.run({ [session.inputNames[0]!]: input });
  let best = Infinity;
  for (let round = 0; round < 15; round++) {
    const start = performance.now();
    for (let i = 0; i < 200; i++) await session.run({ [session.inputNames[0]!]: input });
    best = Math.min(best, (performance.now() - start) / 200);
  }
  console.log(`${dir}: ${best.toFixed(3)} ms per image`);
  await session.release();
}
