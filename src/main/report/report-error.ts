/**
 * A report that cannot be made for a reason the user can act on: a missing
 * folder, a report too large to return inline, no Chromium for the PDF.
 * `input` tells the API whether the request itself was wrong.
 */
export class ReportError extends Error {
  constructor(
    message: string,
    readonly input: boolean,
  ) {
    super(message);
  }
}
