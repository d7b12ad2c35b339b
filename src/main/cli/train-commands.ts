import type { ApiEvent, RunSummary } from '../../shared/api.js';
import { diskFullLine } from '../../shared/disk-full.js';
import type { Router } from '../api/router.js';
import { outputClosed } from './pipes.js';
import { formatDuration, printLine } from './print.js';

/** Shows training as it happens: a bar on a terminal, JSON lines otherwise asked. */
function reporter(json: boolean, id: number): (e: ApiEvent) => void {
  const tty = process.stderr.isTTY && !json;
  let epochStart = Date.now();
  let lastEpoch = 0;
  return (e) => {
    if ((e.type === 'progress' || e.type === 'epochDone') && e.runId !== id) return;
    if (e.type === 'runState' && e.run.id !== id) return;
    if (json) {
      printLine(e);
      return;
    }
    if (e.type === 'progress') {
      const m = e.metrics[e.metrics.length - 1];
      if (m.epoch !== lastEpoch) {
        lastEpoch = m.epoch;
        epochStart = Date.now();
      }
      const batch = m.iteration - (m.epoch - 1) * e.batches;
      const elapsed = (Date.now() - epochStart) / 1000;
      const eta = batch > 0 ? (elapsed / batch) * (e.batches - batch) : Number.NaN;
      const width = 24;
      const filled = Math.round((batch / e.batches) * width);
      const line =
        `epoch ${m.epoch}/${e.epochs} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${batch}/${e.batches} ` +
        `Loss_D ${m.lossD?.toFixed(3)} Loss_G ${m.lossG?.toFixed(3)} D(x) ${m.dx?.toFixed(3)} D(G(z)) ${m.dgz?.toFixed(3)} ETA ${formatDuration(eta)}`;
      if (tty) process.stderr.write(`\r${line}\x1b[K`);
    } else if (e.type === 'epochDone') {
      const ep = e.epoch;
      process.stderr.write(
        `${tty ? '\r\x1b[K' : ''}epoch ${ep.epoch} done in ${formatDuration(ep.seconds ?? 0)}: Loss_D ${ep.lossD?.toFixed(3)} Loss_G ${ep.lossG?.toFixed(3)} ` +
          `D(x) ${ep.dx?.toFixed(3)} D(G(z)) ${ep.dgz?.toFixed(3)}` +
          `${ep.quality ? `; G: FID-MNIST ${ep.quality.fidMnist.toFixed(1)}, ${ep.quality.digitsPresent} digits, confidence ${ep.quality.meanConfidence.toFixed(2)}` : ''}` +
          `; checkpoint ${ep.checkpoint.discriminator}\n`,
      );
    } else if (e.type === 'runState' && e.run.backend && e.run.status === 'running' && !tty) {
      process.stderr.write(`run ${e.run.id} training on ${e.run.backend}\n`);
    }
  };
}

export async function follow(router: Router, run: RunSummary, json: boolean): Promise<number> {
  const off = router.onEvent(reporter(json, run.id));
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\ncancelling after the current iteration (Ctrl-C again to stop at once)\n');
      void router.handle('cancelRun', { id: run.id, reason: 'with Ctrl-C in the terminal' }).catch(() => undefined);
    } else {
      router.close({ status: 'cancelled', message: 'at once, with a second Ctrl-C in the terminal; the epoch in progress is lost' });
      process.exit(130);
    }
  };
  // Nobody reads the output any more: stop as a first Ctrl-C does, silently.
  const onClosed = () => void router.handle('cancelRun', { id: run.id, reason: 'its output went into a closed pipe' }).catch(() => undefined);
  process.on('SIGINT', onSigint);
  if (outputClosed.aborted) onClosed();
  else outputClosed.addEventListener('abort', onClosed, { once: true });
  try {
    const done = await router.waitForRun(run.id);
    if (json) printLine({ type: 'finished', run: done });
    else if (done.error?.code === 'disk_full') process.stderr.write(`${diskFullLine(done.id)}\n`);
    else process.stderr.write(`run ${done.id} ${done.status}${done.error ? `: ${done.error.message}` : ''} (${done.epochs.length} epochs)\n`);
    return done.status === 'completed' ? 0 : done.status === 'cancelled' ? 130 : 1;
  } finally {
    off();
    process.off('SIGINT', onSigint);
    outputClosed.removeEventListener('abort', onClosed);
  }
}

