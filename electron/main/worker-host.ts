import { utilityProcess, type UtilityProcess } from 'electron';
import { RUN_STARTING_METHODS, type ApiEvent } from '../contract/api';
import { WorkerMessageSchema, type CallOutcomeMessage } from '../contract/worker-protocol';

/** Calls that start training in the worker: their runs are reported failed if it dies. */
const RUN_STARTERS: readonly string[] = RUN_STARTING_METHODS;

interface Pending {
  resolve: (outcome: CallOutcomeMessage) => void;
  method: string;
  runId?: string;
}

/**
 * Starts the engine in a utilityProcess and talks to it; training never runs in main, so the
 * window stays responsive and a crash in training does not take the app down.
 */
export class WorkerHost {
  private child: UtilityProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly activeRuns = new Set<string>();

  constructor(
    private readonly workerPath: string,
    private readonly env: Record<string, string>,
    private readonly onEvent: (event: ApiEvent) => void,
  ) {}

  private start(): UtilityProcess {
    const child = utilityProcess.fork(this.workerPath, [], { serviceName: 'Distill Studio training', env: { ...process.env, ...this.env }, stdio: 'inherit' });
    child.on('message', (raw: unknown) => {
      const message = WorkerMessageSchema.safeParse(raw);
      if (!message.success) return;
      const data = message.data;
      if (data.kind === 'reply') {
        this.pending.get(data.id)?.resolve(data.outcome);
        this.pending.delete(data.id);
      } else if (data.kind === 'event') {
        if (data.event.type === 'run-ended') this.activeRuns.delete(data.event.runId);
        this.onEvent(data.event);
      }
    });
    child.on('exit', (code) => {
      this.child = null;
      const error = `the training process stopped (exit code ${code})`;
      for (const pending of this.pending.values()) pending.resolve({ ok: false, error: { kind: 'internal', error } });
      this.pending.clear();
      // Runs it was training are reported failed; their folders say so when next listed.
      for (const runId of this.activeRuns) this.onEvent({ type: 'run-ended', runId, status: 'failed', error });
      this.activeRuns.clear();
    });
    return child;
  }

  /** An API or HOST_API method by name; the worker validates the payload again. */
  call(method: string, payload: unknown): Promise<CallOutcomeMessage> {
    this.child ??= this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, {
        method,
        resolve: (outcome) => {
          if (RUN_STARTERS.includes(method) && outcome.ok) this.activeRuns.add((outcome.value as { runId: string }).runId);
          resolve(outcome);
        },
      });
      this.child!.postMessage({ kind: 'call', id, method, payload });
    });
  }

  stop(): void {
    this.child?.kill();
  }
}
