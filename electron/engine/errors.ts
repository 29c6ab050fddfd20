/**
 * Bad input from a person: an unknown model, a malformed dataset file, a wrong value.
 * The CLI exits 2 on it and prints only its message; the app shows the message as is.
 */
export class DistillInputError extends Error {
  override readonly name = 'DistillInputError';
}

/** Raised when an AbortSignal stops a run; never a failure of the run itself. */
export class RunCancelledError extends Error {
  override readonly name = 'RunCancelledError';
  /** What was stopped: a run (its folder is marked cancelled) or an export (nothing of it is kept). */
  constructor(readonly what: 'run' | 'export' = 'run') {
    super(`${what} cancelled`);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: 'run' | 'export'): void {
  if (signal?.aborted) throw new RunCancelledError(what);
}

/** A write the machine refused (disk full, read-only, no permission): one clear line, no stack. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
}
