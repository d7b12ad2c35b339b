import type { RunConfig } from '../../shared/config.js';
import { STUDY_ARMS, type FinalQuality, type StudyArmName, type StudyExplain } from '../../shared/study.js';
import { transaction, type Database } from './db.js';
import { createRun, requireRun } from './runs.js';

export interface StudyRecord {
  id: number;
  name: string;
  parentId: number | null;
  epoch: number;
  explain: StudyExplain;
  seeds: number[];
  drawSeed: number;
  createdAt: string;
}

export interface StudyArmRecord {
  arm: StudyArmName;
  excluded: string[];
  digits: number[] | null;
}

export interface StudyRunLink {
  arm: StudyArmName;
  seed: number;
  runId: number;
  position: number;
}

export interface NewStudy {
  name: string;
  parentId: number;
  epoch: number;
  explain: StudyExplain;
  seeds: number[];
  drawSeed: number;
  arms: StudyArmRecord[];
  /** One run per arm x seed, in the order they are to train. */
  runs: { arm: StudyArmName; seed: number; name: string; config: RunConfig }[];
}

interface StudyRow {
  id: number;
  name: string;
  parent_id: number | null;
  epoch: number;
  explain_json: string;
  seeds_json: string;
  draw_seed: number;
  created_at: string;
}

function toRecord(r: StudyRow): StudyRecord {
  return {
    id: r.id,
    name: r.name,
    parentId: r.parent_id,
    epoch: r.epoch,
    explain: JSON.parse(r.explain_json) as StudyExplain,
    seeds: JSON.parse(r.seeds_json) as number[],
    drawSeed: r.draw_seed,
    createdAt: r.created_at,
  };
}

/** The study, its arms and all its runs, in one transaction: a study is never half created. */
export function createStudy(db: Database, s: NewStudy): StudyRecord {
  for (const r of s.runs) if (!(STUDY_ARMS as readonly string[]).includes(r.arm)) throw new Error(`study: unknown arm ${JSON.stringify(r.arm)}`);
  return transaction(db, () => {
    requireRun(db, s.parentId);
    const { lastInsertRowid } = db
      .prepare(`INSERT INTO studies (name, parent_id, epoch, explain_json, seeds_json, draw_seed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(s.name, s.parentId, s.epoch, JSON.stringify(s.explain), JSON.stringify(s.seeds), s.drawSeed, new Date().toISOString());
    const id = Number(lastInsertRowid);
    const arm = db.prepare('INSERT INTO study_arms (study_id, arm, excluded_json, digits_json) VALUES (?, ?, ?, ?)');
    for (const a of s.arms) arm.run(id, a.arm, JSON.stringify(a.excluded), a.digits === null ? null : JSON.stringify(a.digits));
    const link = db.prepare('INSERT INTO study_runs (study_id, arm, seed, run_id, position) VALUES (?, ?, ?, ?, ?)');
    const byArm = new Map(s.arms.map((a) => [a.arm, a]));
    s.runs.forEach((r, position) => {
      const run = createRun(db, {
        name: `study ${id}: ${r.name}`,
        config: r.config,
        parentId: s.parentId,
        excluded: byArm.get(r.arm)?.excluded ?? [],
        tags: ['study', `study-${id}`, r.arm],
        notes: `Run of study #${id} (${r.arm}, training seed ${r.seed}).`,
      });
      link.run(id, r.arm, r.seed, run.id, position);
    });
    return requireStudy(db, id);
  });
}

export function getStudy(db: Database, id: number): StudyRecord | null {
  const row = db.prepare('SELECT * FROM studies WHERE id = ?').get(id) as StudyRow | undefined;
  return row ? toRecord(row) : null;
}

export function requireStudy(db: Database, id: number): StudyRecord {
  const s = getStudy(db, id);
  if (!s) throw new Error(`study ${id} does not exist`);
  return s;
}

/** Newest first. */
export function listStudies(db: Database): StudyRecord[] {
  return (db.prepare('SELECT * FROM studies ORDER BY id DESC').all() as StudyRow[]).map(toRecord);
}

export function studyArms(db: Database, studyId: number): StudyArmRecord[] {
  const rows = db.prepare('SELECT arm, excluded_json, digits_json FROM study_arms WHERE study_id = ?').all(studyId) as {
    arm: StudyArmName;
    excluded_json: string;
    digits_json: string | null;
  }[];
  const order = (a: StudyArmName) => STUDY_ARMS.indexOf(a);
  return rows
    .map((r) => ({ arm: r.arm, excluded: JSON.parse(r.excluded_json) as string[], digits: r.digits_json === null ? null : (JSON.parse(r.digits_json) as number[]) }))
    .sort((a, b) => order(a.arm) - order(b.arm));
}

/** The study's runs in training order. */
export function studyRuns(db: Database, studyId: number): StudyRunLink[] {
  return (
    db.prepare('SELECT arm, seed, run_id, position FROM study_runs WHERE study_id = ? ORDER BY position').all(studyId) as {
      arm: StudyArmName;
      seed: number;
      run_id: number;
      position: number;
    }[]
  ).map((r) => ({ arm: r.arm, seed: r.seed, runId: r.run_id, position: r.position }));
}

/** The studies a run belongs to (one at most: a study's runs are its own). */
export function studyOfRun(db: Database, runId: number): { studyId: number; arm: StudyArmName; seed: number } | null {
  const r = db.prepare('SELECT study_id, arm, seed FROM study_runs WHERE run_id = ?').get(runId) as
    | { study_id: number; arm: StudyArmName; seed: number }
    | undefined;
  return r ? { studyId: r.study_id, arm: r.arm, seed: r.seed } : null;
}

/** The studies a run belongs to, as one of their runs or as their parent; newest first. */
export function studiesOfRun(db: Database, runId: number): StudyRecord[] {
  const rows = db
    .prepare('SELECT * FROM studies WHERE parent_id = ? OR id IN (SELECT study_id FROM study_runs WHERE run_id = ?) ORDER BY id DESC')
    .all(runId, runId) as StudyRow[];
  return rows.map(toRecord);
}

export function saveFinalQuality(db: Database, runId: number, q: FinalQuality): void {
  requireRun(db, runId);
  db.prepare(
    `INSERT OR REPLACE INTO final_quality (run_id, epoch, count, kid, kid_std, fid_infinity, digits_present, class_counts_json, detail_json, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    runId,
    q.epoch,
    q.count,
    q.kid,
    q.kidStd,
    q.fidInfinity,
    q.digitsPresent,
    JSON.stringify(q.classCounts),
    JSON.stringify({ fidPoints: q.fidPoints }),
    new Date().toISOString(),
  );
}

/** The final estimate of a run at `epoch` on `count` samples, if measured. */
export function getFinalQuality(db: Database, runId: number, epoch: number, count: number): FinalQuality | null {
  const r = db
    .prepare('SELECT * FROM final_quality WHERE run_id = ? AND epoch = ? AND count = ?')
    .get(runId, epoch, count) as
    | { epoch: number; count: number; kid: number; kid_std: number; fid_infinity: number; digits_present: number; class_counts_json: string; detail_json: string }
    | undefined;
  if (!r) return null;
  return {
    epoch: r.epoch,
    count: r.count,
    kid: r.kid,
    kidStd: r.kid_std,
    fidInfinity: r.fid_infinity,
    fidPoints: (JSON.parse(r.detail_json) as { fidPoints: FinalQuality['fidPoints'] }).fidPoints,
    digitsPresent: r.digits_present,
    classCounts: JSON.parse(r.class_counts_json) as number[],
  };
}
