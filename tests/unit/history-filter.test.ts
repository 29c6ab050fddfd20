import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { StudyResult } from '../../electron/contract/events';
import { historyMatches } from '../../electron/contract/history';

const config = { ...presetConfig('quick'), dataset: '/data/fashion', teacher: 'lenet5@2', student: 'lenet5@0.5' };
const run = { runId: '20261207-010203-ab12', status: 'completed', config, result: null, study: null };

describe("History's filter", () => {
  it('keeps a run whose row holds every word, in any case, wherever it is', () => {
    assert.equal(historyMatches(run, ''), true, 'no words: every run');
    assert.equal(historyMatches(run, '   '), true);
    assert.equal(historyMatches(run, 'FASHION'), true, 'the dataset');
    assert.equal(historyMatches(run, 'lenet5@0.5 completed'), true, 'a model and the status');
    assert.equal(historyMatches(run, '0102'), true, 'part of the id');
    assert.equal(historyMatches(run, 'fashion failed'), false, 'every word must match');
    assert.equal(historyMatches(run, 'mnist'), false);
    assert.equal(historyMatches({ ...run, notes: { name: 'Longer teacher', note: 'tried T = 8' } }, 'longer t = 8'), true, 'its name and notes');
    assert.equal(historyMatches({ ...run, config: { ...config, method: 'dkd' } }, 'dkd'), true, 'a method other than KD');
    const study = { teacher: null, rows: [{ method: 'kd', accuracy: 0.9, gain: null }] } as unknown as StudyResult;
    assert.equal(historyMatches({ ...run, study }, 'study'), true, "a study's tag");
  });
});
