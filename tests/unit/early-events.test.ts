import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEarlyEvents, type RunChannelEvent } from '../../renderer/src/lib/early-events';

const phase = (runId: string, model: string): RunChannelEvent => ({ type: 'run-event', runId, event: { type: 'phase', phase: 'teacher', status: 'start', model } });
const ended = (runId: string): RunChannelEvent => ({ type: 'run-ended', runId, status: 'completed' });
const names = (events: RunChannelEvent[]) => events.map((e) => (e.type === 'run-event' && e.event.type === 'phase' ? e.event.model : e.type));

describe('events of a run that came before the answer that started it', () => {
  it('are handed over once, in order, to the view of their run only', () => {
    const early = createEarlyEvents();
    early.keep(phase('a', 'first'));
    early.keep(phase('b', 'other'));
    early.keep(phase('a', 'second'));
    early.keep(ended('a'));
    assert.deepEqual(names(early.take('a')), ['first', 'second', 'run-ended']);
    assert.deepEqual(early.take('a'), [], 'taken once');
    assert.equal(early.take('b').length, 1);
  });

  it("keep only the newest runs, and each run's first events and its end, however many other windows' runs send", () => {
    const early = createEarlyEvents({ runs: 2, perRun: 3 });
    for (const run of ['r1', 'r2', 'r3']) {
      for (let i = 0; i < 5; i++) early.keep(phase(run, `${run}-${i}`));
      early.keep(ended(run));
    }
    assert.deepEqual(early.take('r1'), [], 'the oldest run was let go');
    assert.deepEqual(names(early.take('r3')), ['r3-0', 'r3-1', 'r3-2', 'run-ended'], 'the end is kept past the cap');
    assert.equal(early.take('r2').length, 4);
  });
});
