import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEvent } from '../../electron/cli/progress-printer';
import { presetConfig } from '../../electron/contract/catalogue';
import { studentLaneMethod } from '../../electron/contract/display';
import { bestSweepCell, sweepChoice, type RunEvent, type SweepResult } from '../../electron/contract/events';
import { describeSweepChoice, plannedSweepCells, sweepCellsDone, sweepFinalists, sweepRoundTwo } from '../../electron/engine/runs/sweep';
import { applyRunEvent, emptyRunView } from '../../renderer/src/lib/run-view';

describe('what a run says the sweep chose', () => {
  const sweepOf = (cells: Array<[number, number, number, boolean?]>): SweepResult => {
    const rows = cells.map(([temperature, alpha, valAccuracy, diverged], i) => ({ cell: i + 1, temperature, alpha, valAccuracy, diverged, seconds: 1 }));
    const best = bestSweepCell(rows)!;
    return { temperatures: [], alphas: [], cells: rows, best: { temperature: best.temperature, alpha: best.alpha, valAccuracy: best.valAccuracy }, epochs: 3, images: 100, validationImages: 10, student: 's', seconds: 1 };
  };

  it('names the best cell and the runner-up, the cells that did not train, and a single cell as the only one asked for', () => {
    assert.equal(describeSweepChoice(sweepOf([[2, 0.5, 0.8], [4, 0.9, 0.85], [8, 0.9, 0.1, true]])),
      'T = 4, α = 0.9: the best of 3 cells on the validation split (85.00%; next T = 2, α = 0.5 at 80.00%; 1 cell did not train (T = 8, α = 0.9: at chance or a loss that is not a number): a lower --lr lets large T·α train)');
    assert.equal(describeSweepChoice(sweepOf([[2, 0.5, 0.8283]])), 'T = 2, α = 0.5: the only cell asked for (validation 82.83%)');
  });

  it('takes the best cells that trained as finalists, earlier cells first on a tie, and none when fewer than two would run', () => {
    const { cells } = sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.85], [4, 0.3, 0.9, true], [8, 0.3, 0.8]]);
    assert.deepEqual(sweepFinalists(cells, 3).map((c) => c.temperature), [2, 1, 8]);
    assert.deepEqual(sweepFinalists(cells, 10).map((c) => c.temperature), [2, 1, 8]);
    assert.deepEqual(sweepFinalists(cells, 1), []);
    assert.deepEqual(sweepFinalists(sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.1, true]]).cells, 3), []);
    // The choice: the best finalist (ties to the earlier grid cell), else the grid's best.
    const final = (cell: number, valAccuracy: number, diverged?: boolean) => ({ ...cells[cell - 1]!, valAccuracy, ...(diverged ? { diverged } : {}) });
    assert.equal(sweepChoice(cells, [final(2, 0.9), final(1, 0.95), final(4, 0.95)])!.temperature, 1);
    assert.equal(sweepChoice(cells, [])!.temperature, 2);
    assert.equal(sweepChoice(cells, [final(2, 0.1, true), final(1, 0.1, true)])!.temperature, 2);
  });

  it('counts the cells it will train as far as it knows: no finalist that cannot come', () => {
    const { cells } = sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.85], [4, 0.3, 0.9, true], [8, 0.3, 0.1, true]]);
    const final = (cell: number, valAccuracy: number, diverged?: boolean) => ({ ...cells[cell - 1]!, valAccuracy, ...(diverged ? { diverged } : {}) });
    assert.equal(plannedSweepCells(4, 3, true, cells.slice(0, 2), []), 8, 'while the grid trains: 3 finalists and the seeded one');
    assert.equal(plannedSweepCells(4, 3, true, cells, []), 7, 'two cells did not train: 2 finalists and the seeded one');
    assert.equal(plannedSweepCells(4, 3, false, cells, []), 6);
    assert.equal(plannedSweepCells(4, 3, true, cells, [final(2, 0.86)]), 7);
    assert.equal(plannedSweepCells(4, 3, true, cells, [final(2, 0.86), final(1, 0.87)]), 7, 'the seeded finalist is planned');
    assert.equal(plannedSweepCells(4, 3, true, cells, [final(2, 0.1, true), final(1, 0.1, true)]), 6, 'every finalist diverged: no seeded one');
    const twoBad = sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.1, true], [4, 0.3, 0.1, true]]).cells;
    assert.equal(plannedSweepCells(3, 3, true, twoBad, []), 3, 'one cell trained: no second round at all');
  });

  it('a resumed sweep keeps the cells it finished, in grid order, then the finalists in rank order, and nothing out of step', () => {
    const grid = [{ temperature: 1, alpha: 0.5 }, { temperature: 2, alpha: 0.5 }, { temperature: 4, alpha: 0.5 }];
    const event = (cell: number, valAccuracy: number, round?: 2): RunEvent => ({ type: 'sweep-cell', cells: 5, cell, ...grid[cell - 1]!, valAccuracy, seconds: 1, ...(round ? { round } : {}) });
    const other: RunEvent = { type: 'phase', phase: 'teacher', status: 'done', model: 't' };
    type Cells = Parameters<typeof sweepRoundTwo>[0];
    const top2 = (cells: Cells, finals: Cells) => sweepRoundTwo(cells, finals, 2, false);
    const none = (cells: Cells, finals: Cells) => sweepRoundTwo(cells, finals, 0, true);
    // Part of the grid: kept, no finals yet.
    const part = sweepCellsDone([other, event(1, 0.5), event(2, 0.7)], grid, top2);
    assert.deepEqual(part.cells.map((c) => c.cell), [1, 2]);
    assert.deepEqual(part.finals, []);
    assert.equal('cells' in part.cells[0]! || 'type' in part.cells[0]!, false, 'kept as cells, not as events');
    // The whole grid and the first finalist (cell 2, the best): kept.
    const finals = sweepCellsDone([event(1, 0.5), event(2, 0.7), event(3, 0.6), event(2, 0.8, 2)], grid, top2);
    assert.deepEqual([finals.cells.length, finals.finals.map((c) => c.cell)], [3, [2]]);
    // A finalist out of rank order, a cell out of grid order, or another grid: what follows is trained again.
    assert.deepEqual(sweepCellsDone([event(1, 0.5), event(2, 0.7), event(3, 0.6), event(3, 0.8, 2)], grid, top2).finals, []);
    assert.deepEqual(sweepCellsDone([event(2, 0.7), event(1, 0.5)], grid, top2).cells, []);
    assert.deepEqual(sweepCellsDone([event(1, 0.5), { ...event(2, 0.7), alpha: 0.9 } as RunEvent], grid, top2).cells.map((c) => c.cell), [1]);
    // No second round asked for: a finalist line is not kept.
    assert.deepEqual(sweepCellsDone([event(1, 0.5), event(2, 0.7), event(3, 0.6), event(2, 0.8, 2)], grid, none).finals, []);
  });

  it('the app shows each cell once when a resumed sweep replays the cells the stored run already holds', () => {
    const view = emptyRunView('r', presetConfig('auto'));
    const cell = (n: number, round?: 2) => ({ type: 'sweep-cell' as const, cell: n, cells: 6, temperature: n, alpha: 0.5, valAccuracy: 0.5 + n / 100, seconds: 1, ...(round ? { round } : {}) });
    for (const event of [cell(1), cell(2), cell(1, 2)]) applyRunEvent(view, event);
    for (const event of [cell(1), cell(2), { ...cell(1, 2), kept: true as const }, cell(3), cell(3, 2)]) applyRunEvent(view, event);
    assert.deepEqual(view.sweepCells.map((c) => c.cell), [1, 2, 3]);
    assert.deepEqual(view.sweepFinals.map((c) => c.cell), [1, 3]);
  });

  it('offers the best finalist again from the teacher\'s weights when the teacher can give them, and chooses it only when it scores higher', () => {
    const { cells } = sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.85], [4, 0.3, 0.9, true], [8, 0.3, 0.8]]);
    const final = (cell: number, valAccuracy: number, init?: true) => ({ ...cells[cell - 1]!, valAccuracy, ...(init ? { init } : {}) });
    const finalists = [{ cell: 2, temperature: 2, alpha: 0.3 }, { cell: 1, temperature: 1, alpha: 0.3 }];
    assert.deepEqual(sweepRoundTwo(cells, [final(2, 0.9)], 2, true), finalists, 'the seeded finalist waits for the others');
    // It is the best of the second round, not of the grid: cell 1 overtook cell 2 on every image.
    assert.deepEqual(sweepRoundTwo(cells, [final(2, 0.86), final(1, 0.88)], 2, true), [...finalists, { cell: 1, temperature: 1, alpha: 0.3, init: true }]);
    assert.deepEqual(sweepRoundTwo(cells, [final(2, 0.9), final(1, 0.85)], 2, true).at(-1), { ...finalists[0], init: true });
    assert.deepEqual(sweepRoundTwo(cells, [final(2, 0.9), final(1, 0.85)], 2, false).map((c) => c.cell), [2, 1]);
    assert.deepEqual(sweepRoundTwo(cells, [], 0, true), [], 'no second round, no seeded finalist');
    assert.equal(sweepChoice(cells, [final(2, 0.9), final(1, 0.85), final(2, 0.9, true)])!.init, undefined, 'a tie goes to the random start');
    assert.equal(sweepChoice(cells, [final(2, 0.9), final(1, 0.85), final(2, 0.91, true)])!.init, true);
    // A resume keeps the seeded finalist only in its place, after the others.
    const grid = cells.map(({ temperature, alpha }) => ({ temperature, alpha }));
    const asEvent = (c: ReturnType<typeof final>): RunEvent => ({ type: 'sweep-cell', cells: 7, ...c, round: 2 });
    const events: RunEvent[] = [...cells.map((c): RunEvent => ({ type: 'sweep-cell', cells: 7, ...c })), asEvent(final(2, 0.9)), asEvent(final(1, 0.85)), asEvent(final(2, 0.91, true))];
    assert.deepEqual(sweepCellsDone(events, grid, (c, f) => sweepRoundTwo(c, f, 2, true)).finals.map((c) => [c.cell, c.init]), [[2, undefined], [1, undefined], [2, true]]);
    assert.deepEqual(sweepCellsDone(events, grid, (c, f) => sweepRoundTwo(c, f, 2, false)).finals.map((c) => c.cell), [2, 1], 'a seeded line the run did not plan is not kept');
    const overtaken = [...events.slice(0, -3), asEvent(final(2, 0.8)), asEvent(final(1, 0.85))];
    assert.equal(sweepCellsDone([...overtaken, asEvent(final(1, 0.9, true))], grid, (c, f) => sweepRoundTwo(c, f, 2, true)).finals.length, 3);
    assert.equal(sweepCellsDone([...overtaken, asEvent(final(2, 0.9, true))], grid, (c, f) => sweepRoundTwo(c, f, 2, true)).finals.length, 2, 'a seeded line for another finalist than the best is trained again');
    // The words: the choice names the start, and the printer marks the finalist.
    const seeded: SweepResult = { ...sweepOf([[1, 0.3, 0.8], [2, 0.3, 0.85], [4, 0.3, 0.9, true], [8, 0.3, 0.8]]), finals: { images: 54000, cells: [final(2, 0.9), final(1, 0.85), final(2, 0.91, true)] }, best: { temperature: 2, alpha: 0.3, valAccuracy: 0.91, init: true } };
    assert.equal(describeSweepChoice(seeded),
      "T = 2, α = 0.3 (the student started from the teacher's weights): the best of the grid's 2 best cells trained again, and the best of them again from the teacher's weights, on all 54,000 training images (validation 91.00%; next T = 2, α = 0.3 from a random start at 90.00%); the grid of 4 cells on 100 images had put it first too; 1 cell did not train (T = 4, α = 0.3: at chance or a loss that is not a number): a lower --lr lets large T·α train");
    assert.match(describeEvent(asEvent(final(2, 0.91, true)))!, /^sweep finalist: T = 2, α = 0\.3, from the teacher's weights, on every training image → validation 91\.00%/);
    // The app keeps the seeded finalist beside the random one with the same cell.
    const view = emptyRunView('r', presetConfig('auto'));
    for (const event of events) applyRunEvent(view, event);
    assert.deepEqual(view.sweepFinals.map((c) => [c.cell, c.init]), [[2, undefined], [1, undefined], [2, true]]);
  });

  it("names a --try-dist run's lanes by what trained in them: KD's entrant and DIST's, whichever was kept", () => {
    const titles = (method: 'kd' | 'dist') => emptyRunView('r', { ...presetConfig('auto'), method }).lanes.map((l) => [l.key, l.title]);
    const want = [['teacher', 'Teacher'], ['sweep', 'T × α sweep'], ['student', 'KD student'], ['dist', 'DIST student'], ['baseline', 'Student alone']];
    assert.deepEqual(titles('kd'), want);
    assert.deepEqual(titles('dist'), want, 'after DIST was kept, config.json says dist; the student lane is still KD');
    assert.deepEqual(emptyRunView('r', { ...presetConfig('auto'), tryDist: false }).lanes.map((l) => l.key), ['teacher', 'sweep', 'student', 'baseline']);
    // The CLI's lines name the student the same way: a --method dist run's is DIST's, a race's student lane KD's.
    const start: RunEvent = { type: 'phase', phase: 'student', status: 'start', model: 'mlp-30x2' };
    assert.equal(describeEvent(start, studentLaneMethod({ method: 'dist' })), 'DIST student mlp-30x2: training');
    assert.equal(describeEvent(start, studentLaneMethod({ method: 'dist', tryDist: true })), 'KD student mlp-30x2: training');
    assert.equal(describeEvent(start), 'KD student mlp-30x2: training');
    assert.equal(emptyRunView('r', { ...presetConfig('quick'), method: 'dist' }).lanes.find((l) => l.key === 'student')?.title, 'DIST student');
  });

  it('prints a finalist as one, not under its grid number', () => {
    const event = { type: 'sweep-cell' as const, cell: 5, cells: 15, temperature: 2, alpha: 0.6, valAccuracy: 0.8887, seconds: 44 };
    assert.match(describeEvent(event)!, /^sweep 5\/15: T = 2, α = 0\.6 → validation 88\.87%/);
    assert.match(describeEvent({ ...event, round: 2 })!, /^sweep finalist: T = 2, α = 0\.6 on every training image → validation 88\.87%/);
  });

  it('says when the finalists on every image overturned the short round, and when they agreed', () => {
    const grid = sweepOf([[2, 0.6, 0.8365], [8, 0.6, 0.8377], [4, 0.6, 0.8355], [1, 0.3, 0.8065]]);
    const finals = [{ cell: 2, temperature: 8, alpha: 0.6, valAccuracy: 0.88, seconds: 1 }, { cell: 1, temperature: 2, alpha: 0.6, valAccuracy: 0.8887, seconds: 1 }, { cell: 3, temperature: 4, alpha: 0.6, valAccuracy: 0.8877, seconds: 1 }];
    const overturned: SweepResult = { ...grid, finals: { images: 54000, cells: finals }, best: { temperature: 2, alpha: 0.6, valAccuracy: 0.8887 } };
    assert.equal(describeSweepChoice(overturned),
      "T = 2, α = 0.6: the best of the grid's 3 best cells trained again on all 54,000 training images (validation 88.87%; next T = 4, α = 0.6 at 88.77%); the grid of 4 cells on 100 images had put T = 8, α = 0.6 at 83.77% first");
    const agreed: SweepResult = { ...overturned, finals: { images: 54000, cells: [{ ...finals[0]!, valAccuracy: 0.89 }, finals[1]!] }, best: { temperature: 8, alpha: 0.6, valAccuracy: 0.89 } };
    const failed: SweepResult = { ...grid, finals: { images: 54000, cells: finals.map((c) => ({ ...c, valAccuracy: 0.1, diverged: true })) } };
    assert.match(describeSweepChoice(failed), /^T = 8, α = 0\.6: the best of 4 cells on the validation split \(83\.77%; .*; its 3 best cells did not train on all 54,000 training images, so this round chose\)$/);
    assert.match(describeSweepChoice(agreed), /^T = 8, α = 0\.6: the best of the grid's 2 best cells .*\(validation 89\.00%; next T = 2, α = 0\.6 at 88\.87%\); the grid of 4 cells on 100 images had put it first too$/);
  });
});
