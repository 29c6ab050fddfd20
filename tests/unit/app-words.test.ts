import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inAppWords, METHOD_CATALOGUE, PRESET_IDS, presetConfig, RUN_SETTINGS, type AnyOption } from '../../electron/contract/catalogue';
import { recipeConflicts } from '../../electron/contract/recipe-rules';
import { formProblems } from '../../electron/contract/form-problems';
import { API, describeInvalidRequest } from '../../electron/contract/api';
import { METHOD_IDS } from '../../electron/contract/catalogue';

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
      `the sweep chooses KD's T and α: use “${RUN_SETTINGS.method.label}” kd (not dkd), or “${RUN_SETTINGS.sweep.label}” off`,
      `“${RUN_SETTINGS.tryDist.label}” trains the distilled student with KD and with DIST: use “${RUN_SETTINGS.method.label}” kd (not dkd), or “${RUN_SETTINGS.tryDist.label}” off`,
    ]);
    const plateau = recipeConflicts({ ...presetConfig('quick'), schedule: 'plateau', restarts: 3 }).map(inAppWords);
    assert.equal(plateau.length, 2);
    assert.match(plateau[1]!, /^“learning-rate schedule” plateau cuts the rate on validation plateaus: add “validation split”/);
    assert.ok(plateau.every((line) => !line.includes('--')), plateau.join('\n'));
    // A run whose race kept DIST is resumed as DIST: not a conflict.
    assert.deepEqual(recipeConflicts({ ...presetConfig('auto'), method: 'dist' }), []);
  });

  it('refuses step milestones that would cut nothing, or cut twice, in the form\'s words', () => {
    const step = { ...presetConfig('quick'), schedule: 'step' as const, epochs: 5, teacherEpochs: 8 };
    assert.deepEqual(recipeConflicts({ ...step, lrMilestones: [3, 7] }), [], 'each cuts the rate once that many epochs are done, within the teacher\'s 8');
    assert.deepEqual(recipeConflicts({ ...step, lrMilestones: [3, 3] }).map(inAppWords), ['“milestones” lists epoch 3 twice: each milestone multiplies the rate by 0.1 once']);
    assert.deepEqual(recipeConflicts({ ...step, lrMilestones: [2, 8, 300] }).map(inAppWords), ['“milestones” 8, 300: the rate is cut once that many epochs are done, and training ends after 8, so it would never be cut there; use numbers below 8']);
    // Under another schedule they are idle, as the form greys them: not a conflict of their own.
    assert.deepEqual(recipeConflicts({ ...step, schedule: 'cosine', lrMilestones: [300] }), []);
  });

  it('finds no conflict in any preset as it stands', () => {
    for (const id of PRESET_IDS) assert.deepEqual(recipeConflicts(presetConfig(id)), [], id);
  });

  it("names a refused request's field by its label, as the service words the refusal", () => {
    const refusal = (overrides: object) => {
      const parsed = API.startRun.request.safeParse({ preset: 'quick', overrides });
      assert.ok(!parsed.success);
      return inAppWords(describeInvalidRequest('startRun', parsed.error));
    };
    assert.match(refusal({ epochs: 0 }), /^“student epochs”: /);
    assert.match(refusal({ methodOptions: { kd: { temperature: 4, alpha: 2 } } }), /^“α \(weight of the soft targets\)”: /);
    assert.match(refusal({ sweepTemperatures: [2, Number.NaN] }), /^“sweep: temperatures”: /);
    assert.equal(inAppWords('startRun: invalid request: overrides.nothing: bad'), 'startRun: invalid request: overrides.nothing: bad');
  });

  it("lists the form's out-of-range values in labels, and none for any preset with any method", () => {
    for (const id of PRESET_IDS) for (const method of METHOD_IDS) assert.deepEqual(formProblems(presetConfig(id), [method]), [], `${id} ${method}`);
    const config = presetConfig('quick');
    const bad = { ...config, epochs: 0, lr: -1, batchSize: 2.5, sweepTemperatures: [2, Number.NaN], methodOptions: { ...config.methodOptions, kd: { ...config.methodOptions.kd, alpha: 1.5 }, dkd: { ...config.methodOptions.dkd, beta: -1 } } };
    assert.deepEqual(formProblems(bad, ['kd']), [
      '“student epochs”: must be at least 1',
      '“batch size”: must be a whole number',
      '“learning rate”: must be above 0',
      '“sweep: temperatures”: must be a number',
      `“${METHOD_CATALOGUE.kd.options.alpha.label}”: must be at most 1`,
    ]);
    // A method not in play is not read: DKD's β only where DKD trains.
    assert.equal(formProblems(bad, ['dkd']).filter((p) => p.startsWith(`“${METHOD_CATALOGUE.dkd.options.beta.label}”`)).length, 1);
  });
});
