import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import type { RunDetail } from '../../../electron/contract/api';
import type { RunConfig } from '../../../electron/contract/run-config';
import type { AppSession } from '../session';

/** Registers these tests in the browser suite's describe, in order: each goes on from the page the one before left. */
export function resultsViewsTests(session: AppSession): void {
  it('finds T and α with a sweep, runs the best cell, and shows warnings, per-class results, mistakes and a comparison', async () => {
    const { page, runsDir, shot } = session;
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
    const runBefore = await session.shownRunId();
    await page.getByTestId('start-sweep').click();
    // This sweep takes seconds: what the Training screen shows of it is checked once it is done
    // (a completed run opens its Results at once, so a check while it runs would race its end).
    await session.waitForRunStatus('completed', 120_000, { otherThan: runBefore });
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
    // Its heatmap, filled cell by cell as it ran, and its accuracy chart, on the validation split it held out.
    assert.equal(await page.getByTestId('sweep-heatmap').getByTestId('sweep-cell').count(), 4);
    assert.equal(await page.getByTestId('accuracy-chart').getAttribute('data-split'), 'validation');
    // The sweep's cells are not on the curves: the teacher's cross-entropy alone needs no note on scale.
    assert.equal(await page.getByTestId('loss-scale-note').count(), 0);
    await shot('4-training-sweep');
    await page.click('[data-screen=results]');
    // A sweep trains only its teacher: the confusion matrix shows the teacher's, not an empty picker.
    await page.getByTestId('tab-overview').click();
    await page.getByTestId('confusion').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('confusion-role').inputValue(), 'teacher');
    await page.getByTestId('tab-sweep').click();
    // The sweep as the commands that make it again: as it was, and on the teacher it trained and saved.
    const sweepId = await session.shownRunId();
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Folded until opened (a Results screen of a later run may be the same one, left open).
    const openCommands = async () => {
      if ((await page.getByTestId('run-commands').getAttribute('open')) === null) await page.getByTestId('run-commands').locator('summary').click();
    };
    await openCommands();
    assert.match(await page.getByTestId('command-again').innerText(), /^distill sweep --preset [a-z0-9-]+ .*--sweep-temperatures 2,4 --sweep-alphas 0\.5,0\.9 /);
    assert.match(await page.getByTestId('command-teacher').innerText(), new RegExp(`^distill sweep --preset .* --teacher ${escaped(runsDir)}/${sweepId}/teacher( |$)`));
    assert.doesNotMatch(await page.getByTestId('command-teacher').innerText(), /--teacher-epochs/, "a saved teacher's training is left out");
    // And the full run with its best cell, on its teacher: what the one click below starts.
    const bestCellCommand = await page.getByTestId('command-best-cell').innerText();
    assert.match(bestCellCommand, new RegExp(`^distill run --preset [a-z0-9-]+ .*--teacher ${escaped(runsDir)}/${sweepId}/teacher .*--limit-train 1500 `));
    assert.doesNotMatch(bestCellCommand, /--sweep-|--teacher-epochs/, 'neither the grid nor a loaded teacher\'s training acts in the full run');
    // One click: the full run with the best cell, on the sweep's teacher, with the sweep's settings
    // whatever the form holds now (here 1,200 images, changed after the sweep).
    await page.click('[data-screen=method]');
    await page.getByTestId('setting-limitTrain').fill('1200');
    await page.click('[data-screen=results]');
    await page.getByTestId('run-best-cell').click();
    await session.waitForRunStatus('completed', 120_000, { otherThan: sweepId });
    const sweepConfig = JSON.parse(await readFile(join(runsDir, sweepId!, 'config.json'), 'utf8')) as RunConfig;
    const bestCellConfig = JSON.parse(await readFile(join(runsDir, (await session.shownRunId())!, 'config.json'), 'utf8')) as RunConfig;
    assert.deepEqual([bestCellConfig.limitTrain, bestCellConfig.epochs, bestCellConfig.sweep, bestCellConfig.methodOptions.kd], [1500, 2, false, sweepConfig.methodOptions.kd]);
    await page.click('[data-screen=results]');
    await page.getByTestId('result-baseline').waitFor();
    // A run named on its Results keeps the name: History and the comparison show it beside the id.
    await page.getByTestId('notes-edit').click();
    await page.getByTestId('notes-name').fill('  best cell of the sweep ');
    await page.getByTestId('notes-note').fill('T and α from the sweep\nrun in one click');
    await page.getByTestId('notes-save').click();
    await page.getByTestId('run-name').waitFor();
    assert.equal(await page.getByTestId('run-name').innerText(), '· best cell of the sweep');
    assert.equal(await page.getByTestId('notes-text').innerText(), 'T and α from the sweep\nrun in one click');
    assert.equal(await page.getByTestId('notes-edit').innerText(), 'Edit the name and notes');
    // Its command names the sweep's teacher, which it loaded: there is no other teacher to offer. Copy puts it on the clipboard.
    await openCommands();
    const command = await page.getByTestId('command-again').innerText();
    assert.match(command, new RegExp(`^distill run --preset [a-z0-9-]+ .*--teacher ${escaped(runsDir)}/${sweepId}/teacher .*--temperature \\d`));
    assert.equal(command, bestCellCommand, "the one click trained the very run the sweep's command names");
    assert.equal(await page.getByTestId('command-teacher').count(), 0);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: session.server.url });
    await page.getByTestId('copy-command-again').click();
    assert.equal(await page.getByTestId('copied-command-again').innerText(), 'copied');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), command);
    await shot('5-results-commands');
    assert.ok((await page.locator('[data-testid^=advice-]').count()) >= 1, 'the run says whether distillation paid off');
    // A command in the advice names this run's own folder, as the CLI's does, never a placeholder.
    const adviceText = (await page.locator('[data-testid^=advice-]').allInnerTexts()).join('\n');
    assert.doesNotMatch(adviceText, /RUN_DIR/);
    if (adviceText.includes('--from-run')) assert.match(adviceText, new RegExp(`distill study --from-run ${escaped(runsDir)}/\\d{8}-\\d{6}-[0-9a-f]{4} --seeds 5`));
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
    assert.equal(await page.getByTestId('history-row').nth(0).getByTestId('history-name').innerText(), 'best cell of the sweep');
    // The filter keeps the rows that hold every word (here the name), and says how many of all.
    const everyRow = await page.getByTestId('history-row').count();
    await page.getByTestId('history-filter').fill('Best CELL');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-row]').length === 1, null, { timeout: 10_000 });
    assert.equal(await page.getByTestId('history-shown').innerText(), `1 of ${everyRow} runs`);
    await page.getByTestId('history-filter').fill('');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=history-row]').length === n, everyRow, { timeout: 10_000 });
    const checks = page.getByTestId('compare-check');
    await checks.nth(0).check();
    await checks.nth(1).check();
    await page.getByTestId('compare-setting').first().waitFor({ timeout: 30_000 });
    assert.match(await page.locator('[data-testid=compare] thead').innerText(), /best cell of the sweep \(\d{8}-\d{6}-[0-9a-f]{4}\)/);
    const compared = await page.getByTestId('compare').innerText();
    assert.match(compared, /validation split/);
    // The best cell loaded the sweep's teacher, named by its architecture and that run; the sweep
    // trained it, so the imported teacher's settings the form carried from an earlier check fed
    // nothing there, and are no difference.
    assert.match(compared, /teacher\s+mlp-800x2 from \d{8}-\d{6}-[0-9a-f]{4}\s+mlp-800x2/);
    assert.doesNotMatch(compared, /an imported teacher's/);
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
    // Edit and run again: the named run's dataset, teacher (the sweep's) and settings come back to
    // the form; one change, and the new run differs from it in that alone.
    const namedRow = page.getByTestId('history-row').filter({ hasText: 'best cell of the sweep' });
    const namedId = await namedRow.locator('td.id').evaluate((cell) => cell.firstChild!.textContent!.trim());
    const storedRun = async (runId: string | undefined) => {
      const response = await fetch(new URL('/api/call/getRun', session.server.url), { method: 'POST', headers: { Authorization: `Bearer ${session.server.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ runId }) });
      return (await response.json()) as RunDetail;
    };
    const named = await storedRun(namedId);
    await namedRow.getByTestId('edit-again').click();
    await page.getByTestId('form-note').waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('form-note').innerText(), new RegExp(`^The form holds the settings of run ${namedId}: change what you like, then start\\.$`));
    assert.equal(await page.getByTestId('method').inputValue(), 'kd');
    assert.equal(Number(await page.getByTestId('option-kd-temperature').inputValue()), named.config.methodOptions.kd.temperature);
    assert.equal(await page.getByTestId('setting-limitTrain').inputValue(), '1500');
    await shot('3-method-edit-again');
    await page.click('[data-screen=models]');
    assert.equal(await page.getByTestId('teacher-source').inputValue(), sweepId, "the sweep's teacher again");
    await page.click('[data-screen=method]');
    await page.getByTestId('setting-epochs').fill('1');
    await page.getByTestId('start').click();
    await session.waitForRunStatus('completed', 120_000, { otherThan: namedId });
    const again = await storedRun(await session.shownRunId());
    assert.deepEqual({ ...again.config, epochs: named.config.epochs }, named.config, 'the same settings but the epochs');
    assert.equal(again.config.epochs, 1);
    await page.click('[data-screen=history]');
    // A study's settings come back as a study: its methods ticked, its seeds.
    await page.getByTestId('history-row').filter({ hasText: 'study of 4 × 2 seeds' }).getByTestId('edit-again').click();
    await page.getByTestId('form-note').waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('form-note').innerText(), /^The form holds the settings of study \d{8}-\d{6}-[0-9a-f]{4}: change what you like, then start\.$/);
    assert.ok(await page.getByTestId('mode-study').isChecked());
    assert.equal(await page.getByTestId('study-seeds').inputValue(), '2');
    const ticked = await page.getByTestId('study-methods').locator('input:checked').evaluateAll((boxes) => boxes.map((box) => box.getAttribute('data-testid')));
    assert.deepEqual(ticked, ['study-kd', 'study-fitnet', 'study-dkd', 'study-baseline']);
    await page.getByTestId('mode-single').check();
    await page.click('[data-screen=history]');
    await checks.nth(0).waitFor();
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
    // Two runs' teachers joined into an ensemble (both ran on the sweep's teacher): the Models
    // screen then has it as the teacher of the next run, named by its members.
    for (const runId of [namedId, again.runId]) await page.getByTestId('history-row').filter({ hasText: runId }).getByTestId('compare-check').check();
    await page.getByTestId('ensemble-teachers').click();
    await page.getByTestId('own-teacher').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('teacher-source').inputValue(), 'own');
    assert.match(await page.getByTestId('teacher-source').locator('option:checked').innerText(), /^my own teacher: mlp-800x2 ×2$/);
    assert.match(await page.getByTestId('teacher-size').innerText(), /^2,553,620 parameters/);
    await shot('6-history-ensemble-teacher');
    await page.getByTestId('teacher-source').selectOption('');
  });

  it('follows a dark system theme on every screen, with the contrast axe asks for', async () => {
    const { page, shot } = session;
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await page.click('[data-screen=history]');
      const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      assert.equal(background, 'rgb(15, 17, 23)', 'the page is dark');
      await page.getByTestId('compare-check').nth(0).check();
      await page.getByTestId('compare-check').nth(1).check();
      await page.getByTestId('compare-setting').first().waitFor({ timeout: 30_000 });
      await shot('7-dark-history');
      // The named run's results (its name in the accent), per class, then the sweep's heatmap.
      await page.getByTestId('history-row').filter({ hasText: 'best cell of the sweep' }).getByRole('button', { name: 'Open' }).click();
      await page.getByTestId('result-baseline').waitFor();
      await shot('7-dark-results');
      await page.getByTestId('tab-classes').click();
      await shot('7-dark-per-class');
      await page.click('[data-screen=history]');
      await page.getByTestId('history-row').filter({ hasText: /sweep found T = / }).getByRole('button', { name: 'Open' }).click();
      await page.getByTestId('view-sweep').waitFor();
      await shot('7-dark-sweep');
      await page.click('[data-screen=training]');
      await shot('7-dark-training');
      await page.click('[data-screen=method]');
      await shot('7-dark-method');
      await page.click('[data-screen=models]');
      await shot('7-dark-models');
      await page.click('[data-screen=dataset]');
      await page.getByTestId('dataset-summary').waitFor();
      await shot('7-dark-dataset');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });
}
