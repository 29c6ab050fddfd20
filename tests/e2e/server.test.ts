import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../electron/server/server';
import { projectRoot } from '../../electron/server/renderer-dir';
import { twoClassPixelCsv } from '../helpers/fixtures';

let server: RunningServer;
let base: URL;
let runsDir: string;

before(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'server-runs-'));
  server = await startServer({ host: '127.0.0.1', port: 0, runsDir, rendererDir: join(projectRoot(), 'dist', 'renderer'), version: 'test' });
  base = new URL(server.url);
});
after(() => server.close());

const call = (method: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(new URL(`/api/call/${method}`, base), {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('distill serve: access', () => {
  it('binds 127.0.0.1 and prints a URL with a random token', () => {
    assert.equal(base.hostname, '127.0.0.1');
    assert.ok((base.searchParams.get('token') ?? '').length >= 32);
  });

  it('refuses pages and API calls without the token, or with a wrong one', async () => {
    for (const url of [new URL('/', base), new URL('/assets/x.js', base)]) assert.equal((await fetch(url)).status, 401);
    const noToken = await fetch(new URL('/api/call/listRuns', base), { method: 'POST', body: '{}' });
    assert.equal(noToken.status, 401);
    assert.match(((await noToken.json()) as { error: string }).error, /missing access token/);
    assert.equal((await call('listRuns', {}, { Authorization: 'Bearer nope' })).status, 401);
  });

  it('serves the app with the token and sets a strict cookie for the rest', async () => {
    const page = await fetch(base);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="app">/);
    assert.match(page.headers.get('set-cookie') ?? '', /distill_token=.*HttpOnly; SameSite=Strict/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  });

  it('refuses another origin or an unexpected Host even with the token', async () => {
    const crossOrigin = await call('listRuns', {}, { Origin: 'http://evil.example' });
    assert.equal(crossOrigin.status, 403);
    assert.match(((await crossOrigin.json()) as { error: string }).error, /cross-origin request from http:\/\/evil.example refused/);
    assert.equal((await call('listRuns', {}, { Origin: `http://${base.host}` })).status, 200);
  });

  it('refuses a WebSocket without the token and accepts one with it', async () => {
    const open = (url: string) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(url);
        socket.on('open', () => (socket.close(), resolve('open')));
        socket.on('error', (error) => resolve(error.message));
      });
    assert.match(await open(`ws://${base.host}/api/events`), /401/);
    assert.equal(await open(`ws://${base.host}/api/events?token=${server.token}`), 'open');
  });
});

describe('distill serve: malformed requests get clear errors and change nothing', () => {
  const cases: Array<[string, string, unknown, RegExp]> = [
    ['unknown method', 'dropTables', {}, /unknown method "dropTables"/],
    ['body is not JSON', 'listRuns', '{oops', /not valid JSON/],
    ['field of the wrong type', 'startRun', { preset: 'quick', overrides: { methodOptions: { kd: { alpha: 'high' } } } }, /startRun: invalid request: overrides\.methodOptions\.kd\.alpha: .*expected number/],
    ['value out of range', 'startRun', { preset: 'quick', overrides: { methodOptions: { kd: { temperature: -1 } } } }, /overrides\.methodOptions\.kd\.temperature: must be above 0/],
    ['method option of another method', 'startRun', { preset: 'quick', overrides: { methodOptions: { kd: { beta: 2 } } } }, /overrides\.methodOptions\.kd: Unrecognized key: "beta"/],
    ['export format not in the catalogue', 'exportModel', { runId: 'nope', role: 'student', format: 'pickle' }, /format: Invalid (option|input): expected .*"tfjs"/],
    ['export to a server path', 'exportModel', { runId: 'nope', role: 'student', destination: '/tmp/x' }, /Unrecognized key: "destination"/],
    ["a study's student named by a path", 'exportModel', { runId: 'nope', role: 'student', method: '../../etc' }, /method: a study method: kd, dkd, …, baseline, init\+<method>, or <method>\+kd/],
    ['host-only export over HTTP', 'exportModelTo', { runId: 'nope', role: 'student', destination: '/tmp/x' }, /unknown method "exportModelTo"/],
    ['forced backend that is not installed', 'startRun', { preset: 'quick', overrides: { backend: 'tensorflow' } }, /backend tensorflow is not available/],
    ['unknown preset', 'startRun', { preset: 'fast' }, /preset: Invalid option/],
    ['extra field', 'getRun', { runId: 'x', sql: 'drop' }, /Unrecognized key/],
    ['path-like run id', 'getRun', { runId: '../../etc' }, /runId: not a run id/],
    ['unknown run', 'getRun', { runId: 'nope' }, /no run nope/],
    ['bad upload id', 'importDataset', { source: { kind: 'upload', uploadId: '../x' } }, /not an upload id/],
    ['server paths are not a dataset source over HTTP', 'importDataset', { source: { kind: 'paths', paths: ['/no/such/folder'] } }, /source\.kind: Invalid/],
    ['unknown model in a run', 'startRun', { preset: 'quick', overrides: { student: 'resnet999' } }, /unknown student model "resnet999"/],
  ];
  for (const [name, method, body, pattern] of cases) {
    it(name, async () => {
      const response = await call(method, body);
      assert.equal(response.status, 400);
      const error = (await response.json()) as { error: string; kind: string };
      assert.equal(error.kind, 'input');
      assert.match(error.error, pattern);
    });
  }

  it('left no run folder behind', async () => {
    assert.deepEqual((await readdir(runsDir)).filter((name) => !name.startsWith('.')), []);
    assert.deepEqual(await (await call('listRuns', {})).json(), []);
  });

  it('refuses an upload with a path in its file name', async () => {
    const response = await fetch(new URL(`/api/upload?id=0123456789abcdef&name=${encodeURIComponent('../../x')}`, base), {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}` },
      body: 'x',
    });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, /"..\/..\/x" is not an acceptable file name/);
  });
});

describe('distill serve: datasets a browser uploads', () => {
  const upload = (id: string, name: string, body: string | Uint8Array) =>
    fetch(new URL(`/api/upload?id=${id}&name=${encodeURIComponent(name)}`, base), { method: 'POST', headers: { Authorization: `Bearer ${server.token}` }, body: body as unknown as BodyInit });
  const csv = twoClassPixelCsv;

  it("opens Kaggle's two CSV files, picked loose or as the zip they come in", async () => {
    const loose = '1a2b3c4d5e6f7a8b';
    assert.equal((await upload(loose, 'sign_mnist_train.csv', csv(40))).status, 200);
    assert.equal((await upload(loose, 'sign_mnist_test.csv', csv(10))).status, 200);
    const zipped = '8b7a6f5e4d3c2b1a';
    assert.equal((await upload(zipped, 'archive.zip', zipSync({ 'sign_mnist_train.csv': strToU8(csv(40)), 'sign_mnist_test.csv': strToU8(csv(10)) }))).status, 200);
    for (const id of [loose, zipped]) {
      const response = await call('importDataset', { source: { kind: 'upload', uploadId: id } });
      assert.equal(response.status, 200, await response.clone().text());
      const view = (await response.json()) as { dataset: string; format: string; train: number; test: number; shape: number[]; testClassCounts: number[] };
      assert.deepEqual([view.dataset, view.format, view.train, view.test, view.shape, view.testClassCounts], [`upload:${id}`, 'csv', 40, 10, [3, 3, 1], [5, 5]]);
    }
  });
});
