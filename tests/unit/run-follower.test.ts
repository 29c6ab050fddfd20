import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { RunDetail } from '../../electron/contract/api';
import { presetConfig } from '../../electron/contract/catalogue';
import { createRunFollower } from '../../renderer/src/lib/run-follower';

const detail = (status: RunDetail['status'], runId = 'cli-run', updatedAt = ''): RunDetail => ({ runId, kind: 'run', status, updatedAt, config: presetConfig('quick'), teacherLoaded: false, result: null, study: null, metrics: [] });
const notOwn = () => assert.fail('no run of this window was followed');

describe("following a run another process trains", () => {
  it('reads it again while it runs and is in view, and stops once it has ended', async () => {
    const answers: RunDetail['status'][] = ['running', 'running', 'completed'];
    let reads = 0;
    let inView: string | null = 'cli-run';
    const follower = createRunFollower({
      read: async () => detail(answers[Math.min(reads++, answers.length - 1)]!),
      inView: () => inView,
      show: (d) => {
        if (d.status !== 'running') inView = null;
        return d.status === 'running';
      },
      ended: notOwn,
      intervalMs: 10,
    });
    follower.follow('cli-run');
    for (let i = 0; i < 100 && inView !== null; i++) await sleep(10);
    assert.equal(inView, null, 'the completed run was shown');
    assert.equal(reads, 3);
    await sleep(50);
    assert.equal(reads, 3, 'no read after the run ended');
  });

  it('leaves a run whose events arrive to them, and stops when another run is put in view', async () => {
    let reads = 0;
    let inView: string | null = 'own-run';
    // An interval far above the gap between events, so a busy machine's stalls do not look like silence.
    const follower = createRunFollower({ read: async () => (reads++, detail('running')), inView: () => inView, show: () => true, ended: notOwn, intervalMs: 200 });
    follower.follow('own-run');
    for (let i = 0; i < 50; i++) {
      follower.heard('own-run');
      await sleep(10);
    }
    assert.equal(reads, 0, 'events kept coming: nothing read');
    inView = 'another';
    await sleep(450);
    assert.equal(reads, 0, 'out of view: nothing read');
  });

  it("reads this window's own run only for an end whose event never came, and leaves its view alone while it runs", async () => {
    const answers = [detail('running', 'own-run', 't1'), detail('running', 'own-run', 't2'), detail('failed', 'own-run', 't3')];
    const { ends, reads } = await followOwnUntilEnded('own-run', null, answers);
    assert.deepEqual(ends.map((d) => d.status), ['failed']);
    assert.equal(reads, 3);
  });

  it('does not take the end a run was resumed from for its own', async () => {
    // The resume was answered before the run's folder said running again: status.json still says failed, as of t0.
    const answers = [detail('failed', 'resumed', 't0'), detail('failed', 'resumed', 't0'), detail('running', 'resumed', 't1'), detail('cancelled', 'resumed', 't2')];
    const { ends, reads } = await followOwnUntilEnded('resumed', 't0', answers);
    assert.deepEqual(ends.map((d) => `${d.status} ${d.updatedAt}`), ['cancelled t2']);
    assert.equal(reads, 4);
  });
});

/** Follows one of this window's runs whose folder answers `answers` in turn (the last one again after them), until it is ended. */
async function followOwnUntilEnded(runId: string, resumedFrom: string | null, answers: RunDetail[]) {
  let reads = 0;
  let inView: string | null = runId;
  const ends: RunDetail[] = [];
  const follower = createRunFollower({
    read: async () => answers[Math.min(reads++, answers.length - 1)]!,
    inView: () => inView,
    show: () => assert.fail("an own run's view is its events', not replaced by what is stored"),
    ended: (d) => {
      ends.push(d);
      inView = null;
    },
    intervalMs: 10,
  });
  follower.followOwn(runId, resumedFrom);
  for (let i = 0; i < 100 && ends.length === 0; i++) await sleep(10);
  return { ends, reads };
}
