import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { RunConfigSchema } from '../../electron/contract/run-config';
import { RunResultSchema, StudyResultSchema, type RunEvent, type RunResult } from '../../electron/contract/events';
import { DISTILL_BIN, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

/** A tiny real CRD run on the cpu backend (deterministic), with few negatives to keep it quick. */
const TINY = ['--method', 'crd', '--crd-negatives', '256', '--teacher', 'mlp-64x1', '--student', 'mlp-16x1', '--teacher-epochs', '2', '--epochs', '3', '--limit-train', '2000', '--limit-test', '500', '--no-baseline', '--backend', 'cpu', '--json'];

const events = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as RunEvent);
const resultOf = (stdout: string) => RunResultSchema.parse(events(stdout).at(-1));

describe('CRD in a run', () => {
  let root: string;
  let whole: { all: RunEvent[]; result: RunResult };
  before(async () => {
    root = await tempDir('crd-');
    const { code, stdout, stderr } = await runCli(['run', ...TINY, '--out', join(root, 'whole')]);
    assert.equal(code, 0, stderr);
    whole = { all: events(stdout), result: resultOf(stdout) };
  });

  it('says what it contrasts and learns', () => {
    const start = whole.all.find((e) => e.type === 'phase' && e.phase === 'student' && e.status === 'start');
    assert.match(start && 'detail' in start ? start.detail ?? '' : '', /^contrast between embeddings dense_1 \(16\) ← dense_1 \(64\) projected to 128, 256 negatives from a memory of 2,000 images, weight 0\.8, τ = 0\.07, momentum 0\.5/);
    assert.ok(whole.result.student!.accuracy > 0.7, `far above chance: ${whole.result.student!.accuracy}`);
  });

  it("adds KD's soft term with --kd-weight, as Tian et al.'s CRD + KD: in the study's table, its log and its config", async () => {
    const out = join(root, 'plus-kd');
    const tiny = TINY.slice(2).filter((arg) => arg !== '--no-baseline');
    const { code, stdout, stderr } = await runCli(['study', '--methods', 'crd,kd', '--kd-weight', '1', ...tiny, '--out', out]);
    assert.equal(code, 0, stderr);
    const study = StudyResultSchema.parse(events(stdout).at(-1));
    const [crd, kd] = study.rows;
    assert.equal(crd!.label, 'CRD + KD');
    assert.match(crd!.detail, /momentum 0\.5; plus KD's soft term, weight 1, T = 4, warm-up 1 epoch$/);
    assert.ok(crd!.accuracy > 0.7, `far above chance: ${crd!.accuracy}`);
    // KD itself weighs its soft term with α, untouched by --kd-weight.
    assert.equal(kd!.label, 'KD (Hinton)');
    assert.doesNotMatch(kd!.detail, /plus KD/);
    const config = RunConfigSchema.parse(JSON.parse(await readFile(join(out, 'config.json'), 'utf8')));
    assert.equal(config.methodOptions.crd.kdWeight, 1);
  });

  it('refuses, before anything trains or a folder is made, a memory too large for the backend', async () => {
    const out = join(root, 'too-large');
    const { code, stderr } = await runCli(['run', '--method', 'crd', '--crd-dim', '4096', '--limit-train', 'all', '--backend', 'cpu', '--out', out]);
    assert.equal(code, 2);
    assert.equal(stderr.trim(), 'distill: CRD remembers 60,000 training images in 4096 dimensions for each model, 1966.1 MB, more than the 1073.7 MB it may take: use a smaller --crd-dim or --limit-train');
    assert.equal(await stat(out).catch(() => null), null);
  });

  it('resumes a run killed after the student\'s first epoch with its memory, and ends as the run that was not', async () => {
    const out = join(root, 'killed');
    const child = spawn(process.execPath, [DISTILL_BIN, 'run', ...TINY, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.on('close', resolve));
    const state = join(out, 'checkpoints', 'student', 'state.json');
    const checkpointed = async () => /"epoch":1,/.test(await readFile(state, 'utf8').catch(() => ''));
    for (let i = 0; i < 6000 && !(await checkpointed()); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    const resumed = await runCli(['resume', out, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const all = events(resumed.stdout);
    assert.ok(all.some((e) => e.type === 'phase' && e.phase === 'student' && e.status === 'resumed'), 'the student goes on from its checkpoint');
    const result = resultOf(resumed.stdout);
    assert.equal(result.student!.accuracy, whole.result.student!.accuracy);
    assert.deepEqual(result.student!.confusion, whole.result.student!.confusion);
  });
});
