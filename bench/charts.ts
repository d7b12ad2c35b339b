// Curve charts at the paper preset's density, in Chromium: 4 runs x 23,450
// iterations (25 epochs of 938 batches of 64) overlaid on Compare's four
// per-iteration charts. Times what a reader waits for: opening the page until
// every chart is drawn, a drag-zoom, a double-click reset and a smoothing
// change, each until the next frame is painted.
// Run: npx tsx bench/run.ts --charts [--json] [--rounds N]  (needs out/renderer: npx electron-vite build)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { presetConfig } from '../src/shared/config.js';
import type { MetricRow } from '../src/shared/types.js';
import { openDatabase } from '../src/main/store/db.js';
import { insertMetrics } from '../src/main/store/metrics.js';
import { createRun, setStatus } from '../src/main/store/runs.js';
import { median } from './timing.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 4;
const PER_EPOCH = 938;
const EPOCHS = 25;

/** Noisy GAN-like curves, different per run. */
function seedRuns(home: string): number[] {
  const db = openDatabase(path.join(home, 'gan-focus.db'));
  try {
    return Array.from({ length: RUNS }, (_, k) => {
      const run = createRun(db, { name: `dense ${k + 1}`, config: { ...presetConfig('paper'), seed: k + 1 } });
      let state = k + 1;
      const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
      const rows: MetricRow[] = Array.from({ length: PER_EPOCH * EPOCHS }, (_, i) => ({
        iteration: i + 1,
        epoch: Math.floor(i / PER_EPOCH) + 1,
        lossD: 0.6 + 0.3 * Math.exp(-i / 4000) + rand() * 0.4,
        lossG: 2 + i / 20_000 + rand(),
        dx: 0.7 + rand() * 0.3,
        dgz: 0.3 + rand() * 0.3,
      }));
      insertMetrics(db, run.id, rows);
      setStatus(db, run.id, 'completed');
      return run.id;
    });
  } finally {
    db.close();
  }
}

function serve(home: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'gan-focus.js'), '--home', home, 'serve', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http\S+)/.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`gan-focus serve exited (${code}):\n${out}`)));
  });
}

/**
 * Runs `act` in the page and resolves with the ms until two frames later (the
 * change is painted). A string, not a function: tsx would wrap a function's
 * inner helpers in its __name(), which the page does not have.
 */
async function timed(page: Page, act: string): Promise<number> {
  return page.evaluate(`(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    await frame();
    const t = performance.now();
    { ${act} }
    await frame();
    await frame();
    return performance.now() - t;
  })()`) as Promise<number>;
}

/** Synthetic mouse events on the first chart's overlay, as uPlot reads them (client coordinates). */
const mouse = (script: string) => `
  const over = document.querySelector('[data-testid="curve-Loss_D per iteration"] .u-over');
  const r = over.getBoundingClientRect();
  const at = (type, f, target) => (target ?? over).dispatchEvent(new MouseEvent(type, { bubbles: true, clientX: r.left + r.width * f, clientY: r.top + r.height / 2, button: 0, buttons: 1, detail: type === 'dblclick' ? 2 : 1 }));
  ${script}`;
const DRAG = mouse(`at('mousedown', 0.3); at('mousemove', 0.4); at('mousemove', 0.5); at('mouseup', 0.5, document);`);
const RESET = mouse(`at('dblclick', 0.5);`);
const smoothing = (v: number) => `
  const s = document.querySelector('[data-testid="smoothing"] input[type=range]');
  s.value = '${v}'; s.dispatchEvent(new Event('input', { bubbles: true }));`;

interface ChartBenchRow {
  case: string;
  ms: number;
  runs: number;
  detail: string;
}

export async function runChartBench(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const at = argv.indexOf('--rounds');
  const rounds = at < 0 ? 7 : Number(argv[at + 1]);
  if (!existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) throw new Error('bench --charts needs the built renderer: npx electron-vite build');
  const [load1] = os.loadavg();
  const note = `${os.cpus()[0]?.model ?? 'cpu'}; ${os.availableParallelism()} cores; load average ${load1.toFixed(1)}; headless Chromium, --disable-gpu`;
  const print = (r: ChartBenchRow) =>
    process.stdout.write(json ? `${JSON.stringify(r)}\n` : `${r.case.padEnd(28)} ${r.ms.toFixed(1).padStart(8)} ms  (median of ${r.runs}; ${r.detail})\n`);
  process.stdout.write(json ? `${JSON.stringify({ note })}\n` : `# ${note}\n`);

  const home = mkdtempSync(path.join(os.tmpdir(), 'gan-focus-bench-charts-'));
  const ids = seedRuns(home);
  const { url, child } = await serve(home);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const points = `${RUNS} runs x ${(PER_EPOCH * EPOCHS).toLocaleString('en-US')} iterations, 4 charts (raw + smoothed: ${RUNS * 2 * 4} lines)`;
    const opens: number[] = [];
    let page: Page | null = null;
    // A fresh page each time: a second goto to the same address is only a hash change.
    for (let i = 0; i < Math.min(3, rounds); i++) {
      await page?.close();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const t = Date.now();
      await page.goto(`${url}#/compare?ids=${ids.join(',')}`);
      await page.getByTestId('curve-D(G(z)) per iteration').getByTestId('curve-readout').filter({ hasText: '23,450' }).waitFor({ timeout: 120_000 });
      await page.getByTestId('curve-Loss_D per iteration').getByTestId('curve-readout').filter({ hasText: '23,450' }).waitFor();
      opens.push(Date.now() - t);
    }
    if (!page) throw new Error('--rounds must be at least 1');
    print({ case: 'charts-open-compare-4x23k', ms: median(opens), runs: opens.length, detail: `${points}; page load, 4 getMetrics over the WebSocket, smoothing, first draw` });
    const drags: number[] = [];
    const resets: number[] = [];
    for (let i = 0; i < rounds; i++) {
      drags.push(await timed(page, DRAG));
      resets.push(await timed(page, RESET));
    }
    print({ case: 'charts-drag-zoom', ms: median(drags), runs: rounds, detail: 'drag over 20% of x on one chart, until painted' });
    print({ case: 'charts-dblclick-reset', ms: median(resets), runs: rounds, detail: 'double-click back to all 23,450 iterations, until painted' });
    const smooth: number[] = [];
    for (let i = 0; i < rounds; i++) smooth.push(await timed(page, smoothing(i % 2 ? 0.6 : 0.9)));
    print({ case: 'charts-smoothing-change', ms: median(smooth), runs: rounds, detail: `EMA of ${RUNS * 4} series x 23,450 and 4 charts redrawn, until painted` });
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(home, { recursive: true, force: true });
  }
}
