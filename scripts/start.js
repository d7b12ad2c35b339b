#!/usr/bin/env node
// `npm start` / `npm run dev`: the Electron app when its binary is installed
// and can load the native modules; otherwise the same renderer in the browser
// (`gan-focus serve`), said in one line. --dev adds hot reload in both modes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const BUILD_OUTPUTS = ['out/main/index.js', 'out/main/worker.js', 'out/preload/index.cjs', 'out/renderer/index.html'];

/** The Electron executable, looked up on disk: require('electron') would try to download a missing one. */
function electronBinary() {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { missing: 'the Electron binary is not installed (node_modules/electron/path.txt is missing)' };
  const exe = path.join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? { exe } : { missing: `the Electron binary is missing at ${path.relative(root, exe)}` };
}

/**
 * better-sqlite3 is compiled against one ABI (Node's after `npm ci`). Electron
 * needs it rebuilt for its own (docs/electron.md); try loading it the way the
 * app will, so a mismatch becomes one sentence instead of a crash.
 */
function nativeModulesLoadIn(exe) {
  const r = spawnSync(exe, ['-e', "require('better-sqlite3')"], {
    cwd: root,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
  });
  if (r.status === 0) return { ok: true };
  const abi = /NODE_MODULE_VERSION (\d+)[^]*?NODE_MODULE_VERSION (\d+)/.exec(r.stderr ?? '');
  const why = abi ? `better-sqlite3 is built for ABI ${abi[1]}, Electron needs ${abi[2]}` : `better-sqlite3 does not load in Electron (${(r.stderr || r.error?.message || '').split('\n')[0]})`;
  return { ok: false, why };
}

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** Builds when an output is missing or older than the newest source file. */
function buildIfNeeded() {
  const outputs = BUILD_OUTPUTS.map((f) => path.join(root, f));
  const stale = outputs.some((f) => !existsSync(f)) || Math.min(...outputs.map((f) => statSync(f).mtimeMs)) < newestMtime(path.join(root, 'src'));
  if (!stale) return;
  console.log('Building (electron-vite build)…');
  const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function run(cmd, args, env = process.env) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
  return child;
}

/** `gan-focus serve`; resolves with the URL it prints (and echoes its output). */
function startServe(extra = []) {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'gan-focus.js'), 'serve', ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  process.on('SIGINT', () => child.kill('SIGINT'));
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
      const m = /open (http\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`gan-focus serve exited with code ${code}`)));
  });
}

/**
 * Browser dev mode: the API from `gan-focus serve`, the renderer from Vite's
 * dev server (hot reload) with /api proxied to it. The proxy presents the API
 * server's own origin, which is what the server's Origin check expects.
 */
async function webDev() {
  const { url, child } = await startServe(['--port', '0']);
  const api = new URL(url);
  const { createServer } = await import('vite');
  const { default: vue } = await import('@vitejs/plugin-vue');
  const vite = await createServer({
    root: path.join(root, 'src/renderer'),
    plugins: [vue()],
    server: {
      host: '127.0.0.1',
      proxy: {
        '/api': {
          target: `ws://${api.host}`,
          ws: true,
          changeOrigin: true,
          configure: (proxy) => proxy.on('proxyReqWs', (req) => req.setHeader('origin', api.origin)),
        },
      },
    },
  });
  await vite.listen();
  console.log(`Hot-reloading renderer: ${vite.resolvedUrls.local[0]}`);
  child.on('exit', () => vite.close().then(() => process.exit(0)));
}

async function web(reason) {
  console.log(`Electron is not available: ${reason}. Starting web mode instead.`);
  if (dev) return webDev();
  buildIfNeeded();
  await startServe();
}

const binary = electronBinary();
if (binary.missing) {
  await web(binary.missing);
} else {
  const native = nativeModulesLoadIn(binary.exe);
  if (!native.ok) {
    await web(`${native.why}; see docs/electron.md`);
  } else if (dev) {
    run('npx', ['electron-vite', 'dev']);
  } else {
    buildIfNeeded();
    run(binary.exe, [path.join(root, 'out', 'main', 'index.js')]);
  }
}
