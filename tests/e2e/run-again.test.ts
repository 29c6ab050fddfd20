import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bestCellRunConfig } from '../../electron/contract/best-cell';
import { actingOptions } from '../../electron/contract/command-line';
import type { RunConfig } from '../../electron/contract/run-config';
import type { SweepResult } from '../../electron/contract/events';
import { startServer, type RunningServer } from '../../electron/server/server';
import { projectRoot } from '../../electron/server/renderer-dir';
import { runCli } from '../helpers/cli';

// A finished run says how to train it again (`distill show`, the app's Results): the printed
// command, run as printed, must give the same models, and so must the one on its saved teacher.

const STUDENTS = ['--student', 'mlp-16x1', '--epochs', '2', '--limit-train', '1000', '--limit-test', '300', '--backend', 'cpu'];
const TINY = ['--teacher', 'mlp-64x1', '--teacher-epochs', '1', '--teacher-jitter', '0', ...STUDENTS];

interface Accuracies {
  teacher: number | undefined;
  student: number | undefined;
  baseline: number | undefined;
}
const accuracies = (json: string): Accuracies => {
  const result = JSON.parse(json.trim().split('\n').at(-1)!) as { teacher?: { accuracy: number }; student?: { accuracy: number }; baseline?: { accuracy: number } };
  return { teacher: result.teacher?.accuracy, student: result.student?.accuracy, baseline: result.baseline?.accuracy };
};

/** The two commands `distill show` prints, as words (these paths hold nothing a shell would quote). */
function printedCommands(stdout: string): { again: string[]; onItsTeacher: string[] | null } {
  const lines = stdout.split('\n');
  const after = (heading: string) => {
    const at = lines.indexOf(heading);
    if (at < 0) return null;
    const line = lines[at + 1]!.trim();
    assert.doesNotMatch(line, /'/, 'nothing to unquote');
    assert.match(line, /^distill (run|study|sweep) --preset /);
    return line.split(' ').slice(1);
  };
  const again = after('to train it again:');
  assert.ok(again, stdout);
  return { again, onItsTeacher: after('on its saved teacher, without training that again:') };
}

let root: string;
let first: Accuracies;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'run-again-'));
  const run = await runCli(['run', '--preset', 'quick', ...TINY, '--temperature', '3', '--alpha', '0.7', '--out', join(root, 'first'), '--json']);
  assert.equal(run.code, 0, run.stderr);
  first = accuracies(run.stdout);
});

describe('a finished run trained again from the command it prints', () => {
  it('gives the same teacher and students, and the same students on its saved teacher', async () => {
    const shown = await runCli(['show', join(root, 'first')]);
    assert.equal(shown.code, 0, shown.stderr);
    const { again, onItsTeacher } = printedCommands(shown.stdout);
    assert.deepEqual(again.slice(0, 3), ['run', '--preset', 'quick']);
    for (const flag of ['--temperature', '--alpha', '--limit-test', '--backend']) assert.ok(again.includes(flag), `${flag} in ${again.join(' ')}`);
    assert.ok(onItsTeacher, 'a teacher trained here is offered as the saved one');
    assert.equal(onItsTeacher[onItsTeacher.indexOf('--teacher') + 1], join(root, 'first', 'teacher'));
    assert.ok(!onItsTeacher.includes('--teacher-epochs'), "a loaded teacher's training settings are left out");

    const rerun = await runCli([...again, '--out', join(root, 'again'), '--json']);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(accuracies(rerun.stdout), first, 'the same models to the last image');
    const onTeacher = await runCli([...onItsTeacher, '--out', join(root, 'on-teacher'), '--json']);
    assert.equal(onTeacher.code, 0, onTeacher.stderr);
    assert.deepEqual(accuracies(onTeacher.stdout), first, 'the same students from the saved teacher');
    // A run on a saved teacher trains none of its own: it offers one command.
    assert.equal(printedCommands((await runCli(['show', join(root, 'on-teacher')])).stdout).onItsTeacher, null);
  });

  it("offers a teacher trained here as the app feeds it, whatever idle input settings the run's config carried", async () => {
    // The app's form may carry an imported teacher's input settings from an earlier check; they acted on nothing here.
    await cp(join(root, 'first'), join(root, 'carried'), { recursive: true });
    const configPath = join(root, 'carried', 'config.json');
    await writeFile(configPath, JSON.stringify({ ...JSON.parse(await readFile(configPath, 'utf8')), teacherNormalization: 'none', teacherInputRange: '0-255' }));
    const { again, onItsTeacher } = printedCommands((await runCli(['show', join(root, 'carried')])).stdout);
    assert.ok(!again.includes('--teacher-normalization'), again.join(' '));
    assert.ok(onItsTeacher, 'a teacher trained here is offered as the saved one');
    assert.ok(!onItsTeacher.some((word) => word.startsWith('--teacher-input') || word === '--teacher-normalization'), onItsTeacher.join(' '));
  });

  it("refuses an imported teacher's input flags for a teacher an earlier run trained, which they would only feed wrong", async () => {
    const refused = await runCli(['run', '--teacher', join(root, 'first'), '--teacher-normalization', 'none', ...STUDENTS]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--teacher-normalization says how an imported teacher takes its images, but this teacher \(.*first\/teacher\) was trained by its run .*: drop it$/m);
  });

  it('prints a study with its methods and seeds, which trains the same table again', async () => {
    const study = await runCli(['study', '--methods', 'baseline,kd', '--seeds', '2', '--teacher', join(root, 'first', 'teacher'), ...STUDENTS, '--out', join(root, 'study'), '--json']);
    assert.equal(study.code, 0, study.stderr);
    const { again, onItsTeacher } = printedCommands((await runCli(['show', join(root, 'study')])).stdout);
    assert.equal(onItsTeacher, null);
    assert.deepEqual(again.slice(0, 7), ['study', '--preset', 'quick', '--methods', 'baseline,kd', '--seeds', '2']);
    const rerun = await runCli([...again, '--out', join(root, 'study-again'), '--json']);
    assert.equal(rerun.code, 0, rerun.stderr);
    const rows = (out: string) => (JSON.parse(out.trim().split('\n').at(-1)!) as { rows: Array<{ method: string; accuracy: number }> }).rows.map((r) => [r.method, r.accuracy]);
    assert.deepEqual(rows(rerun.stdout), rows(study.stdout));
  });
});

describe("a sweep's suggested full run", () => {
  it('runs as printed: every setting of the sweep but its choice, on the teacher the sweep saved', async () => {
    const grid = ['--sweep-temperatures', '2,4', '--sweep-alphas', '0.5', '--sweep-epochs', '3', '--sweep-images', '900', '--teacher-epochs', '3', '--lr', '0.1'];
    // A sweep takes no --epochs (its cells train --sweep-epochs); the full run trains the preset's.
    const noEpochs = TINY.filter((word, i) => word !== '--epochs' && TINY[i - 1] !== '--epochs');
    const sweep = await runCli(['sweep', ...noEpochs, ...grid, '--out', join(root, 'sweep')]);
    assert.equal(sweep.code, 0, sweep.stderr);
    const lines = sweep.stdout.split('\n');
    const printed = lines[lines.indexOf('the full run with it, on this teacher:') + 1]?.trim() ?? '';
    assert.match(printed, /^distill run --preset quick /, sweep.stdout);
    assert.doesNotMatch(printed, /'/, 'nothing to unquote');
    // `distill show` of the sweep suggests the same.
    const shown = (await runCli(['show', join(root, 'sweep')])).stdout.split('\n');
    assert.equal(shown[shown.indexOf('the full run with it, on this teacher:') + 1]?.trim(), printed);

    const words = printed.split(' ').slice(1);
    assert.equal(words[words.indexOf('--teacher') + 1], join(root, 'sweep', 'teacher'));
    // The sweep's data and students, not the preset's: its image count, student and rate come with it.
    for (const flag of ['--limit-train', '--limit-test', '--student', '--lr', '--validation-split', '--backend']) assert.ok(words.includes(flag), `${flag} in ${printed}`);
    assert.ok(!words.includes('--teacher-epochs'), "a loaded teacher's training settings are left out");
    const run = await runCli([...words, '--out', join(root, 'best-cell'), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const sweepResult = JSON.parse(await readFile(join(root, 'sweep', 'result.json'), 'utf8')) as { teacher: { accuracy: number }; sweep: SweepResult };
    assert.equal(accuracies(run.stdout).teacher, sweepResult.teacher.accuracy, "the sweep's teacher, loaded");
    const config = async (dir: string) => JSON.parse(await readFile(join(root, dir, 'config.json'), 'utf8')) as RunConfig;
    const sweepConfig = await config('sweep');
    const teacher = join(root, 'sweep', 'teacher');
    const ran = await config('best-cell');
    const expected: RunConfig = { ...bestCellRunConfig(sweepConfig, sweepResult.sweep.best), teacher };
    // Every setting that acts in the full run (a loaded teacher's training and the sweep's grid act on nothing there).
    const acting = actingOptions(ran, { command: 'run' }, true);
    assert.ok(acting.settings.length > 20);
    for (const [key] of acting.settings) assert.deepEqual(ran[key], expected[key], key);
    assert.deepEqual([ran.method, ran.sweep, ran.methodOptions.kd], ['kd', false, expected.methodOptions.kd]);
    assert.deepEqual([ran.methodOptions.kd.temperature, ran.methodOptions.kd.alpha], [sweepResult.sweep.best.temperature, sweepResult.sweep.best.alpha]);
  });
});

describe('the commands in the app (getRun over distill serve)', () => {
  let server: RunningServer;
  let runsDir: string;
  before(async () => {
    runsDir = await mkdtemp(join(tmpdir(), 'run-again-serve-'));
    await cp(join(root, 'first'), join(runsDir, '20261207-120000-aaaa'), { recursive: true });
    server = await startServer({ host: '127.0.0.1', port: 0, runsDir, rendererDir: join(projectRoot(), 'dist', 'renderer'), version: 'test' });
  });
  after(() => server.close());

  const call = (method: string, body: unknown) =>
    fetch(new URL(`/api/call/${method}`, server.url), { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it("come with a completed run, the saved teacher named in the runs folder it is in, and write into that folder: the run shows in the app's History", async () => {
    const response = await call('getRun', { runId: '20261207-120000-aaaa' });
    assert.equal(response.status, 200);
    const detail = (await response.json()) as { commandLines: { again: string; onItsTeacher: string | null } | null };
    assert.match(detail.commandLines?.again ?? '', new RegExp(`^distill run --preset quick .*--temperature 3 --alpha 0\\.7 .*--runs-dir ${runsDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    const onItsTeacher = detail.commandLines?.onItsTeacher ?? '';
    assert.ok(onItsTeacher.includes(`--teacher ${join(runsDir, '20261207-120000-aaaa', 'teacher')}`), onItsTeacher);
    assert.doesNotMatch(onItsTeacher, /'/, 'nothing to unquote');
    const ran = await runCli([...onItsTeacher.split(' ').slice(1), '--json']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(accuracies(ran.stdout), first);
    const listed = (await (await call('listRuns', {})).json()) as Array<{ runId: string; status: string }>;
    assert.deepEqual(listed.map((r) => r.status), ['completed', 'completed'], 'the new run is listed beside the first');
  });

  it("feed a teacher an earlier run trained (run:<id>) as the app feeds its own models, whatever input settings the form carries", async () => {
    // A form can keep an imported teacher's input settings from an earlier check (the Results' one click to a sweep's best cell did).
    const response = await call('startRun', { preset: 'quick', overrides: { teacher: 'run:20261207-120000-aaaa', student: 'mlp-16x1', epochs: 1, limitTrain: 500, limitTest: 100, backend: 'cpu', teacherNormalization: 'none', teacherInputRange: '0-255' } });
    assert.equal(response.status, 200);
    const started = (await response.json()) as { runId: string; config: { teacher: string; teacherNormalization: string; teacherInputRange: string } };
    assert.deepEqual([started.config.teacher, started.config.teacherNormalization, started.config.teacherInputRange], [join(runsDir, '20261207-120000-aaaa', 'teacher'), 'dataset', '0-1']);
    await call('cancelRun', { runId: started.runId });
  });

  it("give the form the run's settings back (Edit and run again): its dataset opened, its teacher, its preset", async () => {
    const response = await call('runForm', { runId: '20261207-120000-aaaa' });
    assert.equal(response.status, 200);
    const form = (await response.json()) as { preset: string; config: { dataset: string; teacher: string; methodOptions: { kd: { temperature: number } } }; dataset: { dataset: string; test: number } | null; teacher: { kind: string }; study: unknown; sweep: boolean };
    assert.deepEqual([form.preset, form.config.dataset, form.dataset?.dataset, form.teacher.kind, form.config.teacher, form.config.methodOptions.kd.temperature, form.study, form.sweep], ['quick', 'mnist', 'mnist', 'trained', 'mlp-64x1', 3, null, false]);
    for (const body of [{ runId: '../x' }, { runId: '20261207-120000-aaaa', path: '/etc' }, {}]) assert.equal((await call('runForm', body)).status, 400, JSON.stringify(body));
    const unknown = await call('runForm', { runId: '20261207-120000-bbbb' });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { error: string }).error, /no run 20261207-120000-bbbb/);
  });
});
