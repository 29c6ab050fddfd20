import assert from 'node:assert/strict';
import test from 'node:test';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';

test('tests write their scratch files under the run\'s own folder, which the runner removes at the end', () => {
  const scratch = process.env.DISTILL_TEST_SCRATCH;
  assert.ok(scratch, 'run the tests with --import ./tests/helpers/scratch.mjs (npm run test:node does)');
  assert.equal(tmpdir(), scratch);
  assert.match(basename(scratch), /^distill-tests-/);
});
