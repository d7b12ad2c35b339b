import type { ErrorCode } from '../../../shared/api.js';

/** The router's codes, plus 'transport' when no answer came at all. */
export type ClientErrorCode = ErrorCode | 'transport';

/** A failed call, with the router's error code so the UI can choose what to say. */
export class ApiCallError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly method: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** One line for the user, naming what failed. */
export function describeError(err: unknown): string {
  if (err instanceof ApiCallError) {
    if (err.code === 'transport') return `Lost contact with the workbench: ${err.message}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
