// Loaded with --import before every test file (see package.json): the whole test run writes its
// scratch files (runs, fixtures, downloads, Chromium profiles) under one folder of its own, removed
// when the run ends, so repeated `npm test` runs do not pile up gigabytes in the system temp folder.
// os.tmpdir() follows TMPDIR, and the test files and the CLIs they start inherit it.
// Plain JavaScript: worker threads (the wasm backend's) inherit --import, and tsx's hooks do not reach them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MARK = 'DISTILL_TEST_SCRATCH';

// Only the outermost process (the test runner) makes and removes the folder; the test files'
// processes it starts find the mark and write into the same folder.
if (!process.env[MARK]) {
  const scratch = mkdtempSync(join(tmpdir(), 'distill-tests-'));
  process.env[MARK] = scratch;
  process.env.TMPDIR = scratch;
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  process.on('exit', removeScratch);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      removeScratch();
      process.exit(130);
    });
  }
}
