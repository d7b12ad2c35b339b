import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findRendererBuild } from '../../../src/main/web/serve.js';
import { openDatabase } from '../../../src/main/store/db.js';
import { createRun, setStatus } from '../../../src/main/store/runs.js';
import { createClient } from '../../../src/renderer/src/api/rpc.js';
import { createWebSocketTransport, type WebSocketTransport } from '../../../src/renderer/src/api/ws-transport.js';
import { presetConfig } from '../../../src/shared/config.js';
import type { ApiClient, ApiEvent } from '../../../src/shared/api.js';
import { nodeSocket } from '../../e2e/support/node-socket.js';
import { BIN, cliEnv, exited, tempHome } from '../../helpers/cli.js';

// On a remote box a run died with `gan-focus serve` (issue 15, defect 13). The
// server is killed (SIGKILL, as an OOM killer or a crash would) or stopped
// (SIGTERM, as systemd does) mid-training; `serve --resume-interrupted`
// continues the run from its last complete epoch, and the client that watched
// it reconnects and sees it finish.

const TINY = { ...presetConfig('quick'), arch: 'paper' as const, limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: 4, seed: 6 };

interface Served {
  child: ChildProcess;
  port: number;
  out: () => string;
}

const started: Served[] = [];
const clients: WebSocketTransport[] = [];

/** `group`: the server leads its own process group, as under systemd, so a signal can go to it and its engines at once. */
function serve(home: string, extra: string[] = [], port = 0, opts: { env?: Record<string, string>; group?: boolean } = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, '--home', home, 'serve', '--port', String(port), ...extra], {
    env: cliEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.group ?? false,
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /open http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        const s = { child, port: Number(m[1]), out: () => out };
        started.push(s);
        resolve(s);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL:\n${out}`)));
  });
}

function client(port: number): { api: ApiClient; events: ApiEvent[] } {
  const t = createWebSocketTransport({ url: `ws://127.0.0.1:${port}/api`, create: (u) => nodeSocket(u), reconnectMs: 50, maxReconnectMs: 200 });
  clients.push(t);
  const api = createClient(t);
  const events: ApiEvent[] = [];
  api.onEvent((e) => events.push(e));
  return { api, events };
}

async function until<T>(what: string, probe: () => T | undefined | false, ms = 180_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readRun(home: string, id: number): { status: string; error: { message: string; code?: string } | null; iterations: number[]; epochs: number[] } {
  const db = new Database(path.join(home, 'gan-focus.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT status, error_json FROM runs WHERE id = ?').get(id) as { status: string; error_json: string | null };
    const iterations = db.prepare('SELECT iteration FROM metrics WHERE run_id = ? ORDER BY iteration').pluck().all(id) as number[];
    const epochs = db.prepare('SELECT epoch FROM epochs WHERE run_id = ? ORDER BY epoch').pluck().all(id) as number[];
    return { status: row.status, error: row.error_json ? JSON.parse(row.error_json) : null, iterations, epochs };
  } finally {
    db.close();
  }
}

const epochDone = (events: ApiEvent[], runId: number, epoch: number) => events.some((e) => e.type === 'epochDone' && e.runId === runId && e.epoch.epoch === epoch);
const runState = (events: ApiEvent[], runId: number, status: string) => events.some((e) => e.type === 'runState' && e.run.id === runId && e.run.status === status);

afterEach(async () => {
  for (const t of clients.splice(0)) t.close();
  for (const s of started.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill('SIGKILL');
      await exited(s.child);
    }
  }
});

const built = findRendererBuild() !== null;
if (!built) console.warn('serve restart tests skipped: the renderer is not built (run `npm run build`)');

describe.skipIf(!built)('training survives a restart of gan-focus serve', () => {
  it('SIGKILL of the server mid-run: serve --resume-interrupted continues it, and the reconnected client sees it finish', async () => {
    const home = tempHome();
    const first = await serve(home);
    const { api, events } = client(first.port);
    const run = await api.call('createRun', { name: 'on a remote box', config: TINY, start: true });
    await until('epoch 1', () => epochDone(events, run.id, 1));
    first.child.kill('SIGKILL');
    await exited(first.child);

    // The engine does not train on without a host to record it.
    const orphaned = readRun(home, run.id);
    expect(orphaned.status).toBe('running');
    expect(orphaned.epochs.length).toBeLessThan(4);

    const second = await serve(home, ['--resume-interrupted'], first.port);
    const resumedLine = await until('the resume line', () => /resumed run 1 "on a remote box" from epoch (\d) \(the process that ran it stopped \(pid \d+\)\)/.exec(second.out()) ?? undefined);
    expect(Number(resumedLine[1])).toBe(orphaned.epochs.length + 1);
    // The client that watched the first server reconnects to the second by itself.
    await until('completed', () => runState(events, run.id, 'completed'));
    const done = readRun(home, run.id);
    expect(done).toMatchObject({ status: 'completed', error: null, epochs: [1, 2, 3, 4] });
    // 128 images / batch 32 = 4 iterations per epoch, each recorded once.
    expect(done.iterations).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('SIGTERM (systemd stop) records why; without the option the run waits, with it the run continues; a cancelled run is left alone', async () => {
    const home = tempHome();
    const db = openDatabase(path.join(home, 'gan-focus.db'));
    const cancelled = createRun(db, { name: 'stopped by a person', config: TINY });
    setStatus(db, cancelled.id, 'cancelled', { error: { message: 'from the workbench' } });
    db.close();

    const first = await serve(home);
    const { api, events } = client(first.port);
    const run = await api.call('createRun', { name: 'systemd', config: TINY, start: true });
    await until('epoch 1', () => epochDone(events, run.id, 1));
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    const stopped = readRun(home, run.id);
    expect(stopped.status).toBe('interrupted');
    expect(stopped.error).toMatchObject({ message: 'the server stopped (SIGTERM) during training', code: 'process_stopped' });

    const plain = await serve(home);
    await new Promise((r) => setTimeout(r, 1000));
    expect(plain.out()).not.toMatch(/resumed/);
    expect(readRun(home, run.id).status).toBe('interrupted');
    plain.child.kill('SIGTERM');
    await exited(plain.child);

    const resuming = await serve(home, ['--resume-interrupted']);
    await until('the resume line', () => /resumed run 2 "systemd" from epoch \d/.test(resuming.out()));
    await until('completed in the store', () => readRun(home, run.id).status === 'completed');
    expect(readRun(home, run.id).epochs).toEqual([1, 2, 3, 4]);
    expect(resuming.out()).not.toMatch(/run 1/);
    expect(readRun(home, cancelled.id).status).toBe('cancelled');
  });

  it('SIGTERM to the whole process group (systemd stop, Ctrl-C in a terminal) still records a resumable stop, and a token from the environment stays out of the output', async () => {
    const home = tempHome();
    const token = 'a-service-secret-0123456789';
    const first = await serve(home, [], 0, { env: { GAN_FOCUS_TOKEN: token }, group: true });
    expect(first.out()).toContain(`/?token=$GAN_FOCUS_TOKEN`);
    expect(first.out()).not.toContain(token);
    const t = createWebSocketTransport({ url: `ws://127.0.0.1:${first.port}/api?token=${token}`, create: (u) => nodeSocket(u), reconnectMs: 50, maxReconnectMs: 200 });
    clients.push(t);
    const api = createClient(t);
    const events: ApiEvent[] = [];
    api.onEvent((e) => events.push(e));
    const run = await api.call('createRun', { name: 'group stop', config: TINY, start: true });
    await until('epoch 1', () => epochDone(events, run.id, 1));
    // The engine gets the signal too; it leaves the decision to the server.
    process.kill(-first.child.pid!, 'SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(readRun(home, run.id)).toMatchObject({ status: 'interrupted', error: { message: 'the server stopped (SIGTERM) during training', code: 'process_stopped' } });
  });
});
