// Out-of-fold soft labels for kd_harness.py: a copy of a dump whose training logits come, image by
// image, from the teacher that never saw it (the fold teachers of make_folds.py).
//   node --import tsx scripts/research/oof-logits.ts DUMP OUT FOLDS_DIR K
import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { selectBackend } from '../../electron/engine/backend/select';
import { loadDataset } from '../../electron/engine/data/load';
import { loadModelFolder } from '../../electron/engine/runs/model-io';
import { predictLogits } from '../../electron/engine/train/evaluate';
const [dump, out, foldsDir, k] = process.argv.slice(2);
if (!dump || !out || !foldsDir || !k) throw new Error('usage: oof-logits.ts DUMP OUT FOLDS_DIR K');
await selectBackend('wasm');
const folds = readFileSync(`${foldsDir}/folds.u8`);
const logits = new Float32Array(folds.length * 10);
for (let fold = 0; fold < Number(k); fold++) {
  const dir = `${foldsDir}/f${fold}`;
  const data = await loadDataset(dir);
  const { model } = await loadModelFolder(`${dir}/runs/${readdirSync(`${dir}/runs`)[0]}/teacher`);
  const z = predictLogits(model, data.test, data.shape, 512);
  const values = await z.data() as Float32Array;
  tf.dispose(z);
  let j = 0;
  for (let i = 0; i < folds.length; i++) {
    if (folds[i] !== fold) continue;
    logits.set(values.subarray(j * 10, j * 10 + 10), i * 10);
    j++;
  }
  console.log(`fold ${fold}: ${j} held-out images`);
}
mkdirSync(out, { recursive: true });
for (const f of readdirSync(dump)) if (f !== 'train-t.f32') copyFileSync(`${dump}/${f}`, `${out}/${f}`);
writeFileSync(`${out}/train-t.f32`, Buffer.from(logits.buffer));
