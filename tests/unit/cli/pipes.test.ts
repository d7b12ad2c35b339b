import Database from 'better-sqlite3';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exited, runCli, startCli, tempHome, TINY } from '../../helpers/cli.js';

// `gan-focus flags 1 --epoch 2 | head` crashed with an EPIPE stack trace. Each
// case closes the reading end of a real pipe and checks that the command ends
// quietly with 141 (128 + SIGPIPE, what a shell shows for `git log | head`).
const home = tempHome();

function cli(args: string[]) {
  const r = runCli(['--home', home, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** Runs the CLI with the read end of its stdout (or stderr) closed before it writes anything. */
async function intoClosedPipe(args: string[], which: 'stdout' | 'stderr' = 'stdout') {
  const child = startCli(['--home', home, ...args]);
  let other = '';
  // Closed at once: the CLI takes about a second to start, so every write it makes meets a closed pipe.
  child[which]!.destroy();
  const open = which === 'stdout' ? child.stderr! : child.stdout!;
  open.on('data', (d: Buffer) => (other += d.toString()));
  const code = await exited(child);
  return { code, other };
}

beforeAll(() => {
  cli(['train', ...TINY, '--epochs', '1', '--seed', '4']);
  cli(['explain', '1', '--samples', 'train', '--epochs', '1', '--threshold', '0.3']);
}, 300_000);

describe('output into a closed pipe', () => {
  it.each([
    ['--help'],
    ['runs'],
    ['runs', '--json'],
    ['show', '1'],
    ['show', '1', '--json'],
    ['flags', '1', '--epoch', '1', '--threshold', '0.3'],
    ['flags', '1', '--epoch', '1', '--threshold', '0.3', '--json'],
    ['doctor'],
  ])('gan-focus %s ends quietly with 141', async (...args) => {
    const r = await intoClosedPipe(args);
    expect(r.other).toBe('');
    expect(r.code).toBe(141);
  });

  it('an explain job whose reader went away is cancelled quietly, not finished into nowhere', async () => {
    const r = await intoClosedPipe(['explain', '1', '--samples', 'train', '--epochs', '1', '--json']);
    expect(r.other).toBe('');
    expect(r.code).toBe(141);
  });

  it('a closed stderr: an error still ends with its own status, and no crash', async () => {
    const r = await intoClosedPipe(['show', '999'], 'stderr');
    expect(r.other).toBe('');
    expect(r.code).toBe(1);
  });

  it('training streamed into a pipe closed after the first line is cancelled (resumable), without a stack trace', async () => {
    const child = startCli(['--home', home, 'train', '--arch', 'paper', '--limit', '256', '--width', '4', '--batch', '32', '--epochs', '4', '--seed', '6', '--json']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let first = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        first += d.toString();
        if (first.includes('\n')) {
          child.stdout!.destroy();
          resolve();
        }
      });
    });
    expect(JSON.parse(first.split('\n')[0])).toMatchObject({ type: 'runState' });
    expect(await exited(child)).toBe(141);
    expect(stderr).toBe('');
    const run = JSON.parse(cli(['show', '2', '--json']).stdout);
    expect(run.status).toBe('cancelled');
    expect(run.epochs.length).toBeLessThan(4);
    const db = new Database(path.join(home, 'gan-focus.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
