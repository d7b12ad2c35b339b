/**
 * Error codes of a full disk (or quota): from file writes, and from SQLite,
 * which says SQLITE_FULL for a write and SQLITE_IOERR_SHMSIZE when it cannot
 * create the WAL index it needs even to read.
 */
const CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE']);

/**
 * Whether an error (or one it wraps) means the disk is full. Such a run is not
 * broken; it is interrupted until there is space, then resumable.
 */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (CODES.has(String((e as { code?: unknown }).code))) return true;
    const message = e instanceof Error ? e.message : String(e);
    if (/no space left on device|database or disk is full|quota exceeded/i.test(message)) return true;
  }
  return false;
}

/** The one line a run stopped by a full disk ends with in a terminal (issue 15, defect 5). */
export function diskFullLine(runId: number): string {
  return `disk full: run ${runId} is interrupted; free space, then \`gan-focus resume ${runId}\``;
}

/** What a run stopped by a full disk records as its error; the workbench shows it with its Resume button. */
export function diskFullMessage(detail: string): string {
  return `disk full (${detail.split('\n')[0]}); free space, then resume`;
}
