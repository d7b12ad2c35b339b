import Database from 'better-sqlite3';
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/main/engine/train/checkpoint.js';
import { exited, runCli, startCli, tempHome, TINY, waitForLine } from '../../helpers/cli.js';

interface ShownRun {
  id: number;
  status: string;
  config: { epochs: number; seed: number };
  error: { message: string; epoch?: number; iteration?: number } | null;
  epochs: { epoch: number; lossD: number; lossG: number; dx: number; dgz: number; seconds: number; checkpoint: { generator: string; discriminator: string } }[];
}

function show(home: string, id: number): ShownRun {
  const r = runCli(['--home', home, 'show', String(id), '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ShownRun;
}

function metrics(home: string, id: number): { iteration: number; loss_d: number; loss_g: number }[] {
  const db = new Database(path.join(home, 'gan-focus.db'), { readonly: true });
  try {
    return db.prepare('SELECT iteration, loss_d, loss_g FROM metrics WHERE run_id = ? ORDER BY iteration').all(id) as never;
  } finally {
    db.close();
  }
}

function integrity(home: string): string {
  const db = new Database(path.join(home, 'gan-focus.db'), { readonly: true });
  try {
    return (db.pragma('integrity_check', { simple: true }) as string);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gan-focus train (a real tiny run in an engine process)', () => {
  const home = tempHome();

  it('trains 2 epochs, saves 2 loadable checkpoints and reports them', async () => {
    const r = runCli(['--home', home, 'train', ...TINY, '--epochs', '2', '--seed', '11', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.type === 'progress')).toBe(true);
    expect(lines.filter((l) => l.type === 'epochDone')).toHaveLength(2);

    const list = JSON.parse(runCli(['--home', home, 'runs', '--json']).stdout);
    expect(list[0]).toMatchObject({ id: 1, name: 'run-1', status: 'completed', epochsCompleted: 2 });

    const run = show(home, 1);
    expect(run.status).toBe('completed');
    expect(run.error).toBeNull();
    expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of run.epochs) {
      for (const v of [e.lossD, e.lossG, e.dx, e.dgz, e.seconds]) expect(Number.isFinite(v)).toBe(true);
      expect(existsSync(e.checkpoint.generator)).toBe(true);
      const d = await loadModel(e.checkpoint.discriminator);
      const out = d.predict(tf.zeros([2, 64, 64, 1])) as tf.Tensor;
      expect(out.shape).toEqual([2, 1]);
    }
    expect(integrity(home)).toBe('ok');
  });

  it('is deterministic: same seed, same backend, same first losses', () => {
    const r = runCli(['--home', home, 'train', ...TINY, '--epochs', '1', '--seed', '11', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const a = metrics(home, 1).slice(0, 3);
    const b = metrics(home, 2).slice(0, 3);
    expect(a).toHaveLength(3);
    expect(b).toEqual(a);
  });

  it('a different seed gives different losses', () => {
    const r = runCli(['--home', home, 'train', ...TINY, '--epochs', '1', '--seed', '12', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(metrics(home, 3)[0]).not.toEqual(metrics(home, 1)[0]);
  });
});

describe('kill and resume', () => {
  it('SIGKILL of the host mid-epoch: the run shows interrupted, then resumes to the same result', async () => {
    const home = tempHome();
    const args = ['--home', home, 'train', '--arch', 'paper', '--limit', '256', '--width', '4', '--batch', '32', '--epochs', '3', '--seed', '5', '--json'];
    const reference = runCli(args);
    expect(reference.code, reference.stderr).toBe(0);

    const child = startCli(args);
    await waitForLine(child, (o) => o.type === 'progress' && (o.metrics as { epoch: number }[]).some((m) => m.epoch === 2));
    child.kill('SIGKILL');
    await exited(child);

    const interrupted = show(home, 2);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.error?.message).toMatch(/stopped \(pid \d+\)/);
    expect(interrupted.epochs.length).toBeGreaterThanOrEqual(1);
    expect(interrupted.epochs.length).toBeLessThan(3);
    expect(integrity(home)).toBe('ok');

    const resumed = runCli(['--home', home, 'resume', '2', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const done = show(home, 2);
    expect(done.status).toBe('completed');
    expect(done.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    const ref = show(home, 1);
    // Same batches and noise after the resume; Adam's restored bias terms
    // agree with the uninterrupted run's to float rounding.
    for (const k of ['lossD', 'lossG', 'dx', 'dgz'] as const) expect(done.epochs[2][k]).toBeCloseTo(ref.epochs[2][k], 3);
    expect(metrics(home, 2).map((m) => m.iteration)).toEqual(metrics(home, 1).map((m) => m.iteration));
    expect(integrity(home)).toBe('ok');
  });

  it('a killed engine process marks the run interrupted at once, with the reason', async () => {
    const home = tempHome();
    const child = startCli(['--home', home, 'train', '--arch', 'paper', '--limit', '256', '--width', '4', '--batch', '32', '--epochs', '3', '--json']);
    await waitForLine(child, (o) => o.type === 'progress');
    const workerPid = Number(execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim().split('\n')[0]);
    process.kill(workerPid, 'SIGKILL');
    expect(await exited(child)).toBe(1);
    const run = show(home, 1);
    expect(run.status).toBe('interrupted');
    expect(run.error?.message).toMatch(/engine process was killed \(SIGKILL\)/);
  });
});

describe('failures are clear and lose nothing saved', () => {
  it('a NaN loss stops the run as failed with epoch and iteration; epoch 1 stays usable', async () => {
    const home = tempHome();
    // 128 images / batch 32 = 4 iterations per epoch: iteration 6 is in epoch 2.
    const r = runCli(['--home', home, 'train', ...TINY, '--epochs', '3', '--json'], { GAN_FOCUS_FAULT_NAN_AT: '6' });
    expect(r.code).toBe(1);
    const run = show(home, 1);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ epoch: 2, iteration: 6 });
    expect(run.error!.message).toMatch(/non-finite loss at epoch 2, iteration 6 \(Loss_D=NaN\)/);
    expect(run.epochs.map((e) => e.epoch)).toEqual([1]);
    const d = await loadModel(run.epochs[0].checkpoint.discriminator);
    expect(Number.isFinite((d.predict(tf.zeros([1, 64, 64, 1])) as tf.Tensor).dataSync()[0])).toBe(true);
  });

  it('a corrupt IDX file is refused at creation with a message naming the file', () => {
    const home = tempHome();
    const bad = path.join(home, 'bad-images.idx3');
    writeFileSync(bad, Buffer.from([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]));
    const r = runCli(['--home', home, 'train', '--images', bad, '--epochs', '1', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('bad-images.idx3');
    expect(r.stderr).toMatch(/truncated/);
    expect(JSON.parse(runCli(['--home', home, 'runs', '--json']).stdout)).toEqual([]);
  });

  it('fewer training images than one batch is refused at creation, naming the counts', () => {
    const home = tempHome();
    const r = runCli(['--home', home, 'train', '--arch', 'paper', '--limit', '10', '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot train: it would train on 10 images \(dataset 60,000, limit 10\), fewer than one batch of 64/);
    expect(JSON.parse(runCli(['--home', home, 'runs', '--json']).stdout)).toEqual([]);
  });

  it('bad arguments: exit code 2 and one line on stderr', () => {
    const r = runCli(['train', '--arch', 'paper', '--limit', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--limit must be a whole number/);
    const unknown = runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(runCli(['--home', tempHome(), 'show', '42']).stderr).toMatch(/run 42 does not exist/);
  });
});
