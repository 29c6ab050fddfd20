import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../electron/server/server';
import { projectRoot } from '../../electron/server/renderer-dir';
import { writeRunNotes } from '../../electron/engine/runs/store';
import { runCli } from '../helpers/cli';

const TINY = ['--teacher', 'mlp-64x1', '--student', 'mlp-16x1', '--teacher-epochs', '1', '--epochs', '1', '--teacher-jitter', '0', '--limit-train', '1000', '--limit-test', '200', '--json'];

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'run-notes-'));
  for (const t of ['2', '4']) {
    const run = await runCli(['run', ...TINY, '--temperature', t, '--out', join(root, `t${t}`)]);
    assert.equal(run.code, 0, run.stderr);
  }
});

describe('a run named and noted from the CLI', () => {
  it('keeps the name and notes beside the run, shows them in runs, show and compare, and clears them when emptied', async () => {
    const dir = join(root, 't2');
    const none = await runCli(['note', dir]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^run t2 has no name or notes/);
    const set = await runCli(['note', dir, '--name', '  T = 2, the first try  ', '--note', 'the sweep put T = 2 first\non 500 images']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'run t2: T = 2, the first try\n\nthe sweep put T = 2 first\non 500 images\n');
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'notes.json'), 'utf8')), { name: 'T = 2, the first try', note: 'the sweep put T = 2 first\non 500 images' });
    // A flag left out keeps what was there.
    const renamed = await runCli(['note', dir, '--name', 'T = 2', '--json']);
    assert.deepEqual(JSON.parse(renamed.stdout), { runId: 't2', name: 'T = 2', note: 'the sweep put T = 2 first\non 500 images' });

    const listed = await runCli(['runs', '--runs-dir', root]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^run\s+name\s+status/);
    assert.match(listed.stdout, /^t2\s+T = 2\s+completed/m);
    assert.match(listed.stdout, /^t4\s+completed/m, 'an unnamed run leaves the column empty');
    const rows = (await runCli(['runs', '--runs-dir', root, '--json'])).stdout.trim().split('\n').map((line) => JSON.parse(line) as { runId: string; name: string; note: string });
    assert.deepEqual(rows.map((r) => [r.runId, r.name]), [['t4', ''], ['t2', 'T = 2']]);

    // --filter: the runs whose row holds every word, as the app's History filter.
    const filtered = await runCli(['runs', '--runs-dir', root, '--filter', 't = 2 completed', '--json']);
    assert.deepEqual(filtered.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { runId: string }).runId), ['t2']);
    assert.equal((await runCli(['runs', '--runs-dir', root, '--filter', 'cifar10'])).stdout, `no run in ${root} matches 'cifar10'\n`);
    assert.match((await runCli(['show', dir])).stdout, /^T = 2 \(t2\)\nthe sweep put T = 2 first\non 500 images\n\n/);
    assert.match((await runCli(['compare', dir, join(root, 't4')])).stdout.split('\n')[0]!, /^\s+T = 2 \(t2\)\s+t4$/);

    const cleared = await runCli(['note', dir, '--name', '', '--note', '']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(cleared.stdout, /has no name or notes/);
    assert.doesNotMatch((await runCli(['runs', '--runs-dir', root])).stdout, /\bname\b/, 'no name column once no run has one');
  });

  it('refuses a name of two lines, one too long, or a folder that is not a run, with one line and nothing changed', async () => {
    const dir = join(root, 't4');
    await runCli(['note', dir, '--name', 'kept']);
    for (const [args, expected] of [
      [['--name', 'one\ntwo'], /^distill: --name: one line, without control characters\n$/],
      [['--name', 'x'.repeat(81)], /^distill: --name: at most 80 characters\n$/],
      [['--note', 'bell\u0007'], /^distill: --note: text, without control characters\n$/],
    ] as const) {
      const refused = await runCli(['note', dir, ...args]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, expected);
    }
    assert.equal(JSON.parse(await readFile(join(dir, 'notes.json'), 'utf8')).name, 'kept');
    const notRun = await runCli(['note', tmpdir(), '--name', 'x']);
    assert.equal(notRun.code, 2);
    assert.match(notRun.stderr, /: not a run folder/);
    // An unreadable notes.json hides nothing: the run still lists, unnamed.
    await writeFile(join(dir, 'notes.json'), '{"name": 3');
    assert.match((await runCli(['runs', '--runs-dir', root])).stdout, /^t4\s+completed/m);
  });
});

describe('two windows saving one run\'s notes at once', () => {
  it('both succeed, and the file is whole: one of the names written', async () => {
    const dir = join(root, 't4');
    const names = Array.from({ length: 12 }, (_, i) => `window ${i}`);
    await Promise.all(names.map((name) => writeRunNotes(dir, { name, note: '' })));
    assert.ok(names.includes(JSON.parse(await readFile(join(dir, 'notes.json'), 'utf8')).name));
  });
});

describe('a run named from the app (distill serve)', () => {
  let server: RunningServer;
  let runsDir: string;
  before(async () => {
    runsDir = await mkdtemp(join(tmpdir(), 'run-notes-serve-'));
    await cp(join(root, 't2'), join(runsDir, '20261206-120000-aaaa'), { recursive: true });
    server = await startServer({ host: '127.0.0.1', port: 0, runsDir, rendererDir: join(projectRoot(), 'dist', 'renderer'), version: 'test' });
  });
  after(() => server.close());
  const call = (method: string, body: unknown) =>
    fetch(new URL(`/api/call/${method}`, server.url), { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('keeps what annotateRun sends, lists it with the run, and refuses a malformed request or an unknown run', async () => {
    const runId = '20261206-120000-aaaa';
    const saved = await call('annotateRun', { runId, name: ' longer teacher ', note: 'teacher 15 epochs' });
    assert.equal(saved.status, 200);
    assert.deepEqual(await saved.json(), { name: 'longer teacher', note: 'teacher 15 epochs' });
    const runs = (await (await call('listRuns', {})).json()) as Array<{ runId: string; notes?: { name: string } }>;
    assert.equal(runs.find((r) => r.runId === runId)?.notes?.name, 'longer teacher');
    for (const body of [{ runId, name: 'a\nb', note: '' }, { runId, name: 'x', note: '', path: '/etc' }, { runId: '../x', name: 'x', note: '' }, { runId, name: 'x' }]) {
      const refused = await call('annotateRun', body);
      assert.equal(refused.status, 400, JSON.stringify(body));
    }
    const unknown = await call('annotateRun', { runId: '20261206-120000-bbbb', name: 'x', note: '' });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { error: string }).error, /20261206-120000-bbbb/);
    assert.equal(JSON.parse(await readFile(join(runsDir, runId, 'notes.json'), 'utf8')).name, 'longer teacher', 'a refused request changes nothing');
  });
});
