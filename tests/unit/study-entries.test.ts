import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStudyEntry, presetConfig, STUDY_VARIANTS, studyEntryMethodOptions } from '../../electron/contract/catalogue';
import { methodLabel } from '../../electron/contract/display';
import { parseStudyMethods } from '../../electron/engine/runs/study';

describe("a study's entries", () => {
  it('read a method, its start and whether it adds KD\'s soft term', () => {
    assert.deepEqual(parseStudyEntry('sp'), { method: 'sp', initFromTeacher: false, kdTerm: false });
    assert.deepEqual(parseStudyEntry('sp+kd'), { method: 'sp', initFromTeacher: false, kdTerm: true });
    assert.deepEqual(parseStudyEntry('init+crd+kd'), { method: 'crd', initFromTeacher: true, kdTerm: true });
    assert.deepEqual(parseStudyEntry('init+kd'), { method: 'kd', initFromTeacher: true, kdTerm: false });
    // Only the methods with the soft-term option take +kd: KD is its soft term, FitNets ends with KD, the student alone has no teacher.
    for (const name of ['kd+kd', 'fitnet+kd', 'dist+kd', 'baseline+kd', 'sp+kd+kd', 'init+init+kd', 'kd+sp', 'SP+KD', 'sp+kd ']) assert.equal(parseStudyEntry(name), null, name);
  });

  it('refuse a +kd entry on a method without the soft term, naming the forms', () => {
    assert.throws(() => parseStudyMethods('baseline,fitnet+kd'), /--methods: unknown method "fitnet\+kd" \(.*<method>\+kd \(at, nst, vid, reviewkd, ofd, rkd, sp, pkt, crd with KD's soft term added\)\)/);
    assert.deepEqual(parseStudyMethods('baseline,sp,sp+kd').map((e) => [e.name, e.method, e.kdTerm]), [['baseline', 'baseline', false], ['sp', 'sp', false], ['sp+kd', 'sp', true]]);
  });

  it('are offered in the app with their titles', () => {
    const plusKd = STUDY_VARIANTS.find((v) => v.id === 'crd+kd');
    assert.equal(plusKd?.label, 'CRD + KD');
    assert.equal(methodLabel('crd+kd'), 'CRD + KD');
    assert.ok(!STUDY_VARIANTS.some((v) => v.id === 'fitnet+kd'), 'FitNets ends with KD already');
  });
});

describe("where a study puts KD's soft term", () => {
  const quick = presetConfig('quick').methodOptions;
  const withWeight = (weight: number) => ({ ...quick, sp: { ...quick.sp, kdWeight: weight }, crd: { ...quick.crd, kdWeight: weight } });

  it('without a +kd entry, --kd-weight acts on every method that has it, as in a run', () => {
    const options = withWeight(0.5);
    assert.equal(studyEntryMethodOptions(options, ['sp', 'crd', 'kd'], 'sp'), options);
    assert.equal(studyEntryMethodOptions(options, ['sp', 'crd', 'kd'], 'crd').crd.kdWeight, 0.5);
  });

  it('with one, the +kd entries carry it (at --kd-weight, or 1 where that is 0) and the others do not', () => {
    const entries = ['baseline', 'sp', 'sp+kd', 'crd', 'kd'];
    for (const [given, onPlusKd] of [[0, 1], [0.5, 0.5]] as const) {
      const options = withWeight(given);
      assert.equal(studyEntryMethodOptions(options, entries, 'sp+kd').sp.kdWeight, onPlusKd, `sp+kd at --kd-weight ${given}`);
      assert.equal(studyEntryMethodOptions(options, entries, 'sp').sp.kdWeight, 0, `sp beside sp+kd at --kd-weight ${given}`);
      assert.equal(studyEntryMethodOptions(options, entries, 'crd').crd.kdWeight, 0, `crd without crd+kd at --kd-weight ${given}`);
      // A method without the option is as given; the config itself is not changed.
      assert.deepEqual(studyEntryMethodOptions(options, entries, 'kd').kd, options.kd);
      assert.equal(options.sp.kdWeight, given);
    }
  });
});
