import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { selectBackend } from '../../electron/engine';
import { createDistillService } from '../../electron/service/distill-service';
import { runCli } from '../helpers/cli';
import { tempDir, writeFiles } from '../helpers/fixtures';

/** Two classes of solid-colour PNGs of assorted sizes: an image folder the app resizes. */
async function imageFolder(dir: string): Promise<string> {
  const files: Record<string, Uint8Array> = {};
  for (const [name, background] of [['red', { r: 230, g: 20, b: 20 }], ['blue', { r: 20, g: 20, b: 230 }]] as const) {
    for (let i = 0; i < 15; i++) files[`${name}/${i}.png`] = new Uint8Array(await sharp({ create: { width: 18 + i, height: 20, channels: 3, background } }).png().toBuffer());
  }
  return writeFiles(dir, files);
}

describe('an image folder at an image size other than the default', () => {
  let root: string;
  let data: string;
  before(async () => {
    root = await tempDir('image-size-');
    data = await imageFolder(join(root, 'colours'));
    const run = await runCli(['run', '--dataset', data, '--image-size', '16', '--teacher', 'mlp-16x1', '--student', 'mlp-8x1', '--teacher-epochs', '1', '--epochs', '1', '--teacher-jitter', '0', '--backend', 'cpu', '--out', join(root, 'run')]);
    assert.equal(run.code, 0, run.stderr);
    await selectBackend('cpu');
  });

  it("the app's dataset view, soft labels and mistakes read the images at the run's size", async () => {
    const service = createDistillService({ runsDir: root, workDir: join(root, '.work'), host: 'electron', version: 'test', onEvent: () => {} });
    try {
      assert.deepEqual((await service.inspectDataset({ dataset: data, imageSize: 16 })).shape, [16, 16, 3]);
      assert.deepEqual((await service.inspectDataset({ dataset: data })).shape, [32, 32, 3], 'the default size without one');
      const labels = await service.softLabels({ runId: 'run', index: 0 });
      assert.deepEqual(labels.shape, [16, 16, 3]);
      assert.equal(labels.logits.student?.length, 2);
      const mistakes = await service.mistakes({ runId: 'run' });
      assert.deepEqual(mistakes.shape, [16, 16, 3]);
    } finally {
      await service.dispose();
    }
  });
});
