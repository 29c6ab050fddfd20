import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { describeIssue } from '../../electron/contract/api';

const firstIssue = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  assert.ok(!parsed.success, `${JSON.stringify(value)} should be refused`);
  return describeIssue(parsed.error);
};

describe('schema issues in plain words', () => {
  it('words number ranges as bounds, open or closed', () => {
    assert.equal(firstIssue(z.number().min(1), 0), 'must be at least 1');
    assert.equal(firstIssue(z.number().positive(), 0), 'must be above 0');
    assert.equal(firstIssue(z.number().max(0.5), 0.9), 'must be at most 0.5');
    assert.equal(firstIssue(z.number().lt(10), 10), 'must be below 10');
    assert.equal(firstIssue(z.int().max(8), 9), 'must be at most 8');
  });

  it('words list lengths as counts, and names the path', () => {
    assert.equal(firstIssue(z.object({ temps: z.array(z.number()).min(1) }), { temps: [] }), 'temps: needs at least 1 value');
    assert.equal(firstIssue(z.object({ shape: z.array(z.number().max(4)).max(2) }), { shape: [1, 2, 3] }), 'shape: takes at most 2 values');
    assert.equal(firstIssue(z.object({ shape: z.array(z.number().max(4)) }), { shape: [9] }), 'shape.0: must be at most 4');
  });

  it('leaves other issues as zod words them', () => {
    assert.match(firstIssue(z.object({ name: z.string() }), { name: 3 }), /^name: Invalid input: expected string, received number$/);
    assert.match(firstIssue(z.string().min(2), 'a'), /^Too small: expected string to have >=2 characters$/);
  });
});
