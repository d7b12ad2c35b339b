import type { ErrorCode } from '../../shared/api.js';

/** An error the caller caused or can act on; anything else is reported as internal. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function notFound(what: string): ApiError {
  return new ApiError('not_found', `${what} does not exist`);
}
