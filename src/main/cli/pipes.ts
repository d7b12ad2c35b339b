/**
 * Output into a closed pipe (`gan-focus flags 1 | head`): Node reports EPIPE as
 * an 'error' event on process.stdout / process.stderr, which without a listener
 * ends the process with a stack trace. Here it is handled once, for every
 * command: the first output error aborts `outputClosed`, later writes go
 * nowhere, and long commands (training, explaining) stop as a first Ctrl-C
 * would (cancelled, resumable) by listening to the signal.
 */

/** 128 + SIGPIPE: the status a shell shows for a Unix tool stopped by a closed pipe (git, cat, yes). */
export const CLOSED_PIPE_EXIT = 141;

const controller = new AbortController();
export const outputClosed: AbortSignal = controller.signal;

let guarded = false;

export function guardOutput(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {
      // EPIPE, EIO on a vanished terminal, ENOSPC on a redirected file: the
      // reader is gone either way, so there is nowhere left to say anything.
      if (!controller.signal.aborted) controller.abort();
    });
  }
  // A write fails after the command has returned (the error arrives on a later
  // tick), so the status is settled at exit: success, or the cancel the closed
  // pipe caused, becomes 141; a failure keeps its own status.
  process.on('exit', (code) => {
    if (controller.signal.aborted && (code === 0 || code === 130)) process.exitCode = CLOSED_PIPE_EXIT;
  });
}
