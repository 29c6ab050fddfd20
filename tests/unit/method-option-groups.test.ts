import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METHOD_CATALOGUE, METHOD_IDS, methodOptionDefaults, optionsInEffect, optionsOfMethod } from '../../electron/contract/catalogue';
import { methodOptionGroups } from '../../electron/contract/method-option-groups';

const summary = (active: Parameters<typeof methodOptionGroups>[0]) => methodOptionGroups(active).map(({ title, keys }) => `${title ?? '(untitled)'}: ${keys.join(', ')}`);

describe('the Method screen groups method options by method', () => {
  it('gives one method with only its own options no title', () => {
    assert.deepEqual(summary(['kd']), ['(untitled): temperature, alpha, warmup']);
    assert.deepEqual(summary(['baseline']), []);
  });

  it("titles KD's options by the one method that reads them", () => {
    assert.deepEqual(summary(['fitnet']), ['KD (Hinton), read by FitNets: temperature, alpha, warmup', 'FitNets: hintEpochs, featurePairs']);
    assert.deepEqual(summary(['dist']), ['KD (Hinton), read by DIST: temperature, alpha', 'DIST: interWeight, intraWeight, warmup']);
  });

  it("names a feature method as a reader of KD's T only while its soft term is on", () => {
    const defaults = methodOptionDefaults();
    const atWeight = (kdWeight: number) => (method: (typeof METHOD_IDS)[number]) => optionsInEffect(method, { ...defaults, crd: { ...defaults.crd, kdWeight } });
    assert.equal(methodOptionGroups(['crd'], atWeight(1)).find((g) => g.owner === 'kd')?.title, 'KD (Hinton), read by CRD');
    assert.equal(methodOptionGroups(['crd'], atWeight(0)).find((g) => g.owner === 'kd')?.title, 'KD (Hinton)');
    assert.equal(methodOptionGroups(['kd', 'fitnet', 'crd'], atWeight(0)).find((g) => g.owner === 'kd')?.title, 'KD (Hinton), also read by FitNets');
  });

  it("tells a study's warm-ups apart: KD's and DKD's each under its method", () => {
    const groups = methodOptionGroups(['kd', 'fitnet', 'dkd', 'baseline']);
    assert.deepEqual(summary(['kd', 'fitnet', 'dkd', 'baseline']), [
      'KD (Hinton), also read by FitNets and DKD: temperature, alpha, warmup',
      'FitNets: hintEpochs, featurePairs',
      'DKD: alpha, beta, warmup',
    ]);
    assert.deepEqual(groups.filter((g) => g.keys.includes('warmup')).map((g) => g.owner), ['kd', 'dkd']);
  });

  it('shows every option of every method once, in the catalogue order', () => {
    const groups = methodOptionGroups(METHOD_IDS);
    const shown = groups.flatMap((g) => g.keys.map((key) => `${g.owner}.${key}`));
    const expected = [...new Set(METHOD_IDS.flatMap(optionsOfMethod).map(({ method, key }) => `${method}.${key}`))];
    assert.deepEqual(shown, expected);
    assert.equal(new Set(groups.map((g) => g.title)).size, groups.length, 'no two groups share a title');
    for (const g of groups) assert.ok(g.title!.startsWith(METHOD_CATALOGUE[g.owner].label));
  });
});
