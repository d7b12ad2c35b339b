import type { ErrorCode } from '../../../shared/api.js';

export type ClientErrorCode = ErrorCode | 'not_implemented' | 'transport';

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

/**
 * True when the router does not offer the method yet (an older or partial
 * router), so a view shows "not available yet" rather than an error.
 */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof ApiCallError)) return false;
  if (err.code === 'not_implemented') return true;
  return /unknown method|not implemented/i.test(err.message);
}

/** One line for the user, naming what failed. */
export function describeError(err: unknown): string {
  if (err instanceof ApiCallError) {
    if (err.code === 'transport') return `Lost contact with the workbench: ${err.message}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
