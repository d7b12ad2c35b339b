import { describe, expect, it } from 'vitest';
import { discardAfterEpoch, getCheckpoints, lastCompleteEpoch, listEpochs, recordEpoch, type CheckpointInput } from '../../../src/main/store/epochs.js';
import { insertMetrics, listMetrics } from '../../../src/main/store/metrics.js';
import { createRun, getRun } from '../../../src/main/store/runs.js';
import { config, sha, tempDb } from './temp-db.js';

const epoch = (n: number) => ({
  epoch: n,
  lossD: 1.25,
  lossG: 3.5,
  dx: 0.75,
  dgz: 0.25,
  seconds: 118.5,
  iterations: 100,
  gridPath: `runs/1/grids/epoch-00${n}.png`,
});

const HEX = { generator: 'a', discriminator: 'b', optimizer: 'c' } as const;

const ck = (n: number, kind: CheckpointInput['kind']): CheckpointInput => ({
  kind,
  path: `runs/1/checkpoints/epoch-00${n}/${kind}.json`,
  sha256: sha(HEX[kind]),
  bytes: 1000,
});

const all = (n: number) => [ck(n, 'generator'), ck(n, 'discriminator'), ck(n, 'optimizer')];

describe('epochs', () => {
  it('records an epoch with its checkpoints and lists relative paths', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    const row = recordEpoch(db, run.id, epoch(1), all(1));
    expect(row).toMatchObject({
      runId: run.id,
      epoch: 1,
      lossD: 1.25,
      lossG: 3.5,
      dx: 0.75,
      dgz: 0.25,
      seconds: 118.5,
      iterations: 100,
      gridPath: 'runs/1/grids/epoch-001.png',
      checkpoint: {
        generator: 'runs/1/checkpoints/epoch-001/generator.json',
        discriminator: 'runs/1/checkpoints/epoch-001/discriminator.json',
        optimizer: 'runs/1/checkpoints/epoch-001/optimizer.json',
      },
    });
    expect(listEpochs(db, run.id)).toEqual([row]);
    expect(getCheckpoints(db, run.id, 1).map((c) => [c.kind, c.sha256, c.bytes])).toEqual([
      ['discriminator', sha('b'), 1000],
      ['generator', sha('a'), 1000],
      ['optimizer', sha('c'), 1000],
    ]);
    expect(getRun(db, run.id)?.epochsCompleted).toBe(1);
  });

  it('stores a NaN loss as null', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    expect(recordEpoch(db, run.id, { ...epoch(1), lossG: NaN }, []).lossG).toBeNull();
  });

  it('a failing checkpoint insert leaves no epoch row', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    recordEpoch(db, run.id, epoch(1), all(1));
    expect(() => recordEpoch(db, run.id, epoch(2), [ck(2, 'generator'), ck(2, 'discriminator'), ck(2, 'generator')])).toThrow(
      `run ${run.id} epoch 2: checkpoint kind "generator" given more than once`,
    );
    expect(listEpochs(db, run.id).map((e) => e.epoch)).toEqual([1]);
    expect(getCheckpoints(db, run.id, 2)).toEqual([]);
  });

  it('refuses to record an epoch twice, bad paths and unknown runs', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    recordEpoch(db, run.id, epoch(1), all(1));
    expect(() => recordEpoch(db, run.id, epoch(1), [])).toThrow(`run ${run.id} epoch 1 is already recorded`);
    expect(() => recordEpoch(db, run.id, epoch(2), [{ ...ck(2, 'generator'), path: '/abs/g.json' }])).toThrow(
      'generator checkpoint path must be relative to the home folder',
    );
    expect(() => recordEpoch(db, run.id, { ...epoch(2), gridPath: '../outside.png' }, [])).toThrow('grid path must be relative');
    expect(() => recordEpoch(db, run.id, epoch(2), [{ ...ck(2, 'generator'), sha256: 'abc' }])).toThrow('sha256 must be 64 hex digits');
    expect(() => recordEpoch(db, run.id, { ...epoch(2), epoch: 0 }, [])).toThrow('epoch must be an integer >= 1');
    expect(() => recordEpoch(db, 999, epoch(1), [])).toThrow('run 999 does not exist');
    expect(listEpochs(db, run.id)).toHaveLength(1);
  });

  it('lastCompleteEpoch is the highest epoch with all three checkpoints', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    expect(lastCompleteEpoch(db, run.id)).toBeNull();
    recordEpoch(db, run.id, epoch(1), all(1));
    recordEpoch(db, run.id, epoch(2), all(2));
    recordEpoch(db, run.id, epoch(3), [ck(3, 'generator'), ck(3, 'discriminator')]);
    recordEpoch(db, run.id, epoch(4), []);
    expect(lastCompleteEpoch(db, run.id)).toBe(2);
    expect(listEpochs(db, run.id)[2].checkpoint.optimizer).toBeNull();
  });

  it('discardAfterEpoch drops later epochs, their checkpoints and metrics so a resume can redo them', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    recordEpoch(db, run.id, epoch(1), all(1));
    recordEpoch(db, run.id, epoch(2), all(2));
    insertMetrics(
      db,
      run.id,
      [1, 2, 3, 4, 5].map((i) => ({ epoch: Math.ceil(i / 2), iteration: i, lossD: i, lossG: i, dx: 0.5, dgz: 0.5 })),
    );
    expect(discardAfterEpoch(db, run.id, 1)).toEqual({ epochs: 1, metrics: 3 });
    expect(listEpochs(db, run.id).map((e) => e.epoch)).toEqual([1]);
    expect(getCheckpoints(db, run.id, 2)).toEqual([]);
    expect(listMetrics(db, run.id).map((m) => m.iteration)).toEqual([1, 2]);
    recordEpoch(db, run.id, epoch(2), all(2));
    expect(lastCompleteEpoch(db, run.id)).toBe(2);
  });
});
