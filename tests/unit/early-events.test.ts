import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEvent } from '../../electron/contract/events';
import { createEarlyEvents } from '../../renderer/src/lib/early-events';

const phase = (model: string): RunEvent => ({ type: 'phase', phase: 'teacher', status: 'start', model });

describe('events of a run that came before the answer that started it', () => {
  it('are handed over once, in order, to the view of their run only', () => {
    const early = createEarlyEvents();
    early.keep('a', phase('first'));
    early.keep('b', phase('other'));
    early.keep('a', phase('second'));
    assert.deepEqual(early.take('a').map((e) => (e.type === 'phase' ? e.model : e.type)), ['first', 'second']);
    assert.deepEqual(early.take('a'), [], 'taken once');
    assert.equal(early.take('b').length, 1);
  });

  it("keep only the newest runs, and each run's first events, however many other windows' runs send", () => {
    const early = createEarlyEvents({ runs: 2, perRun: 3 });
    for (const run of ['r1', 'r2', 'r3']) for (let i = 0; i < 5; i++) early.keep(run, phase(`${run}-${i}`));
    assert.deepEqual(early.take('r1'), [], 'the oldest run was let go');
    assert.deepEqual(early.take('r3').map((e) => (e.type === 'phase' ? e.model : '')), ['r3-0', 'r3-1', 'r3-2']);
    assert.equal(early.take('r2').length, 3);
  });
});
