import { validateRunConfig, type RunConfig } from '../../shared/config.js';
import { formatIssues } from '../../shared/schema.js';
import { isFinishedStatus, isRunStatus, type RunError, type RunRow, type RunStatus } from '../../shared/types.js';
import { transaction, type Database } from './db.js';

export type { RunRow, RunStatus, RunError } from '../../shared/types.js';

export interface CreateRunInput {
  /** Blank or absent: `run-<id>`. */
  name?: string;
  config: RunConfig;
  datasetId?: string | null;
  parentId?: number | null;
  /** Sample ids excluded relative to the parent. */
  excluded?: string[];
  status?: RunStatus;
  hostPid?: number | null;
  tags?: string[];
  notes?: string;
}

export interface RunFilter {
  status?: RunStatus | RunStatus[];
  /** Case-insensitive substring of the name or the notes. */
  search?: string;
  tag?: string;
}

export interface RunPatch {
  name?: string;
  notes?: string;
  tags?: string[];
}

export interface StatusOptions {
  error?: Omit<RunError, 'at'>;
  backend?: string;
  /** The process now responsible for a queued or running run. */
  hostPid?: number;
}

const NAME_MAX = 200;
const TAG_MAX = 100;

interface RunRecord {
  id: number;
  name: string;
  status: RunStatus;
  config_json: string;
  dataset_id: string | null;
  parent_id: number | null;
  excluded_json: string;
  backend: string | null;
  host_pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  notes: string;
  tags_json: string;
  error_json: string | null;
  epochs_completed: number;
}

const SELECT = `SELECT r.*, (SELECT COUNT(*) FROM epochs e WHERE e.run_id = r.id) AS epochs_completed FROM runs r`;

export function createRun(db: Database, input: CreateRunInput): RunRow {
  const checked = validateRunConfig(input.config);
  if (!checked.ok) throw new Error(`run config: ${formatIssues(checked.issues)}`);
  const status = input.status ?? 'queued';
  if (!isRunStatus(status)) throw new Error(`run status: unknown value ${JSON.stringify(status)}`);
  const name = input.name?.trim() ? checkName(input.name) : null;
  const excluded = checkStrings(input.excluded ?? [], 'excluded sample ids', { trim: false, maxLength: Infinity });
  const hostPid = input.hostPid ?? null;
  if (hostPid !== null) checkPid(hostPid);
  const tags = [...new Set(checkStrings(input.tags ?? [], 'run tags', { trim: true, maxLength: TAG_MAX }))];

  return transaction(db, () => {
    if (input.parentId != null && !exists(db, input.parentId)) throw new Error(`parent run ${input.parentId} does not exist`);
    const now = new Date().toISOString();
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO runs (name, status, config_json, dataset_id, parent_id, excluded_json, host_pid, created_at, started_at, finished_at, tags_json, notes)
         VALUES (@name, @status, @config, @datasetId, @parentId, @excluded, @hostPid, @now, @startedAt, @finishedAt, @tags, @notes)`,
      )
      .run({
        name: name ?? '',
        status,
        config: JSON.stringify(checked.value),
        datasetId: input.datasetId ?? null,
        parentId: input.parentId ?? null,
        excluded: JSON.stringify(excluded),
        hostPid,
        now,
        startedAt: status === 'running' ? now : null,
        finishedAt: isFinishedStatus(status) ? now : null,
        tags: JSON.stringify(tags),
        notes: input.notes ?? '',
      });
    const id = Number(lastInsertRowid);
    if (name === null) db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(`run-${id}`, id);
    return requireRun(db, id);
  });
}

export function getRun(db: Database, id: number): RunRow | null {
  const row = db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as RunRecord | undefined;
  return row ? toRow(row) : null;
}

/** Newest first. */
export function listRuns(db: Database, filter: RunFilter = {}): RunRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    for (const s of statuses) if (!isRunStatus(s)) throw new Error(`run filter status: unknown value ${JSON.stringify(s)}`);
    where.push(`r.status IN (${statuses.map(() => '?').join(', ') || 'NULL'})`);
    params.push(...statuses);
  }
  if (filter.search?.trim()) {
    const like = `%${filter.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(r.name LIKE ? ESCAPE '\\' OR r.notes LIKE ? ESCAPE '\\')`);
    params.push(like, like);
  }
  if (filter.tag !== undefined) {
    where.push('EXISTS (SELECT 1 FROM json_each(r.tags_json) t WHERE t.value = ?)');
    params.push(filter.tag);
  }
  const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC`;
  return (db.prepare(sql).all(...params) as RunRecord[]).map(toRow);
}

export function updateRun(db: Database, id: number, patch: RunPatch): RunRow {
  const sets: string[] = [];
  const params: Record<string, unknown> = { id };
  if (patch.name !== undefined) {
    if (!patch.name.trim()) throw new Error('run name must not be empty');
    sets.push('name = @name');
    params.name = checkName(patch.name);
  }
  if (patch.notes !== undefined) {
    if (typeof patch.notes !== 'string') throw new Error('run notes must be text');
    sets.push('notes = @notes');
    params.notes = patch.notes;
  }
  if (patch.tags !== undefined) {
    sets.push('tags_json = @tags');
    params.tags = JSON.stringify([...new Set(checkStrings(patch.tags, 'run tags', { trim: true, maxLength: TAG_MAX }))]);
  }
  return transaction(db, () => {
    requireRun(db, id);
    if (sets.length) db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = @id`).run(params);
    return requireRun(db, id);
  });
}

/**
 * Moves a run to a status. startedAt is set on the first move to running and
 * kept across resumes; finishedAt is set on reaching a finished status and
 * cleared when the run is queued or running again. The error is replaced on
 * every move (it explains the current status). hostPid names the process
 * responsible for a queued or running run, so it is reset on those moves and
 * kept as history otherwise.
 */
export function setStatus(db: Database, id: number, status: RunStatus, options: StatusOptions = {}): RunRow {
  if (!isRunStatus(status)) throw new Error(`run status: unknown value ${JSON.stringify(status)}`);
  if (options.hostPid !== undefined) checkPid(options.hostPid);
  if (options.error !== undefined && (typeof options.error.message !== 'string' || !options.error.message)) {
    throw new Error('run error needs a message');
  }
  const now = new Date().toISOString();
  const live = status === 'queued' || status === 'running';
  return transaction(db, () => {
    requireRun(db, id);
    db.prepare(
      `UPDATE runs SET
         status = @status,
         started_at = CASE WHEN @status = 'running' THEN COALESCE(started_at, @now) ELSE started_at END,
         finished_at = CASE WHEN @finished THEN @now WHEN @live THEN NULL ELSE finished_at END,
         error_json = @error,
         backend = COALESCE(@backend, backend),
         host_pid = CASE WHEN @live THEN @hostPid ELSE COALESCE(@hostPid, host_pid) END
       WHERE id = @id`,
    ).run({
      id,
      status,
      now,
      finished: isFinishedStatus(status) ? 1 : 0,
      live: live ? 1 : 0,
      error: options.error ? JSON.stringify({ ...pickError(options.error), at: now }) : null,
      backend: options.backend ?? null,
      hostPid: options.hostPid ?? null,
    });
    return requireRun(db, id);
  });
}

/**
 * Deletes the run with its epochs, checkpoints rows and metrics. Runs derived
 * from it are kept (they are results of their own, and their configs list every
 * exclusion, so they can be rerun): their parent link goes, and a line in their
 * notes records where they came from. Files are the caller's.
 */
export function deleteRun(db: Database, id: number): boolean {
  return transaction(db, () => {
    const run = getRun(db, id);
    if (!run) return false;
    const day = new Date().toISOString().slice(0, 10);
    const append = db.prepare(`UPDATE runs SET notes = CASE WHEN notes = '' THEN @note ELSE notes || char(10) || @note END WHERE id = @id`);
    for (const child of listRuns(db).filter((r) => r.parentId === id)) {
      const note =
        `Derived from run #${run.id} "${run.name}" (deleted ${day}), excluding ${child.excluded.length} of its samples; ` +
        `the config lists all ${child.config.excluded.length} exclusions.`;
      append.run({ id: child.id, note });
    }
    return db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  });
}

/**
 * Marks interrupted every run that claims a live process (running, or queued
 * by a host) whose process is gone, so a killed run never shows 'running'.
 * Call at every start. A running run without a pid cannot be vouched for and
 * is marked too. Returns the ids marked.
 */
export function markInterrupted(db: Database, isAlive: (pid: number) => boolean): number[] {
  const candidates = db
    .prepare(`SELECT id, status, host_pid FROM runs WHERE status = 'running' OR (status = 'queued' AND host_pid IS NOT NULL)`)
    .all() as { id: number; status: RunStatus; host_pid: number | null }[];
  const dead = candidates.filter((r) => r.host_pid === null || !isAlive(r.host_pid));
  if (dead.length === 0) return [];
  const now = new Date().toISOString();
  // The WHERE re-checks status and pid: another process may have moved the run meanwhile.
  const mark = db.prepare(
    `UPDATE runs SET status = 'interrupted', finished_at = @now, error_json = @error
     WHERE id = @id AND status = @status AND host_pid IS @pid`,
  );
  return transaction(db, () =>
    dead
      .filter((r) => {
        const who = r.status === 'running' ? 'ran' : 'queued';
        const message = `the process that ${who} it stopped (pid ${r.host_pid ?? 'unknown'})`;
        const error: RunError = { message, code: 'process_stopped', at: now };
        return mark.run({ id: r.id, status: r.status, pid: r.host_pid, now, error: JSON.stringify(error) }).changes > 0;
      })
      .map((r) => r.id),
  );
}

export function requireRun(db: Database, id: number): RunRow {
  const run = getRun(db, id);
  if (!run) throw new Error(`run ${id} does not exist`);
  return run;
}

function exists(db: Database, id: number): boolean {
  return db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
}

function toRow(r: RunRecord): RunRow {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    config: JSON.parse(r.config_json) as RunConfig,
    datasetId: r.dataset_id,
    parentId: r.parent_id,
    excluded: JSON.parse(r.excluded_json) as string[],
    backend: r.backend,
    hostPid: r.host_pid,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    notes: r.notes,
    tags: JSON.parse(r.tags_json) as string[],
    error: r.error_json === null ? null : (JSON.parse(r.error_json) as RunError),
    epochsCompleted: r.epochs_completed,
  };
}

function pickError(e: Omit<RunError, 'at'>): Omit<RunError, 'at'> {
  return {
    message: e.message,
    ...(e.epoch !== undefined ? { epoch: e.epoch } : {}),
    ...(e.iteration !== undefined ? { iteration: e.iteration } : {}),
    ...(e.code !== undefined ? { code: e.code } : {}),
  };
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length > NAME_MAX) throw new Error(`run name is ${trimmed.length} characters; at most ${NAME_MAX}`);
  return trimmed;
}

function checkPid(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`host pid must be a positive integer, got ${pid}`);
}

function checkStrings(values: unknown, label: string, opts: { trim: boolean; maxLength: number }): string[] {
  if (!Array.isArray(values)) throw new Error(`${label} must be a list of strings`);
  return values.map((v, i) => {
    if (typeof v !== 'string' || !v.trim()) throw new Error(`${label}[${i}] must be a non-empty string`);
    const s = opts.trim ? v.trim() : v;
    if (s.length > opts.maxLength) throw new Error(`${label}[${i}] is longer than ${opts.maxLength} characters`);
    return s;
  });
}

/** The dataset id is known once the engine has read the data (an imported file's id is its hash). */
export function setDatasetId(db: Database, id: number, datasetId: string): void {
  if (db.prepare('UPDATE runs SET dataset_id = ? WHERE id = ?').run(datasetId, id).changes === 0) throw new Error(`run ${id} does not exist`);
}
