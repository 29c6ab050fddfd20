import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { autoChoice, probeBackends, selectBackend } from '../../../electron/engine/backend/select';
import { loadModelFolder } from '../../../electron/engine/runs/model-io';
import { loadDataset } from '../../../electron/engine/data/load';
import { METHOD_CATALOGUE, METHOD_IDS, optionsOfMethod, PRESET_CATALOGUE } from '../../../electron/contract/catalogue';
import type { AppSession } from '../session';

/** Registers these tests in the browser suite's describe, in order: each goes on from the page the one before left. */
export function firstRunTests(session: AppSession): void {
  it('shows MNIST with samples and class counts, and hides the token from the address bar', async () => {
    const { page, shot } = session;
    await page.getByTestId('use-mnist').click();
    await page.getByTestId('dataset-summary').waitFor();
    assert.match(await page.getByTestId('dataset-summary').innerText(), /10 classes · 28×28×1 images · 60,000 train · 10,000 test/);
    assert.equal(await page.locator('[data-testid=dataset-summary] canvas').count(), 40);
    assert.equal(new URL(page.url()).searchParams.get('token'), null);
    // The header says what `auto` would compute on, and on how many cores where that is the CPU.
    const auto = autoChoice(await probeBackends());
    const cores = os.availableParallelism();
    await page.waitForFunction((text) => document.querySelector('[data-testid=backend]')?.textContent?.trim() === text, auto === 'wasm' || auto === 'cpu' ? `auto: ${auto} on ${cores} core${cores > 1 ? 's' : ''}` : `auto: ${auto}`);
    await shot('1-dataset');
  });

  it('rejects an unreadable dropped file with a clear error and keeps MNIST', async () => {
    const { page, shot } = session;
    await page.getByTestId('file-input').setInputFiles([
      { name: 'train-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not an IDX file') },
      { name: 'train-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 3]) },
      { name: 't10k-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from([1, 2, 3]) },
      { name: 't10k-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 3]) },
    ]);
    const error = page.getByTestId('dataset-error');
    await error.waitFor();
    assert.match(await error.innerText(), /train-images-idx3-ubyte: (not an IDX file|truncated)/);
    assert.match(await page.getByTestId('dataset-summary').innerText(), /^mnist/);
    await shot('1-dataset-error');
  });

  it('picks teacher and student with sizes and the compression ratio', async () => {
    const { page, shot } = session;
    await page.click('[data-screen=models]');
    await page.getByTestId('teacher-model').selectOption('mlp-800x2');
    await page.getByTestId('student-model').selectOption('mlp-30x2');
    assert.match(await page.getByTestId('teacher-size').innerText(), /1,276,810 parameters · 5\.1 MB · 1\.3M multiply–accumulates per image/);
    assert.match(await page.getByTestId('compression').innerText(), /51\.5× smaller than the teacher, and computes 51\.6× less per image/);
    // A convnet student: few parameters, much compute per parameter; the two ratios part.
    await page.getByTestId('student-model').selectOption('lenet5');
    assert.match(await page.getByTestId('compression').innerText(), /20\.7× smaller than the teacher, and computes 3\.1× less per image/);
    await page.getByTestId('student-model').selectOption('mlp-30x2');
    assert.match(await page.getByTestId('student-size').innerText(), /24,790 parameters · 99\.2 kB · 24\.7k multiply–accumulates per image/);
    // An ensemble of three teachers trained here: three models' parameters and work per image,
    // and on the Method screen the methods that read one teacher's layers cannot start with it.
    await page.getByTestId('setting-ensemble').fill('3');
    assert.match(await page.getByTestId('teacher-size').innerText(), /3,830,430 parameters · 15\.3 MB · 3\.8M multiply–accumulates per image/);
    assert.match(await page.getByTestId('compression').innerText(), /154\.5× smaller than the teacher/);
    await shot('2-models-ensemble');
    await page.click('[data-screen=method]');
    await page.getByTestId('method').selectOption('at');
    assert.match(await page.getByTestId('start-blockers').innerText(), /with “teachers in the ensemble” 3 the student learns the average of the teachers' logits, and at reads the teacher's layers/);
    await page.getByTestId('method').selectOption('kd');
    assert.equal(await page.getByTestId('start-blockers').count(), 0);
    await page.click('[data-screen=models]');
    await page.getByTestId('setting-ensemble').fill('1');
    assert.match(await page.getByTestId('teacher-size').innerText(), /1,276,810 parameters/);
    await shot('2-models');
    // Any architecture by name: a typed one joins the picker and is picked; a wrong one says why.
    await page.getByTestId('custom-model-student').fill('nosuchnet');
    await page.getByTestId('add-model-student').click();
    assert.match(await page.getByTestId('model-error-student').innerText(), /unknown model "nosuchnet"/);
    assert.equal(await page.getByTestId('student-model').inputValue(), 'mlp-30x2');
    await page.getByTestId('custom-model-student').fill('mlp-100x2');
    await page.getByTestId('add-model-student').click();
    await page.waitForFunction(() => (document.querySelector('[data-testid=student-model]') as HTMLSelectElement | null)?.value === 'mlp-100x2');
    assert.match(await page.getByTestId('student-size').innerText(), /89,610 parameters/);
    assert.equal(await page.getByTestId('model-error-student').count(), 0);
    await shot('2-models-typed');
    await page.getByTestId('student-model').selectOption('mlp-30x2');
  });

  it('softens the teacher preview as T rises', async () => {
    const { page, shot } = session;
    await page.click('[data-screen=method]');
    await page.getByTestId('option-kd-temperature').fill('1');
    const sharp = Number(await page.getByTestId('soft-entropy').innerText());
    await page.getByTestId('option-kd-temperature').fill('8');
    const soft = Number(await page.getByTestId('soft-entropy').innerText());
    assert.ok(soft > sharp + 0.5, `entropy at T=8 (${soft}) should exceed T=1 (${sharp})`);
    await page.getByTestId('option-kd-temperature').fill('4');
    await shot('3-method');
  });

  it("shows every method's options from the catalogue, with the preset's values", async () => {
    const { page, shot } = session;
    const fieldValue = async (testid: string) => {
      const value = page.getByTestId(`${testid}-value`);
      if (await value.count()) return Number(await value.innerText());
      const field = page.getByTestId(testid);
      return (await field.getAttribute('type')) === 'number' ? (await field.inputValue() === '' ? null : Number(await field.inputValue())) : (await field.inputValue()) || null;
    };
    for (const presetId of ['resnet56-resnet20-cifar100', 'quick'] as const) {
      await page.getByTestId('preset').selectOption(presetId);
      const preset = PRESET_CATALOGUE[presetId].config;
      for (const method of METHOD_IDS) {
        await page.getByTestId('method').selectOption(method);
        assert.equal(await page.getByTestId('method-help').innerText(), `${METHOD_CATALOGUE[method].help} Loss: ${METHOD_CATALOGUE[method].loss}.`);
        const shown = await page.locator('[data-testid=method-options] [data-testid^=option-]:not([data-testid$=-value])').evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')));
        const expected = optionsOfMethod(method).map(({ method: owner, key }) => `option-${owner}-${key}`);
        assert.deepEqual(shown, expected, `${presetId}: options of ${method}`);
        // The softened-probabilities preview is KD's T: a method that reads no T says so beside it.
        // (KD's own T, or KD's read by another method: CRD's contrast temperature is not it.)
        const readsT = method === 'kd' || (METHOD_CATALOGUE[method].uses as readonly string[]).includes('kd.temperature');
        assert.equal(await page.getByTestId('preview-not-read').count(), readsT ? 0 : 1, `${method}: the preview's note`);
        for (const { method: owner, key } of optionsOfMethod(method)) {
          const want = (preset.methodOptions[owner] as Record<string, unknown>)[key];
          assert.deepEqual(await fieldValue(`option-${owner}-${key}`), want, `${presetId}: ${owner}.${key}`);
        }
      }
      for (const key of ['teacherEpochs', 'epochs', 'batchSize', 'lr', 'limitTrain'] as const) assert.deepEqual(await fieldValue(`setting-${key}`), preset[key], `${presetId}: ${key}`);
    }
    // A feature method's "plus KD" slider brings KD's T and warm-up into play: greyed at 0, live above it.
    await page.getByTestId('method').selectOption('crd');
    assert.ok(await page.getByTestId('option-kd-temperature').isDisabled(), 'CRD without its soft term reads no T');
    await page.getByTestId('option-crd-kdWeight').fill('1');
    assert.ok(await page.getByTestId('option-kd-temperature').isEnabled(), 'CRD plus KD reads T');
    assert.equal(await page.getByTestId('preview-not-read').count(), 0, 'CRD plus KD softens the teacher at T');
    await shot('3-method-crd-plus-kd');
    await page.getByTestId('option-crd-kdWeight').fill('0');
    // On quick the DKD form says β = 1, what the run will use (it once said 8).
    await page.getByTestId('method').selectOption('dkd');
    assert.equal(await page.getByTestId('option-dkd-beta-value').innerText(), '1');
    await shot('3-method-dkd');
    // auto's sweep and race tune KD: with DKD the form says why, in its own labels, before Start.
    assert.equal(await page.getByTestId('start-blockers').count(), 0);
    await page.getByTestId('preset').selectOption('auto');
    await page.getByTestId('method').selectOption('dkd');
    const conflicts = await page.getByTestId('start-blockers').innerText();
    assert.match(conflicts, /the sweep chooses KD's T and α: use “distillation method” kd \(not dkd\)/);
    assert.doesNotMatch(conflicts, /--/);
    assert.ok(await page.getByTestId('start').isDisabled());
    await shot('3-method-conflict');
    await page.getByTestId('method').selectOption('kd');
    assert.equal(await page.getByTestId('start-blockers').count(), 0);
    assert.match(await page.getByTestId('sweep-sets-kd').innerText(), /chooses T and α/);
    await page.getByTestId('preset').selectOption('quick');
    assert.equal(await page.getByTestId('sweep-sets-kd').count(), 0);
    assert.ok(await page.getByTestId('start').isEnabled());
    // A value out of its range is named by its field before Start, not refused after it.
    const epochs = await page.getByTestId('setting-epochs').inputValue();
    await page.getByTestId('setting-epochs').fill('0');
    assert.match(await page.getByTestId('start-blockers').innerText(), /“student epochs”: must be at least 1/);
    assert.ok(await page.getByTestId('start').isDisabled());
    assert.ok(await page.getByTestId('start-sweep').isDisabled(), 'the request would be refused for the sweep too');
    await page.getByTestId('setting-epochs').fill(epochs);
    assert.equal(await page.getByTestId('start-blockers').count(), 0);
  });

  it('fills the form from a recipe preset', async () => {
    const { page } = session;
    await page.getByTestId('preset').selectOption('resnet56-resnet20-cifar100');
    assert.equal(await page.getByTestId('setting-epochs').inputValue(), '240');
    await page.click('[data-screen=models]');
    assert.equal(await page.getByTestId('teacher-model').inputValue(), 'resnet56');
    await page.click('[data-screen=method]');
    await page.getByTestId('preset').selectOption('quick');
    assert.equal(await page.getByTestId('setting-teacherEpochs').inputValue(), '8');
    await page.getByTestId('option-kd-temperature').fill('4');
  });

  it('trains a tiny distillation live and shows the comparison', async () => {
    const { page, shot } = session;
    await page.getByTestId('setting-teacherEpochs').fill('2');
    await page.getByTestId('setting-epochs').fill('2');
    await page.getByTestId('setting-limitTrain').fill('1500');
    await page.getByTestId('setting-batchSize').fill('50');
    // A tenth held out: the run keeps each model's best epoch there.
    await page.getByTestId('setting-validationSplit').evaluate((field) => ((field.closest('details') as HTMLDetailsElement).open = true));
    const validationSplit = await page.getByTestId('setting-validationSplit').inputValue();
    await page.getByTestId('setting-validationSplit').fill('0.1');
    await page.getByTestId('start').click();
    await page.getByTestId('training').waitFor();
    // The run took its settings at Start; the form goes back to the preset's, as the tests below expect.
    await page.click('[data-screen=method]');
    await page.getByTestId('setting-validationSplit').evaluate((field) => ((field.closest('details') as HTMLDetailsElement).open = true));
    await page.getByTestId('setting-validationSplit').fill(validationSplit);
    await page.click('[data-screen=training]');
    await page.getByTestId('training').waitFor();
    // Progress and charts move while the teacher trains.
    await page.waitForFunction(() => document.querySelector('[data-testid=phase-teacher] .stats')?.textContent?.includes('img/s'), null, { timeout: 60_000 });
    // The tab's title (the window's, in Electron) says which model trains and how far it is.
    assert.match(await page.title(), /^\d{1,3}% · (Teacher|KD student|Student alone) · Distill Studio$/);
    // A lane in training shows its speed and, after a spaced dot, the time it has left.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^=phase-] .stats')].some((el) => /\d img\/s · ETA \d/.test(el.textContent ?? '')), null, { timeout: 60_000 });
    await page.waitForFunction(() => Number(document.querySelector('canvas[data-points]')?.getAttribute('data-points')) > 0, null, { timeout: 60_000 });
    // A chart with no point yet says why (not a bare 95–100 % axis), and only such a chart does.
    const charts = await page.locator('.chart').evaluateAll((els) => els.map((el) => [el.querySelector('canvas')!.getAttribute('data-points'), el.querySelector('[data-testid=chart-empty]')?.textContent ?? null]));
    assert.ok(charts.length >= 2 && charts.every(([points, empty]) => (points === '0') === (empty === 'waiting for the first epoch')), JSON.stringify(charts));
    await shot('4-training');
    await page.getByTestId('results').waitFor({ timeout: 120_000 });
    assert.equal(await page.title(), 'Distill Studio', 'a finished run leaves the title as it was');
    const table = await page.getByTestId('results-table').innerText();
    assert.match(table, /Teacher\s+mlp-800x2/);
    assert.match(table, /KD student\s+mlp-30x2/);
    assert.match(table, /Student alone\s+mlp-30x2/);
    assert.match(await page.getByTestId('kd-gain').innerText(), /KD gain over the student alone: [+-]\d+\.\d\d points/);
    assert.match(await page.getByTestId('against-teacher').innerText(), /^\d+\.\d× smaller than the teacher and (\d+\.\d× (faster|slower)|about as fast) per image( \(timed while other work held the cores, so the speed may be off\))?$/);
    assert.equal(await page.locator('[data-testid=confusion] tbody tr').count(), 10);
    // The soft-label explorer shows teacher, KD student and student alone for one test image.
    await page.getByTestId('explorer').waitFor();
    assert.equal(await page.locator('[data-testid=explorer] .bars').count(), 3);
    await shot('5-results');
    // A person's own image: test image 0 (a 7) drawn in black on white paper, five times larger, with margins.
    const seven = (await loadDataset('mnist')).test.images.subarray(0, 784);
    const drawing = await sharp(Buffer.from(Uint8Array.from(seven, (v) => 255 - v)), { raw: { width: 28, height: 28, channels: 1 } }).resize(140, 140)
      .extend({ top: 30, bottom: 30, left: 60, right: 60, background: '#ffffff' }).png().toBuffer();
    await page.getByTestId('own-image-input').setInputFiles({ name: 'my seven.png', mimeType: 'image/png', buffer: drawing });
    await page.getByTestId('own-image-name').waitFor();
    assert.equal(await page.getByTestId('own-image-name').innerText(), 'my seven.png, as the models saw it');
    assert.match(await page.getByTestId('own-image-inverted').innerText(), /^inverted: its background is the opposite of this dataset's images'$/);
    // Each model's most probable class is marked: all three read the drawing as a 7.
    assert.deepEqual(await page.locator('[data-testid=explorer] .bars span.hit').allInnerTexts(), ['7', '7', '7']);
    await shot('5-results-own-image');
    await page.getByTestId('own-image-input').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
    assert.equal(await page.getByTestId('own-image-error').innerText(), 'notes.png: not a readable image');
    await page.getByTestId('back-to-test').click();
    assert.equal(Number(await page.getByTestId('explorer-index').inputValue()), 0);
    // A test image past the split says so, instead of loading for ever.
    await page.getByTestId('explorer-index').fill('99999');
    assert.equal(await page.getByTestId('explorer-error').innerText(), 'test image 99999 does not exist (the run has 10000)');
    await page.getByRole('button', { name: 'Show test image 0' }).click();
    await page.getByTestId('explorer-index').waitFor();
    // The curves show first what the run kept and stopped by, the validation split; the test split is one click away.
    await page.click('[data-screen=training]');
    const accuracy = page.getByTestId('accuracy-chart');
    assert.equal(await accuracy.getAttribute('data-split'), 'validation');
    const validationPoints = Number(await accuracy.locator('canvas').getAttribute('data-points'));
    assert.equal(validationPoints, 6, 'two epochs for each of the three models');
    // Each model's kept epoch is ringed on its curve.
    assert.equal(await accuracy.locator('canvas').getAttribute('data-marked'), '3');
    // The loss sampled live, step by step, stays once the run has ended (what is stored has one point per epoch).
    const lossPoints = Number(await page.getByTestId('loss-chart').locator('canvas').getAttribute('data-points'));
    assert.ok(lossPoints > validationPoints, `loss points: ${lossPoints}`);
    // The KD student's loss carries the soft term: the chart says its scale is its own.
    assert.equal(await page.getByTestId('loss-scale-note').count(), 1);
    await shot('4-training-done');
    await page.getByTestId('split-test').click();
    assert.equal(await accuracy.getAttribute('data-split'), 'test');
    assert.equal(Number(await accuracy.locator('canvas').getAttribute('data-points')), validationPoints);
    await page.click('[data-screen=results]');
  });

  it('exports the student as a zip that reloads with the same predictions', async () => {
    const { page, server } = session;
    // Every text the export's progress line shows, recorded as it changes (an export of a small student takes well under a second).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { exportLines: string[] }).exportLines = seen;
      new MutationObserver(() => {
        const line = document.querySelector('[data-testid=export-progress]');
        const text = line ? `${line.querySelector('[data-testid=export-status]')?.textContent ?? ''} [${line.querySelector('[data-testid=cancel-export]')?.textContent ?? ''}]` : '';
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-student').click()]);
    const zipPath = join(await mkdtemp(join(tmpdir(), 'export-')), download.suggestedFilename());
    await download.saveAs(zipPath);
    const dir = await mkdtemp(join(tmpdir(), 'student-'));
    const entries = unzipSync(new Uint8Array(await readFile(zipPath)));
    assert.deepEqual(Object.keys(entries).sort(), ['labels.txt', 'model-card.json', 'model-card.md', 'model.json', 'weights.bin']);
    for (const [name, bytes] of Object.entries(entries)) await writeFile(join(dir, name), bytes);
    await selectBackend('cpu');
    const { model, metadata } = await loadModelFolder(dir);
    assert.equal(metadata?.architecture, 'mlp-30x2');
    // The server's own view of the run's student on test image 3, against the reloaded copy.
    const runId = download.suggestedFilename().replace(/^student-(.+)\.zip$/, '$1');
    assert.match(await page.getByTestId('exported').innerText(), /student-.+\.zip \(your browser's downloads\)/);
    const lines = await page.evaluate(() => (window as unknown as { exportLines: string[] }).exportLines);
    assert.match(lines[0] ?? '', /^Exporting the student: Writing the model files… \[Cancel\]$/, lines.join(' | '));
    assert.equal(await page.getByTestId('export-progress').count(), 0, 'the progress line stays after the export');
    const response = await fetch(new URL(`/api/call/softLabels`, server.url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ runId, index: 3 }),
    });
    const served = (await response.json()) as { pixels: string; logits: { student: number[] } };
    const pixels = Float32Array.from(Buffer.from(served.pixels, 'base64'), (v) => v / 255);
    const reloaded = Array.from((model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor).dataSync());
    reloaded.forEach((value, i) => assert.ok(Math.abs(value - served.logits.student[i]!) < 1e-4, `logit ${i}: ${value} vs ${served.logits.student[i]}`));
  });

  it('exports in a quantized format, as ONNX and as TFLite for a phone, chosen in the Export dialog', async () => {
    const { page, shot } = session;
    await page.getByTestId('export-format').selectOption('tfjs-u8');
    // Each format says what it is under the picker, from the catalogue.
    assert.match(await page.getByTestId('export-format-description').innerText(), /a quarter of the size; each weight tensor stored as 8-bit/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-student').click()]);
    assert.match(download.suggestedFilename(), /^student-.+-tfjs-u8\.zip$/);
    const zipPath = join(await mkdtemp(join(tmpdir(), 'export-u8-')), download.suggestedFilename());
    await download.saveAs(zipPath);
    const card = JSON.parse(Buffer.from(unzipSync(new Uint8Array(await readFile(zipPath)))['model-card.json']!).toString('utf8'));
    assert.equal(card.format.id, 'tfjs-u8');
    assert.ok(card.accuracy.exported > 0.5 && Math.abs(card.accuracy.quantizationLoss) < 0.05, JSON.stringify(card.accuracy));
    await shot('5-results-export');
    // ONNX: the download holds model.onnx, which onnxruntime-node runs at the student's accuracy.
    await page.getByTestId('export-format').selectOption('onnx');
    const [onnx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-student').click()]);
    const onnxZip = join(await mkdtemp(join(tmpdir(), 'export-onnx-')), onnx.suggestedFilename());
    await onnx.saveAs(onnxZip);
    const onnxEntries = unzipSync(new Uint8Array(await readFile(onnxZip)));
    assert.deepEqual(Object.keys(onnxEntries).sort(), ['labels.txt', 'model-card.json', 'model-card.md', 'model.onnx']);
    const onnxCard = JSON.parse(Buffer.from(onnxEntries['model-card.json']!).toString('utf8'));
    assert.ok(Math.abs(onnxCard.accuracy.exported - onnxCard.accuracy.student) <= 0.005, JSON.stringify(onnxCard.accuracy));
    // Full-integer TFLite for a phone's integer kernels: the server calibrated it on the run's training images and checked it in LiteRT.js.
    await page.getByTestId('export-format').selectOption('tflite-int8');
    assert.match(await page.getByTestId('export-format-description').innerText(), /full-integer quantization: weights and activations int8, calibrated on 512 training images/);
    const [tflite] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-student').click()]);
    assert.match(tflite.suggestedFilename(), /^student-.+-tflite-int8\.zip$/);
    const tfliteZip = join(await mkdtemp(join(tmpdir(), 'export-tflite-')), tflite.suggestedFilename());
    await tflite.saveAs(tfliteZip);
    const tfliteEntries = unzipSync(new Uint8Array(await readFile(tfliteZip)));
    assert.deepEqual(Object.keys(tfliteEntries).sort(), ['labels.txt', 'model-card.json', 'model-card.md', 'model.tflite']);
    assert.equal(Buffer.from(tfliteEntries['model.tflite']!.subarray(4, 8)).toString('latin1'), 'TFL3');
    const tfliteCard = JSON.parse(Buffer.from(tfliteEntries['model-card.json']!).toString('utf8'));
    assert.ok(Math.abs(tfliteCard.accuracy.exported - tfliteCard.accuracy.student) <= 0.01, JSON.stringify(tfliteCard.accuracy));
    // MNIST is grey; the file takes RGB and makes it grey inside, as MediaPipe and a phone's camera need.
    assert.deepEqual(tfliteCard.preprocessing.inputShape, [28, 28, 3]);
    assert.equal(tfliteCard.preprocessing.greyInside, true);
  });

  it("measures a run's gain over five seeds in one click: a study on the run's teacher and recipe", async () => {
    const { page, shot } = session;
    await page.getByTestId('results').waitFor();
    const aloneInRun = /Student alone\s+mlp-30x2\s+(\d+\.\d\d%)/.exec(await page.getByTestId('results-table').innerText())![1]!;
    await page.getByTestId('measure-seeds').click();
    await page.getByTestId('training').waitFor();
    // The run's own teacher, loaded, not trained again.
    await page.waitForFunction(() => document.querySelector('[data-testid=phase-teacher]')?.getAttribute('data-state') === 'loaded', null, { timeout: 60_000 });
    await page.getByTestId('study-table').waitFor({ timeout: 120_000 });
    const rows = await page.getByTestId('study-row').allInnerTexts();
    assert.deepEqual(rows.map((r) => r.split('\t')[0]), ['Student alone', 'KD (Hinton)']);
    assert.match(await page.getByTestId('study-table').locator('thead').innerText(), /mean of 5 seeds/);
    assert.match((await page.getByTestId('study-seeds-gain').allInnerTexts())[1]!, /^[+-]\d+\.\d\d ± \d+\.\d\d pts$/);
    // The run's own recipe and seed: the first seed's student alone is the run's, to the last image.
    assert.equal(/\d+\.\d\d%/.exec(rows[0]!)![0], aloneInRun);
    assert.match((await page.locator('[data-testid^=advice-]').allInnerTexts()).join('\n'), /over 5 seeds/);
    // The run held out a validation split, and so does its study: every student's kept epoch is ringed on its curve.
    assert.equal(await page.locator('[data-testid=study-curves] canvas').getAttribute('data-marked'), '10');
    await shot('5-results-seeds');
  });
}
