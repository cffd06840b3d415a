/**
 * An error the user can act on: the message names the file (or layer) and the problem,
 * and `hint` says what to do. The CLI prints it on one line without a stack trace.
 */
export class UserError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(hint ? `${message} (${hint})` : message);
    this.name = 'UserError';
  }
}

/** Thrown when an AbortSignal fires during a long job. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}
