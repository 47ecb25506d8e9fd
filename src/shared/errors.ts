/**
 * Errors a user can act on. Each carries the one line the step fails with: what went wrong, and the fix.
 */

/** A bad input value, reported before any AWS call or file write. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly value: string,
    readonly accepted: string,
  ) {
    super(`Input '${input}': ${value === '' ? 'an empty value' : `'${value}'`} is not valid; ${accepted}.`);
    this.name = 'InputError';
  }
}

/** A failure whose message already says what to do; shown as it is. */
export class ActionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ActionError';
  }
}

/** No AWS credentials at all: a build that is not pushed can go on without the login. */
export class NoCredentialsError extends ActionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NoCredentialsError';
  }
}

/** The message of anything thrown, for a one-line failure. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
