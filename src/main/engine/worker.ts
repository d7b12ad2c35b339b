import { initBackend } from './backend/choose.js';
import { isDiskFull } from '../../shared/disk-full.js';
import { loadDataset } from './data/dataset.js';
import type { HostToWorker, TrainJob, WorkerToHost } from './protocol.js';
import { measureStepMs } from './train/estimate.js';
import { trainingIndices } from './data/run-indices.js';
import { NonFiniteLossError, train } from './train/trainer.js';
import type { IterationMetrics } from './protocol.js';

// Entry of the engine process: child_process.fork under Node, utilityProcess in
// Electron. It runs one job (train, estimate, explain, quality) and exits; the
// host owns the store.

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

/** Messages handed to process.send whose delivery has not been confirmed yet. */
let inFlight = 0;
let afterFlush: (() => void) | null = null;

function send(msg: WorkerToHost): void {
  if (parentPort) {
    parentPort.postMessage(msg);
    return;
  }
  inFlight++;
  process.send?.(msg, undefined, {}, () => {
    inFlight--;
    if (inFlight === 0) afterFlush?.();
  });
}

/**
 * Exits once every message has left: on a loaded machine a fixed delay after
 * the last send was not always enough, and the host saw the process exit
 * without its result.
 */
function exitWhenSent(): void {
  if (inFlight === 0) process.exit(0);
  else afterFlush = () => process.exit(0);
}

function onMessage(listener: (msg: HostToWorker) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as HostToWorker));
  else process.on('message', (m) => listener(m as HostToWorker));
}

/** Progress is batched so a fast backend does not flood the host. */
const PROGRESS_FLUSH_MS = 250;

async function run(job: TrainJob, cancelled: () => boolean): Promise<void> {
  let pending: IterationMetrics[] = [];
  let lastFlush = 0;
  const flush = () => {
    if (pending.length > 0) send({ type: 'progress', metrics: pending });
    pending = [];
    lastFlush = Date.now();
  };
  let last: IterationMetrics | undefined;
  const faultAt = Number(process.env.GAN_FOCUS_FAULT_NAN_AT ?? 0);
  const enospcAt = Number(process.env.GAN_FOCUS_FAULT_ENOSPC_AT ?? 0);
  try {
    const backend = await initBackend();
    send({ type: 'ready', backend });
    const dataset = loadDataset(job.config.dataset);
    const images = trainingIndices(dataset, job.config).length;
    send({ type: 'dataset', datasetId: dataset.id, images, batchesPerEpoch: Math.floor(images / job.config.batchSize) });
    const status = await train(dataset, job.config, job.runDir, job.resume, {
      onProgress(m) {
        last = m;
        pending.push(m);
        if (Date.now() - lastFlush >= PROGRESS_FLUSH_MS) flush();
      },
      onEpoch(result) {
        flush();
        send({ type: 'epoch', result });
      },
      isCancelled: cancelled,
      // A fault injection used by the tests of the NaN path (documented in README).
      transformLosses: faultAt > 0 ? (v, iteration) => (iteration >= faultAt ? { ...v, lossD: Number.NaN } : v) : undefined,
      // The same for a full disk: epoch N's checkpoint write fails half way, as ENOSPC would (README, test hooks).
      checkpointFault: enospcAt > 0 ? (epoch) => epoch === enospcAt : undefined,
    });
    flush();
    send({ type: 'done', status });
  } catch (err) {
    flush();
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof NonFiniteLossError) send({ type: 'failed', message, epoch: err.epoch, iteration: err.iteration });
    else if (isDiskFull(err)) send({ type: 'failed', message, epoch: last?.epoch, iteration: last?.iteration, code: 'disk_full' });
    else send({ type: 'failed', message, epoch: last?.epoch, iteration: last?.iteration });
  }
}

/** Jobs other than training send their results as they go, then how they ended. */
async function simpleJob(work: () => Promise<'completed' | 'cancelled'>): Promise<void> {
  try {
    await initBackend();
    send({ type: 'done', status: await work() });
  } catch (err) {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
}

function startJob(msg: Exclude<HostToWorker, { type: 'cancel' }>, cancelled: () => boolean): Promise<void> {
  switch (msg.type) {
    case 'train':
      return run(msg.job, cancelled);
    case 'estimate':
      return simpleJob(async () => {
        send({ type: 'estimate', backend: (await initBackend()).chosen, msPerStep: await measureStepMs(msg.config) });
        return 'completed';
      });
    // Loaded per job: a training process never needs the CAM or quality code.
    case 'explain':
      return simpleJob(async () => (await import('./explain/job.js')).runExplainJob(msg.job, send, cancelled));
    case 'probes':
      return simpleJob(async () => (await import('./explain/probe-job.js')).runProbeJob(msg.job, send));
    case 'quality':
      return simpleJob(async () => (await import('./quality/job.js')).runQualityJob(msg.job, send, cancelled));
    case 'sanity':
      return simpleJob(async () => (await import('./explain/sanity-job.js')).runSanityJob(msg.job, send));
    case 'finalQuality':
      return simpleJob(async () => (await import('./quality/final-job.js')).runFinalQualityJob(msg.job, send));
  }
}

// The worker shares the host's stdout and stderr; when they lead into a closed
// pipe (`gan-focus train | head`) the host decides what happens to the run.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

// Without its host nobody records the results: stop rather than train blind.
process.on('disconnect', () => process.exit(1));

// Forked by the CLI or `serve`: a signal to the whole process group (Ctrl-C in
// a terminal, systemd stopping the service) reaches the host too, and the host
// decides: it records how the run stopped (cancelled, or interrupted and
// resumable by serve --resume-interrupted), then ends this process with
// SIGKILL. Dying of the signal first would record a lost engine instead.
// (Electron's utilityProcess is ended with SIGTERM, so it keeps the default.)
if (!parentPort) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);

let cancelRequested = false;
let started = false;
onMessage((msg) => {
  if (msg.type === 'cancel') {
    cancelRequested = true;
  } else if (!started) {
    started = true;
    startJob(msg, () => cancelRequested).finally(() => {
      // Electron's parentPort queues synchronously; process.send confirms each message.
      if (parentPort) setTimeout(() => process.exit(0), 50);
      else exitWhenSent();
    });
  }
});
