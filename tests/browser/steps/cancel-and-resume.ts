import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readRun } from '../../../electron/engine/runs/store';
import type { AppSession } from '../session';

/**
 * Runs that do not go straight to their end: one started while the event socket is down, a socket
 * that drops while a run trains, a cancel whose end event is lost, and a resume. Goes on from
 * first-run's page (its tiny run and five-seed study are in History).
 */
export function cancelAndResumeTests(session: AppSession): void {
  it('shows every epoch of a run started while the event socket is down and of one whose socket drops, cancels it and lists it in History as cancelled', async () => {
    const { page, shot } = session;
    await page.click('[data-screen=method]');
    await page.getByTestId('setting-teacherEpochs').fill('50');
    await page.getByTestId('setting-limitTrain').fill('10000');
    // The run starts while the event socket is down, and the socket is back before the answer that
    // names the run: its first events (its start, the teacher's first epoch) never reach the page,
    // which reads them from the run's folder.
    const startAnswer = await session.holdNextAnswer('startRun');
    const storedEpochsOf = async (id: string) => (await readRun(join(session.runsDir, id), id))?.metrics.filter((e) => e.type === 'epoch').length ?? 0;
    const chartPoints = async () => Number(await page.getByTestId('accuracy-chart').locator('canvas').getAttribute('data-points'));
    /** Waits until the run has stored more than `count` epochs; `after` says since what, for the error. */
    const epochStoredPast = async (id: string, count: number, after: string) => {
      for (const deadline = Date.now() + 60_000; (await storedEpochsOf(id)) === count; await sleep(100)) {
        if (Date.now() > deadline) throw new Error(`no epoch ended within 60 s of ${after} (${count} before it)`);
      }
    };
    let startedId = '';
    await session.dropEventSocket(async () => {
      await page.getByTestId('start').click();
      startedId = ((await startAnswer.body) as { runId: string }).runId;
      await epochStoredPast(startedId, 0, 'the start');
    });
    startAnswer.release();
    await page.waitForFunction(() => document.querySelector('[data-testid=phase-teacher] .stats')?.textContent?.includes('img/s'), null, { timeout: 60_000 });
    // Its chart has those epochs: it matches the folder, read before and after it with no epoch ending between.
    for (const deadline = Date.now() + 30_000; ; await sleep(200)) {
      const [stored, shown, storedAfter] = [await storedEpochsOf(startedId), await chartPoints(), await storedEpochsOf(startedId)];
      if (stored === storedAfter && shown === stored) break;
      if (Date.now() > deadline) throw new Error(`the live chart shows ${shown} epochs of the run started while the socket was down, its folder ${storedAfter}`);
    }
    // A lane in training shows its speed and, after a spaced dot, the time it has left.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^=phase-] .stats')].some((el) => /\d img\/s · ETA \d/.test(el.textContent ?? '')), null, { timeout: 60_000 });
    // The event socket drops, and stays down until the teacher has finished an epoch the page did
    // not hear of. Back, the page reads what it missed from the run's folder (its charts have no
    // gap), and the run's progress goes on arriving on the new socket.
    const runId = (await session.shownRunId())!;
    const storedEpochs = () => storedEpochsOf(runId);
    const epochsAtDrop = await storedEpochs();
    await session.dropEventSocket(() => epochStoredPast(runId, epochsAtDrop, 'the drop'));
    const statsOnReconnect = await page.locator('[data-testid=phase-teacher] .stats').innerText();
    await page.waitForFunction((before) => { const now = document.querySelector('[data-testid=phase-teacher] .stats')?.textContent; return !!now && now.includes('img/s') && now !== before; }, statsOnReconnect, { timeout: 30_000 });
    // The cancel's end event is lost, as a socket that reconnects can lose it: the window still
    // learns the run has ended, from its folder, rather than saying running for good.
    session.dropRunEnded = true;
    try {
      await page.getByTestId('cancel').click();
      await session.waitForRunStatus('cancelled', 30_000);
    } finally {
      session.dropRunEnded = false;
    }
    // Every epoch the run stored is on the live chart, those of the drop too.
    assert.equal(await chartPoints(), await storedEpochs());
    // A stopped run offers, where it stopped, to go on or to go back to the form.
    await page.getByTestId('training-resume').waitFor();
    assert.equal(await page.getByTestId('training-edit-again').innerText(), 'Edit and run again');
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
    await session.waitForRunStatus('running', 30_000);
    await page.getByTestId('cancel').click();
    await session.waitForRunStatus('cancelled', 60_000);
    // Its chart holds the epochs from before the resume and those after it, each once.
    assert.equal(await chartPoints(), await storedEpochsOf((await session.shownRunId())!));
  });
}
