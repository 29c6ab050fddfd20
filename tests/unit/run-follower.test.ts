import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { RunDetail } from '../../electron/contract/api';
import { presetConfig } from '../../electron/contract/catalogue';
import { createRunFollower } from '../../renderer/src/lib/run-follower';

const detail = (status: RunDetail['status']): RunDetail => ({ runId: 'cli-run', kind: 'run', status, updatedAt: '', config: presetConfig('quick'), result: null, study: null, metrics: [] });

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
    const follower = createRunFollower({ read: async () => (reads++, detail('running')), inView: () => inView, show: () => true, intervalMs: 200 });
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
});
