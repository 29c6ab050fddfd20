import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunResultSchema, type RunEvent } from '../../electron/contract/events';
import { DISTILL_BIN, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

/** A tiny real run on the cpu backend (deterministic) with a validation split to choose on. */
const TINY = ['--teacher', 'mlp-128x2', '--student', 'mlp-32x1', '--teacher-epochs', '2', '--epochs', '3', '--limit-train', '2000', '--limit-test', '500', '--validation-split', '0.2', '--backend', 'cpu', '--json'];

const exists = (path: string) => access(path).then(() => true, () => false);
const events = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as RunEvent);
const configOf = async (dir: string) => JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { method: string; tryDist: boolean };

/** The race's line among the run's choices, and the two validation accuracies it names. */
function raceChoice(choices: readonly string[] | undefined) {
  const line = choices?.find((c) => / kept over /.test(c));
  const match = line?.match(/^distilled student: (KD|DIST) kept over (?:KD|DIST) at (?:the same T, α and start|the same α and start, DIST at T = \d+(?: \(KD's T = \d+\))?) \(validation ([\d.]+)% with KD, ([\d.]+)% with DIST\)/);
  assert.ok(match, `no race in ${JSON.stringify(choices)}`);
  return { kept: match[1], kd: Number(match[2]), dist: Number(match[3]) };
}

/** The test accuracy at the epoch a lane kept (its best on validation). */
function keptTestAccuracy(all: RunEvent[], method: string | undefined): number {
  const lane = all.filter((e): e is Extract<RunEvent, { type: 'epoch' }> => e.type === 'epoch' && e.phase === 'student' && e.method === method);
  const best = lane.reduce((a, e) => ((e.valAccuracy ?? 0) > (a.valAccuracy ?? 0) ? e : a));
  return best.testAccuracy;
}

describe('--try-dist: the distilled student with KD and with DIST, the better on validation kept', () => {
  it("trains DIST at T = 2 where KD's T is higher, and says so", async () => {
    const root = await tempDir('dist-race-t-');
    const { code, stdout, stderr } = await runCli(['run', ...TINY, '--temperature', '4', '--alpha', '0.9', '--try-dist', '--out', join(root, 'run')]);
    assert.equal(code, 0, stderr);
    const all = events(stdout);
    const started = (method: string | undefined) => all.find((e) => e.type === 'phase' && e.phase === 'student' && e.status === 'start' && e.method === method);
    assert.match(JSON.stringify(started(undefined)), /T = 4, α = 0\.9/, 'KD at the sweep\'s (here the given) T');
    assert.match(JSON.stringify(started('dist')), /T = 2, α = 0\.9/, 'DIST at T = 2');
    const result = RunResultSchema.parse(all.at(-1));
    const line = result.choices!.find((c) => / kept over /.test(c))!;
    assert.match(line, /at the same α and start, DIST at T = 2 \(KD's T = 4\)/);
    raceChoice(result.choices);
    // config.json describes the student kept: DIST's T when DIST won.
    const config = JSON.parse(await readFile(join(root, 'run', 'config.json'), 'utf8')) as { method: string; methodOptions: { kd: { temperature: number } } };
    assert.equal(config.methodOptions.kd.temperature, config.method === 'dist' ? 2 : 4);
  });

  it('keeps DIST when it scores higher, names it in config.json, keeps the KD student aside, and a resume ends the same', async () => {
    const root = await tempDir('dist-race-');
    const args = [...TINY, '--temperature', '1', '--alpha', '0.9', '--try-dist'];
    const { code, stdout, stderr } = await runCli(['run', ...args, '--out', join(root, 'whole')]);
    assert.equal(code, 0, stderr);
    const all = events(stdout);
    const result = RunResultSchema.parse(all.at(-1));
    const race = raceChoice(result.choices);
    assert.equal(race.kept, 'DIST');
    assert.ok(race.dist > race.kd);
    assert.equal(result.studentMethod, 'dist');
    // The epoch the run reports for its student is the DIST lane's.
    const distDone = all.find((e) => e.type === 'phase' && e.phase === 'student' && e.status === 'done' && e.method === 'dist');
    assert.ok(distDone?.type === 'phase' && distDone.selection);
    assert.deepEqual(result.selection?.student, distDone.selection);
    const printed = await runCli(['run', ...args.filter((a) => a !== '--json'), '--out', join(root, 'text')]);
    assert.match(printed.stdout, new RegExp(`^DIST student +mlp-32x1 .* ${(result.student!.accuracy * 100).toFixed(2)}%`, 'm'));
    assert.equal(result.student!.accuracy, keptTestAccuracy(all, 'dist'), "the run's student is the DIST one");
    assert.notEqual(result.student!.accuracy, keptTestAccuracy(all, undefined));
    assert.equal((await configOf(join(root, 'whole'))).method, 'dist');
    assert.deepEqual(await Promise.all(['student', 'student-kd', 'student-dist'].map((d) => exists(join(root, 'whole', d)))), [true, true, false]);

    // Cancelled while the student alone trains, after the swap: the resume keeps DIST and the same numbers.
    const child = spawn(process.execPath, [DISTILL_BIN, 'run', ...args, '--out', join(root, 'cut')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk) => { out += chunk; if (/"phase":"baseline","epoch":1,/.test(out)) resolve(); }));
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('close', resolve));
    const resumed = await runCli(['resume', join(root, 'cut'), '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const again = RunResultSchema.parse(events(resumed.stdout).at(-1));
    assert.deepEqual([again.student!.accuracy, again.baseline!.accuracy, raceChoice(again.choices)], [result.student!.accuracy, result.baseline!.accuracy, race]);
    assert.equal((await configOf(join(root, 'cut'))).method, 'dist');
    assert.deepEqual(await Promise.all(['student', 'student-kd', 'student-dist'].map((d) => exists(join(root, 'cut', d)))), [true, true, false]);
  });

  it('keeps KD when DIST does not score higher, with the DIST student aside', async () => {
    const root = await tempDir('dist-race-kd-');
    // DIST's one-epoch warm-up of before: on this tiny pair KD then wins (DIST's default of 3 wins here).
    const { code, stdout, stderr } = await runCli(['run', ...TINY, '--try-dist', '--dist-warmup', '1', '--no-baseline', '--out', join(root, 'run')]);
    assert.equal(code, 0, stderr);
    const all = events(stdout);
    const result = RunResultSchema.parse(all.at(-1));
    const race = raceChoice(result.choices);
    assert.equal(race.kept, 'KD');
    assert.ok(race.kd >= race.dist);
    assert.equal(result.studentMethod, 'kd');
    assert.equal(result.student!.accuracy, keptTestAccuracy(all, undefined));
    assert.equal((await configOf(join(root, 'run'))).method, 'kd');
    assert.deepEqual(await Promise.all(['student', 'student-kd', 'student-dist'].map((d) => exists(join(root, 'run', d)))), [true, false, true]);
  });

  it('refuses a run without a validation split or with another method, before training', async () => {
    const noSplit = await runCli(['run', ...TINY.filter((a) => a !== '--validation-split' && a !== '0.2'), '--try-dist']);
    assert.equal(noSplit.code, 2);
    assert.match(noSplit.stderr, /--try-dist keeps whichever of KD and DIST scores higher on a validation split: add --validation-split/);
    const dkd = await runCli(['run', ...TINY, '--try-dist', '--method', 'dkd']);
    assert.equal(dkd.code, 2);
    assert.match(dkd.stderr, /--try-dist trains the distilled student with KD and with DIST: use --method kd \(not dkd\), or --no-try-dist$/m);
  });
});
