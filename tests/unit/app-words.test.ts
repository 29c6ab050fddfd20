import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inAppWords, METHOD_CATALOGUE, PRESET_IDS, presetConfig, RUN_SETTINGS, type AnyOption } from '../../electron/contract/catalogue';
import { recipeConflicts } from '../../electron/contract/recipe-rules';

describe("the engine's refusals in the app's words", () => {
  it("turns every run setting's flag into its form label, a negated switch into its label and off", () => {
    for (const option of Object.values(RUN_SETTINGS) as AnyOption[]) {
      const said = inAppWords(`first --${option.flag} then`);
      const want = option.kind === 'boolean' && option.negated ? `“${option.label}” off` : `“${option.label}”`;
      assert.equal(said, `first ${want} then`, option.flag);
    }
  });

  it("names a method option's field, takes a flag whole, and leaves a flag no form shows", () => {
    assert.equal(inAppWords('--dkd-beta must be positive'), `“${METHOD_CATALOGUE.dkd.options.beta.label}” must be positive`);
    // --teacher-patience is its own setting, not --teacher followed by "-patience".
    assert.equal(inAppWords('--teacher-patience stops'), `“${RUN_SETTINGS.teacherPatience.label}” stops`);
    assert.equal(inAppWords('pass --from-run ID'), 'pass --from-run ID');
  });

  it('says, in labels, why the Method screen would refuse auto with DKD and quick with plateaus', () => {
    const autoDkd = recipeConflicts({ ...presetConfig('auto'), method: 'dkd' }).map(inAppWords);
    assert.deepEqual(autoDkd, [
      `the sweep chooses KD's T and α: use “${RUN_SETTINGS.method.label}” kd (not dkd)`,
      `“${RUN_SETTINGS.tryDist.label}” trains the distilled student with KD and with DIST: use “${RUN_SETTINGS.method.label}” kd (not dkd)`,
    ]);
    const plateau = recipeConflicts({ ...presetConfig('quick'), schedule: 'plateau', restarts: 3 }).map(inAppWords);
    assert.equal(plateau.length, 2);
    assert.match(plateau[1]!, /^“learning-rate schedule” plateau cuts the rate on validation plateaus: add “validation split”/);
    assert.ok(plateau.every((line) => !line.includes('--')), plateau.join('\n'));
    // A run whose race kept DIST is resumed as DIST: not a conflict.
    assert.deepEqual(recipeConflicts({ ...presetConfig('auto'), method: 'dist' }), []);
  });

  it('finds no conflict in any preset as it stands', () => {
    for (const id of PRESET_IDS) assert.deepEqual(recipeConflicts(presetConfig(id)), [], id);
  });
});
