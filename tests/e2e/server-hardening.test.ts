import assert from 'node:assert/strict';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { API_METHODS } from '../../electron/contract/api';
import { projectRoot } from '../../electron/server/renderer-dir';
import { startServer, type RunningServer } from '../../electron/server/server';
import { encodeIdx } from '../../electron/engine/data/idx';
import { createDistillService } from '../../electron/service/distill-service';
import { dispatchCall } from '../../electron/service/dispatch';

const rendererDir = join(projectRoot(), 'dist', 'renderer');
let server: RunningServer;
let base: URL;
let runsDir: string;

before(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'hardening-runs-'));
  server = await startServer({ host: '127.0.0.1', port: 0, runsDir, rendererDir, version: 'test', uploadLimits: { fileBytes: 4096, uploadBytes: 6000 } });
  base = new URL(server.url);
});
after(() => server.close());

const auth = () => ({ Authorization: `Bearer ${server.token}` });
const call = (method: string, body: unknown) =>
  fetch(new URL(`/api/call/${method}`, base), { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const alive = async () => assert.equal((await call('listRuns', {})).status, 200, 'the server still answers');
const upload = (id: string, name: string, body: string | Uint8Array) =>
  fetch(new URL(`/api/upload?id=${id}&name=${encodeURIComponent(name)}`, base), { method: 'POST', headers: auth(), body: body as unknown as BodyInit });

/** Opens a WebSocket by hand and returns the raw socket after the handshake, to send broken frames. */
function rawSocket(): Promise<import('node:net').Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(base.port), base.hostname, () => {
      socket.write(
        `GET /api/events?token=${server.token} HTTP/1.1\r\nHost: ${base.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.once('data', (data) => (String(data).startsWith('HTTP/1.1 101') ? resolve(socket) : reject(new Error(String(data)))));
    socket.on('error', () => {});
  });
}

/** A client frame: FIN + opcode, mask bit and length, then the (masked) payload. */
function frame(opcode: number, payload: Buffer, masked = true): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const length = payload.length < 126 ? Buffer.from([payload.length | (masked ? 0x80 : 0)]) : Buffer.from([126 | (masked ? 0x80 : 0), payload.length >> 8, payload.length & 255]);
  const body = masked ? Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!)) : payload;
  return Buffer.concat([Buffer.from([0x80 | opcode]), length, masked ? mask : Buffer.alloc(0), body]);
}

describe('distill serve stays up whatever a client sends', () => {
  it('a malformed WebSocket frame closes that socket only', async () => {
    const cases: Array<[string, Buffer]> = [
      ['over the size limit', frame(1, Buffer.alloc(2000, 97))],
      ['invalid UTF-8', frame(1, Buffer.from([0xc3, 0x28, 0xff]))],
      ['unmasked', frame(1, Buffer.from('hello'), false)],
      ['unknown opcode', frame(3, Buffer.from('x'))],
      ['garbage', Buffer.from('\x00\x01\x02 not a frame at all \xff\xfe')],
    ];
    for (const [name, bytes] of cases) {
      const socket = await rawSocket();
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(bytes);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
      socket.destroy();
      await alive().catch((error: Error) => assert.fail(`after a frame ${name}: ${error.message}`));
    }
  });

  it('every API method answers malformed payloads with 400, never 500 (bounded fuzz)', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values = [null, true, -1, 1e308, 'x', '../../etc/passwd', '', [], [1, 'a'], { a: 1 }, 'a'.repeat(5000), { runId: '..' }, { shape: [1e9, 1e9, 1e9], classes: 5 }];
    const pick = () => values[Math.floor(random() * values.length)];
    const fields = ['runId', 'index', 'image', 'dataset', 'name', 'source', 'preset', 'overrides', 'methods', 'role', 'format', 'shape', 'classes', 'destination', 'cropAt'];
    let sent = 0;
    for (const method of [...API_METHODS, 'exportModelTo', 'importDatasetPaths', 'constructor', '__proto__']) {
      for (let i = 0; i < 12; i++) {
        const body = random() < 0.2 ? pick() : Object.fromEntries(fields.filter(() => random() < 0.3).map((f) => [f, pick()]));
        // `{}` is a valid request for some methods (startRun would start the quick preset).
        if (body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) continue;
        const response = await call(method, JSON.stringify(body));
        sent++;
        assert.ok(response.status === 400 || response.status === 200, `${method} ${JSON.stringify(body).slice(0, 80)} → ${response.status}`);
        if (response.status === 200) assert.ok(['listRuns', 'appInfo'].includes(method), `${method} accepted ${JSON.stringify(body).slice(0, 80)}`);
        const answer = (await response.json()) as { error?: string };
        if (response.status === 400) assert.ok(answer.error && !answer.error.includes(runsDir), answer.error);
      }
    }
    assert.ok(sent > 150);
    await alive();
  });

  it('bad percent-encoding and a huge shape are 400', async () => {
    for (const path of ['/%E0%A4%A', '/api/call/%E0%A4%A', '/assets/%ZZ']) {
      const response = await fetch(new URL(`${path}?token=${server.token}`, base));
      assert.ok([400, 404, 405].includes(response.status), `${path} → ${response.status}`);
    }
    const response = await fetch(new URL(`/%E0%A4%A?token=${server.token}`, base));
    assert.equal(response.status, 400);
    const huge = await call('listModels', { shape: [100000, 100000, 3], classes: 10 });
    assert.equal(huge.status, 400);
    assert.match(((await huge.json()) as { error: string }).error, /shape\.0: must be at most \d+/);
    // A typed architecture is a name, and one too large to build is refused before it allocates.
    const path = await call('listModels', { shape: [28, 28, 1], classes: 10, names: ['../../etc/passwd'] });
    assert.equal(path.status, 400);
    assert.match(((await path.json()) as { error: string }).error, /names\.0: not a model name/);
    const giant = await call('listModels', { shape: [512, 512, 3], classes: 10, names: ['mlp-8192x16'] });
    assert.equal(giant.status, 400);
    assert.match(((await giant.json()) as { error: string }).error, /model "mlp-8192x16" would have about 7,449 million parameters/);
    await alive();
  });
});

describe('over HTTP a client never chooses a server path', () => {
  it('datasets are named ones or uploads; teachers are model names or runs', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['inspectDataset', { dataset: '../../../../etc' }, /over HTTP a dataset is one of mnist, cifar10, cifar100, fashion-mnist or an upload/],
      ['inspectDataset', { dataset: '/etc' }, /over HTTP a dataset/],
      ['importDataset', { source: { kind: 'paths', paths: ['/etc/passwd'] } }, /source\.kind: Invalid (input|discriminator)/],
      ['importDatasetPaths', { paths: ['/etc/passwd'] }, /unknown method "importDatasetPaths"/],
      ['startRun', { overrides: { dataset: '/etc' } }, /over HTTP a dataset/],
      ['startRun', { overrides: { teacher: '/tmp/some/model' } }, /over HTTP a teacher is a model name, run:<id> or an upload \(upload:<id>\), not a path/],
      ['checkTeacher', { teacher: '/tmp/teacher.onnx', dataset: 'mnist', declaration: { teacherInputRange: '0-1', teacherNormalization: 'dataset', teacherMeanStd: null, teacherResize: false } }, /over HTTP a teacher is a model name, run:<id> or an upload/],
      ['checkTeacher', { teacher: 'run:../../etc', dataset: 'mnist', declaration: { teacherInputRange: '0-1', teacherNormalization: 'dataset', teacherMeanStd: null, teacherResize: false } }, /no run \.\.\/\.\.\/etc/],
      ['checkTeacher', { teacher: 'upload:0123456789abcdef', dataset: '/etc', declaration: { teacherInputRange: '0-1', teacherNormalization: 'dataset', teacherMeanStd: null, teacherResize: false } }, /no such upload/],
      ['checkTeacher', { teacher: 'x', dataset: 'mnist', declaration: { teacherInputRange: '0-1', teacherNormalization: 'dataset', teacherMeanStd: '; rm -rf /', teacherResize: false } }, /declaration\.teacherMeanStd: expected mean\/std/],
      ['deleteRun', { runId: '..' }, /runId: not a run id/],
      ['deleteRun', { runId: '.' }, /runId: not a run id/],
      ['getRun', { runId: 'a..b' }, /runId: not a run id/],
    ];
    for (const [method, body, pattern] of cases) {
      const response = await call(method, body);
      assert.equal(response.status, 400, `${method} ${JSON.stringify(body)}`);
      assert.match(((await response.json()) as { error: string }).error, pattern);
    }
    assert.ok(await stat(runsDir), 'the runs folder is still there');
    assert.deepEqual((await readdir(runsDir)).filter((n) => !n.startsWith('.')), []);
  });
});

describe('the desktop host keeps its paths', () => {
  it('importDatasetPaths and exportModelTo are served on the host surface, with clear errors', async () => {
    const root = await mkdtemp(join(tmpdir(), 'host-'));
    const service = createDistillService({ runsDir: root, workDir: join(root, '.distill'), host: 'electron', version: 'test', onEvent: () => {} });
    try {
      const missing = await dispatchCall(service, 'importDatasetPaths', { paths: ['/no/such/folder'] }, 'host');
      assert.deepEqual(missing, { ok: false, error: { kind: 'input', error: '/no/such/folder: no such file or folder' } });
      const relative = await dispatchCall(service, 'importDatasetPaths', { paths: ['relative/path'] }, 'host');
      assert.ok(!relative.ok && /not an absolute path/.test(relative.error.error));
      const noRun = await dispatchCall(service, 'exportModelTo', { runId: 'nope', role: 'student', destination: join(root, 'x') }, 'host');
      assert.ok(!noRun.ok && /no run nope/.test(noRun.error.error));
    } finally {
      await service.dispose();
    }
  });
});

describe('uploads', () => {
  it('takes Unicode and punctuation in names, refuses traversal', async () => {
    const id = 'a1a1a1a1a1a1a1a1';
    for (const name of ['été.png', 'img, 1.png', "o'neil.png", 'img#1.png', 'a&b.png', '猫/1.png']) {
      const response = await upload(id, `pets/${name}`, 'x');
      assert.equal(response.status, 200, `${name}: ${await response.text()}`);
    }
    for (const name of ['../x.png', 'a/../../x.png', '/etc/x.png', 'a\\b.png', 'a//b.png', '.', 'x\u0001.png']) {
      const response = await upload(id, name, 'x');
      assert.equal(response.status, 400, name);
    }
  });

  it('a file, then a folder of the same name: 400 without the server path', async () => {
    const id = 'b2b2b2b2b2b2b2b2';
    assert.equal((await upload(id, 'cats', 'x')).status, 200);
    const response = await upload(id, 'cats/1.png', 'x');
    assert.equal(response.status, 400);
    const { error } = (await response.json()) as { error: string };
    assert.match(error, /"cats\/1\.png": a file and a folder of the same name/);
    assert.ok(!error.includes(runsDir));
    assert.equal((await upload(id, 'cats', 'y')).status, 400, 'never overwrites');
  });

  it('caps a file and a whole upload; a cut-short upload leaves no partial file', async () => {
    const id = 'c3c3c3c3c3c3c3c3';
    assert.equal((await upload(id, 'big.bin', new Uint8Array(5000))).status, 413);
    assert.equal((await upload(id, 'one.bin', new Uint8Array(4000))).status, 200);
    const over = await upload(id, 'two.bin', new Uint8Array(4000));
    assert.equal(over.status, 413);
    assert.match(((await over.json()) as { error: string }).error, /over its 6000-byte limit/);
    // Claim 3,000 bytes, send 100 and hang up.
    await new Promise<void>((resolve) => {
      const req = httpRequest(new URL(`/api/upload?id=${id}&name=cut.bin`, base), { method: 'POST', headers: { ...auth(), 'Content-Length': '3000' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const dir = join(runsDir, '.distill', 'uploads', id);
    assert.deepEqual((await readdir(dir)).sort(), ['one.bin']);
  });

  it('a cancelled upload stays gone: a file still arriving, or sent after the cancel, is refused and leaves nothing', async () => {
    const id = 'f6f6f6f6f6f6f6f6';
    const dir = join(runsDir, '.distill', 'uploads', id);
    assert.equal((await upload(id, 'cats/one.bin', new Uint8Array(10))).status, 200);
    // A file half sent when the person cancels: the rest arrives after the cancel.
    const late = new Promise<number>((resolve, reject) => {
      const req = httpRequest(new URL(`/api/upload?id=${id}&name=dogs/two.bin`, base), { method: 'POST', headers: { ...auth(), 'Content-Length': '3000' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(100));
      setTimeout(async () => {
        const cancelled = await fetch(new URL(`/api/upload?id=${id}`, base), { method: 'DELETE', headers: auth() });
        assert.equal(cancelled.status, 200);
        req.end(Buffer.alloc(2900));
      }, 200);
    });
    assert.equal(await late, 410);
    assert.equal((await upload(id, 'cats/three.bin', new Uint8Array(10))).status, 410, 'a file sent after the cancel');
    await assert.rejects(readdir(dir), 'no folder is left, not even an empty one');
  });

  it('an opened upload is kept, abandoned ones are swept when the server stops', async () => {
    const id = 'd4d4d4d4d4d4d4d4';
    const images = encodeIdx([20, 4, 4], new Uint8Array(320));
    const labels = encodeIdx([20], Uint8Array.from({ length: 20 }, (_, i) => i % 2));
    const root = await mkdtemp(join(tmpdir(), 'sweep-'));
    const small = await startServer({ host: '127.0.0.1', port: 0, runsDir: root, rendererDir, version: 'test' });
    const headers = { Authorization: `Bearer ${small.token}` };
    const put = (uploadId: string, name: string, body: Uint8Array) => fetch(new URL(`/api/upload?id=${uploadId}&name=${name}`, small.url), { method: 'POST', headers, body: body as unknown as BodyInit });
    for (const [name, body] of [['train-images-idx3-ubyte', images], ['train-labels-idx1-ubyte', labels], ['t10k-images-idx3-ubyte', images], ['t10k-labels-idx1-ubyte', labels]] as const) {
      assert.equal((await put(id, name, body)).status, 200);
    }
    const opened = await fetch(new URL('/api/call/importDataset', small.url), { method: 'POST', headers, body: JSON.stringify({ source: { kind: 'upload', uploadId: id } }) });
    assert.equal(opened.status, 200);
    const openedView = (await opened.json()) as { dataset: string; name: string };
    assert.equal(openedView.dataset, `upload:${id}`);
    // Titled as History names it: loose files have no folder name, and the storage id is no name.
    assert.equal(openedView.name, 'uploaded files');
    // The upload is named, not a path: inspecting it again works, and it trains like any dataset.
    const again = await fetch(new URL('/api/call/inspectDataset', small.url), { method: 'POST', headers, body: JSON.stringify({ dataset: `upload:${id}` }) });
    assert.equal(again.status, 200);
    assert.equal((await put('e5e5e5e5e5e5e5e5', 'abandoned.bin', new Uint8Array(3))).status, 200);
    await small.close();
    assert.deepEqual(await readdir(join(root, '.distill', 'uploads')), [id]);
  });
});

describe("a run on an uploaded dataset is measured over seeds from its id", () => {
  /** Polls getRun until the run exists and has ended; returns its detail. */
  const ended = async (runId: string) => {
    for (let i = 0; i < 600; i++) {
      const answer = await call('getRun', { runId });
      // The run's folder appears a moment after its start is answered.
      if (answer.status === 400) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      const run = (await answer.json()) as { status: string; error: string | null; config: { dataset: string; teacher: string }; result: { student: { accuracy: number }; baseline: { accuracy: number } } | null; study: { rows: Array<{ method: string; accuracy: number; seeds?: { seeds: number[] } }> } | null };
      if (run.status !== 'running') return run;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`run ${runId} did not end`);
  };

  it("trains the run's students again on the run's own data and teacher: no server path leaves the server or comes back", async () => {
    // 60 images of 4×4: class 1 is the brighter half, so a tiny MLP learns it.
    const id = 'a7a7a7a7a7a7a7a7';
    const labels = Uint8Array.from({ length: 60 }, (_, i) => i % 2);
    const pixels = Uint8Array.from({ length: 60 * 16 }, (_, p) => (labels[Math.floor(p / 16)]! ? 120 : 0) + ((p * 37) % 100));
    for (const [name, body] of [['train-images-idx3-ubyte', encodeIdx([60, 4, 4], pixels)], ['train-labels-idx1-ubyte', encodeIdx([60], labels)], ['t10k-images-idx3-ubyte', encodeIdx([60, 4, 4], pixels)], ['t10k-labels-idx1-ubyte', encodeIdx([60], labels)]] as const) {
      assert.equal((await upload(id, name, body)).status, 200);
    }
    assert.equal((await call('importDataset', { source: { kind: 'upload', uploadId: id } })).status, 200);
    const overrides = { dataset: `upload:${id}`, teacher: 'mlp-16x1', student: 'mlp-8x1', teacherEpochs: 2, epochs: 2, limitTrain: null, batchSize: 16, backend: 'cpu' };
    const started = await call('startRun', { preset: 'quick', overrides });
    assert.equal(started.status, 200, await started.clone().text());
    const { runId } = (await started.json()) as { runId: string };
    const run = await ended(runId);
    assert.equal(run.status, 'completed', run.error ?? '');
    // The run's config holds the server's path, which a browser may not send back as a dataset.
    assert.ok(run.config.dataset.startsWith(runsDir), run.config.dataset);
    const refused = await call('startStudy', { preset: 'quick', overrides: { ...overrides, dataset: run.config.dataset }, methods: 'baseline,kd' });
    assert.equal(refused.status, 400);

    const measured = await call('startStudyOfRun', { runId, seeds: 2 });
    assert.equal(measured.status, 200, await measured.clone().text());
    const study = (await measured.json()) as { runId: string; methods: string[]; config: { dataset: string; teacher: string } };
    assert.deepEqual(study.methods, ['baseline', 'kd']);
    assert.equal(study.config.dataset, run.config.dataset);
    assert.equal(study.config.teacher, join(runsDir, runId, 'teacher'));
    const done = await ended(study.runId);
    assert.equal(done.status, 'completed', done.error ?? '');
    const rows = done.study!.rows;
    assert.deepEqual(rows.map((r) => [r.method, r.seeds?.seeds.length]), [['baseline', 2], ['kd', 2]]);
    // The first seed is the run's own seed and recipe: its student alone is the run's.
    assert.equal(rows[0]!.accuracy, run.result!.baseline.accuracy);

    // A person's own image through the run's models: made a 4×4 grey image of the dataset; bad images are named, and none reaches a model.
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 180, b: 20 } } }).png().toBuffer();
    const tried = await call('softLabelsOfImage', { runId, image: photo.toString('base64'), name: 'photo.png' });
    assert.equal(tried.status, 200, await tried.clone().text());
    const own = (await tried.json()) as { shape: number[]; pixels: string; logits: Record<string, number[] | null>; inverted: boolean; cut: string | null };
    assert.deepEqual(own.shape, [4, 4, 1]);
    assert.equal(own.cut, null, 'a greyscale image is cropped to its content, not cut to a window');
    assert.equal(Buffer.from(own.pixels, 'base64').length, 16);
    assert.deepEqual([own.logits.teacher?.length, own.logits.student?.length, own.logits.baseline?.length], [2, 2, 2]);
    for (const [image, expected, extra] of [
      [Buffer.from('not an image').toString('base64'), /^photo\.png: not a readable image \(/, {}],
      ['not base64!', /image: not base64/, {}],
      ['A'.repeat(900_004), /image: an image takes at most 900000 base64 characters/, {}],
      [photo.toString('base64'), /invalid request: cropAt: must be at most 1/, { cropAt: 1.5 }],
      [photo.toString('base64'), /^photo\.png: a crop position changes nothing for a greyscale dataset, whose images are cropped to their content$/, { cropAt: 0 }],
    ] as const) {
      const refusedImage = await call('softLabelsOfImage', { runId, image, name: 'photo.png', ...extra });
      assert.equal(refusedImage.status, 400);
      const { error } = (await refusedImage.json()) as { error: string };
      assert.match(error, expected);
      assert.ok(!error.includes(runsDir), error);
    }

    // The explorer of a study shows the student of the method asked for; a run has no such choice.
    const ofStudy = await call('softLabels', { runId: study.runId, index: 0, method: 'kd' });
    assert.equal(ofStudy.status, 200, await ofStudy.clone().text());
    assert.equal(((await ofStudy.json()) as { logits: { student: number[] | null } }).logits.student?.length, 2);
    const ofRun = await call('softLabelsOfImage', { runId, method: 'kd', image: photo.toString('base64') });
    assert.equal(ofRun.status, 400);
    assert.match(((await ofRun.json()) as { error: string }).error, new RegExp(`run ${runId} is not a study with a kd student`));

    // A study is not a run to measure again; an unknown run is named.
    const again = await call('startStudyOfRun', { runId: study.runId, seeds: 2 });
    assert.equal(again.status, 400);
    assert.match(((await again.json()) as { error: string }).error, new RegExp(`run ${study.runId}: not a completed run \\(it is a study\\)`));
    const unknown = await call('startStudyOfRun', { runId: 'nope', seeds: 2 });
    assert.match(((await unknown.json()) as { error: string }).error, /no run nope/);
  });
});

describe('one run at a time, even when asked at once', () => {
  it('nine concurrent startRun requests start exactly one run', async () => {
    const overrides = { teacher: 'mlp-16x1', student: 'mlp-8x1', teacherEpochs: 50, epochs: 1, limitTrain: 2000, limitTest: 100, backend: 'cpu' };
    const answers = await Promise.all(Array.from({ length: 9 }, () => call('startRun', { preset: 'quick', overrides })));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 400, 400, 400, 400, 400, 400, 400, 400]);
    const started = (await Promise.all(answers.filter((a) => a.status === 200).map((a) => a.json() as Promise<{ runId?: string }>))).filter((a) => a.runId);
    for (const answer of answers) if (answer.status === 400) assert.match(((await answer.json()) as { error: string }).error, /a run is already training/);
    assert.equal(started.length, 1);
    assert.equal((await call('cancelRun', { runId: started[0]!.runId! })).status, 200);
    // Once it has ended, the slot is free again: the next start succeeds.
    let next: Response | null = null;
    for (let i = 0; i < 100; i++) {
      next = await call('startRun', { preset: 'quick', overrides });
      if (next.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(next?.status, 200);
    const { runId } = (await next!.json()) as { runId: string };
    await call('cancelRun', { runId });
  });
});

describe('remote use: distill serve --host 0.0.0.0', () => {
  it("answers to the machine's name and addresses and --allow-host names, and nothing else", async () => {
    const remote = await startServer({ host: '0.0.0.0', port: 0, runsDir: await mkdtemp(join(tmpdir(), 'remote-')), rendererDir, version: 'test', allowHosts: ['studio.example'] });
    try {
      const port = new URL(remote.url).port;
      const ask = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: '/api/call/listRuns', method: 'POST', headers: { Host: host, Authorization: `Bearer ${remote.token}`, 'Content-Type': 'application/json' } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end('{}');
        });
      assert.equal(await ask(`${hostname()}:${port}`), 200);
      assert.equal(await ask(`studio.example:${port}`), 200);
      assert.equal(await ask(`127.0.0.1:${port}`), 200);
      assert.equal(await ask(`evil.example:${port}`), 403, 'DNS rebinding stays refused');
      assert.equal(await ask(`studio.example:1`), 403);
    } finally {
      await remote.close();
    }
  });
});

