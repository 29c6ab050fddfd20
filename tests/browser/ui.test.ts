import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chromiumMissing } from '../helpers/browser';
import { appSession } from './session';
import { cancelAndResumeTests } from './steps/cancel-and-resume';
import { dataAndFollowTests } from './steps/data-and-follow';
import { firstRunTests } from './steps/first-run';
import { resultsViewsTests } from './steps/results-views';
import { studyAndTeacherTests } from './steps/study-and-teacher';

const missing = chromiumMissing();

// One app, one page, in order: a person's first run from dataset to export, then studies and
// their own teachers, the results views (the sweep, per-class results, mistakes, comparison), and
// datasets of their own and runs another process trains. Screenshots land in test-output/screenshots.
describe('Distill Studio in a browser (distill serve)', { skip: missing ?? false }, () => {
  const session = appSession();
  firstRunTests(session);
  cancelAndResumeTests(session);
  studyAndTeacherTests(session);
  resultsViewsTests(session);
  dataAndFollowTests(session);

  it('has no serious accessibility problem on any screen it showed (axe-core, WCAG 2 A and AA)', () => {
    assert.deepEqual(session.inaccessible, []);
  });
});

if (missing) console.log(`# browser end-to-end test skipped: ${missing}`);
