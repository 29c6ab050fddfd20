import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DATASET_FORMAT_IDS,
  EXPORT_FORMAT_IDS,
  METHOD_CATALOGUE,
  METHOD_IDS,
  MODEL_FAMILY_CATALOGUE,
  MODEL_FAMILY_IDS,
  optionsOfMethod,
  PRESET_CATALOGUE,
  PRESET_IDS,
  describeNeeds,
  needsMet,
  RUN_SETTING_GROUPS,
  RUN_SETTINGS,
  settingsNeeded,
  type AnyOption,
  type OptionTable,
} from '../../electron/contract/catalogue';
import { migrateRunConfig, RunConfigSchema } from '../../electron/contract/run-config';
import { CATALOGUE_FLAGS, configFromFlags, overridesFromFlags, RUN_FLAGS, runFlagsUsage } from '../../electron/cli/run-flags';
import { getMethod, resolveConfig, studyConfig } from '../../electron/engine';
import { findFamily } from '../../electron/engine/models/registry';
import { createDistillService } from '../../electron/service/distill-service';
import { tempDir } from '../helpers/fixtures';
import { runCli } from '../helpers/cli';

/** A valid value for an option that differs from its default, as a flag would spell it. */
function sampleFlagValue(option: AnyOption): { raw: string | boolean; parsed: unknown } {
  switch (option.kind) {
    case 'number':
      return { raw: String(option.default === option.max ? option.min + (option.max - option.min) / 4 : Math.min(option.max, option.default + (option.max - option.default) / 4)), parsed: undefined };
    case 'integer':
    case 'nullable-integer': {
      const value = (option.default ?? option.min) === option.max ? option.max - 1 : (option.default ?? option.min) + 1;
      return { raw: String(value), parsed: value };
    }
    case 'boolean':
      return { raw: true, parsed: !option.default };
    case 'choice':
      return { raw: option.choices.find((c) => c !== option.default)!, parsed: option.choices.find((c) => c !== option.default)! };
    case 'integer-list':
      return { raw: '3,7', parsed: [3, 7] };
    case 'number-list':
      return { raw: '0.5,0.75', parsed: [0.5, 0.75] };
    case 'text': {
      // A value the option's own pattern takes (layer pairs, a mean/std).
      const raw = ['conv_1:conv_2', '0.5/0.25'].find((v) => option.pattern.test(v))!;
      return { raw, parsed: raw };
    }
    case 'string':
      return { raw: 'mlp-20x1', parsed: 'mlp-20x1' };
  }
}

const everyOption = () => [
  ...Object.entries(RUN_SETTINGS as OptionTable).map(([key, option]) => ({ where: key, option, read: (o: Record<string, unknown>) => o[key] })),
  ...METHOD_IDS.flatMap((method) =>
    Object.entries(METHOD_CATALOGUE[method].options as OptionTable).map(([key, option]) => ({
      where: `${method}.${key}`,
      option,
      read: (o: Record<string, unknown>) => (o.methodOptions as Record<string, Record<string, unknown>> | undefined)?.[method]?.[key],
    })),
  ),
];

describe('the catalogue is the one table every view derives from', () => {
  it('every method and every option is in `distill help`', async () => {
    const { code, stdout } = await runCli(['help']);
    assert.equal(code, 0);
    for (const id of METHOD_IDS) {
      assert.match(stdout, new RegExp(`^  ${id.replace('+', '\\+')} +${METHOD_CATALOGUE[id].label.replace(/[()]/g, '\\$&')}: `, 'm'), `method ${id}`);
      assert.ok(stdout.includes(`loss: ${METHOD_CATALOGUE[id].loss}`), `loss of ${id}`);
    }
    for (const { where, option } of everyOption()) {
      assert.ok(stdout.includes(`--${option.flag}`), `--${option.flag} (${where}) missing from help`);
      assert.ok(stdout.includes(option.help), `help of ${where}`);
    }
    for (const id of PRESET_IDS) assert.ok(stdout.includes(PRESET_CATALOGUE[id].description), `preset ${id}`);
    // A setting that acts under another says so: the sweep's grid, under --sweep.
    assert.match(stdout, /--sweep-temperatures T1,T2,… +the T values the sweep tries \(default 1,2,4,8; 0\.1–100, with --sweep\)/);
    assert.match(runFlagsUsage(['method']), /--dkd-beta B/);
    assert.doesNotMatch(runFlagsUsage(['method']), /--method /);
  });

  it("every option is a flag of the CLI's parser that lands where the catalogue puts it", () => {
    for (const { where, option, read } of everyOption()) {
      const spec = CATALOGUE_FLAGS.get(option.flag);
      assert.ok(spec, `no flag --${option.flag} for ${where}`);
      const { raw, parsed } = sampleFlagValue(option);
      const overrides = overridesFromFlags({ [option.flag]: raw }) as Record<string, unknown>;
      const expected = parsed === undefined ? Number(raw) : parsed;
      assert.deepEqual(read(overrides), expected, `--${option.flag} ${String(raw)} → ${where}`);
    }
  });

  it('a flag changes only its own setting: the preset gives everything else', async () => {
    const config = await configFromFlags({ preset: 'hinton-mnist', 'dkd-beta': '3' });
    const preset = PRESET_CATALOGUE['hinton-mnist'].config;
    assert.equal(config.methodOptions.dkd.beta, 3);
    assert.deepEqual({ ...config, methodOptions: { ...config.methodOptions, dkd: { ...config.methodOptions.dkd, beta: preset.methodOptions.dkd.beta } } }, preset);
    // Method options merge one by one: α from an override, T still the preset's.
    assert.deepEqual(resolveConfig('hinton-mnist', { methodOptions: { kd: { alpha: 0.7 } } }).methodOptions.kd, { temperature: 20, alpha: 0.7, warmup: 0 });
  });

  it("keeps KD's and DIST's soft terms without a warm-up where the figures were measured so, and quick at the catalogue's", () => {
    for (const id of ['auto', 'hinton-mnist', 'vgg19-vgg11-cifar10', 'resnet34-resnet18-cifar10', 'resnet56-resnet20-cifar100'] as const) {
      const { kd, dist } = PRESET_CATALOGUE[id].config.methodOptions;
      assert.deepEqual([kd.warmup, dist.warmup], [0, 0], id);
    }
    const { kd, dist, dkd } = PRESET_CATALOGUE.quick.config.methodOptions;
    assert.deepEqual([kd.warmup, dist.warmup, dkd.warmup], [METHOD_CATALOGUE.kd.options.warmup.default, METHOD_CATALOGUE.dist.options.warmup.default, METHOD_CATALOGUE.dkd.options.warmup.default]);
    assert.deepEqual([kd.warmup, dist.warmup, dkd.warmup], [1, 3, 3]);
  });

  it('puts every run setting in exactly one group', () => {
    const grouped = RUN_SETTING_GROUPS.flatMap((group) => group.keys);
    assert.deepEqual([...grouped].sort(), Object.keys(RUN_SETTINGS).sort());
    assert.equal(new Set(RUN_SETTING_GROUPS.map((group) => group.id)).size, RUN_SETTING_GROUPS.length);
  });

  it("every setting's `needs` names a run setting and a value that setting takes", () => {
    const withNeeds = (Object.values(RUN_SETTINGS) as AnyOption[]).filter((o) => o.needs);
    assert.ok(withNeeds.length >= 14, "the sweep's six, the plateau's patience, the milestones, the custom mean/std, momentum, the jitter share, the threads, the eager steps, weight selection's steps");
    for (const option of withNeeds) {
      const needs = option.needs!;
      for (const key of settingsNeeded(needs)) {
        const needed = (RUN_SETTINGS as OptionTable)[key];
        assert.ok(needed, `--${option.flag} needs ${key}, which is not a run setting`);
        if ('anyOf' in needs) {
          assert.ok(needed.kind === 'number' || needed.kind === 'integer', `--${option.flag} needs ${key} above ${needs.above}, which is not a number`);
          assert.ok(needed.max > needs.above, `--${option.flag} needs ${key} above ${needs.above}, which it never is`);
        } else if ('anyOn' in needs) {
          assert.equal(needed.kind, 'boolean', `--${option.flag} needs ${key} on, which is not a switch`);
        } else {
          for (const value of typeof needs.value === 'object' ? needs.value : [needs.value]) assert.ok(needed.schema.safeParse(value).success, `--${option.flag} needs ${key} = ${String(value)}, which it never takes`);
        }
      }
    }
  });

  it('refuses the jitter share with no jitter, momentum under Adam and a trained teacher\'s input declarations, naming what they act under', async () => {
    await assert.rejects(configFromFlags({ 'teacher-jitter': '0', 'jitter-share': '0.5' }), /^DistillInputError: --jitter-share changes nothing without --teacher-jitter or --student-jitter above 0: set one of them above 0, or drop --jitter-share$/);
    // A saved teacher is loaded, not trained: its jitter (2 by default) shifts nothing.
    await assert.rejects(configFromFlags({ teacher: 'runs/a/teacher', 'jitter-share': '0.5' }), /--jitter-share changes nothing without --student-jitter above 0 \(runs\/a\/teacher is loaded, not trained\): set it above 0, or drop --jitter-share$/);
    assert.equal((await configFromFlags({ teacher: 'runs/a/teacher', 'student-jitter': '1', 'jitter-share': '0.5' })).jitterShare, 0.5);
    assert.equal((await configFromFlags({ 'teacher-jitter': '0', 'student-jitter': '2', 'jitter-share': '0.5' })).jitterShare, 0.5);
    assert.equal((await configFromFlags({ 'jitter-share': '0.5' })).jitterShare, 0.5, "quick's teacher jitters by 2 px");
    await assert.rejects(configFromFlags({ optimizer: 'adam', momentum: '0.5' }), /--momentum changes nothing without --optimizer sgd: use --optimizer sgd$/);
    assert.equal((await configFromFlags({ momentum: '0.5' })).momentum, 0.5);
    assert.ok(!needsMet(RUN_SETTINGS.jitterShare, { teacherJitter: 2, studentJitter: 0 }, ['teacherJitter']));
    assert.ok(needsMet(RUN_SETTINGS.jitterShare, { teacherJitter: 2, studentJitter: 0 }));
    assert.equal(describeNeeds(RUN_SETTINGS.jitterShare.needs!), 'acts only with teacher jitter (px) or student jitter (px) above 0');
    // The CPU threads are wasm's (which auto may pick); the recorded step is WebGPU's.
    await assert.rejects(configFromFlags({ backend: 'cpu', threads: '2' }), /--threads changes nothing without --backend wasm or auto: use --backend wasm or auto$/);
    await assert.rejects(configFromFlags({ backend: 'wasm', 'eager-steps': true }), /--eager-steps changes nothing without --backend webgpu or auto: use --backend webgpu or auto$/);
    assert.equal((await configFromFlags({ backend: 'wasm', threads: '2' })).threads, 2);
    assert.equal((await configFromFlags({ threads: '2' })).threads, 2);
    assert.equal((await configFromFlags({ backend: 'webgpu', 'eager-steps': true })).compiledStep, false);
    // How a teacher takes its images acts only for a saved or imported one.
    await assert.rejects(configFromFlags({ 'teacher-resize': true }), /--teacher-resize changes nothing with a teacher trained here: .* mlp-800x2 is trained on this app's own \(drop --teacher-resize\)$/);
    assert.equal((await configFromFlags({ teacher: 'teacher.onnx', 'teacher-resize': true })).teacherResize, true);
    assert.equal((await configFromFlags({ teacher: 'teacher.onnx', 'teacher-normalization': 'custom', 'teacher-mean-std': '0.5/0.25' })).teacherMeanStd, '0.5/0.25');
  });

  it("refuses weight selection's steps with no start from the teacher: the sweep's teacher start counts only while the sweep runs", async () => {
    const refusal = /^DistillInputError: --selection-steps changes nothing without --init-from-teacher, or --sweep without --no-sweep-from-teacher: (add|use) one of them, or drop --selection-steps$/;
    await assert.rejects(configFromFlags({ 'selection-steps': '4' }), refusal);
    await assert.rejects(configFromFlags({ preset: 'auto', 'no-sweep': true, 'selection-steps': '4' }), refusal, 'the sweep is off, so its teacher start is too');
    await assert.rejects(configFromFlags({ preset: 'auto', 'no-sweep-from-teacher': true, 'selection-steps': '4' }), /: use one of them/);
    assert.equal((await configFromFlags({ 'init-from-teacher': true, 'selection-steps': '4' })).selectionSteps, 4);
    assert.equal((await configFromFlags({ preset: 'auto', 'selection-steps': '2' })).selectionSteps, 2);
    assert.equal((await configFromFlags({ sweep: true, 'selection-steps': '2' })).selectionSteps, 2);
    // A study's init+kd starts from the teacher itself.
    assert.equal((await configFromFlags({ 'selection-steps': '4' }, {}, { initFromTeacher: true })).selectionSteps, 4);
    assert.ok(!needsMet(RUN_SETTINGS.selectionSteps, { initFromTeacher: false, sweep: false, sweepFromTeacher: true }));
    assert.ok(needsMet(RUN_SETTINGS.selectionSteps, { initFromTeacher: false, sweep: true, sweepFromTeacher: true }));
    assert.equal(describeNeeds(RUN_SETTINGS.selectionSteps.needs!), `acts only with “${RUN_SETTINGS.initFromTeacher.label}” or “${RUN_SETTINGS.sweepFromTeacher.label}” on`);
  });

  it('names a preset only where presets differ and the needed flag is not given: a given flag overrides every preset', async () => {
    await assert.rejects(configFromFlags({ preset: 'quick', optimizer: 'adam', momentum: '0.5' }), /--momentum changes nothing without --optimizer sgd: use --optimizer sgd$/);
    await assert.rejects(configFromFlags({ preset: 'quick', 'sweep-epochs': '2' }), /--sweep-epochs changes nothing without --sweep: add --sweep, or use --preset auto, which turns it on$/);
    await assert.rejects(configFromFlags({ preset: 'auto', 'no-sweep': true, 'sweep-epochs': '2' }), /--sweep-epochs changes nothing without --sweep: use --sweep$/);
  });

  it('a bad value names the flag, as the person typed it', async () => {
    await assert.rejects(configFromFlags({ 'dkd-beta': '1000' }), /invalid dkd-beta 1000: must be at most \d+/);
    await assert.rejects(configFromFlags({ temperature: '0' }), /invalid temperature 0: must be above 0$/);
    await assert.rejects(configFromFlags({ 'batch-size': '0' }), /invalid batch-size 0: must be at least 1$/);
  });

  it("an on/off flag's --no- form turns off what the preset turned on, and both at once is an error", async () => {
    const auto = await configFromFlags({ preset: 'auto', 'no-sweep': true, 'no-try-dist': true });
    assert.equal(PRESET_CATALOGUE.auto.config.sweep, true);
    assert.equal(auto.sweep, false);
    assert.equal(auto.tryDist, false);
    assert.deepEqual({ ...auto, sweep: true, tryDist: true }, PRESET_CATALOGUE.auto.config);
    await assert.rejects(configFromFlags({ sweep: true, 'no-sweep': true }), /^DistillInputError: --sweep and --no-sweep contradict each other: give one$/);
    // Flags that already say no (--no-baseline) get no --no-no- twin; every other on/off flag has one.
    for (const [flag, spec] of CATALOGUE_FLAGS) {
      if (spec.option.kind !== 'boolean') continue;
      const twin = `no-${flag}`;
      assert.equal(twin in RUN_FLAGS, !spec.option.negated, twin);
    }
    // A study under auto: the sweep is refused with the way out named, and the KD/DIST race is off.
    await assert.rejects(async () => studyConfig(await configFromFlags({ preset: 'auto' })), /--no-sweep after --preset auto/);
    assert.equal(studyConfig(await configFromFlags({ preset: 'auto', 'no-sweep': true })).tryDist, false);
    const { code, stderr } = await runCli(['run', '--preset', 'auto', '--sweep', '--no-sweep']);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /--sweep and --no-sweep contradict each other/);
  });

  it('every preset is a valid configuration; the catalogue defaults are the quick preset', () => {
    for (const id of PRESET_IDS) assert.deepEqual(RunConfigSchema.parse(PRESET_CATALOGUE[id].config), PRESET_CATALOGUE[id].config, id);
    const quick = PRESET_CATALOGUE.quick.config as unknown as Record<string, unknown>;
    for (const [key, option] of Object.entries(RUN_SETTINGS as OptionTable)) assert.deepEqual(quick[key], option.default, key);
    // The one divergence is deliberate and stated: DKD's published β = 8 diverges on these MLPs.
    assert.equal(PRESET_CATALOGUE.quick.config.methodOptions.dkd.beta, 1);
    assert.equal(METHOD_CATALOGUE.dkd.options.beta.default, 8);
  });

  it('every method, model family and format has its engine half', async () => {
    for (const id of METHOD_IDS) {
      const method = getMethod(id);
      assert.equal(typeof method.prepare, 'function', id);
      assert.equal(method.needsTeacher, METHOD_CATALOGUE[id].needsTeacher);
      for (const ref of optionsOfMethod(id)) assert.ok(ref.key in (METHOD_CATALOGUE[ref.method].options as OptionTable), `${id} uses ${ref.method}.${ref.key}`);
    }
    for (const id of MODEL_FAMILY_IDS) for (const name of MODEL_FAMILY_CATALOGUE[id].examples) assert.equal(findFamily(name)?.id, id, name);
    assert.deepEqual(DATASET_FORMAT_IDS, ['idx', 'cifar-binary', 'csv', 'npz', 'parquet', 'image-folder']);
    assert.ok(EXPORT_FORMAT_IDS.includes('tfjs'));
  });
});

describe('config.json from before method options were namespaced', () => {
  const legacyRuns = fileURLToPath(new URL('../fixtures/legacy-runs', import.meta.url));

  it('migrates flat fields into methodOptions and keeps every value', async () => {
    const legacy = JSON.parse(await readFile(join(legacyRuns, '20261201-120000-ab12', 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(legacy.dkdBeta, 2);
    const config = RunConfigSchema.parse(legacy);
    assert.deepEqual(config.methodOptions, {
      // Trained without KD's warm-up, which came later with a default of 1 epoch: the file keeps what it did.
      kd: { temperature: 4, alpha: 0.5, warmup: 0 },
      fitnet: { hintEpochs: null, featurePairs: null },
      // The soft term a feature method may add came later, off by default: an older run had none.
      at: { weight: 1000, warmup: 1, featurePairs: null, kdWeight: 0 },
      nst: { weight: 50, warmup: 1, featurePairs: null, kdWeight: 0 },
      vid: { weight: 1, initialVariance: 5, warmup: 1, featurePairs: null, kdWeight: 0 },
      reviewkd: { weight: 1, warmup: 1, featurePairs: null, kdWeight: 0 },
      ofd: { weight: 0.001, warmup: 1, featurePairs: null, kdWeight: 0 },
      dkd: { alpha: 1, beta: 2, warmup: 1 },
      // Methods added since (NST, VID, ReviewKD, OFD, DIST, RKD, SP, PKT, CRD) get their catalogue defaults, but for DIST's warm-up, which came later still.
      dist: { interWeight: 1, intraWeight: 1, warmup: 0 },
      rkd: { distanceWeight: 25, angleWeight: 50, kdWeight: 0 },
      sp: { weight: 3000, warmup: 3, kdWeight: 0 },
      pkt: { weight: 30000, warmup: 3, kdWeight: 0 },
      crd: { weight: 0.8, negatives: 4096, temperature: 0.07, momentum: 0.5, dimensions: 128, kdWeight: 0 },
      baseline: {},
    });
    assert.equal('dkdBeta' in config, false);
    assert.equal(config.method, 'dkd');
    // Settings added since (jitterShare) take the default that reproduces the old behaviour.
    assert.equal('jitterShare' in legacy, false);
    assert.equal(config.jitterShare, 1);
    // A current file passes through unchanged.
    assert.deepEqual(migrateRunConfig(config), config);
    // Older still: without the method fields at all, the catalogue's defaults.
    const oldest = Object.fromEntries(Object.entries(legacy).filter(([key]) => !['initFromTeacher', 'featurePairs', 'hintEpochs', 'atWeight', 'dkdAlpha', 'dkdBeta', 'dkdWarmup', 'flip', 'imageSize'].includes(key)));
    assert.equal(RunConfigSchema.parse(oldest).methodOptions.dkd.beta, 8);
    assert.equal(RunConfigSchema.parse(oldest).methodOptions.kd.warmup, 0);
    // A file that names its warm-up keeps it; a new run takes the catalogue's.
    assert.equal(RunConfigSchema.parse({ ...config, methodOptions: { ...config.methodOptions, kd: { ...config.methodOptions.kd, warmup: 3 } } }).methodOptions.kd.warmup, 3);
    assert.equal(resolveConfig('quick', {}).methodOptions.kd.warmup, METHOD_CATALOGUE.kd.options.warmup.default);
    // DIST read KD's warm-up until it had its own: a file from then keeps the one it trained with.
    const distBefore = { interWeight: config.methodOptions.dist.interWeight, intraWeight: config.methodOptions.dist.intraWeight };
    const fromThen = { ...config, methodOptions: { ...config.methodOptions, kd: { ...config.methodOptions.kd, warmup: 1 }, dist: distBefore } };
    assert.equal(RunConfigSchema.parse(fromThen).methodOptions.dist.warmup, 1);
    assert.equal(RunConfigSchema.parse({ ...fromThen, methodOptions: { ...fromThen.methodOptions, dist: { ...distBefore, warmup: 5 } } }).methodOptions.dist.warmup, 5);
    assert.equal(resolveConfig('quick', {}).methodOptions.dist.warmup, METHOD_CATALOGUE.dist.options.warmup.default);
  });

  it('an old run folder opens in History with its results', async () => {
    const runsDir = await tempDir('legacy-runs-');
    await cp(legacyRuns, runsDir, { recursive: true });
    const service = createDistillService({ runsDir, workDir: join(runsDir, '.distill'), host: 'server', version: 'test', onEvent: () => {} });
    try {
      const runs = await service.listRuns({});
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.status, 'completed');
      assert.equal(runs[0]!.config.methodOptions.dkd.beta, 2);
      const detail = await service.getRun({ runId: '20261201-120000-ab12' });
      assert.ok(detail.result && detail.result.student && detail.result.baseline);
      assert.ok(detail.metrics.some((event) => event.type === 'epoch'));
    } finally {
      await service.dispose();
    }
  });
});
