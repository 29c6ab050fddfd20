import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildModel } from '../../electron/engine/models/registry';
import { RunCheckpoints } from '../../electron/engine/runs/checkpoints';
import { resumedInitDetail } from '../../electron/engine/runs/phases';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

/** A one-epoch checkpoint of a small MLP, with or without the start detail in its state. */
async function savedCheckpoint(initDetail?: string) {
  const checkpoints = new RunCheckpoints(await mkdtemp(join(tmpdir(), 'checkpoint-start-')));
  const model = buildModel('mlp-8x1', { inputShape: [28, 28, 1], classes: 10, dropout: 0, seed: 1 });
  const optimizer = tf.train.momentum(0.01, 0.9);
  try {
    await checkpoints.save('student', { model, optimizer, extraVariables: [], state: { epoch: 1, rngState: 7, history: [], ...(initDetail === undefined ? {} : { initDetail }) } });
    const saved = await checkpoints.load('student');
    assert.ok(saved, 'the checkpoint loads');
    tf.dispose([...saved.modelWeights, ...saved.optimizerWeights.map((w) => w.tensor), ...saved.extraWeights]);
    return saved;
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

describe('a resumed student says how it started', () => {
  it('reads the start detail its checkpoint saved', async () => {
    const saved = await savedCheckpoint('weight selection in 1 step: mlp-32x1 (81.20 %)');
    assert.equal(resumedInitDetail(saved, true), 'weight selection in 1 step: mlp-32x1 (81.20 %)');
  });

  it('says a checkpoint from before start details were saved started from the teacher, without details it cannot know', async () => {
    const legacy = await savedCheckpoint();
    assert.equal(legacy.initDetail, undefined);
    assert.match(resumedInitDetail(legacy, true) ?? '', /^the teacher's weights \(.*predates start details\)$/);
    assert.equal(resumedInitDetail(legacy, false), null, 'a random start says nothing');
  });
});
