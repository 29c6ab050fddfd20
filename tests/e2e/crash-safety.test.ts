import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { appendFile, cp, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RunResultSchema, StudyResultSchema, type StudyRow } from '../../electron/contract/events';
import { createDistillService } from '../../electron/service/distill-service';
import { DISTILL_BIN, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

/** A tiny but real run: cpu backend (deterministic), no jitter, a few epochs per phase. */
const TINY = ['--teacher', 'mlp-64x1', '--student', 'mlp-16x1', '--teacher-epochs', '3', '--epochs', '4', '--limit-train', '3000', '--limit-test', '500', '--batch-size', '20', '--teacher-jitter', '1', '--backend', 'cpu', '--json'];

/** Starts `distill run` (or `command`) and resolves once stdout shows `until`; the child keeps running. */
function startRun(args: string[], until: RegExp, command = 'run') {
  const child = spawn(process.execPath, [DISTILL_BIN, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const reached = new Promise<void>((resolve, reject) => {
    const check = () => (until.test(stdout) ? resolve() : undefined);
    child.stdout.on('data', check);
    void exited.then(() => reject(new Error(`exited before ${until}: ${stderr.slice(-500)}`)));
  });
  return { child, reached, exited, output: () => ({ stdout, stderr }) };
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
const accuracies = (result: { teacher: { accuracy: number } | null; student: { accuracy: number } | null; baseline: { accuracy: number } | null }) => [result.teacher?.accuracy, result.student?.accuracy, result.baseline?.accuracy];

describe('runs survive a crash and resume', () => {
  it('a run killed with SIGKILL mid-epoch resumes from its checkpoint and ends exactly as an uninterrupted one', async () => {
    const root = await tempDir('resume-');
    // The student starts from the teacher through selection steps (mlp-64x1 → mlp-32x1 → mlp-16x1): a resume must not take them again.
    const STEPPED = [...TINY, '--init-from-teacher', '--selection-steps', '2'];
    const whole = await runCli(['run', ...STEPPED, '--out', join(root, 'whole')]);
    assert.equal(whole.code, 0, whole.stderr);
    const expected = RunResultSchema.parse(JSON.parse(whole.stdout.trim().split('\n').at(-1)!));

    // Killed while the KD student is in its third epoch: once its second epoch is checkpointed.
    const killed = startRun([...STEPPED, '--out', join(root, 'killed')], /"type":"epoch","phase":"student","epoch":2/);
    await killed.reached;
    const checkpoint = join(root, 'killed', 'checkpoints', 'student', 'state.json');
    // Epoch 2's checkpoint in place and the swap done: the one it replaced (student.old) removed, so
    // the kill lands between checkpoints, not inside the swap (which a resume also handles).
    const swapped = async () => (await readJson(checkpoint).catch(() => ({ epoch: 0 }))).epoch === 2 && !(await stat(`${dirname(checkpoint)}.old`).catch(() => null));
    for (let i = 0; i < 200 && !(await swapped()); i++) await new Promise((r) => setTimeout(r, 20));
    killed.child.kill('SIGKILL');
    await killed.exited;
    assert.equal((await readJson(join(root, 'killed', 'status.json'))).status, 'running', 'a killed process cannot write its status');
    assert.deepEqual((await readdir(join(root, 'killed', 'checkpoints'))).sort(), ['student', 'teacher.done.json']);

    // `distill runs` lists it as interrupted (its process is gone) beside the whole one, and writes nothing.
    const listed = await runCli(['runs', '--runs-dir', root, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { runId: string; status: string; models: string; student: string; gain: string });
    assert.deepEqual(rows.map((r) => [r.runId, r.status]), [['whole', 'completed'], ['killed', 'interrupted']]);
    assert.equal(rows[0]!.models, 'mlp-64x1 → mlp-16x1');
    assert.equal(rows[0]!.student, `${(expected.student!.accuracy * 100).toFixed(2)}%`);
    assert.match(rows[0]!.gain, /^[+-]\d+\.\d\d$/);
    assert.equal((await readJson(join(root, 'killed', 'status.json'))).status, 'running', 'listing writes nothing');
    const text = await runCli(['runs', '--runs-dir', root]);
    assert.match(text.stdout, /^whole\s+completed\s+mnist\s+mlp-64x1 → mlp-16x1\s+[\d.]+%\s+[\d.]+%\s+[\d.]+%\s+[+-][\d.]+\n/m);
    assert.match(text.stdout, /^killed\s+interrupted\s/m);
    // It says how to see one run again, and how to set runs side by side.
    assert.ok(text.stdout.endsWith(`\n\nin ${root} (\`distill show ${join(root, 'whole')}\` prints a run again; \`distill compare DIR DIR…\` sets runs side by side)\n`), text.stdout);

    // Threads on a backend that computes on none are refused, as `distill run` refuses them, and the run stays as it was.
    const idle = await runCli(['resume', join(root, 'killed'), '--backend', 'cpu', '--threads', '2']);
    assert.equal(idle.code, 2, idle.stderr);
    assert.match(idle.stderr, /^distill: --threads changes nothing without --backend wasm or auto: the run would resume on cpu \(add --backend wasm\)$/m);
    const resumed = await runCli(['resume', join(root, 'killed'), '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const lines = resumed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; status?: string; detail?: string; phase?: string });
    assert.ok(lines.some((l) => l.type === 'phase' && l.phase === 'teacher' && l.status === 'loaded'), 'the finished teacher is not trained again');
    const resumedDetail = lines.find((l) => l.type === 'phase' && l.status === 'resumed')?.detail ?? '';
    assert.match(resumedDetail, /resumed from the checkpoint after epoch 2 of 4/);
    // The resumed student reports the start its checkpoint came from, steps and all, and takes no steps again.
    const killedLines = killed.output().stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; status?: string; phase?: string; detail?: string });
    const startDetail = killedLines.find((l) => l.phase === 'student' && l.status === 'start')?.detail ?? '';
    assert.match(startDetail, /init from teacher: weight selection in 1 step: mlp-32x1 \(\d+\.\d\d %\)/);
    assert.equal(resumedDetail, `${startDetail}; resumed from the checkpoint after epoch 2 of 4`);
    // The step trained before the first student epoch; the resumed run trains no step before going on.
    const stepsBefore = (events: typeof lines, status: string) => events.slice(0, events.findIndex((l) => l.phase === 'student' && l.status === status)).filter((l) => l.type === 'progress' && l.phase === 'student').length;
    assert.ok(stepsBefore(killedLines, 'start') > 0, 'the first run took its selection step');
    assert.equal(stepsBefore(lines, 'resumed'), 0, 'the resumed run takes no selection step again');
    const result = RunResultSchema.parse(lines.at(-1));
    assert.equal(result.resumed, 1);
    // Same weights, optimizer state and data order: the same accuracies to the last image.
    assert.deepEqual(accuracies(result), accuracies(expected));
    assert.deepEqual(result.student!.confusion, expected.student!.confusion);
    assert.equal((await readJson(join(root, 'killed', 'status.json'))).status, 'completed');
    // One epoch line per phase and epoch, as if it had never stopped; checkpoints are gone.
    const epochs = (await readFile(join(root, 'killed', 'metrics.jsonl'), 'utf8')).split('\n').filter((l) => l.includes('"type":"epoch"')).map((l) => JSON.parse(l) as { phase: string; epoch: number });
    assert.deepEqual(epochs.map((e) => `${e.phase}${e.epoch}`), ['teacher1', 'teacher2', 'teacher3', 'student1', 'student2', 'student3', 'student4', 'baseline1', 'baseline2', 'baseline3', 'baseline4']);
    // Progress lines (the loss within epochs) of the epoch that was cut short were dropped on resume: none is left waiting for an epoch line when the run starts again.
    const stored = (await readFile(join(root, 'killed', 'metrics.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; phase?: string; epoch?: number });
    let pending: string[] = [];
    for (const line of stored) {
      if (line.type === 'started') assert.deepEqual(pending, [], 'progress of an unfinished epoch kept across the resume');
      if (line.type === 'progress') pending.push(`${line.phase}${line.epoch}`);
      if (line.type === 'epoch') pending = pending.filter((p) => p !== `${line.phase}${line.epoch}`);
    }
    assert.ok(stored.some((l) => l.type === 'progress' && l.phase === 'student' && l.epoch === 3), "the redone epoch's own samples are there");
    assert.deepEqual(await readdir(join(root, 'killed')).then((names) => names.includes('checkpoints')), false);
    // Nothing left to resume.
    const again = await runCli(['resume', join(root, 'killed')]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /has already completed: there is nothing to resume/);
  });

  it('SIGTERM cancels cleanly: exit 143, status cancelled, and the run resumes', async () => {
    const root = await tempDir('sigterm-');
    const run = startRun([...TINY, '--out', join(root, 'run')], /"phase":"teacher","epoch":2/);
    await run.reached;
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 143);
    assert.match(run.output().stderr, /run cancelled \(SIGTERM\); its folder is marked cancelled/);
    assert.equal((await readJson(join(root, 'run', 'status.json'))).status, 'cancelled');
    const resumed = await runCli(['resume', join(root, 'run'), '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(RunResultSchema.parse(JSON.parse(resumed.stdout.trim().split('\n').at(-1)!)).resumed, 1);
  });

  it('a cancelled `distill sweep` resumes as the sweep alone, keeps the cells it finished, and ends as an uninterrupted one', async () => {
    const root = await tempDir('sweep-resume-');
    const sweepArgs = ['--teacher', 'mlp-64x1', '--student', 'mlp-16x1', '--teacher-epochs', '2', '--limit-train', '3000', '--limit-test', '500', '--backend', 'cpu', '--sweep-temperatures', '2,4', '--sweep-alphas', '0.5,0.9', '--sweep-epochs', '1', '--sweep-images', '500', '--json'];
    const whole = await runCli(['sweep', ...sweepArgs, '--out', join(root, 'whole')]);
    assert.equal(whole.code, 0, whole.stderr);
    const expected = RunResultSchema.parse(JSON.parse(whole.stdout.trim().split('\n').at(-1)!)).sweep!;
    const total = expected.cells.length + expected.finals!.cells.length;
    assert.equal(total, 8, '4 grid cells, 3 finalists, and the best from the teacher\'s weights');
    const run = startRun([...sweepArgs, '--out', join(root, 'run')], /"type":"sweep-cell"[^\n]*"cell":2/, 'sweep');
    await run.reached;
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 143);
    const trainedBefore = run.output().stdout.split('\n').filter((l) => l.includes('"type":"sweep-cell"')).length;
    assert.ok(trainedBefore >= 2 && trainedBefore < total, `cancelled part-way: ${trainedBefore} of ${total} cells`);

    const resumed = await runCli(['resume', join(root, 'run'), '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const lines = resumed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; kept?: boolean; cell?: number; phase?: string; status?: string; method?: string; detail?: string });
    const cells = lines.filter((l) => l.type === 'sweep-cell');
    const order = [...expected.cells, ...expected.finals!.cells].map((c) => c.cell);
    assert.deepEqual(cells.filter((c) => c.kept).map((c) => c.cell), order.slice(0, trainedBefore), 'the finished cells, replayed in order');
    assert.equal(cells.filter((c) => !c.kept).length, total - trainedBefore, 'only the rest trained');
    assert.match(lines.find((l) => l.type === 'phase' && l.method === 'sweep' && l.status === 'start')?.detail ?? '', new RegExp(`${trainedBefore} of ${total} cells trained before the run was resumed`));
    assert.equal(lines.filter((l) => l.type === 'phase' && (l.phase === 'student' || l.phase === 'baseline') && l.method !== 'sweep' && l.status === 'start').length, 0, 'a sweep resumes as a sweep: no students are trained');
    const result = RunResultSchema.parse(lines.at(-1));
    assert.equal(result.resumed, 1);
    assert.equal(result.student, null);
    assert.deepEqual(result.sweep!.cells.map((c) => c.valAccuracy), expected.cells.map((c) => c.valAccuracy), 'the same cells as the uninterrupted sweep');
    const scored = (list: Array<{ cell: number; valAccuracy: number; init?: boolean }>) => list.map((c) => [c.cell, c.init, c.valAccuracy]);
    assert.deepEqual(scored(result.sweep!.finals!.cells), scored(expected.finals!.cells), 'the same finalists, the same scores');
    assert.deepEqual(result.sweep!.best, expected.best);
    // Every cell once in the folder's record.
    const recorded = (await readFile(join(root, 'run', 'metrics.jsonl'), 'utf8')).split('\n').filter((l) => l.includes('"type":"sweep-cell"'));
    assert.equal(recorded.length, total, recorded.join('\n'));
    assert.equal((await readJson(join(root, 'run', 'status.json'))).status, 'completed');
  });

  it('a study over two seeds, cancelled in its second seed, resumes with both seeds and ends as an uninterrupted one', async () => {
    const root = await tempDir('seeds-resume-');
    const studyArgs = [...TINY, '--methods', 'baseline,kd', '--seeds', '2'];
    const whole = await runCli(['study', ...studyArgs, '--out', join(root, 'whole')]);
    assert.equal(whole.code, 0, whole.stderr);
    const expected = StudyResultSchema.parse(JSON.parse(whole.stdout.trim().split('\n').at(-1)!));
    assert.deepEqual(expected.rows.map((r) => [r.method, r.seeds?.seeds]), [['baseline', [1, 2]], ['kd', [1, 2]]]);
    for (const row of expected.rows) assert.equal(row.seeds!.accuracies[0], row.accuracy, `${row.method}: the row's own accuracy is the first seed's`);
    const [alone, kd] = expected.rows as [StudyRow, StudyRow];
    const gains = [0, 1].map((i) => kd.seeds!.accuracies[i]! - alone.seeds!.accuracies[i]!);
    assert.ok(Math.abs(kd.seeds!.meanGain! - (gains[0]! + gains[1]!) / 2) < 1e-12, 'the mean of the seed-by-seed gains');
    assert.ok(Math.abs(kd.seeds!.gainStdErr! - Math.abs(gains[0]! - gains[1]!) / 2) < 1e-12, 'two seeds: the standard error is half their difference');
    assert.deepEqual((await readdir(join(root, 'whole'))).filter((f) => /^(kd|baseline)/.test(f)).sort(), ['baseline', 'baseline-seed2', 'kd', 'kd-seed2']);
    // Weights, not accuracies: two students may score alike on 500 test images.
    assert.notDeepEqual(await readFile(join(root, 'whole', 'kd', 'weights.bin')), await readFile(join(root, 'whole', 'kd-seed2', 'weights.bin')), 'another seed is another student');

    const run = startRun([...studyArgs, '--out', join(root, 'run')], /"epoch":2,[^\n]*"method":"baseline#2"/, 'study');
    await run.reached;
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 143);
    const resumed = await runCli(['resume', join(root, 'run'), '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const lines = resumed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; status?: string; method?: string });
    assert.deepEqual(lines.filter((l) => l.type === 'phase' && l.status === 'loaded').map((l) => l.method ?? 'teacher'), ['teacher', 'baseline', 'kd'], 'the teacher and the first seed were done');
    assert.ok(lines.some((l) => l.type === 'phase' && l.method === 'baseline#2' && l.status === 'resumed'), 'the second seed goes on from its checkpoint');
    const result = StudyResultSchema.parse(lines.at(-1));
    assert.equal(result.resumed, 1);
    assert.deepEqual(result.rows.map((r) => r.seeds), expected.rows.map((r) => r.seeds), 'both seeds, as the uninterrupted study');
  });

  it('a run with restarts keeps each role\'s best seed on validation, and resumed after one was swapped in ends as an uninterrupted one', async () => {
    const root = await tempDir('restarts-');
    // With seed 2 the distilled student's second seed (3) wins on validation and the student alone's first (2)
    // (at full α from the first step: KD's warm-up, which came later, changes which seed wins).
    const args = [...TINY, '--validation-split', '0.2', '--restarts', '2', '--seed', '2', '--kd-warmup', '0'];
    const whole = await runCli(['run', ...args, '--out', join(root, 'whole')]);
    assert.equal(whole.code, 0, whole.stderr);
    const expected = RunResultSchema.parse(JSON.parse(whole.stdout.trim().split('\n').at(-1)!));
    const { student, baseline } = expected.restarts!;
    assert.deepEqual([student?.seeds, student?.kept, baseline?.seeds, baseline?.kept], [[2, 3], 3, [2, 3], 2]);
    for (const [role, restarts] of [['student', student!], ['baseline', baseline!]] as const) {
      const k = restarts.seeds.indexOf(restarts.kept);
      assert.equal(Math.max(...restarts.valAccuracies.map((v) => v ?? -1)), restarts.valAccuracies[k], `${role}: the best on validation`);
      assert.equal(expected[role]!.accuracy, restarts.accuracies[k], `${role}: the run reports the seed it kept`);
    }
    assert.notDeepEqual(await readFile(join(root, 'whole', 'student', 'weights.bin')), await readFile(join(root, 'whole', 'student-seed2', 'weights.bin')), 'another seed is another student');
    assert.deepEqual((await readdir(join(root, 'whole'))).filter((f) => /^(student|baseline)/.test(f)).sort(), ['baseline', 'baseline-seed3', 'student', 'student-seed2']);
    // The epoch kept is the kept seed's lane's (student#3), not the first seed's.
    const done = (await readFile(join(root, 'whole', 'metrics.jsonl'), 'utf8')).split('\n').filter((l) => l.includes('"status":"done"')).map((l) => JSON.parse(l) as { method?: string; phase: string; selection?: unknown });
    assert.deepEqual(expected.selection!.student, done.find((e) => e.method === 'student#3')!.selection);
    assert.deepEqual(expected.selection!.baseline, done.find((e) => e.phase === 'baseline' && e.method === undefined)!.selection);
    assert.ok(expected.choices!.some((c) => c.startsWith('distilled student: seed 3 kept, the best on validation of 2 seeds') && c.endsWith('the other is in student-seed2')), expected.choices!.join('\n'));
    assert.ok(expected.choices!.some((c) => /^over seeds 2–3, the distilled students scored .* a mean gain of [+-]\d+\.\d\d ± \d+\.\d\d points/.test(c)));

    // Its export's card names the seed the kept student trained with.
    const exported = await runCli(['export', join(root, 'whole'), '--role', 'student', '--format', 'tfjs', '--out', join(root, 'export')]);
    assert.equal(exported.code, 0, exported.stderr);
    const card = (await readJson(join(root, 'export', 'model-card.json'))) as { training: { seed: number } };
    assert.equal(card.training.seed, 3);

    // Cancelled in the student alone's second seed, after seed 3's student was swapped in.
    const run = startRun([...args, '--out', join(root, 'run')], /"epoch":2,[^\n]*"method":"baseline#3"/);
    await run.reached;
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 143);
    const resumed = await runCli(['resume', join(root, 'run'), '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const result = RunResultSchema.parse(JSON.parse(resumed.stdout.trim().split('\n').at(-1)!));
    assert.equal(result.resumed, 1);
    assert.deepEqual(accuracies(result), accuracies(expected));
    assert.deepEqual(result.restarts, expected.restarts);
    assert.deepEqual(result.selection, expected.selection);
    assert.deepEqual((await readdir(join(root, 'run'))).filter((f) => /^(student|baseline)/.test(f)).sort(), ['baseline', 'baseline-seed3', 'student', 'student-seed2']);
    for (const folder of ['student', 'student-seed2', 'baseline']) {
      assert.deepEqual(await readFile(join(root, 'run', folder, 'weights.bin')), await readFile(join(root, 'whole', folder, 'weights.bin')), `${folder}: the same model`);
    }
  });

  it('History sees a live CLI run as running, will not delete it, and marks it failed once its process is gone', async () => {
    const runsDir = await tempDir('live-');
    const run = startRun([...TINY, '--teacher-epochs', '30', '--runs-dir', runsDir], /"type":"progress"/);
    await run.reached;
    const service = createDistillService({ runsDir, workDir: join(runsDir, '.distill'), host: 'server', version: 'test', onEvent: () => {} });
    try {
      const [seen] = await service.listRuns({});
      assert.equal(seen?.status, 'running');
      await assert.rejects(service.deleteRun({ runId: seen!.runId }), /is training in another process/);
      assert.equal((await readJson(join(runsDir, seen!.runId, 'status.json'))).status, 'running', 'status.json untouched');
      run.child.kill('SIGKILL');
      await run.exited;
      const [after] = await service.listRuns({});
      assert.equal(after?.status, 'failed');
      assert.match(after?.error ?? '', /interrupted/);
    } finally {
      run.child.kill('SIGKILL');
      await service.dispose();
    }
  });

  it('a torn last line in metrics.jsonl does not hide the run', async () => {
    const runsDir = await tempDir('torn-');
    await cp(fileURLToPath(new URL('../fixtures/legacy-runs', import.meta.url)), runsDir, { recursive: true });
    await appendFile(join(runsDir, '20261201-120000-ab12', 'metrics.jsonl'), '{"type":"epoch","phase":"stud');
    const service = createDistillService({ runsDir, workDir: join(runsDir, '.distill'), host: 'server', version: 'test', onEvent: () => {} });
    try {
      const runs = await service.listRuns({});
      assert.equal(runs.length, 1);
      assert.ok((await service.getRun({ runId: '20261201-120000-ab12' })).metrics.length > 3);
    } finally {
      await service.dispose();
    }
  });
});

describe('an output folder that cannot be written', () => {
  const mounts: string[] = [];
  /** A small tmpfs (root can mount one here and in CI); null, with the reason printed, where it cannot. */
  const mount = async (options: string): Promise<string | null> => {
    const dir = await tempDir('mnt-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
      mounts.push(dir);
      return dir;
    } catch (error) {
      console.log(`# tmpfs test skipped: cannot mount a tmpfs here (${String((error as Error).message).split('\n')[0]})`);
      return null;
    }
  };
  after(async () => {
    for (const dir of mounts) execFileSync('umount', [dir]);
  });

  it('read-only: one line naming the folder, exit 2', async (t) => {
    const dir = await mount('ro,size=1m');
    if (!dir) return t.skip('no tmpfs');
    const { code, stderr } = await runCli(['run', ...TINY, '--out', join(dir, 'run')]);
    assert.equal(code, 2);
    assert.match(stderr, /cannot write the run folder .*\/run: the file system is read-only \(EROFS\)/);
    assert.equal(stderr.trim().split('\n').filter((l) => !/Vulkan|BackendVk/.test(l)).length, 1, stderr);
  });

  it('full: one line, status failed, no partial model file', async (t) => {
    // Room for the config and a few epochs' checkpoints of a 64-unit teacher, not for a 1,200-unit one.
    const dir = await mount('size=3m');
    if (!dir) return t.skip('no tmpfs');
    await mkdir(join(dir, 'run'));
    await rm(join(dir, 'run'), { recursive: true });
    const { code, stderr } = await runCli(['run', ...TINY, '--teacher', 'mlp-1200x2', '--teacher-epochs', '1', '--epochs', '1', '--limit-train', '500', '--out', join(dir, 'run')], { timeoutMs: 300_000 });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^distill: cannot write .*: no space left on the device \(ENOSPC\)$/m);
    assert.equal(stderr.trim().split('\n').filter((l) => !/Vulkan|BackendVk/.test(l)).length, 1, stderr);
    const status = await readJson(join(dir, 'run', 'status.json'));
    assert.equal(status.status, 'failed');
    assert.match(String(status.error), /no space left/);
    const teacher = await readdir(join(dir, 'run', 'teacher')).catch(() => [] as string[]);
    assert.ok(!teacher.includes('weights.bin') && !teacher.includes('weights.bin.tmp'), `partial files: ${teacher.join(', ')}`);
  });
});
