import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { autoChoice, probeBackends, selectBackend } from '../../electron/engine/backend/select';
import { loadModelFolder, saveModelFolder } from '../../electron/engine/runs/model-io';
import { buildModel } from '../../electron/engine/models/registry';
import { loadDataset } from '../../electron/engine/data/load';
import { exportModel } from '../../electron/engine/export/registry';
import { startServer, type RunningServer } from '../../electron/server/server';
import { projectRoot } from '../../electron/server/renderer-dir';
import { chromiumMissing, launchChromium } from '../helpers/browser';
import { DISTILL_BIN } from '../helpers/cli';
import { METHOD_CATALOGUE, METHOD_IDS, optionsOfMethod, PRESET_CATALOGUE } from '../../electron/contract/catalogue';

const SHOTS = join(projectRoot(), 'test-output', 'screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const missing = chromiumMissing();

describe('Distill Studio in a browser (distill serve)', { skip: missing ?? false }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let runsDir: string;

  before(async () => {
    runsDir = await mkdtemp(join(tmpdir(), 'ui-runs-'));
    await mkdir(SHOTS, { recursive: true });
    server = await startServer({ host: '127.0.0.1', port: 0, runsDir, rendererDir: join(projectRoot(), 'dist', 'renderer'), version: 'test' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (error) => console.error('page error:', error.message));
    await page.goto(server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Serious and critical WCAG 2 A/AA violations (axe-core) on each screen shot, by screen. */
  const inaccessible: string[] = [];
  const shot = async (name: string) => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    // Evaluated, not added as a script tag: the app's Content-Security-Policy refuses inline scripts.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await readFile(AXE, 'utf8'));
    const violations = await page.evaluate(async () => {
      const { violations } = await (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
      return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.help}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`);
    });
    inaccessible.push(...violations.map((v) => `${name}: ${v}`));
  };

  it('shows MNIST with samples and class counts, and hides the token from the address bar', async () => {
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
        for (const { method: owner, key } of optionsOfMethod(method)) {
          const want = (preset.methodOptions[owner] as Record<string, unknown>)[key];
          assert.deepEqual(await fieldValue(`option-${owner}-${key}`), want, `${presetId}: ${owner}.${key}`);
        }
      }
      for (const key of ['teacherEpochs', 'epochs', 'batchSize', 'lr', 'limitTrain'] as const) assert.deepEqual(await fieldValue(`setting-${key}`), preset[key], `${presetId}: ${key}`);
    }
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
    // A lane in training shows its speed and, after a spaced dot, the time it has left.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^=phase-] .stats')].some((el) => /\d img\/s · ETA \d/.test(el.textContent ?? '')), null, { timeout: 60_000 });
    await page.waitForFunction(() => Number(document.querySelector('canvas[data-points]')?.getAttribute('data-points')) > 0, null, { timeout: 60_000 });
    // A chart with no point yet says why (not a bare 95–100 % axis), and only such a chart does.
    const charts = await page.locator('.chart').evaluateAll((els) => els.map((el) => [el.querySelector('canvas')!.getAttribute('data-points'), el.querySelector('[data-testid=chart-empty]')?.textContent ?? null]));
    assert.ok(charts.length >= 2 && charts.every(([points, empty]) => (points === '0') === (empty === 'waiting for the first epoch')), JSON.stringify(charts));
    await shot('4-training');
    await page.getByTestId('results').waitFor({ timeout: 120_000 });
    const table = await page.getByTestId('results-table').innerText();
    assert.match(table, /Teacher\s+mlp-800x2/);
    assert.match(table, /KD student\s+mlp-30x2/);
    assert.match(table, /Student alone\s+mlp-30x2/);
    assert.match(await page.getByTestId('kd-gain').innerText(), /KD gain over the student alone: [+-]\d+\.\d\d points/);
    assert.match(await page.getByTestId('against-teacher').innerText(), /^\d+\.\d× smaller than the teacher and \d+\.\d× (faster|slower) per image( \(timed while other work held the cores, so the speed may be off\))?$/);
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

  it('exports in a quantized format and as ONNX, chosen in the Export dialog', async () => {
    await page.getByTestId('export-format').selectOption('tfjs-u8');
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
  });

  it("measures a run's gain over five seeds in one click: a study on the run's teacher and recipe", async () => {
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

  it('cancels a run and lists it in History as cancelled', async () => {
    await page.click('[data-screen=method]');
    await page.getByTestId('setting-teacherEpochs').fill('50');
    await page.getByTestId('setting-limitTrain').fill('10000');
    await page.getByTestId('start').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=phase-teacher] .stats')?.textContent?.includes('img/s'), null, { timeout: 60_000 });
    // A lane in training shows its speed and, after a spaced dot, the time it has left.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^=phase-] .stats')].some((el) => /\d img\/s · ETA \d/.test(el.textContent ?? '')), null, { timeout: 60_000 });
    await page.getByTestId('cancel').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'cancelled', null, { timeout: 30_000 });
    await page.click('[data-screen=history]');
    // The tiny run, its five-seed study and this one.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-row]').length === 3);
    const rows = await page.getByTestId('history').innerText();
    assert.match(rows, /cancelled/);
    assert.match(rows, /study of 2 × 5 seeds/, 'the five-seed study says what it is');
    // Each completed run gives its gain in points, as `distill runs` does.
    assert.match(rows, /%\s+[+-]\d+\.\d\d\s/);
    assert.match(rows, /completed/);
    await shot('6-history');
    // The tiny run reopened (the oldest row): its loss curve keeps samples within epochs, not one point per epoch.
    await page.getByTestId('history-row').last().getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('results').waitFor();
    await page.click('[data-screen=training]');
    const epochPoints = Number(await page.getByTestId('accuracy-chart').locator('canvas').getAttribute('data-points'));
    const reopenedLoss = Number(await page.getByTestId('loss-chart').locator('canvas').getAttribute('data-points'));
    assert.equal(epochPoints, 6, 'the tiny run: two epochs of three models');
    assert.ok(reopenedLoss > epochPoints, `loss points reopened: ${reopenedLoss}`);
    await page.click('[data-screen=history]');
    // Resume goes on from the checkpoint; cancel it again to keep the test short.
    await page.getByTestId('resume').click();
    await page.getByTestId('training').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'running', null, { timeout: 30_000 });
    await page.getByTestId('cancel').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'cancelled', null, { timeout: 60_000 });
  });

  it('runs a study of several methods and compares them in one table', async () => {
    await page.click('[data-screen=method]');
    await page.getByTestId('mode-study').check();
    // auto sweeps T × α and races KD against DIST in a single run; the study form says a study does neither.
    await page.getByTestId('preset').selectOption('auto');
    assert.match(await page.getByTestId('study-recipe-note').innerText(), /T × α sweep and race of KD against DIST do not run in a study/);
    // So auto's sweep and race are no conflict in a study, and its button says what it starts.
    assert.equal(await page.getByTestId('start-blockers').count(), 0);
    assert.equal(await page.getByTestId('start').innerText(), 'Start the study');
    await page.getByTestId('preset').selectOption('quick');
    assert.equal(await page.getByTestId('study-recipe-note').count(), 0);
    await page.getByTestId('study-at').uncheck();
    await page.getByTestId('study-init+kd').uncheck();
    await page.getByTestId('setting-teacherEpochs').fill('2');
    await page.getByTestId('setting-epochs').fill('4');
    await page.getByTestId('setting-limitTrain').fill('1500');
    // Two seeds per method: each gain is then also a mean over seeds, with its standard error.
    await page.getByTestId('study-seeds').fill('2');
    assert.match(await page.getByTestId('study-methods').locator('xpath=following-sibling::p[1]').innerText(), /each gain is then a mean over 2 seeds, with its standard error/);
    // Every slider's value sits on the line where its label ends, even where a long label wraps in this three-column form.
    const misplaced = await page.locator('[data-testid=method-options] [data-testid$=-value]').evaluateAll((values) => values.flatMap((value) => {
      const label = value.closest('label')!.firstElementChild!.firstChild!;
      const range = document.createRange();
      range.setStart(label, Math.max(0, label.textContent!.trimEnd().length - 1));
      range.setEnd(label, label.textContent!.trimEnd().length);
      const [end, at] = [range.getBoundingClientRect(), value.getBoundingClientRect()];
      return Math.abs(end.bottom - at.bottom) > 4 ? [`${value.getAttribute('data-testid')}: the label ends at ${end.bottom}, the value at ${at.bottom}`] : [];
    }));
    assert.ok(await page.locator('[data-testid=method-options] [data-testid$=-value]').count() >= 4, 'the study form shows several sliders');
    assert.deepEqual(misplaced, []);
    await shot('3-method-study');
    await page.getByTestId('start').click();
    await page.getByTestId('phase-fitnet').waitFor();
    await page.getByTestId('study-table').waitFor({ timeout: 120_000 });
    const rows = await page.getByTestId('study-row').allInnerTexts();
    assert.deepEqual(rows.map((r) => r.split('\t')[0]), ['Student alone', 'KD (Hinton)', 'FitNets', 'DKD']);
    for (const row of rows) assert.match(row, /\d+\.\d\d%/);
    assert.match(rows[0]!, /\+0\.00 pts/);
    const seedGains = await page.getByTestId('study-seeds-gain').allInnerTexts();
    assert.equal(seedGains[0], '+0.00 ± 0.00 pts', 'the student alone against itself, seed by seed');
    for (const gain of seedGains.slice(1)) assert.match(gain, /^[+-]\d+\.\d\d ± \d+\.\d\d pts$/);
    assert.match(await page.getByTestId('study-table').locator('thead').innerText(), /mean of 2 seeds/);
    assert.match(await page.getByTestId('study-against-teacher').innerText(), /^the student is \d+\.\d× smaller than the teacher and \d+\.\d× (faster|slower) per image( \(timed while other work held the cores, so the speed may be off\))?$/);
    // One hint epoch reads "1 epoch", and DKD's one warm-up epoch the same.
    assert.match(rows[2]!, /for 1 epoch, then KD/);
    for (const row of rows) assert.doesNotMatch(row, /epoch\(s\)|\b1 epochs/);
    // The accuracy-by-epoch chart counts whole epochs from 1.
    const ticks = (await page.locator('[data-testid=study-curves] canvas').getAttribute('data-x-ticks'))!.split(',').map(Number);
    assert.ok(ticks.length >= 2 && ticks[0]! >= 1 && ticks.every(Number.isInteger), `x ticks: ${ticks.join(', ')}`);
    // With no validation split no epoch was chosen: nothing is ringed.
    assert.equal(await page.locator('[data-testid=study-curves] canvas').getAttribute('data-marked'), '0');
    // Commands in the advice are code, without the backticks the terminal shows.
    assert.doesNotMatch((await page.locator('[data-testid^=advice-]').allInnerTexts()).join('\n'), /`/);
    await shot('5-results-study');
    // The same views as a run, for one method at a time against the student alone.
    assert.ok((await page.locator('[data-testid^=advice-]').count()) >= 1);
    await page.getByTestId('study-method').selectOption('dkd');
    await page.getByTestId('tab-classes').click();
    assert.equal(await page.getByTestId('class-row').count(), 10);
    await page.getByTestId('tab-mistakes').click();
    await page.getByTestId('mistake').first().waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('view-mistakes').innerText(), /the distilled student is right where the student alone is wrong: \d+ of/);
    await shot('5-results-study-mistakes');
    // A click opens the image in the study's soft-label explorer, with the method looked at as its student.
    const picked = Number(/test image (\d+)/.exec((await page.getByTestId('mistake').first().getAttribute('title'))!)![1]);
    await page.getByTestId('mistake').first().click();
    await page.getByTestId('explorer').waitFor();
    assert.equal(Number(await page.getByTestId('explorer-index').inputValue()), picked);
    assert.deepEqual(await page.locator('[data-testid=explorer] h3').allInnerTexts(), ['Teacher', 'DKD student', 'Student alone']);
    await page.getByTestId('tab-mistakes').click();
    // The chosen method's student exports from the study, with that method on its model card.
    const studyId = /Study (\S+):/.exec(await page.getByTestId('results').locator('h2').first().innerText())![1]!;
    const [studyDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-study-student').click()]);
    assert.equal(studyDownload.suggestedFilename(), `student-dkd-${studyId}.zip`);
    const studyZip = join(await mkdtemp(join(tmpdir(), 'export-study-')), studyDownload.suggestedFilename());
    await studyDownload.saveAs(studyZip);
    const studyCard = JSON.parse(Buffer.from(unzipSync(new Uint8Array(await readFile(studyZip)))['model-card.json']!).toString('utf8')) as { role: string; training: { method: string }; accuracy: { exported: number } };
    assert.deepEqual([studyCard.role, studyCard.training.method], ['student', 'dkd']);
    const dkdRow = rows.find((row) => /^DKD/.test(row))!;
    assert.ok(dkdRow.includes(`${(studyCard.accuracy.exported * 100).toFixed(2)}%`), `the export scores as the DKD row does: ${dkdRow}`);
    await page.getByTestId('exported').waitFor();
    const [teacherDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-study-teacher').click()]);
    assert.equal(teacherDownload.suggestedFilename(), `teacher-${studyId}.zip`);
  });

  it('uses my own teacher, a LayersModel folder or an .onnx file picked on the Models screen, for a run', async () => {
    const runs = (await readdir(runsDir)).filter((name) => /^\d{8}-/.test(name)).sort();
    const withTeacher = [];
    for (const run of runs) if (await readFile(join(runsDir, run, 'teacher', 'model.json')).catch(() => null)) withTeacher.push(run);
    const source = join(await mkdtemp(join(tmpdir(), 'own-teacher-')), 'my-teacher');
    await cp(join(runsDir, withTeacher[0]!, 'teacher'), source, { recursive: true });
    await page.click('[data-screen=models]');
    await page.getByTestId('teacher-input').setInputFiles(source);
    await page.getByTestId('own-teacher').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('own-teacher').innerText(), /TensorFlow\.js LayersModel · input 28×28×1 · 10 outputs · names its classes \(0, 1, 2, 3, …\): matched by name · logits/);
    assert.equal(await page.getByTestId('teacher-source').inputValue(), 'own');
    assert.match(await page.getByTestId('teacher-size').innerText(), /1,276,810 parameters/);
    await shot('2-models-own-teacher');
    await page.click('[data-screen=method]');
    await page.getByTestId('mode-single').check();
    await page.getByTestId('setting-epochs').fill('1');
    await page.getByTestId('setting-limitTrain').fill('1000');
    await page.getByTestId('start').click();
    await page.getByTestId('results').waitFor({ timeout: 120_000 });
    assert.match(await page.getByTestId('results-table').innerText(), /Teacher\s+mlp-800x2/);
    // An ONNX teacher (here one this app exported) works the same way, run by onnxruntime-node.
    const onnxDir = join(await mkdtemp(join(tmpdir(), 'onnx-teacher-')), 'export');
    await exportModel({ modelDir: source, format: 'onnx', destination: onnxDir, role: 'teacher', run: null, version: 'test', measure: false });
    await page.click('[data-screen=models]');
    await page.getByTestId('teacher-file-input').setInputFiles(join(onnxDir, 'model.onnx'));
    await page.waitForFunction(() => document.querySelector('[data-testid=teacher-source]')?.textContent?.includes('model.onnx'), null, { timeout: 30_000 });
    assert.match(await page.getByTestId('own-teacher').innerText(), /ONNX · input 28×28×1 · 10 outputs · .* · logits or probabilities: found when checked/);
    // Checked before distilling: its accuracy, the class mapping, its predictions beside images.
    await page.getByTestId('teacher-check').click();
    await page.getByTestId('teacher-check-result').waitFor({ timeout: 60_000 });
    const accuracy = Number((await page.getByTestId('teacher-check-accuracy').innerText()).replace('%', ''));
    assert.ok(accuracy > 50, `teacher check: ${accuracy}%`);
    assert.doesNotMatch(await page.getByTestId('teacher-check-result').innerText(), /no better than guessing/);
    assert.match(await page.getByTestId('teacher-check-result').innerText(), /ONNX, run by onnxruntime-node \(cpu\), NHWC input · fed pixels \/ 255/);
    assert.equal(await page.getByTestId('teacher-check-samples').locator('figure').count(), 24);
    await shot('2-models-teacher-check');
    // A teacher that never learned (an untrained MLP as ONNX): the check says it is no better than guessing.
    const untrained = join(await mkdtemp(join(tmpdir(), 'untrained-')), 'untrained');
    await saveModelFolder(buildModel('mlp-30x2', { inputShape: [28, 28, 1], classes: 10, seed: 1, dropout: 0 }), join(untrained, 'model'), { architecture: 'mlp-30x2', inputShape: [28, 28, 1], classNames: Array.from({ length: 10 }, (_, i) => String(i)), output: 'logits', preprocessing: 'pixels / 255', dataset: 'mnist' });
    await exportModel({ modelDir: join(untrained, 'model'), format: 'onnx', destination: join(untrained, 'onnx'), role: 'teacher', run: null, version: 'test', measure: false });
    await page.getByTestId('teacher-file-input').setInputFiles(join(untrained, 'onnx', 'model.onnx'));
    await page.waitForFunction(() => !document.querySelector('[data-testid=teacher-check-result]'), null, { timeout: 30_000 });
    await page.getByTestId('teacher-check').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=teacher-check-result]')?.textContent?.includes('no better than guessing'), null, { timeout: 60_000 });
    await shot('2-models-teacher-at-chance');
    await page.getByTestId('teacher-file-input').setInputFiles(join(onnxDir, 'model.onnx'));
    await page.waitForFunction(() => !document.querySelector('[data-testid=teacher-check-result]'), null, { timeout: 30_000 });
    await page.click('[data-screen=method]');
    // An imported teacher is loaded, not trained: what shapes only its training is greyed.
    assert.equal(await page.getByTestId('setting-teacherEpochs').isDisabled(), true);
    assert.equal(await page.getByTestId('setting-teacherJitter').isDisabled(), true);
    // So is the jitter share: the teacher's jitter shifts nothing, and the students are not jittered.
    assert.equal(await page.getByTestId('setting-jitterShare').isDisabled(), true);
    assert.equal(await page.getByTestId('setting-epochs').isEnabled(), true);
    // How it takes its images acts on it (and on no teacher trained here, below).
    assert.equal(await page.getByTestId('setting-teacherNormalization').isEnabled(), true);
    await page.getByTestId('start').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=results-table]')?.textContent?.includes('model.onnx'), null, { timeout: 120_000 });
    // A broken teacher is one message; the teacher chosen stays.
    await page.click('[data-screen=models]');
    const broken = join(await mkdtemp(join(tmpdir(), 'broken-teacher-')), 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'model.json'), '{ not json');
    await page.getByTestId('teacher-input').setInputFiles(broken);
    await page.getByTestId('teacher-error').waitFor();
    assert.match(await page.getByTestId('teacher-error').innerText(), /model\.json: not valid JSON/);
    assert.equal(await page.getByTestId('teacher-source').inputValue(), 'own');
  });

  it('finds T and α with a sweep, runs the best cell, and shows warnings, per-class results, mistakes and a comparison', async () => {
    await page.click('[data-screen=dataset]');
    await page.getByTestId('use-mnist').click();
    await page.getByTestId('dataset-summary').waitFor();
    await page.click('[data-screen=models]');
    await page.getByTestId('teacher-source').selectOption('');
    await page.click('[data-screen=method]');
    await page.getByTestId('mode-single').check();
    await page.getByTestId('setting-teacherEpochs').fill('2');
    await page.getByTestId('setting-epochs').fill('2');
    await page.getByTestId('setting-limitTrain').fill('1500');
    await page.locator('summary', { hasText: 'more settings' }).click();
    await page.getByTestId('setting-sweepTemperatures').fill('2,4');
    await page.getByTestId('setting-sweepAlphas').fill('0.5,0.9');
    await page.getByTestId('setting-sweepEpochs').fill('1');
    await page.getByTestId('setting-sweepImages').fill('500');
    await page.getByTestId('start-sweep').click();
    // The heatmap fills cell by cell while the sweep runs.
    await page.getByTestId('sweep-heatmap').waitFor({ timeout: 30_000 });
    // The sweep holds out a validation split: the accuracy chart says so from the start, before any epoch has come.
    assert.equal(await page.getByTestId('accuracy-chart').getAttribute('data-split'), 'validation');
    // The sweep's cells are not on the curves: the teacher's cross-entropy alone needs no note on scale.
    assert.equal(await page.getByTestId('loss-scale-note').count(), 0);
    await shot('4-training-sweep');
    await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'completed', null, { timeout: 120_000 });
    // A completed sweep opens its results on its own heatmap, where the one click to the full run is.
    await page.getByTestId('view-sweep').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.tabs button.active').innerText(), 'T × α sweep');
    await page.getByTestId('run-best-cell').waitFor();
    const cells = await page.getByTestId('sweep-cell').allInnerTexts();
    assert.equal(cells.length, 4);
    for (const cell of cells) assert.match(cell, /^\d+\.\d\d%(\nall images: \d+\.\d\d%)?(\nfrom the teacher's weights: \d+\.\d\d%)?$/);
    // The grid's best 3 on 500 images trained again on all 1,350, the best of them again from the
    // teacher's weights (this MLP teacher can seed the narrower student), and the choice is one of them.
    const finals = await page.getByTestId('sweep-final').allInnerTexts();
    assert.equal(finals.length, 3, cells.join(' | '));
    assert.equal(await page.getByTestId('sweep-final-init').count(), 1);
    assert.match(await page.locator('[data-testid=sweep-cell].best').innerText(), /all images: /);
    assert.match(await page.getByTestId('view-sweep').innerText(), /then the best 3 again on all 1,350 and the best of those from the teacher's weights/);
    await shot('5-results-sweep');
    // Its lane on the Training screen says what it did and chose, not its last cell's last step.
    await page.click('[data-screen=training]');
    assert.match(await page.locator('[data-testid=phase-sweep] .stats').innerText(), /^done · 4 cells and 4 finalists · chose T = \d, α = 0\.\d(, from the teacher's weights)?$/);
    await page.click('[data-screen=results]');
    // A sweep trains only its teacher: the confusion matrix shows the teacher's, not an empty picker.
    await page.getByTestId('tab-overview').click();
    await page.getByTestId('confusion').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('confusion-role').inputValue(), 'teacher');
    await page.getByTestId('tab-sweep').click();
    // One click: the full run with the best cell, on the sweep's teacher.
    await page.getByTestId('run-best-cell').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'completed', null, { timeout: 120_000 });
    await page.click('[data-screen=results]');
    await page.getByTestId('result-baseline').waitFor();
    assert.ok((await page.locator('[data-testid^=advice-]').count()) >= 1, 'the run says whether distillation paid off');
    // A command in the advice names this run's own folder, as the CLI's does, never a placeholder.
    const adviceText = (await page.locator('[data-testid^=advice-]').allInnerTexts()).join('\n');
    assert.doesNotMatch(adviceText, /RUN_DIR/);
    if (adviceText.includes('--from-run')) assert.match(adviceText, new RegExp(`distill study --from-run ${runsDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d{8}-\\d{6}-[0-9a-f]{4} --seeds 5`));
    await page.getByTestId('tab-classes').click();
    assert.equal(await page.getByTestId('class-row').count(), 10);
    // About 1,000 test images per class: the table says how wide a class's noise is, and which marks sit inside it.
    const noiseNote = await page.getByTestId('class-noise-note').innerText();
    assert.match(noiseNote, /a class's gain is noisier than the whole run's \(up to ±\d+\.\d\d points here\)/);
    const inNoise = await page.getByTestId('class-in-noise').count();
    if (inNoise > 0) assert.match(noiseNote, new RegExp(`: ${inNoise} of the classes marked (are|is) within noise`));
    else assert.doesNotMatch(noiseNote, /within noise/);
    await shot('5-results-per-class');
    await page.getByTestId('tab-mistakes').click();
    await page.getByTestId('mistake').first().waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('view-mistakes').innerText(), /the distilled student is right where the student alone is wrong: \d+ of 10,000/);
    await shot('5-results-mistakes');
    const first = page.getByTestId('mistake').first();
    const index = Number(/test image (\d+)/.exec((await first.getAttribute('title'))!)![1]);
    await first.click();
    await page.getByTestId('explorer').waitFor();
    assert.equal(Number(await page.getByTestId('explorer-index').inputValue()), index);
    // History: tick two runs, and they show side by side.
    await page.click('[data-screen=history]');
    // An uploaded teacher shows by the name it was given, not the server's upload id.
    await page.getByTestId('history-row').filter({ hasText: 'my-teacher (uploaded) → mlp-30x2' }).first().waitFor({ timeout: 10_000 });
    // The sweep trained no student: its row says what it found.
    assert.match(await page.getByTestId('history-row').nth(1).innerText(), /sweep found T = \d+, α = [\d.]+/);
    const checks = page.getByTestId('compare-check');
    await checks.nth(0).check();
    await checks.nth(1).check();
    await page.getByTestId('compare-setting').first().waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('compare').innerText(), /validation split/);
    // What the sweep found, beside the run that used it (and did not sweep).
    assert.match(await page.getByTestId('compare-sweep').innerText(), /–\s+T = \d+, α = [\d.]+ \([\d.]+% on validation\)/);
    // Each run has one colour; its student alone is the dashed line.
    await page.locator('[data-testid=compare] canvas[data-dashed="1"][data-legend-dashed="1"]').waitFor({ timeout: 10_000 });
    await shot('6-history-compare');
    // A study compares by its best distilled method, against its own student alone, with its curves.
    await checks.nth(1).uncheck();
    await page.getByTestId('history-row').filter({ hasText: 'study of 4 × 2 seeds' }).getByTestId('compare-check').check();
    await page.getByTestId('compare-student').filter({ hasText: '(best: ' }).waitFor({ timeout: 30_000 });
    const studyColumn = await page.locator('[data-testid=compare] tr.result').evaluateAll((rows) => rows.map((row) => row.lastElementChild!.textContent!.trim()));
    assert.ok(studyColumn.every((cell) => cell !== '–'), `every result of the study is shown: ${studyColumn.join(' | ')}`);
    assert.equal(await page.locator('[data-testid=compare] canvas[data-dashed="2"]').count(), 1, 'both students alone are drawn, the study\'s too');
    await shot('6-history-compare-study');
    // Delete asks once more; Keep keeps the run, and the second click deletes it.
    const rowsBefore = await page.getByTestId('history-row').count();
    const lastRow = page.getByTestId('history-row').last();
    const lastId = await lastRow.locator('td.id').innerText();
    await lastRow.getByTestId('delete').click();
    await lastRow.getByTestId('keep-run').click();
    assert.equal(await page.getByTestId('history-row').count(), rowsBefore);
    await lastRow.getByTestId('delete').click();
    assert.match(await lastRow.innerText(), /Delete this run\?/);
    await lastRow.getByTestId('confirm-delete').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=history-row]').length === n, rowsBefore - 1, { timeout: 10_000 });
    // (Its id may still name the teacher of a later run, such as the five-seed study of it.)
    assert.ok(!(await page.locator('[data-testid=history-row] td.id').allInnerTexts()).includes(lastId), `${lastId} is gone`);
    assert.ok(!(await readdir(runsDir)).includes(lastId), `${lastId}'s folder is gone`);
    // The history fits its panel: no button sticks out on the right.
    const overflow = await page.getByTestId('history').evaluate((table) => table.getBoundingClientRect().right - table.parentElement!.getBoundingClientRect().right);
    assert.ok(overflow <= 0, `the history table sticks out of its panel by ${overflow} px`);
  });

  it('opens a picked image folder (one sub-folder per class) uploaded with its layout, with the auto recipe', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ui-folder-'));
    for (const [cls, color] of [['cats', { r: 200, g: 120, b: 40 }], ['dogs', { r: 40, g: 90, b: 200 }]] as const) {
      await mkdir(join(root, 'pets', cls), { recursive: true });
      for (let i = 0; i < 5; i++) {
        await sharp({ create: { width: 12 + i, height: 10, channels: 3, background: color } }).png().toFile(join(root, 'pets', cls, `${i}.png`));
      }
    }
    // The form as quick fills it, on MNIST: a dataset the app has not seen then turns it to auto.
    await page.click('[data-screen=method]');
    await page.getByTestId('preset').selectOption('quick');
    await page.click('[data-screen=dataset]');
    await page.getByTestId('folder-input').setInputFiles(join(root, 'pets'));
    await page.waitForFunction(() => document.querySelector('[data-testid=dataset-summary] h2')?.textContent?.startsWith('pets'), null, { timeout: 30_000 });
    assert.match(await page.getByTestId('dataset-summary').innerText(), /2 classes · 32×32×3 images · 8 train · 2 test/);
    // Titled by the folder's name, as History names it, not by the server's upload id.
    assert.match(await page.locator('[data-testid=dataset-summary] h2').innerText(), /^pets \(uploaded\)/);
    await shot('1-dataset-image-folder');
    await page.click('[data-screen=method]');
    assert.equal(await page.getByTestId('preset').inputValue(), 'auto');
    assert.match(await page.getByTestId('preset-note').innerText(), /quick was tuned on MNIST, and auto makes its choices on a validation split of your data/);
    // auto cuts the rate on plateaus: the plateau's patience is live.
    assert.equal(await page.getByTestId('setting-plateauPatience').isEnabled(), true);
    // An image folder's images are resized to the image size; auto starts from the teacher, where weight selection's steps act.
    assert.equal(await page.getByTestId('setting-imageSize').isEnabled(), true);
    // The dataset in view follows a new size: its summary (and the pickers' model sizes) are read again at 16 px.
    await page.getByTestId('setting-imageSize').evaluate((field) => ((field.closest('details') as HTMLDetailsElement).open = true));
    await page.getByTestId('setting-imageSize').fill('16');
    await page.click('[data-screen=dataset]');
    await page.waitForFunction(() => document.querySelector('[data-testid=dataset-summary]')?.textContent?.includes('16×16×3 images'), null, { timeout: 30_000 });
    await page.click('[data-screen=method]');
    await page.getByTestId('setting-imageSize').evaluate((field) => ((field.closest('details') as HTMLDetailsElement).open = true));
    await page.getByTestId('setting-imageSize').fill('32');
    assert.equal(await page.getByTestId('setting-selectionSteps').isEnabled(), true);
    await shot('3-method-auto-for-new-data');
    // Back on MNIST, the recipe the dataset chose goes back to quick.
    await page.click('[data-screen=dataset]');
    await page.getByTestId('use-mnist').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=dataset-summary] h2')?.textContent?.startsWith('mnist'), null, { timeout: 30_000 });
    await page.click('[data-screen=method]');
    assert.equal(await page.getByTestId('preset').inputValue(), 'quick');
    assert.equal(await page.getByTestId('preset-note').count(), 0);
    // MNIST's IDX images keep their size.
    assert.equal(await page.getByTestId('setting-imageSize').isDisabled(), true);
    // quick's schedule is cosine: the plateau's patience would change nothing, so it is greyed and says what it acts under.
    assert.equal(await page.getByTestId('setting-plateauPatience').isDisabled(), true);
    assert.match((await page.getByTestId('setting-plateauPatience').locator('xpath=..').getAttribute('title')) ?? '', /acts only with learning-rate schedule plateau/);
    // The sweep's grid stays live: the Find T and α button sweeps whatever the run's own setting.
    assert.equal(await page.getByTestId('setting-sweepTemperatures').isEnabled(), true);
    await page.getByTestId('setting-schedule').evaluate((field) => ((field.closest('details') as HTMLDetailsElement).open = true));
    // More settings come in the catalogue's groups: the schedule under Training, the sweep's grid under its own.
    assert.equal(await page.getByTestId('settings-group-training').locator('xpath=following-sibling::div[1]').getByTestId('setting-schedule').count(), 1);
    assert.equal(await page.getByTestId('settings-group-sweep').locator('xpath=following-sibling::div[1]').getByTestId('setting-sweepTemperatures').count(), 1);
    await shot('3-method-more-settings');
    await page.getByTestId('setting-schedule').selectOption('plateau');
    assert.equal(await page.getByTestId('setting-plateauPatience').isEnabled(), true);
    await page.getByTestId('setting-schedule').selectOption('cosine');
    // A teacher trained here is fed as the app feeds its own models: how to feed an imported one is greyed.
    assert.equal(await page.getByTestId('setting-teacherNormalization').isDisabled(), true);
    assert.equal(await page.getByTestId('setting-teacherResize').isDisabled(), true);
    // The jitter share acts while the teacher (2 px in quick) or the students are jittered.
    assert.equal(await page.getByTestId('setting-jitterShare').isEnabled(), true);
    await page.getByTestId('setting-teacherJitter').fill('0');
    assert.equal(await page.getByTestId('setting-jitterShare').isDisabled(), true);
    await page.getByTestId('setting-studentJitter').fill('1');
    assert.equal(await page.getByTestId('setting-jitterShare').isEnabled(), true);
    await page.getByTestId('setting-studentJitter').fill('0');
    await page.getByTestId('setting-teacherJitter').fill('2');
    // Weight selection's steps act while the sweep tries the teacher's start (or the student starts there).
    assert.equal(await page.getByTestId('setting-selectionSteps').isEnabled(), true);
    await page.getByTestId('setting-sweepFromTeacher').uncheck();
    assert.equal(await page.getByTestId('setting-selectionSteps').isDisabled(), true);
    await page.getByTestId('setting-sweepFromTeacher').check();
    await page.click('[data-screen=dataset]');
  });

  it('shows an upload\'s progress and cancels it: what arrived is dropped, the dataset chosen before stays', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ui-cancel-'));
    for (const cls of ['cats', 'dogs']) {
      await mkdir(join(root, 'more-pets', cls), { recursive: true });
      for (let i = 0; i < 15; i++) await sharp({ create: { width: 10, height: 10, channels: 3, background: { r: 9 * i, g: 80, b: 40 } } }).png().toFile(join(root, 'more-pets', cls, `${i}.png`));
    }
    // Each file takes a while to arrive, so the upload is still going when Cancel is clicked.
    const isUpload = (url: URL) => url.pathname === '/api/upload';
    await page.route(isUpload, async (route) => {
      if (route.request().method() === 'POST') await new Promise((resolve) => setTimeout(resolve, 250));
      await route.continue().catch(() => undefined);
    });
    try {
      await page.click('[data-screen=dataset]');
      const before = await page.locator('[data-testid=dataset-summary] h2').innerText();
      const uploads = join(runsDir, '.distill', 'uploads');
      const earlier = await readdir(uploads).catch(() => [] as string[]);
      await page.getByTestId('folder-input').setInputFiles(join(root, 'more-pets'));
      await page.waitForFunction(() => /Uploading: [1-9]\d* of 30 files/.test(document.querySelector('[data-testid=upload-status]')?.textContent ?? ''), null, { timeout: 30_000 });
      await shot('1-dataset-upload-progress');
      await page.getByTestId('cancel-upload').click();
      await page.getByTestId('upload-progress').waitFor({ state: 'detached', timeout: 10_000 });
      assert.equal(await page.getByTestId('dataset-error').count(), 0, 'a cancelled upload is not an error');
      assert.equal(await page.locator('[data-testid=dataset-summary] h2').innerText(), before);
      // The server dropped the cancelled upload's folder (earlier tests' refused uploads may still lie there).
      const leftovers = async () => (await readdir(uploads).catch(() => [] as string[])).filter((id) => !earlier.includes(id));
      // A request held by the route above may still reach the server after Cancel: give its clean-up up to 15 s.
      for (let i = 0; i < 150 && (await leftovers()).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(await leftovers(), []);
    } finally {
      await page.unroute(isUpload);
    }
  });

  it('follows a run that a CLI process trains in the same folder, opened from History, until it ends', async () => {
    const child = spawn(process.execPath, [DISTILL_BIN, 'run', '--teacher', 'mlp-64x1', '--student', 'mlp-16x1', '--teacher-epochs', '4', '--epochs', '4', '--limit-train', '3000', '--limit-test', '500', '--batch-size', '20', '--backend', 'cpu', '--runs-dir', runsDir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      // Open it once its teacher has an epoch behind it, while the run goes on.
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => ((out += chunk), out.includes('"type":"epoch"') && resolve()));
        void exited.then(() => reject(new Error('the CLI run ended before its first epoch')));
      });
      await page.click('[data-screen=history]');
      const row = page.getByTestId('history-row').filter({ hasText: 'running' });
      await row.getByRole('button', { name: 'Open' }).click();
      await page.getByTestId('training').waitFor();
      assert.equal(await page.getByTestId('run-status').innerText(), 'running');
      const pointsNow = async () => Number(await page.getByTestId('accuracy-chart').locator('canvas').getAttribute('data-points'));
      const opened = await pointsNow();
      // This window hears nothing from another process: the run is read again until it completes.
      await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'completed', null, { timeout: 120_000 });
      assert.equal(await exited, 0);
      assert.ok((await pointsNow()) > opened, `accuracy points: ${opened} when opened, ${await pointsNow()} at the end`);
      assert.equal(await pointsNow(), 12, 'four epochs of three models');
    } finally {
      child.kill();
    }
  });

  it('has no serious accessibility problem on any screen it showed (axe-core, WCAG 2 A and AA)', () => {
    assert.deepEqual(inaccessible, []);
  });
});

if (missing) console.log(`# browser end-to-end test skipped: ${missing}`);
