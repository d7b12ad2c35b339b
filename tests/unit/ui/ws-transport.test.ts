import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type WebServer } from '../../../src/main/web/server.js';
import { ApiCallError } from '../../../src/renderer/src/api/errors.js';
import { createClient } from '../../../src/renderer/src/api/rpc.js';
import { createWebSocketTransport, type ConnectionState } from '../../../src/renderer/src/api/ws-transport.js';
import type { ApiEvent } from '../../../src/shared/api.js';
import { nodeSocket } from '../../e2e/support/node-socket.js';
import { openWorkbench, TINY, type Workbench } from './helpers.js';

let wb: Workbench;
let staticDir: string;
let server: WebServer;

beforeEach(async () => {
  wb = openWorkbench();
  staticDir = mkdtempSync(join(tmpdir(), 'gan-focus-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
  server = await startServer({ router: wb.router, staticDir });
});
afterEach(async () => {
  await server.close();
  wb.close();
  rmSync(staticDir, { recursive: true, force: true });
});

const stateChange = (t: { onState(l: (s: ConnectionState) => void): () => void }, want: ConnectionState) =>
  new Promise<void>((resolve) => {
    const off = t.onState((s) => {
      if (s === want) {
        off();
        resolve();
      }
    });
  });

describe('WebSocket client transport against the real server', () => {
  it('queues calls made before the socket opens, types results and throws router errors as ApiCallError', async () => {
    const t = createWebSocketTransport({ url: `ws://127.0.0.1:${server.port}/api`, create: (u) => nodeSocket(u) });
    const api = createClient(t);
    expect(t.state()).toBe('connecting');
    const [presets, runs] = await Promise.all([api.call('presets', {}), api.call('listRuns', {})]);
    expect(presets.quick).toMatchObject({ arch: 'dcgan5', ngf: 64 });
    expect(runs).toEqual([]);
    const err = await api.call('getRun', { id: 99 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect(err).toMatchObject({ code: 'not_found', method: 'getRun' });
    t.close();
  });

  it('delivers events to listeners until they unsubscribe', async () => {
    const t = createWebSocketTransport({ url: `ws://127.0.0.1:${server.port}/api`, create: (u) => nodeSocket(u) });
    const api = createClient(t);
    const seen: ApiEvent[] = [];
    const off = api.onEvent((e) => seen.push(e));
    await api.call('createRun', { name: 'one', config: TINY });
    await api.call('listRuns', {});
    off();
    await api.call('createRun', { name: 'two', config: TINY });
    await api.call('listRuns', {});
    expect(seen.map((e) => e.type === 'runState' && e.run.name)).toEqual(['one']);
    t.close();
  });

  it('fails calls in flight when the server goes away, then reconnects when it is back', async () => {
    const port = server.port;
    const t = createWebSocketTransport({ url: `ws://127.0.0.1:${port}/api`, create: (u) => nodeSocket(u), reconnectMs: 20, maxReconnectMs: 50 });
    const api = createClient(t);
    await api.call('listRuns', {});
    const closed = stateChange(t, 'closed');
    await server.close();
    await closed;
    // Made while the server is down: it fails with a transport error and is not replayed on reconnect.
    await expect(api.call('createRun', { name: 'lost', config: TINY })).rejects.toMatchObject({ code: 'transport' });
    const reopened = stateChange(t, 'open');
    server = await startServer({ router: wb.router, staticDir, port });
    await reopened;
    expect(await api.call('listRuns', {})).toEqual([]);
    t.close();
    await expect(api.call('listRuns', {})).rejects.toMatchObject({ code: 'transport', message: 'the client is closed' });
  });
});
