import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page, Route, WebSocketRoute } from 'playwright-core';
import type { RunStatus } from '../../electron/contract/events';
import { listRuns } from '../../electron/engine/runs/store';
import { startServer, type RunningServer } from '../../electron/server/server';
import { projectRoot } from '../../electron/server/renderer-dir';
import { launchChromium } from '../helpers/browser';

const SHOTS = join(projectRoot(), 'test-output', 'screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * One `distill serve` on a fresh runs folder and one Chromium page on it, shared by the browser
 * suite's tests in order (each goes on from the page the one before left). `page`, `server` and
 * `runsDir` are set before the first test runs.
 */
export interface AppSession {
  server: RunningServer;
  page: Page;
  runsDir: string;
  /** A full-page screenshot under test-output/screenshots, checked with axe-core as it is taken. */
  shot(name: string): Promise<void>;
  /** Serious and critical WCAG 2 A/AA violations (axe-core) on each screen shot, by screen. */
  readonly inaccessible: string[];
  /**
   * Waits until the run in view (whichever screen shows: the Training tab carries its id and status)
   * has `status`; with `otherThan`, a run other than that one, such as one a click is to start. On a
   * timeout it fails with what the run did instead: the run and error the page shows, and the newest
   * run folders' status.json.
   */
  waitForRunStatus(status: RunStatus, timeoutMs: number, options?: { otherThan?: string }): Promise<void>;
  /** The id of the run in view, if any. */
  shownRunId(): Promise<string | undefined>;
  /** While true, the page's event socket loses every run-ended event, as a socket that reconnects can. */
  dropRunEnded: boolean;
  /**
   * Closes the page's event socket from the server's side, as a network drop would, and refuses
   * the page's new ones until `downUntil` (if given) resolves; resolves once the page hears events
   * on a new one (so events must be flowing: a run training).
   */
  dropEventSocket(downUntil?: () => Promise<void>): Promise<void>;
  /**
   * Holds the server's answer to the page's next call of `method` (its answer and the run's
   * events then arrive in another order than usual): `body` is the answer as the server gave it,
   * and the page gets it once `release` is called. `body` rejects if the page has not made the
   * call within `timeoutMs` (30 s by default).
   */
  holdNextAnswer(method: string, timeoutMs?: number): Promise<{ body: Promise<unknown>; release: () => void }>;
}

/** Registers the session's start and end with the describe it is called in. */
export function appSession(): AppSession {
  let browser: Browser | undefined;
  const session = { inaccessible: [] as string[], dropRunEnded: false } as unknown as AppSession;
  session.shot = async (name: string) => {
    const { page } = session;
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    // Evaluated, not added as a script tag: the app's Content-Security-Policy refuses inline scripts.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await readFile(AXE, 'utf8'));
    const violations = await page.evaluate(async () => {
      const { violations } = await (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
      return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.help}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`);
    });
    session.inaccessible.push(...violations.map((v) => `${name}: ${v}`));
  };

  // Read from the Training tab, not the Training screen: a run that completes opens its Results at
  // once, and its "completed" on the Training screen can be gone before a poll sees it.
  const TRAINING_TAB = '[data-screen=training]';
  session.shownRunId = async () => (await session.page.getAttribute(TRAINING_TAB, 'data-run-id')) ?? undefined;
  session.waitForRunStatus = async (status, timeoutMs, { otherThan } = {}) => {
    const { page } = session;
    try {
      await page.waitForFunction(
        ({ selector, wanted, skip }) => {
          const tab = document.querySelector(selector);
          return tab?.getAttribute('data-run-status') === wanted && tab.getAttribute('data-run-id') !== skip;
        },
        { selector: TRAINING_TAB, wanted: status, skip: otherThan ?? null },
        { timeout: timeoutMs },
      );
    } catch (error) {
      const shown = await page.evaluate((selector) => {
        const tab = document.querySelector(selector);
        return {
          run: tab?.hasAttribute('data-run-id') ? `run ${tab.getAttribute('data-run-id')} ${tab.getAttribute('data-run-status')}` : '(no run)',
          error: document.querySelector('.error[role=alert]')?.textContent ?? '',
        };
      }, TRAINING_TAB);
      const stored = (await listRuns(session.runsDir)).slice(0, 2).map((run) => `${run.id}: ${JSON.stringify(run.status)}`);
      const which = otherThan ? `a run other than ${otherThan}` : 'the run';
      throw new Error(`${which} did not become ${status} within ${timeoutMs / 1000} s: the page shows ${shown.run}${shown.error ? ` (${shown.error})` : ''}; newest runs: ${stored.join('; ')}`, { cause: error });
    }
  };

  const eventSockets: WebSocketRoute[] = [];
  let refuseSockets = false;
  /** Messages passed to the page on its newest event socket. */
  let sentOnNewest = 0;
  session.dropEventSocket = async (downUntil) => {
    refuseSockets = downUntil !== undefined;
    await eventSockets.at(-1)!.close({ code: 1001, reason: 'dropped by the test' });
    try {
      await downUntil?.();
    } finally {
      refuseSockets = false;
    }
    const opened = eventSockets.length;
    const deadline = Date.now() + 10_000;
    // Heard on, not only opened: the page has then taken the socket as back (its `onopen` ran).
    while (eventSockets.length === opened || sentOnNewest === 0) {
      if (Date.now() > deadline) throw new Error('the page did not hear events on a new event socket within 10 s of losing its own');
      await sleep(50);
    }
  };

  session.holdNextAnswer = async (method, timeoutMs = 30_000) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let answered!: (body: unknown) => void;
    let timedOut!: (error: Error) => void;
    const body = new Promise<unknown>((resolve, reject) => ((answered = resolve), (timedOut = reject)));
    // Nobody may be awaiting yet: the rejection is for the awaiter, not an unhandled one.
    body.catch(() => undefined);
    const url = `**/api/call/${method}`;
    const hold = async (route: Route) => {
      clearTimeout(timer);
      const response = await route.fetch();
      answered(await response.json());
      await released;
      await route.fulfill({ response });
    };
    // A page that never makes the call fails here, by name, not at the test's overall timeout; the
    // hold is lifted, so a later call of the same method is not held for good.
    const timer = setTimeout(() => {
      timedOut(new Error(`the page did not call ${method} within ${timeoutMs / 1000} s of holdNextAnswer`));
      void session.page.unroute(url, hold).catch(() => undefined);
    }, timeoutMs).unref();
    await session.page.route(url, hold, { times: 1 });
    return { body, release };
  };

  before(async () => {
    session.runsDir = await mkdtemp(join(tmpdir(), 'ui-runs-'));
    await mkdir(SHOTS, { recursive: true });
    session.server = await startServer({ host: '127.0.0.1', port: 0, runsDir: session.runsDir, rendererDir: join(projectRoot(), 'dist', 'renderer'), version: 'test' });
    browser = await launchChromium();
    session.page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    session.page.on('pageerror', (error) => console.error('page error:', error.message));
    // The event socket passes through here, so that a test can lose events on it, or the socket.
    await session.page.routeWebSocket(/\/api\/events/, (socket) => {
      if (refuseSockets) return void socket.close({ code: 1013, reason: 'refused by the test' });
      eventSockets.push(socket);
      sentOnNewest = 0;
      const server = socket.connectToServer();
      server.onMessage((message) => {
        if (session.dropRunEnded && typeof message === 'string' && (JSON.parse(message) as { type?: string }).type === 'run-ended') return;
        socket.send(message);
        if (socket === eventSockets.at(-1)) sentOnNewest++;
      });
    });
    await session.page.goto(session.server.url);
  });

  after(async () => {
    await browser?.close();
    await session.server?.close();
  });

  return session;
}
