import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import sharp from 'sharp';
import { DISTILL_BIN } from '../../helpers/cli';
import { pythonModulesMissing, SYSTEM_PYTHON, twoClassPixelCsv } from '../../helpers/fixtures';
import { solidPng, writeHfParquet } from '../../helpers/parquet';
import type { AppSession } from '../session';

/** Registers these tests in the browser suite's describe, in order: each goes on from the page the one before left. */
export function dataAndFollowTests(session: AppSession): void {
  it("opens Kaggle's two CSV files picked loose, as a pixel CSV dataset whose images keep their size", async () => {
    const { page, shot } = session;
    const root = await mkdtemp(join(tmpdir(), 'ui-csv-'));
    await writeFile(join(root, 'fashion_train.csv'), twoClassPixelCsv(40));
    await writeFile(join(root, 'fashion_test.csv'), twoClassPixelCsv(10));
    await page.click('[data-screen=dataset]');
    await page.getByTestId('file-input').setInputFiles([join(root, 'fashion_train.csv'), join(root, 'fashion_test.csv')]);
    await page.waitForFunction(() => document.querySelector('[data-testid=dataset-summary] h2')?.textContent?.startsWith('uploaded files'), null, { timeout: 30_000 });
    assert.equal(await page.getByTestId('dataset-format').innerText(), 'pixel CSV');
    assert.match(await page.getByTestId('dataset-summary').innerText(), /2 classes · 3×3×1 images · 40 train · 10 test/);
    // Images this small fit no LeNet-5: the pickers leave it out instead of failing.
    await page.waitForFunction(() => !document.querySelector('[data-testid=dataset-busy]'), null, { timeout: 30_000 });
    assert.equal(await page.getByTestId('dataset-error').count(), 0);
    assert.match(await page.getByTestId('formats').innerText(), /pixel CSV — a label \(a class number or name\) and a square grayscale or RGB image's 0–255 pixels per row/);
    await shot('1-dataset-csv');
    // Its images keep their size: the image size is greyed on the Method screen.
    await page.click('[data-screen=method]');
    assert.equal(await page.getByTestId('setting-imageSize').isDisabled(), true);
    // FER2013's one file: the pixels in one cell, its Usage column the splits, PublicTest the validation split.
    await page.click('[data-screen=dataset]');
    const usage = (r: number) => (r < 12 ? 'Training' : r < 16 ? 'PublicTest' : 'PrivateTest');
    const fer = ['emotion,pixels,Usage', ...Array.from({ length: 20 }, (_, r) => `${r % 2},"${Array.from({ length: 9 }, (_, p) => (r % 2) * 200 + p).join(' ')}",${usage(r)}`)];
    await writeFile(join(root, 'fer2013.csv'), fer.join('\n') + '\n');
    await page.getByTestId('file-input').setInputFiles([join(root, 'fer2013.csv')]);
    await page.getByTestId('dataset-validation').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('dataset-summary').innerText(), /2 classes · 3×3×1 images · 12 train · 4 validation · 4 test/);
    assert.match(await page.getByTestId('dataset-summary').innerText(), /class\s+train\s+validation\s+test\s+0\s+6\s+2\s+2/);
    // MedMNIST's one .npz, written by NumPy: RGB images, [N, 1] labels, its val arrays the validation split.
    const numpy = pythonModulesMissing(['numpy'], 'python3-numpy');
    if (numpy) console.log(`# the .npz upload step skipped: ${numpy}`);
    else {
      const medmnist = "import numpy as np, sys\nimg = lambda n: (np.arange(n * 75).reshape(n, 5, 5, 3) * 37 % 256).astype(np.uint8)\nlab = lambda n: (np.arange(n) % 3).reshape(-1, 1)\nnp.savez(sys.argv[1], train_images=img(18), train_labels=lab(18), val_images=img(6), val_labels=lab(6), test_images=img(9), test_labels=lab(9))";
      execFileSync(SYSTEM_PYTHON, ['-c', medmnist, join(root, 'bloodmnist.npz')]);
      await page.getByTestId('file-input').setInputFiles([join(root, 'bloodmnist.npz')]);
      await page.waitForFunction(() => document.querySelector('[data-testid=dataset-format]')?.textContent === 'NumPy arrays', null, { timeout: 30_000 });
      assert.match(await page.getByTestId('dataset-summary').innerText(), /^bloodmnist\.npz \(uploaded\)[^]*3 classes · 5×5×3 images · 18 train · 6 validation · 9 test/);
      await shot('1-dataset-npz');
    }
    // A Hugging Face dataset's two Parquet files, picked loose: classes in its ClassLabel's order, images resized.
    const beans = ['healthy', 'angular_leaf_spot'];
    for (const [file, n] of [['train-00000-of-00001.parquet', 10], ['test-00000-of-00001.parquet', 4]] as const) {
      const labels = Array.from({ length: n }, (_, i) => i % 2);
      await writeHfParquet(join(root, file), { images: await Promise.all(labels.map((l) => solidPng(l * 200, 150, 40, 9))), labels, classNames: beans });
    }
    await page.getByTestId('file-input').setInputFiles([join(root, 'train-00000-of-00001.parquet'), join(root, 'test-00000-of-00001.parquet')]);
    await page.waitForFunction(() => document.querySelector('[data-testid=dataset-format]')?.textContent === 'Parquet (Hugging Face)', null, { timeout: 30_000 });
    assert.match(await page.getByTestId('dataset-summary').innerText(), /2 classes · \d+×\d+×3 images · 10 train · 4 test[^]*class\s+train\s+test\s+healthy\s+5\s+2\s+angular_leaf_spot\s+5\s+2/);
    await page.getByTestId('use-mnist').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=dataset-summary] h2')?.textContent?.startsWith('mnist'), null, { timeout: 30_000 });
    assert.equal(await page.getByTestId('dataset-format').innerText(), 'IDX');
    assert.equal(await page.getByTestId('dataset-validation').count(), 0);
  });

  it('opens a picked image folder (one sub-folder per class) uploaded with its layout, with the auto recipe', async () => {
    const { page, shot } = session;
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
    // Colour pictures and auto's MLP pair: the Models screen says why a convnet pair, and sets one in a click.
    await page.click('[data-screen=models]');
    assert.match(await page.getByTestId('pair-advice').innerText(), /Both models are MLPs.*On colour pictures a convolutional pair learns far more/s);
    await shot('2-models-pair-advice');
    await page.getByTestId('use-pair-lenet5@0.5').click();
    await page.waitForFunction(() => document.querySelector<HTMLSelectElement>('[data-testid=student-model]')?.value === 'lenet5@0.5', null, { timeout: 30_000 });
    assert.deepEqual([await page.getByTestId('teacher-model').inputValue(), await page.getByTestId('student-model').inputValue()], ['lenet5@2', 'lenet5@0.5']);
    assert.equal(await page.getByTestId('pair-advice').count(), 0);
    await page.getByTestId('teacher-model').selectOption('mlp-800x2');
    await page.getByTestId('student-model').selectOption('mlp-30x2');
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

  it('tries a wide photo on a colour run, moving the part of it the models see', async () => {
    const { page } = session;
    const root = await mkdtemp(join(tmpdir(), 'ui-colours-'));
    for (const [cls, rgb] of [['red', [230, 20, 20]], ['blue', [20, 20, 230]]] as const) {
      await mkdir(join(root, 'colours', cls), { recursive: true });
      for (let i = 0; i < 12; i++) await sharp({ create: { width: 10, height: 10, channels: 3, background: { r: rgb[0] - i, g: rgb[1] + i, b: rgb[2] - i } } }).png().toFile(join(root, 'colours', cls, `${i}.png`));
    }
    await page.click('[data-screen=dataset]');
    await page.getByTestId('folder-input').setInputFiles(join(root, 'colours'));
    await page.waitForFunction(() => document.querySelector('[data-testid=dataset-summary] h2')?.textContent?.startsWith('colours'), null, { timeout: 30_000 });
    await page.click('[data-screen=models]');
    await page.getByTestId('teacher-source').selectOption('');
    await page.click('[data-screen=method]');
    await page.getByTestId('preset').selectOption('quick');
    await page.getByTestId('mode-single').check();
    await page.getByTestId('setting-teacherEpochs').fill('1');
    await page.getByTestId('setting-epochs').fill('1');
    await page.getByTestId('start').click();
    await page.getByTestId('results').waitFor({ timeout: 120_000 });
    // Red on the left, grey in the middle, blue on the right: three squares side by side.
    const wide = await sharp({ create: { width: 60, height: 20, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .composite([
        { input: { create: { width: 20, height: 20, channels: 3, background: { r: 230, g: 20, b: 20 } } }, left: 0, top: 0 },
        { input: { create: { width: 20, height: 20, channels: 3, background: { r: 20, g: 20, b: 230 } } }, left: 40, top: 0 },
      ]).png().toBuffer();
    await page.getByTestId('own-image-input').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: wide });
    await page.getByTestId('own-image-crop').waitFor();
    // The image as the models saw it: its middle pixel, after each move of the window (what the
    // models then make of it is `distill predict --crop-at`'s test, on a teacher that learnt the colours).
    const middle = () => page.locator('[data-testid=explorer] canvas').first().evaluate((canvas: HTMLCanvasElement) => Array.from(canvas.getContext('2d')!.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data.subarray(0, 3)));
    const seen = async (at: string) => {
      const before = JSON.stringify(await middle());
      await page.getByTestId('own-image-crop').fill(at);
      await page.waitForFunction((was) => {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=explorer] canvas')!;
        return JSON.stringify(Array.from(canvas.getContext('2d')!.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data.subarray(0, 3))) !== was;
      }, before, { timeout: 30_000 });
      return middle();
    };
    const [r, g, b] = await middle();
    assert.ok(Math.abs(r! - 128) < 8 && Math.abs(g! - 128) < 8 && Math.abs(b! - 128) < 8, `the middle window is grey: ${[r, g, b]}`);
    assert.match(await page.getByTestId('own-image-crop').locator('xpath=..').innerText(), /part shown: left … right/);
    const left = await seen('0');
    assert.ok(left[0]! > 200 && left[2]! < 60, `the left window is red: ${left}`);
    const right = await seen('1');
    assert.ok(right[2]! > 200 && right[0]! < 60, `the right window is blue: ${right}`);
    await session.shot('5-results-own-image-crop');
  });

  it('shows an upload\'s progress and cancels it: what arrived is dropped, the dataset chosen before stays', async () => {
    const { page, runsDir, shot } = session;
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
    const { page, runsDir } = session;
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
      // The Training tab marks a run in view that trains, and stops marking it when it ends.
      assert.equal(await page.locator('[data-screen=training] .live').count(), 1);
      const pointsNow = async () => Number(await page.getByTestId('accuracy-chart').locator('canvas').getAttribute('data-points'));
      const opened = await pointsNow();
      // This window hears nothing from another process: the run is read again until it completes.
      await session.waitForRunStatus('completed', 120_000);
      assert.equal(await exited, 0);
      assert.ok((await pointsNow()) > opened, `accuracy points: ${opened} when opened, ${await pointsNow()} at the end`);
      assert.equal(await pointsNow(), 12, 'four epochs of three models');
      assert.equal(await page.locator('[data-screen=training] .live').count(), 0);
    } finally {
      child.kill();
    }
  });
}
