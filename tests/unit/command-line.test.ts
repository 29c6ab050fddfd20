import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METHOD_CATALOGUE, METHOD_IDS, optionsOfMethod, PRESET_IDS, presetConfig, RUN_SETTINGS, STUDY_SEEDS, type AnyOption, type MethodId, type OptionTable, type RunSettingKey } from '../../electron/contract/catalogue';
import { actingOptions, commandLineOf, shellLine, type RunCommandKind } from '../../electron/contract/command-line';
import { withKdCell } from '../../electron/contract/best-cell';
import type { RunConfig } from '../../electron/contract/run-config';
import { parseFlags } from '../../electron/cli/args';
import { configFromFlags, RUN_FLAGS } from '../../electron/cli/run-flags';
import { parseStudyMethods, studyConfig } from '../../electron/engine/runs/study';

// The command a finished run offers ("train it again") is only worth showing if the CLI, given
// it, builds that run's config again: every setting that acts in the run, to the value.

const STUDY_FLAGS = { ...RUN_FLAGS, methods: { type: 'string' }, [STUDY_SEEDS.flag]: { type: 'string' } } as const;

/** What `distill run|sweep|study` builds from the words, as those commands do before they train. */
async function configOfCommand(words: string[]): Promise<RunConfig> {
  const [command, ...args] = words;
  const { values } = parseFlags(args, command === 'study' ? STUDY_FLAGS : RUN_FLAGS);
  if (command === 'sweep') return configFromFlags(values, { method: 'kd', sweep: true });
  if (command === 'study') return studyConfig(await configFromFlags(values, {}, String(values.methods).includes('init+') ? { initFromTeacher: true } : {}));
  return configFromFlags(values);
}

/** The acting settings and method options of a config, as plain values to compare. */
function actingValues(config: RunConfig, kind: RunCommandKind): Record<string, unknown> {
  const acting = actingOptions(config, kind, false);
  return {
    ...Object.fromEntries(acting.settings.map(([key]) => [key, config[key]])),
    ...Object.fromEntries(acting.methodOptions.map(({ method, key }) => [`${method}.${key}`, (config.methodOptions[method] as Record<string, unknown>)[key]])),
  };
}

async function assertRoundTrip(config: RunConfig, kind: RunCommandKind, what: string): Promise<string[]> {
  const words = commandLineOf(config, kind, false);
  assert.ok(words, `${what}: a command line`);
  assert.equal(words[0], kind.command);
  assert.equal(words[1], '--preset', `${what}: the preset is always named`);
  const rebuilt = await configOfCommand(words).catch((error: Error) => assert.fail(`${what}: \`${shellLine(words)}\` is refused: ${error.message}`));
  assert.deepEqual(actingValues(rebuilt, kind), actingValues(config, kind), `${what}: \`${shellLine(words)}\``);
  return words;
}

/** Another valid value for an option than `value`: what a person might have set in the app. */
function otherValue(option: AnyOption, value: unknown): unknown[] {
  switch (option.kind) {
    case 'boolean':
      return [!value];
    case 'choice':
      return option.choices.filter((choice) => choice !== value);
    case 'number':
      return [value === option.max ? option.min + (option.max - option.min) / 4 : (Number(value) + option.max) / 2];
    case 'integer':
      return [value === option.max ? option.max - 1 : Number(value) + 1];
    case 'nullable-integer':
      return value === null ? [option.min + 1] : [null, option.min + 1 === value ? option.min + 2 : option.min + 1];
    case 'text':
      return [{ 'teacher-mean-std': '0.5/0.25', 'feature-pairs': '1:2' }[option.flag] ?? 'x'];
    case 'integer-list':
      return [[2, 4]];
    case 'number-list':
      return [[option.min, (option.min + option.max) / 2]];
    case 'string':
      return [{ dataset: 'fashion-mnist', teacher: 'lenet5', student: 'mlp-20x2' }[option.flag] ?? 'x'];
  }
}

const RUN: RunCommandKind = { command: 'run' };

describe('the command line that trains a run again', () => {
  it("is the preset's own with no flags beyond it, for every preset", async () => {
    for (const preset of PRESET_IDS) {
      const words = await assertRoundTrip(presetConfig(preset), RUN, preset);
      assert.deepEqual(words, ['run', '--preset', preset], `${preset} needs no flags`);
    }
  });

  it('gives back every run setting a person may change, under every preset', async () => {
    let checked = 0;
    for (const preset of PRESET_IDS) {
      for (const [key, option] of Object.entries(RUN_SETTINGS) as Array<[RunSettingKey, AnyOption]>) {
        for (const value of otherValue(option, presetConfig(preset)[key])) {
          const config = { ...presetConfig(preset), [key]: value } as RunConfig;
          await assertRoundTrip(config, RUN, `${preset} with ${key} = ${JSON.stringify(value)}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 200, `${checked} configs`);
  });

  it("gives back every option of the run's method, and of DIST when it races it", async () => {
    for (const method of METHOD_IDS) {
      for (const { method: owner, key } of optionsOfMethod(method)) {
        const option = (METHOD_CATALOGUE[owner].options as OptionTable)[key]!;
        const base = { ...presetConfig('quick'), method };
        for (const value of otherValue(option, (base.methodOptions[owner] as Record<string, unknown>)[key])) {
          const config = structuredClone(base);
          (config.methodOptions[owner] as Record<string, unknown>)[key] = value;
          const words = await assertRoundTrip(config, RUN, `${method}: ${owner}.${key} = ${JSON.stringify(value)}`);
          assert.ok(words.includes(`--${option.flag}`), `${owner}.${key} is given by --${option.flag}`);
        }
      }
    }
    const racing = { ...presetConfig('auto'), methodOptions: { ...presetConfig('auto').methodOptions, dist: { ...presetConfig('auto').methodOptions.dist, interWeight: 2 } } };
    assert.ok((await assertRoundTrip(racing, RUN, 'auto racing DIST')).includes('--dist-beta'));
  });

  it('leaves out what acts on nothing: the sweep grid without the sweep, a loaded teacher\'s training, options no method reads', () => {
    const config: RunConfig = { ...presetConfig('quick'), sweepEpochs: 7, method: 'kd', methodOptions: { ...presetConfig('quick').methodOptions, dkd: { ...presetConfig('quick').methodOptions.dkd, beta: 3 } } };
    assert.deepEqual(commandLineOf(config, RUN, false), ['run', '--preset', 'quick']);
    const loaded = { ...presetConfig('quick'), teacher: '/runs/a/teacher', teacherEpochs: 3 };
    assert.deepEqual(commandLineOf(loaded, RUN, true), ['run', '--preset', 'quick', '--teacher', '/runs/a/teacher']);
    assert.deepEqual(commandLineOf({ ...presetConfig('quick'), teacherNormalization: 'imagenet' }, RUN, false), ['run', '--preset', 'quick'], "a teacher trained here is fed as the app feeds it");
    assert.deepEqual(commandLineOf({ ...presetConfig('quick'), imageSize: 64 }, RUN, false, ['imageSize']), ['run', '--preset', 'quick'], 'an IDX dataset keeps its size');
  });

  it('chooses the preset that needs the fewest flags, and says all of a value only a preset gives', () => {
    const auto = { ...presetConfig('auto'), seed: 3 };
    assert.deepEqual(commandLineOf(auto, RUN, false), ['run', '--preset', 'auto', '--seed', '3']);
    // Every training image and no early stopping, on quick's recipe otherwise.
    const all = { ...presetConfig('quick'), limitTrain: null };
    assert.deepEqual(commandLineOf(all, RUN, false), ['run', '--preset', 'quick', '--limit-train', 'all']);
  });

  it('gives back a sweep on its own and a study, with their entries and seeds', async () => {
    const sweep: RunCommandKind = { command: 'sweep' };
    const swept = { ...presetConfig('auto'), sweepTemperatures: [2, 4], validationSplit: 0.2 };
    const words = await assertRoundTrip(swept, sweep, 'a sweep');
    assert.ok(!words.includes('--epochs') && !words.includes('--sweep'), `a sweep takes neither --epochs nor --sweep: ${words.join(' ')}`);
    // The T and α a sweep (or a run's sweep) chose and its config keeps are its grid's to say, not flags.
    const chose = withKdCell(swept, 8, 0.3);
    for (const [config, kind] of [[chose, sweep], [chose, { command: 'run' }]] as const) {
      const said = commandLineOf(config, kind, false)!;
      assert.ok(!said.includes('--temperature') && !said.includes('--alpha'), said.join(' '));
    }
    assert.ok(commandLineOf({ ...chose, sweep: false }, { command: 'run' }, false)!.includes('--temperature'), 'without the sweep they are the run\'s');
    const study: RunCommandKind = { command: 'study', entries: parseStudyMethods('baseline,init+dist'), seeds: 3 };
    const studied = { ...studyConfig({ ...presetConfig('auto'), sweep: false }), selectionSteps: 4 };
    const studyWords = await assertRoundTrip(studied, study, 'a study');
    assert.deepEqual(studyWords.slice(0, 7), ['study', '--preset', 'auto', '--methods', 'baseline,init+dist', '--seeds', '3']);
    assert.ok(studyWords.includes('--no-sweep') && studyWords.includes('--selection-steps'), studyWords.join(' '));
    assert.ok(!studyWords.includes('--try-dist') && !studyWords.includes('--no-try-dist') && !studyWords.includes('--restarts'), 'a study races and restarts nothing');
    // SP beside SP + KD: the `+kd` entry reads KD's T, so the command keeps it though --kd-weight is 0.
    const plusKd: RunCommandKind = { command: 'study', entries: parseStudyMethods('sp,sp+kd'), seeds: 1 };
    const quick = studyConfig(presetConfig('quick'));
    const atT2 = { ...quick, methodOptions: { ...quick.methodOptions, kd: { ...quick.methodOptions.kd, temperature: 2 } } };
    const plusKdWords = await assertRoundTrip(atT2, plusKd, 'a study of SP and SP + KD');
    assert.deepEqual(plusKdWords.slice(0, 5), ['study', '--preset', 'quick', '--methods', 'sp,sp+kd']);
    assert.equal(plusKdWords[plusKdWords.indexOf('--temperature') + 1], '2', plusKdWords.join(' '));
  });

  it('quotes words a shell would split or expand', () => {
    assert.equal(shellLine(['run', '--dataset', "/data/my photos/it's"]), `distill run --dataset '/data/my photos/it'\\''s'`);
    assert.equal(shellLine(['run', '--teacher', '/a/b-c_d.onnx', '--temperature', '2']), 'distill run --teacher /a/b-c_d.onnx --temperature 2');
  });

  it('gives a POSIX shell back every word as it was', () => {
    const words = ["/data/my photos/it's", 'a b', '$HOME', '`id`', '"x"', '2,4', 'resnet20@0.5', '*', 'a\\b', 'tab\there', 'ü ß', '', '--x=1;y'];
    const line = shellLine(words);
    // The real shell: printf prints each argument it was given on a line of its own.
    const echoed = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${line.slice('distill '.length)}`], { encoding: 'utf8' });
    assert.deepEqual(echoed.split('\n').slice(0, -1), words);
  });

  it("quotes for Windows' shells where the machine is Windows", () => {
    const windows = (words: string[]) => shellLine(words, 'windows');
    // Plain words, paths with backslashes and model names stay as they are.
    assert.equal(windows(['run', '--teacher', 'C:\\runs\\x\\teacher', '--student', 'resnet20@0.5']), 'distill run --teacher C:\\runs\\x\\teacher --student resnet20@0.5');
    // A space (the app's own folder under AppData) and a comma (PowerShell's array) are double-quoted, which cmd reads too.
    assert.equal(windows(['--runs-dir', 'C:\\Users\\Bob\\AppData\\Roaming\\Distill Studio\\runs', '--sweep-temperatures', '2,4']), 'distill --runs-dir "C:\\Users\\Bob\\AppData\\Roaming\\Distill Studio\\runs" --sweep-temperatures "2,4"');
    // What double quotes would expand goes in PowerShell's single quotes, a quote in it doubled.
    assert.equal(windows(['--dataset', "D:\\$data\\it's"]), `distill --dataset 'D:\\$data\\it''s'`);
    assert.equal(windows(['@x']), 'distill "@x"', 'an @ first is splatting in PowerShell');
  });

  it('takes each nullable setting back from its word for null', async () => {
    for (const [key, option] of Object.entries(RUN_SETTINGS) as Array<[RunSettingKey, AnyOption]>) {
      if (option.kind !== 'nullable-integer') continue;
      const word = option.nullMeans.split(' ')[0]!;
      assert.ok(/^[a-z]+$/.test(word), `${key}: ${word}`);
    }
    const { values } = parseFlags(['--preset', 'auto', '--teacher-patience', 'off', '--threads', 'all'], RUN_FLAGS);
    const config = await configFromFlags(values);
    assert.deepEqual([config.teacherPatience, config.threads], [null, null]);
  });
});

/** Used by the type-check only: a method id from the catalogue. */
export type { MethodId };
