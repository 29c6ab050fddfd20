import { selectBackend } from '../../electron/engine/backend/select';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { resolveConfig } from '../../electron/engine/presets';
import { runDistillation } from '../../electron/engine/runs/pipeline';
import { tempDir, writeFiles } from '../helpers/fixtures';

/** Two classes a convnet must see to tell apart: a bright left half, or a bright right half, with noise. */
async function halvesDataset(perClass: number): Promise<string> {
  const files: Record<string, Uint8Array> = {};
  let seed = 1;
  const noise = () => ((seed = (seed * 16807) % 2147483647) % 60);
  for (const [cls, bright] of [['left', (x: number) => x < 4], ['right', (x: number) => x >= 4]] as const) {
    for (let i = 0; i < perClass; i++) {
      const raw = Buffer.alloc(8 * 8 * 3);
      for (let p = 0; p < 64; p++) raw.fill(bright(p % 8) ? 190 + noise() : noise(), p * 3, p * 3 + 3);
      files[`${cls}/${i}.png`] = new Uint8Array(await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer());
    }
  }
  return writeFiles(await tempDir('halves-'), files);
}

describe('convnets learn on a generated image-folder dataset', () => {
  for (const student of ['vgg11@0.125', 'resnet20@0.25']) {
    it(`${student}, trained alone with the CIFAR recipe's augmentation, beats chance by far`, async () => {
      const dataset = await halvesDataset(60);
      const config = resolveConfig('quick', {
        dataset,
        imageSize: 8,
        student,
        method: 'baseline',
        epochs: 4,
        batchSize: 16,
        lr: 0.05,
        weightDecay: 5e-4,
        flip: false,
        studentJitter: 1,
        backend: 'cpu',
        limitTrain: null,
      });
      const result = await runDistillation({ config, backend: await selectBackend(config.backend), runsRoot: await tempDir('conv-runs-') });
      assert.ok(result.baseline!.accuracy >= 0.85, `${student}: ${result.baseline!.accuracy} (chance 0.5)`);
      assert.ok(result.baseline!.macs! > 0);
    });
  }
});
