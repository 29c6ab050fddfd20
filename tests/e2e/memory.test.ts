import { selectBackend } from '../../electron/engine/backend/select';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../electron/engine/presets';
import { runDistillation } from '../../electron/engine/runs/pipeline';
import { runStudy, parseStudyMethods } from '../../electron/engine/runs/study';
import { tempDir } from '../helpers/fixtures';

/** Every tensor a run makes is disposed: none are left when it ends, whatever the method. */
describe('tensor hygiene', () => {
  it('a run and a study leave no tensors behind', async () => {
    const config = resolveConfig('quick', { teacher: 'mlp-32x1', student: 'mlp-8x1', teacherEpochs: 1, epochs: 2, limitTrain: 500, limitTest: 200, batchSize: 50, teacherJitter: 1, backend: 'cpu' });
    const root = await tempDir('mem-');
    const backend = await selectBackend(config.backend);
    // The first run warms up whatever the backend keeps for good.
    await runDistillation({ config, backend, runsRoot: root });
    const before = tf.memory().numTensors;
    await runDistillation({ config: { ...config, method: 'fitnet' }, backend, runsRoot: root });
    await runStudy({ config, methods: parseStudyMethods('baseline,kd,dkd,init+kd'), backend, runsRoot: root });
    assert.equal(tf.memory().numTensors, before, `${tf.memory().numTensors - before} tensors leaked`);
  });
});
