import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import { readRun, runInterrupted, RunFolder } from '../../electron/engine/runs/store';
import type { RunStatus } from '../../electron/contract/events';
import { tempDir } from '../helpers/fixtures';

describe("a run folder's lock", () => {
  it('is in place whenever its status says running, as it starts and as it resumes, so a process listing runs beside it never takes it for interrupted', async () => {
    const dir = join(await tempDir('run-lock-'), 'r');
    const seen: Array<{ status: RunStatus; locked: boolean; interrupted: boolean }> = [];
    const { setStatus } = RunFolder.prototype;
    // What another process listing the runs (the app beside a CLI run) would find at each status write.
    RunFolder.prototype.setStatus = async function (this: RunFolder, status: RunStatus, error?: string) {
      await setStatus.call(this, status, error);
      const listed = await readRun(this.dir, this.id);
      seen.push({ status, locked: existsSync(join(this.dir, 'lock.json')), interrupted: listed ? await runInterrupted(listed) : true });
    };
    try {
      const folder = await RunFolder.create(dir, 'r', presetConfig('quick'));
      await folder.setStatus('failed', 'stopped');
      await folder.unlock();
      await folder.reopen();
      await folder.unlock();
    } finally {
      RunFolder.prototype.setStatus = setStatus;
    }
    const running = seen.filter((s) => s.status === 'running');
    assert.equal(running.length, 2, 'created and resumed');
    assert.deepEqual(running, [
      { status: 'running', locked: true, interrupted: false },
      { status: 'running', locked: true, interrupted: false },
    ]);
  });
});
