import { RUN_STARTING_METHODS, type ApiEvent } from '../contract/api';
import { WorkerMessageSchema, type CallOutcomeMessage } from '../contract/worker-protocol';

/** Calls that start training in the worker: their runs are reported failed if it dies. */
const RUN_STARTERS: readonly string[] = RUN_STARTING_METHODS;

/** What the host needs of the training process: Electron's UtilityProcess, or a test's stand-in. */
export interface WorkerChild {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  postMessage(message: unknown): void;
  kill(): boolean;
}

/**
 * Talks to the engine in a separate process (a utilityProcess, forked on the first call and again
 * after a crash); training never runs in main, so the window stays responsive and a crash in
 * training does not take the app down: its calls are answered with an error and its runs are
 * reported failed.
 */
export class WorkerHost {
  private child: WorkerChild | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (outcome: CallOutcomeMessage) => void>();
  private readonly activeRuns = new Set<string>();
  /** Runs whose end came before the answer that started them: not active once that answer comes. */
  private readonly endedBeforeAnswer = new Set<string>();

  constructor(
    private readonly fork: () => WorkerChild,
    private readonly onEvent: (event: ApiEvent) => void,
  ) {}

  private start(): WorkerChild {
    const child = this.fork();
    child.on('message', (raw: unknown) => {
      const message = WorkerMessageSchema.safeParse(raw);
      if (!message.success) return;
      const data = message.data;
      if (data.kind === 'reply') {
        this.pending.get(data.id)?.(data.outcome);
        this.pending.delete(data.id);
      } else if (data.kind === 'event') {
        if (data.event.type === 'run-ended' && !this.activeRuns.delete(data.event.runId)) this.endedBeforeAnswer.add(data.event.runId);
        this.onEvent(data.event);
      }
    });
    child.on('exit', (code) => {
      this.child = null;
      const error = `the training process stopped (exit code ${code})`;
      for (const resolve of this.pending.values()) resolve({ ok: false, error: { kind: 'internal', error } });
      this.pending.clear();
      // Runs it was training are reported failed; their folders say so when next listed.
      for (const runId of this.activeRuns) this.onEvent({ type: 'run-ended', runId, status: 'failed', error });
      this.activeRuns.clear();
      this.endedBeforeAnswer.clear();
    });
    return child;
  }

  /** An API or HOST_API method by name; the worker validates the payload again. */
  call(method: string, payload: unknown): Promise<CallOutcomeMessage> {
    const child = (this.child ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, (outcome) => {
        if (RUN_STARTERS.includes(method) && outcome.ok) {
          const { runId } = outcome.value as { runId: string };
          if (!this.endedBeforeAnswer.delete(runId)) this.activeRuns.add(runId);
        }
        resolve(outcome);
      });
      child.postMessage({ kind: 'call', id, method, payload });
    });
  }

  stop(): void {
    this.child?.kill();
  }
}
