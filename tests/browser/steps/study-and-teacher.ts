import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { unzipSync } from 'fflate';
import { saveModelFolder } from '../../../electron/engine/runs/model-io';
import { buildModel } from '../../../electron/engine/models/registry';
import { exportModel } from '../../../electron/engine/export/registry';
import type { AppSession } from '../session';

/** Registers these tests in the browser suite's describe, in order: each goes on from the page the one before left. */
export function studyAndTeacherTests(session: AppSession): void {
  it('runs a study of several methods and compares them in one table', async () => {
    const { page, shot } = session;
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
    // A "+ KD" entry puts KD's soft term on its method and takes it off the plain entries: SP's weight acts, CRD's does not.
    await page.getByTestId('study-sp+kd').check();
    await page.getByTestId('study-crd').check();
    assert.match(await page.getByTestId('study-plus-kd-note').innerText(), /The “\+ KD” entries add KD's soft term at their method's “plus KD” weight below \(1 where it is 0\)/);
    assert.ok(await page.getByTestId('option-sp-kdWeight').isEnabled(), 'SP + KD reads its weight');
    assert.ok(await page.getByTestId('option-crd-kdWeight').isDisabled(), 'CRD beside a + KD entry trains without the term');
    await shot('3-method-study-plus-kd');
    await page.getByTestId('study-sp+kd').uncheck();
    assert.equal(await page.getByTestId('study-plus-kd-note').count(), 0);
    assert.ok(await page.getByTestId('option-crd-kdWeight').isEnabled(), 'without one, --kd-weight acts on CRD as in a run');
    await page.getByTestId('study-crd').uncheck();
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
    // KD's and DKD's "warm-up epochs" each sit under their method's name.
    assert.deepEqual(await page.locator('[data-testid=method-options] h4').allInnerTexts(), ['KD (Hinton), also read by FitNets and DKD', 'FitNets', 'DKD']);
    assert.equal(await page.getByTestId('method-group-dkd').locator('xpath=following-sibling::div[1]').getByTestId('option-dkd-warmup').count(), 1);
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
    assert.match(await page.getByTestId('study-against-teacher').innerText(), /^the student is \d+\.\d× smaller than the teacher and (\d+\.\d× (faster|slower)|about as fast) per image( \(timed while other work held the cores, so the speed may be off\))?$/);
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

  it("uses my own teacher, a LayersModel folder or an .onnx file picked on the Models screen, for a run, and an earlier run's ONNX teacher again", async () => {
    const { page, runsDir, shot } = session;
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
    // Its tensors, to name in FitNets' and attention transfer's feature pairs: an MLP's Gemm and Relu nodes among them.
    await page.getByTestId('teacher-tensors').locator('summary').click();
    const tensors = await page.getByTestId('teacher-tensors').innerText();
    assert.match(tensors, /its \d+ tensors, to pair with the student's layers/);
    assert.match(tensors, /Gemm/);
    assert.match(tensors, /Relu/);
    // Checked before distilling: its accuracy, the class mapping, its predictions beside images.
    await page.getByTestId('teacher-check').click();
    await page.getByTestId('teacher-check-result').waitFor({ timeout: 60_000 });
    const accuracy = Number((await page.getByTestId('teacher-check-accuracy').innerText()).replace('%', ''));
    assert.ok(accuracy > 50, `teacher check: ${accuracy}%`);
    assert.doesNotMatch(await page.getByTestId('teacher-check-result').innerText(), /no better than guessing/);
    assert.match(await page.getByTestId('teacher-check-result').innerText(), /ONNX, run by onnxruntime-node \(cpu\), NHWC input · fed pixels \/ 255/);
    assert.equal(await page.getByTestId('teacher-check-samples').locator('figure').count(), 24);
    // Where feature methods read it when no pairs are named: an MLP's two hidden ReLUs.
    assert.match(await page.getByTestId('teacher-check-stages').innerText(), /pair by shape when no feature pairs are named: \S+ \(800\), \S+ \(800\)$/);
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
    // Declared as none (the same as MNIST's own normalisation, which is none), to see it come back below.
    await page.getByTestId('setting-teacherNormalization').evaluate((field) => ((field.closest('details') as HTMLDetailsElement).open = true));
    await page.getByTestId('setting-teacherNormalization').selectOption('none');
    await page.getByTestId('start').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=results-table]')?.textContent?.includes('model.onnx'), null, { timeout: 120_000 });
    // That run's teacher again (run:<id>: its folder keeps the .onnx file), fed as that run declared it.
    const onnxRuns: string[] = [];
    for (const run of await readdir(runsDir)) if ((await readdir(join(runsDir, run, 'teacher')).catch((): string[] => [])).includes('model.onnx')) onnxRuns.push(run);
    assert.equal(onnxRuns.length, 1, onnxRuns.join(', '));
    await page.click('[data-screen=method]');
    await page.getByTestId('setting-teacherNormalization').evaluate((field) => ((field.closest('details') as HTMLDetailsElement).open = true));
    await page.getByTestId('setting-teacherNormalization').selectOption('dataset');
    await page.click('[data-screen=models]');
    await page.getByTestId('teacher-source').selectOption(onnxRuns[0]!);
    await page.click('[data-screen=method]');
    assert.equal(await page.getByTestId('setting-teacherNormalization').inputValue(), 'none');
    const before = new Set(await readdir(runsDir));
    await page.getByTestId('start').click();
    await page.waitForFunction((ids) => {
      const id = /Results of run (\S+)/.exec(document.querySelector('[data-testid=results] h2')?.textContent ?? '')?.[1];
      return id !== undefined && !ids.includes(id) && document.querySelector('[data-testid=results-table]')?.textContent?.includes('model.onnx');
    }, [...before], { timeout: 120_000 });
    const [again] = (await readdir(runsDir)).filter((run) => !before.has(run));
    const config = JSON.parse(await readFile(join(runsDir, again!, 'config.json'), 'utf8'));
    assert.equal(config.teacher, join(runsDir, onnxRuns[0]!, 'teacher', 'model.onnx'));
    assert.equal(config.teacherNormalization, 'none');
    // The ONNX teacher runs as it was given: its row offers no export (which would only refuse), the student's does.
    assert.equal(await page.getByTestId('result-teacher').getByTestId('teacher-as-given').innerText(), 'ONNX, as given');
    assert.equal(await page.getByTestId('export-teacher').count(), 0);
    assert.equal(await page.getByTestId('export-student').count(), 1);
    // A broken teacher is one message; the teacher chosen stays.
    await page.click('[data-screen=models]');
    const broken = join(await mkdtemp(join(tmpdir(), 'broken-teacher-')), 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'model.json'), '{ not json');
    await page.getByTestId('teacher-input').setInputFiles(broken);
    await page.getByTestId('teacher-error').waitFor();
    assert.match(await page.getByTestId('teacher-error').innerText(), /model\.json: not valid JSON/);
    assert.equal(await page.getByTestId('teacher-source').inputValue(), onnxRuns[0]);
  });
}
