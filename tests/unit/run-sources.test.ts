import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import { sourceResolver } from '../../electron/service/sources';
import { runTeacherOf } from '../../electron/engine/runs/teacher-info';

// "Edit and run again" names a stored run's dataset and teacher as the client that asks would:
// the inverse of how a start request's names become paths. Over HTTP that is never a path.

let root: string;
let uploadsDir: string;
let runsDir: string;
const UPLOAD = '0123456789abcdef';
const RUN = '20261207-120000-aaaa';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'run-sources-'));
  uploadsDir = join(root, 'uploads');
  runsDir = join(root, 'runs');
  await mkdir(join(uploadsDir, UPLOAD, 'fashion'), { recursive: true });
  await mkdir(join(uploadsDir, 'not-an-upload-id', 'data'), { recursive: true });
  await mkdir(join(runsDir, RUN, 'teacher'), { recursive: true });
  await writeFile(join(runsDir, RUN, 'config.json'), JSON.stringify(presetConfig('quick')));
  await writeFile(join(uploadsDir, UPLOAD, 'fashion', 'teacher.onnx'), 'x');
  await mkdir(join(root, 'elsewhere'), { recursive: true });
});

describe("a stored run's dataset and teacher, named again", () => {
  it('over HTTP: a catalogue name, an upload by its id, a run by its id; a server path no upload holds is not named', async () => {
    const server = sourceResolver({ host: 'server', uploadsDir, runsDir });
    assert.equal(await server.datasetSpecOf('fashion-mnist'), 'fashion-mnist');
    assert.equal(await server.datasetSpecOf(join(uploadsDir, UPLOAD, 'fashion')), `upload:${UPLOAD}`);
    // The name it gives opens the same folder again.
    assert.equal(await server.datasetPath(`upload:${UPLOAD}`), join(uploadsDir, UPLOAD, 'fashion'));
    assert.equal(await server.datasetSpecOf(join(root, 'elsewhere')), null);
    assert.equal(await server.datasetSpecOf(join(uploadsDir, 'not-an-upload-id', 'data')), null);
    assert.equal(await server.datasetSpecOf(join(uploadsDir, UPLOAD, 'gone')), null);
    assert.deepEqual(await server.teacherSpecOf('mlp-800x2'), { kind: 'trained' });
    assert.deepEqual(await server.teacherSpecOf(join(runsDir, RUN, 'teacher')), { kind: 'run', runId: RUN });
    const onnx = join(uploadsDir, UPLOAD, 'fashion', 'teacher.onnx');
    assert.deepEqual(await server.teacherSpecOf(onnx), { kind: 'own', spec: `upload:${UPLOAD}`, path: onnx });
    assert.deepEqual(await server.teacherSpecOf(join(root, 'elsewhere')), { kind: 'missing' });
    assert.deepEqual(await server.teacherSpecOf(join(root, 'gone.onnx')), { kind: 'missing' });
  });

  it('in the desktop app: paths stay paths, an earlier run is still named by its id', async () => {
    const desktop = sourceResolver({ host: 'electron', uploadsDir, runsDir });
    assert.equal(await desktop.datasetSpecOf(join(root, 'elsewhere')), join(root, 'elsewhere'));
    assert.equal(await desktop.datasetSpecOf(join(root, 'gone')), null);
    assert.deepEqual(await desktop.teacherSpecOf(join(runsDir, RUN, 'teacher')), { kind: 'run', runId: RUN });
    assert.deepEqual(await desktop.teacherSpecOf(join(root, 'elsewhere')), { kind: 'own', spec: join(root, 'elsewhere'), path: join(root, 'elsewhere') });
  });
});

describe("an earlier run's teacher, fed as that run fed it", () => {
  it("keeps an imported teacher's declared input, and gives a teacher the run trained the app's own feeding, whatever its config carried", async () => {
    const write = async (id: string, config: object) => {
      await mkdir(join(runsDir, id, 'teacher'), { recursive: true });
      await writeFile(join(runsDir, id, 'config.json'), JSON.stringify({ ...presetConfig('quick'), ...config }));
    };
    // An app form can carry an imported teacher's declaration into a run that trains its own (it acts on nothing there).
    await write('20261207-130000-aaaa', { teacher: 'mlp-800x2', teacherNormalization: 'none', teacherInputRange: '0-255' });
    await write('20261207-130000-bbbb', { teacher: join(root, 'elsewhere', 'model.onnx'), teacherNormalization: 'imagenet', teacherResize: true });
    const trained = await runTeacherOf(join(runsDir, '20261207-130000-aaaa'));
    assert.deepEqual(trained?.declaration, { teacherInputRange: '0-1', teacherNormalization: 'dataset', teacherMeanStd: null, teacherResize: false });
    const imported = await runTeacherOf(join(runsDir, '20261207-130000-bbbb', 'teacher'));
    assert.deepEqual(imported?.declaration, { teacherInputRange: '0-1', teacherNormalization: 'imagenet', teacherMeanStd: null, teacherResize: true });
    assert.deepEqual([trained?.trainedHere, imported?.trainedHere], [true, false]);
  });
});
