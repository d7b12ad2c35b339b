import type { QualityRow } from '../../shared/explain.js';
import { CHECKPOINT_KINDS, type CheckpointKind, type EpochRow } from '../../shared/types.js';
import { transaction, type Database } from './db.js';
import { assertStoredPath } from './paths.js';
import { listQuality, saveQuality } from './quality.js';
import { requireRun } from './runs.js';

export type { EpochRow, CheckpointKind } from '../../shared/types.js';

export interface EpochInput {
  epoch: number;
  lossD: number;
  lossG: number;
  dx: number;
  dgz: number;
  seconds: number;
  iterations: number;
  /** Relative to home; null when no grid was drawn. */
  gridPath: string | null;
}

export interface CheckpointInput {
  kind: CheckpointKind;
  /** Relative to home: the model.json or optimizer.json. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface CheckpointRow extends CheckpointInput {
  runId: number;
  epoch: number;
}

interface EpochRecord {
  run_id: number;
  epoch: number;
  loss_d: number | null;
  loss_g: number | null;
  dx: number | null;
  dgz: number | null;
  seconds: number | null;
  iterations: number | null;
  grid_path: string | null;
  finished_at: string;
}

/**
 * Records a finished epoch, its checkpoints and G's quality in one transaction,
 * so an epoch is never listed with half of its checkpoints. Write the files first: a row
 * must only point at a complete file.
 */
export function recordEpoch(
  db: Database,
  runId: number,
  input: EpochInput,
  checkpoints: CheckpointInput[],
  quality: Omit<QualityRow, 'epoch'> | null = null,
): EpochRow {
  const where = `run ${runId} epoch ${input.epoch}`;
  if (!Number.isInteger(input.epoch) || input.epoch < 1) throw new Error(`${where}: epoch must be an integer >= 1`);
  if (input.gridPath !== null) assertStoredPath(input.gridPath, `${where} grid path`);
  for (const c of checkpoints) checkCheckpoint(c, where);

  return transaction(db, () => {
    requireRun(db, runId);
    if (db.prepare('SELECT 1 FROM epochs WHERE run_id = ? AND epoch = ?').get(runId, input.epoch)) {
      throw new Error(`${where} is already recorded; discardAfterEpoch(${input.epoch - 1}) first to redo it`);
    }
    db.prepare(
      `INSERT INTO epochs (run_id, epoch, loss_d, loss_g, dx, dgz, seconds, iterations, grid_path, finished_at)
       VALUES (@runId, @epoch, @lossD, @lossG, @dx, @dgz, @seconds, @iterations, @gridPath, @now)`,
    ).run({ ...input, runId, now: new Date().toISOString() });
    const insert = db.prepare('INSERT INTO checkpoints (run_id, epoch, kind, path, sha256, bytes) VALUES (?, ?, ?, ?, ?, ?)');
    for (const c of checkpoints) {
      try {
        insert.run(runId, input.epoch, c.kind, c.path, c.sha256.toLowerCase(), c.bytes);
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new Error(`${where}: checkpoint kind "${c.kind}" given more than once`, { cause: e });
        }
        throw e;
      }
    }
    if (quality) saveQuality(db, runId, { ...quality, epoch: input.epoch });
    return listEpochs(db, runId).find((e) => e.epoch === input.epoch)!;
  });
}

/** In epoch order; checkpoint paths stay relative to home. */
export function listEpochs(db: Database, runId: number): EpochRow[] {
  const epochs = db.prepare('SELECT * FROM epochs WHERE run_id = ? ORDER BY epoch').all(runId) as EpochRecord[];
  const paths = db.prepare('SELECT epoch, kind, path FROM checkpoints WHERE run_id = ?').all(runId) as {
    epoch: number;
    kind: CheckpointKind;
    path: string;
  }[];
  const byEpoch = new Map<number, EpochRow['checkpoint']>();
  for (const e of epochs) byEpoch.set(e.epoch, { generator: null, discriminator: null, optimizer: null });
  for (const p of paths) byEpoch.get(p.epoch)![p.kind] = p.path;
  const quality = new Map(listQuality(db, runId).map((q) => [q.epoch, q]));
  return epochs.map((e) => ({
    runId: e.run_id,
    epoch: e.epoch,
    lossD: e.loss_d,
    lossG: e.loss_g,
    dx: e.dx,
    dgz: e.dgz,
    seconds: e.seconds,
    iterations: e.iterations,
    gridPath: e.grid_path,
    finishedAt: e.finished_at,
    checkpoint: byEpoch.get(e.epoch)!,
    quality: quality.get(e.epoch) ?? null,
  }));
}

/** With hashes and sizes, to verify files before resuming from them. */
export function getCheckpoints(db: Database, runId: number, epoch: number): CheckpointRow[] {
  return db
    .prepare('SELECT run_id AS runId, epoch, kind, path, sha256, bytes FROM checkpoints WHERE run_id = ? AND epoch = ? ORDER BY kind')
    .all(runId, epoch) as CheckpointRow[];
}

/** The highest epoch that has all three checkpoints (a resume point), or null. */
export function lastCompleteEpoch(db: Database, runId: number): number | null {
  const row = db
    .prepare(
      `SELECT MAX(epoch) AS epoch FROM (
         SELECT epoch FROM checkpoints WHERE run_id = ? GROUP BY epoch HAVING COUNT(DISTINCT kind) = ?
       )`,
    )
    .get(runId, CHECKPOINT_KINDS.length) as { epoch: number | null };
  return row.epoch;
}

/**
 * Drops what a run recorded after `epoch` (epoch rows, their checkpoint rows,
 * per-iteration metrics and G quality), so a resume from that epoch can record
 * them again. Files are the caller's.
 */
export function discardAfterEpoch(db: Database, runId: number, epoch: number): { epochs: number; metrics: number } {
  return transaction(db, () => {
    db.prepare('DELETE FROM quality WHERE run_id = ? AND epoch > ?').run(runId, epoch);
    return {
      epochs: db.prepare('DELETE FROM epochs WHERE run_id = ? AND epoch > ?').run(runId, epoch).changes,
      metrics: db.prepare('DELETE FROM metrics WHERE run_id = ? AND epoch > ?').run(runId, epoch).changes,
    };
  });
}

function checkCheckpoint(c: CheckpointInput, where: string): void {
  if (!(CHECKPOINT_KINDS as readonly string[]).includes(c.kind)) {
    throw new Error(`${where}: checkpoint kind must be one of ${CHECKPOINT_KINDS.join(', ')}, got ${JSON.stringify(c.kind)}`);
  }
  assertStoredPath(c.path, `${where} ${c.kind} checkpoint path`);
  if (typeof c.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(c.sha256)) {
    throw new Error(`${where} ${c.kind} checkpoint: sha256 must be 64 hex digits`);
  }
  if (!Number.isInteger(c.bytes) || c.bytes < 0) throw new Error(`${where} ${c.kind} checkpoint: bytes must be a non-negative integer`);
}
