import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunResultSchema, StudyResultSchema } from '../../electron/contract/events';
import { runCli } from '../helpers/cli';

const TINY_MLP = ['--teacher', 'mlp-128x2', '--student', 'mlp-32x1', '--teacher-epochs', '2', '--epochs', '4', '--teacher-jitter', '0', '--limit-train', '2000', '--limit-test', '500', '--batch-size', '50'];

describe('distill study', () => {
  it('trains every requested method on one teacher and reports one table', async () => {
    const out = await mkdtemp(join(tmpdir(), 'study-'));
    const { code, stdout, stderr } = await runCli(['study', '--methods', 'kd,fitnet,dkd,dist,init+kd,baseline', ...TINY_MLP, '--json', '--out', out]);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; phase?: string; status?: string });
    assert.equal(lines.filter((l) => l.type === 'phase' && l.phase === 'teacher' && l.status === 'start').length, 1, 'the teacher trains once');
    const study = StudyResultSchema.parse(lines.at(-1));
    assert.deepEqual(study.rows.map((r) => r.method), ['baseline', 'kd', 'fitnet', 'dkd', 'dist', 'init+kd']);
    const alone = study.rows[0]!;
    assert.equal(alone.gain, 0);
    for (const row of study.rows) {
      assert.ok(row.accuracy > 0.4, `${row.method}: ${row.accuracy} (chance is 0.1)`);
      assert.ok(Math.abs(row.gain! - (row.accuracy - alone.accuracy)) < 1e-12);
      assert.ok(row.seconds > 0);
      // One architecture, one timing, made beside the teacher's at the end of the study.
      assert.ok(row.latencyMs! > 0 && row.latencyMs === alone.latencyMs, `${row.method}: ${row.latencyMs} ms against ${alone.latencyMs} ms`);
    }
    assert.ok(study.teacher!.latencyMs > 0);
    assert.match(study.rows.find((r) => r.method === 'dist')!.detail, /β·\(1 − ρ between classes\).*T = 4, α = 0.5, β = 1, γ = 1/);
    assert.match(study.rows.find((r) => r.method === 'fitnet')!.detail, /hints dense_1 \(32\) ← dense_1 \(128\)/);
    // A shallower, narrower student: the teacher's first layer pruned to 32 units, and its output layer (layer and weight selection).
    assert.match(study.rows.find((r) => r.method === 'init+kd')!.detail, /init from teacher: weight selection: .*copied dense_1 ← dense_1 \(32 of 128 units\), logits ← logits/);
    assert.deepEqual(StudyResultSchema.parse(JSON.parse(await readFile(join(out, 'study.json'), 'utf8'))).rows.length, 6);

    // Any method's student exports, with that method on its model card; a study's student needs its method named.
    const initKd = study.rows.find((r) => r.method === 'init+kd')!;
    const dest = join(out, 'exported-init-kd');
    const exported = await runCli(['export', out, '--method', 'init+kd', '--format', 'onnx', '--out', dest]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^init\+kd student exported as ONNX to /);
    const card = JSON.parse(await readFile(join(dest, 'model-card.json'), 'utf8')) as { role: string; training: { method: string; startedFromTeacher: boolean }; accuracy: { student: number; studentAlone: number; exported: number } };
    assert.equal(card.role, 'student');
    assert.deepEqual([card.training.method, card.training.startedFromTeacher], ['kd', true]);
    assert.deepEqual([card.accuracy.student, card.accuracy.studentAlone], [initKd.accuracy, alone.accuracy]);
    assert.ok(Math.abs(card.accuracy.exported - initKd.accuracy) < 0.005, `the ONNX export scores ${card.accuracy.exported} against ${initKd.accuracy}`);
    const unnamed = await runCli(['export', out, '--out', join(out, 'unnamed')]);
    assert.equal(unnamed.code, 2);
    assert.match(unnamed.stderr, /is a study: say which method's student to export \(--method kd; its methods: baseline, kd, fitnet, dkd, dist, init\+kd\)/);
    const missing = await runCli(['export', out, '--method', 'at', '--out', join(out, 'missing')]);
    assert.match(missing.stderr, /has no "at" student \(its methods: baseline, kd, fitnet, dkd, dist, init\+kd\)/);
  });

  it('measures a finished run again over seeds (--from-run): its students first, on its own teacher and recipe', async () => {
    const root = await mkdtemp(join(tmpdir(), 'from-run-'));
    const run = await runCli(['run', ...TINY_MLP, '--method', 'dist', '--init-from-teacher', '--json', '--out', join(root, 'run')]);
    assert.equal(run.code, 0, run.stderr);
    const result = RunResultSchema.parse(JSON.parse(run.stdout.trim().split('\n').at(-1)!));
    // The CLI's advice names this run's folder where it suggests measuring it over seeds.
    const text = await runCli(['run', ...TINY_MLP, '--out', join(root, 'text')]);
    assert.match(text.stdout, new RegExp(`distill study --from-run ${join(root, 'text').replace(/[/\\.]/g, '\\$&')} --seeds 5`));

    const { code, stdout, stderr } = await runCli(['study', '--from-run', join(root, 'run'), '--seeds', '2', '--json', '--out', join(root, 'seeds')]);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; phase?: string; status?: string });
    assert.ok(lines.some((l) => l.type === 'phase' && l.phase === 'teacher' && l.status === 'loaded'), "the run's teacher, loaded");
    const study = StudyResultSchema.parse(lines.at(-1));
    assert.deepEqual(study.rows.map((r) => r.method), ['baseline', 'init+dist'], "the run's student as a study entry: DIST from the teacher's weights");
    assert.deepEqual(study.rows.map((r) => r.accuracy), [result.baseline!.accuracy, result.student!.accuracy], "the first seed's students are the run's own");
    assert.deepEqual(study.rows.map((r) => r.seeds!.seeds), [[1, 2], [1, 2]]);

    // A run whose config carries an imported teacher's input settings (an app form kept them from an
    // earlier check; they acted on nothing there) is measured on its teacher as the app fed it.
    await cp(join(root, 'run'), join(root, 'carried'), { recursive: true });
    const configPath = join(root, 'carried', 'config.json');
    await writeFile(configPath, JSON.stringify({ ...JSON.parse(await readFile(configPath, 'utf8')), teacherNormalization: 'none', teacherInputRange: '0-255' }));
    const carried = await runCli(['study', '--from-run', join(root, 'carried'), '--seeds', '1', '--json', '--out', join(root, 'carried-seeds')]);
    assert.equal(carried.code, 0, carried.stderr);
    assert.deepEqual(StudyResultSchema.parse(JSON.parse(carried.stdout.trim().split('\n').at(-1)!)).rows.map((r) => r.accuracy), [result.baseline!.accuracy, result.student!.accuracy]);

    const extra = await runCli(['study', '--from-run', join(root, 'run'), '--epochs', '9']);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /--from-run takes the run's recipe: drop --epochs/);
    const idleThreads = await runCli(['study', '--from-run', join(root, 'run'), '--backend', 'cpu', '--threads', '2']);
    assert.equal(idleThreads.code, 2);
    assert.match(idleThreads.stderr, /--threads changes nothing without --backend wasm or auto: the study would train on cpu \(add --backend wasm\)/);
    const notRun = await runCli(['study', '--from-run', join(root, 'seeds')]);
    assert.match(notRun.stderr, /not a completed run \(it is a study\)/);
  });

  it("compares a method with and without KD's soft term in one table (sp,sp+kd)", async () => {
    const out = await mkdtemp(join(tmpdir(), 'study-plus-kd-'));
    const { code, stdout, stderr } = await runCli(['study', '--methods', 'baseline,sp,sp+kd', '--temperature', '2', '--kd-weight', '0.5', ...TINY_MLP, '--json', '--out', out]);
    assert.equal(code, 0, stderr);
    const study = StudyResultSchema.parse(JSON.parse(stdout.trim().split('\n').at(-1)!));
    assert.deepEqual(study.rows.map((r) => [r.method, r.label]), [['baseline', 'Student alone'], ['sp', 'SP'], ['sp+kd', 'SP + KD']]);
    const [, sp, plusKd] = study.rows;
    assert.doesNotMatch(sp!.detail, /plus KD/);
    assert.match(plusKd!.detail, /; plus KD's soft term, weight 0\.5, T = 2/);
    assert.notEqual(plusKd!.accuracy, sp!.accuracy, 'two different students');
    // The study's config keeps the weight given; the entries say where it went.
    assert.equal(JSON.parse(await readFile(join(out, 'config.json'), 'utf8')).methodOptions.sp.kdWeight, 0.5);
    // Without --kd-weight a +kd entry takes Tian et al.'s 1, and --temperature is read through it.
    const refused = await runCli(['study', '--methods', 'baseline,sp', '--temperature', '2']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--temperature acts on SP only through KD's soft term, which is off: add --kd-weight W \(1 is Tian et al.'s\), or list sp\+kd in --methods, or drop --temperature/);
  });

  it('rejects an unknown method and a method that cannot pair the models, before training', async () => {
    const race = await runCli(['study', '--methods', 'kd,dist', '--try-dist']);
    assert.equal(race.code, 2);
    assert.match(race.stderr, /study compares methods itself: add dist to --methods instead of --try-dist/);
    const restarts = await runCli(['study', '--methods', 'baseline,kd', '--restarts', '3']);
    assert.equal(restarts.code, 2);
    assert.match(restarts.stderr, /study trains seeds itself: --seeds N gives every method N seeds and their mean, instead of --restarts/);
    const unknown = await runCli(['study', '--methods', 'kd,kdsvd']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--methods: unknown method "kdsvd"/);
    const at = await runCli(['study', '--methods', 'baseline,at', ...TINY_MLP]);
    assert.equal(at.code, 2);
    assert.match(at.stderr, /attention transfer needs convolutional feature maps in both models; mlp-32x1 has none/);
    assert.doesNotMatch(at.stderr, /training/);
  });

  it("takes weight selection's steps for its init+ entries, and refuses them where every student starts at random", async () => {
    const out = await mkdtemp(join(tmpdir(), 'study-steps-'));
    const tiny = ['--teacher', 'mlp-64x1', '--student', 'mlp-8x1', '--teacher-epochs', '1', '--epochs', '1', '--limit-train', '200', '--limit-test', '100', '--backend', 'cpu', '--selection-steps', '2'];
    const { code, stdout, stderr } = await runCli(['study', '--methods', 'init+kd', ...tiny, '--json', '--out', out]);
    assert.equal(code, 0, stderr);
    const study = StudyResultSchema.parse(JSON.parse(stdout.trim().split('\n').at(-1)!));
    assert.match(study.rows[0]!.detail, /weight selection in 2 steps: mlp-32x1 \([\d.]+ %\) → mlp-16x1 \([\d.]+ %\).*then mlp-8x1 from the last/);
    const refused = await runCli(['study', '--methods', 'kd', ...tiny, '--out', join(out, 'refused')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--selection-steps changes nothing in a study whose students all start at random/);
  });
});

describe('distill run with feature methods', () => {
  it('attention transfer trains a LeNet-5 student from a LeNet-5 teacher', async () => {
    const runsDir = await mkdtemp(join(tmpdir(), 'at-run-'));
    const { code, stdout, stderr } = await runCli(['run', '--method', 'at', '--teacher', 'lenet5', '--student', 'lenet5', '--teacher-epochs', '1', '--epochs', '1', '--limit-train', '200', '--limit-test', '100', '--batch-size', '50', '--teacher-jitter', '0', '--no-baseline', '--runs-dir', runsDir, '--json']);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    const start = lines.find((l) => l.type === 'phase' && l.phase === 'student' && l.status === 'start');
    assert.match(start.detail, /attention maps conv_1 \(28×28×6\) ← conv_1 \(28×28×6\), conv_2 \(10×10×16\) ← conv_2 \(10×10×16\), β = 1000/);
    const result = RunResultSchema.parse(lines.at(-1));
    assert.notEqual(result.backend.name, 'cpu', 'auto trains convnets on a faster path than pure JavaScript');
    assert.ok(Number.isFinite(result.student!.testLoss));
  });

  it('checks --feature-pairs against the models', async () => {
    const malformed = await runCli(['run', '--method', 'fitnet', '--feature-pairs', 'dense_1']);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /invalid feature-pairs "dense_1": expected studentLayer:teacherLayer/);
    const missing = await runCli(['run', '--method', 'fitnet', ...TINY_MLP, '--feature-pairs', 'dense_1:dense_7']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /the teacher has no layer "dense_7" \(feature layers: dense_1, dense_2\)/);
  });
});
