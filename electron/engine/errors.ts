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
  constructor(what = 'run') {
    super(`${what} cancelled`);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw new RunCancelledError(what);
}

/** A write the machine refused (disk full, read-only, no permission): one clear line, no stack. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
}
