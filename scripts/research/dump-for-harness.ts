// Writes a dataset as the app feeds it (pixels / 255, the run's validation split of a tenth with
// seed 1 or SEED), an MLP teacher's logits on each split and its weights, as raw float32 files for
// scripts/research/kd_harness.py: a fast way to compare KD recipes for a small MLP student.
//   node --import tsx scripts/research/dump-for-harness.ts DATASET RUN_DIR/teacher OUT_DIR [SEED]
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { selectBackend } from '../../electron/engine/backend/select';
import { loadDataset } from '../../electron/engine/data/load';
import { carveValidation } from '../../electron/engine/data/validation';
import { imageBatch, sequentialOrder } from '../../electron/engine/data/batches';
import { loadModelFolder } from '../../electron/engine/runs/model-io';
import { predictLogits } from '../../electron/engine/train/evaluate';
const [dataDir, teacherDir, out, seed = '1'] = process.argv.slice(2);
if (!dataDir || !teacherDir || !out) throw new Error('usage: dump-for-harness.ts DATASET TEACHER_DIR OUT_DIR');
await selectBackend('wasm');
const data = await loadDataset(dataDir!);
const { train, validation } = carveValidation(data.train, 0.1, Number(seed), data.shape);
const { model } = await loadModelFolder(teacherDir!);
for (const [name, split] of [['train', train], ['val', validation!], ['test', data.test]] as const) {
  const { x } = imageBatch(split, data.shape, sequentialOrder(split.count), 0, split.count);
  writeFileSync(`${out}/${name}-x.f32`, Buffer.from((await x.data() as Float32Array).buffer));
  writeFileSync(`${out}/${name}-y.u8`, Buffer.from(split.labels));
  const logits = predictLogits(model, split, data.shape, 512);
  writeFileSync(`${out}/${name}-t.f32`, Buffer.from((await logits.data() as Float32Array).buffer));
  console.log(name, split.count);
  tf.dispose([x, logits]);
}
const weights = model.getWeights();
const meta: number[][] = [];
for (const [i, w] of weights.entries()) {
  writeFileSync(`${out}/w${i}.f32`, Buffer.from((await w.data() as Float32Array).buffer));
  meta.push(w.shape);
}
writeFileSync(`${out}/weights.json`, JSON.stringify(meta));
