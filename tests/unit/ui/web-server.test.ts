import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_FRAME_BYTES, startServer, type WebServer } from '../../../src/main/web/server.js';
import { openWorkbench, TINY, type Workbench } from './helpers.js';

let wb: Workbench;
let staticDir: string;
let server: WebServer | null = null;

beforeEach(() => {
  wb = openWorkbench();
  staticDir = mkdtempSync(join(tmpdir(), 'gan-focus-static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>GAN Focus</title>');
  writeFileSync(join(staticDir, 'assets', 'app-1234.js'), 'console.log(1)');
});
afterEach(async () => {
  await server?.close();
  server = null;
  wb.close();
  rmSync(staticDir, { recursive: true, force: true });
});

async function start(opts: { host?: string; token?: string } = {}): Promise<WebServer> {
  server = await startServer({ router: wb.router, staticDir, ...opts });
  return server;
}

/** A socket that collects every message, so a test can await the next answer or event. */
async function connect(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const inbox: unknown[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    inbox.push(JSON.parse(d.toString()));
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const next = async <T = Record<string, any>>(pred: (m: any) => boolean = () => true): Promise<T> => {
    for (;;) {
      const i = inbox.findIndex(pred);
      if (i >= 0) return inbox.splice(i, 1)[0] as T;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const call = async (id: number, method: string, params: unknown) => {
    ws.send(JSON.stringify({ id, method, params }));
    return next((m) => m.id === id);
  };
  return { ws, next, call };
}

const wsUrl = (s: WebServer, query = '') => `ws://127.0.0.1:${s.port}/api${query}`;

describe('web server: static files', () => {
  it('serves the renderer with a strict CSP that allows only its own WebSocket', async () => {
    const s = await start();
    const res = await fetch(`http://127.0.0.1:${s.port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('GAN Focus');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${s.port}`);
    expect(csp).not.toMatch(/unsafe-(inline|eval)|https?:/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const asset = await fetch(`http://127.0.0.1:${s.port}/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
  });

  it('answers 404 outside the build folder and 405 for anything but GET', async () => {
    const s = await start();
    for (const p of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/missing.js', '/%E0%A4%A']) {
      expect((await fetch(`http://127.0.0.1:${s.port}${p}`)).status, p).toBe(404);
    }
    expect((await fetch(`http://127.0.0.1:${s.port}/`, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('refuses a foreign Host header on a loopback bind (DNS rebinding)', async () => {
    const s = await start();
    const res = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl(s), { headers: { Host: `evil.example:${s.port}` } });
      ws.on('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(res).toBe(400);
  });
});

describe('web server: WebSocket API', () => {
  it('answers calls and pushes router events to the socket', async () => {
    const s = await start();
    const c = await connect(wsUrl(s));
    const presets = await c.call(1, 'presets', {});
    expect(presets).toMatchObject({ id: 1, ok: true, result: { quick: { epochs: 10 } } });
    const created = await c.call(2, 'createRun', { name: 'via ws', config: TINY });
    expect(created).toMatchObject({ ok: true, result: { name: 'via ws', status: 'queued' } });
    const event = await c.next((m) => 'event' in m);
    expect(event.event).toMatchObject({ type: 'runState', run: { name: 'via ws' } });
    c.ws.close();
  });

  it('answers malformed messages with errors and keeps the connection usable', async () => {
    const s = await start();
    const c = await connect(wsUrl(s));
    c.ws.send('{not json');
    expect(await c.next()).toMatchObject({ id: null, ok: false, error: { code: 'bad_request', message: 'message is not valid JSON' } });
    c.ws.send(JSON.stringify({ id: 7 }));
    expect(await c.next()).toMatchObject({ id: 7, ok: false, error: { code: 'bad_request', message: expect.stringMatching(/method is required/) } });
    c.ws.send(JSON.stringify([1, 2]));
    expect(await c.next()).toMatchObject({ id: null, ok: false, error: { code: 'bad_request' } });
    expect(await c.call(8, 'dropTables', {})).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'unknown method "dropTables"' } });
    expect(await c.call(9, 'getRun', { id: 'one' })).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'getRun: id must be a finite number' } });
    expect(await c.call(10, 'getRun', { id: 1, extra: true })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/unknown field extra/) } });
    expect(await c.call(11, 'getRun', { id: 404 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    c.ws.send(JSON.stringify({ id: 12, method: 'presets', params: { pad: 'x'.repeat(2_000_000) } }));
    expect(await c.next()).toMatchObject({ id: null, ok: false, error: { code: 'bad_request', message: expect.stringMatching(/too large/) } });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next()).toMatchObject({ id: null, ok: false, error: { message: expect.stringMatching(/binary/) } });
    expect(await c.call(13, 'listRuns', {})).toMatchObject({ id: 13, ok: true, result: [] });
    c.ws.close();
  });

  it('closes only a socket that sends a frame above the hard limit; others stay', async () => {
    const s = await start();
    const bad = await connect(wsUrl(s));
    const good = await connect(wsUrl(s));
    const closed = new Promise<number>((r) => bad.ws.once('close', (code) => r(code)));
    bad.ws.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect(await closed).toBe(1009);
    expect(await good.call(1, 'listRuns', {})).toMatchObject({ ok: true });
    good.ws.close();
  });

  it('refuses an upgrade from another origin and accepts its own', async () => {
    const s = await start();
    await expect(connect(wsUrl(s), { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect(wsUrl(s), { Origin: `http://localhost:${s.port}` })).rejects.toThrow('HTTP 403');
    const c = await connect(wsUrl(s), { Origin: `http://127.0.0.1:${s.port}` });
    expect(await c.call(1, 'listRuns', {})).toMatchObject({ ok: true });
    c.ws.close();
  });
});

describe('web server: token on a non-loopback bind', () => {
  it('generates a 32-byte token, prints it in the URL and requires it for the page, assets and socket', async () => {
    const s = await start({ host: '0.0.0.0' });
    expect(s.token).toMatch(/^[0-9a-f]{64}$/);
    expect(s.url).toContain(`?token=${s.token}`);
    const base = `http://127.0.0.1:${s.port}`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=${'0'.repeat(64)}`)).status).toBe(401);
    expect((await fetch(`${base}/assets/app-1234.js`)).status).toBe(401);

    const page = await fetch(`${base}/?token=${s.token}`);
    expect(page.status).toBe(200);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await fetch(`${base}/assets/app-1234.js`, { headers: { cookie } })).status).toBe(200);

    await expect(connect(wsUrl(s))).rejects.toThrow('HTTP 401');
    await expect(connect(wsUrl(s), { cookie })).rejects.toThrow('HTTP 401');
    const c = await connect(wsUrl(s, `?token=${s.token}`));
    expect(await c.call(1, 'listRuns', {})).toMatchObject({ ok: true });
    c.ws.close();
  });

  it('uses a given token and refuses one too short to be secret', async () => {
    await expect(startServer({ router: wb.router, staticDir, host: '0.0.0.0', token: 'short' })).rejects.toThrow(/at least 16 characters/);
    const s = await start({ host: '0.0.0.0', token: 'a-long-enough-shared-secret' });
    expect(s.token).toBe('a-long-enough-shared-secret');
    expect((await fetch(`http://127.0.0.1:${s.port}/?token=a-long-enough-shared-secret`)).status).toBe(200);
  });

  it('needs no token on loopback', async () => {
    const s = await start();
    expect(s.token).toBeNull();
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/`);
  });
});
