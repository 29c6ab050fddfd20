import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import { presetForDataset, type PresetForm } from '../../renderer/src/lib/dataset-preset';

const form = (over: Partial<PresetForm> = {}): PresetForm => ({ preset: 'quick', config: presetConfig('quick'), teacherChosen: false, setByDataset: false, ...over });

describe('a dataset the app has not seen gets the auto recipe', () => {
  it('turns the untouched default form to auto for any dataset but MNIST, and says why', () => {
    for (const dataset of ['fashion-mnist', 'cifar10', '/home/me/data/fashion', 'upload:0123456789abcdef']) {
      const suited = presetForDataset(dataset, form());
      assert.equal(suited?.preset, 'auto', dataset);
      assert.match(suited?.note ?? '', /quick was tuned on MNIST, and auto makes its choices on a validation split of your data/);
    }
    assert.equal(presetForDataset('mnist', form()), null, 'MNIST keeps quick');
  });

  it("keeps a person's own choices: another preset, a changed setting or model, a chosen teacher", () => {
    assert.equal(presetForDataset('cifar10', form({ preset: 'hinton-mnist', config: presetConfig('hinton-mnist') })), null);
    assert.equal(presetForDataset('cifar10', form({ config: { ...presetConfig('quick'), epochs: 9 } })), null);
    assert.equal(presetForDataset('cifar10', form({ config: { ...presetConfig('quick'), student: 'lenet5' } })), null);
    assert.equal(presetForDataset('cifar10', form({ teacherChosen: true })), null);
  });

  it('gives MNIST quick back only when auto came from an earlier dataset and is untouched', () => {
    const auto = form({ preset: 'auto', config: presetConfig('auto'), setByDataset: true });
    assert.equal(presetForDataset('mnist', auto)?.preset, 'quick');
    assert.equal(presetForDataset('mnist', { ...auto, setByDataset: false }), null, 'auto the person chose stays');
    assert.equal(presetForDataset('mnist', { ...auto, config: { ...presetConfig('auto'), seed: 3 } }), null, 'a changed auto form stays');
    assert.equal(presetForDataset('cifar10', auto), null, 'another new dataset keeps auto as it is');
  });
});
