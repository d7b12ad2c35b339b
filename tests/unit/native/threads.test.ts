import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../../src/main/engine/backend/native/addon.js';
import { nativeBuilt, randomArray, skipReason } from './helpers.js';

// The addon's thread pool is shared by every JS thread that loads it: two
// worker_threads running convolutions at once must both get exact results.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const nk = require(workerData.path);
const { x, f, params, size, runs } = workerData;
const outs = [];
for (let i = 0; i < runs; i++) { const y = new Float32Array(size); nk.conv2d(x, f, y, params); outs.push(y); }
parentPort.postMessage(outs);
`;

describe.skipIf(!nativeBuilt)(`native kernels from several JS threads${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('two worker threads convolving at once get the single-thread result', async () => {
    const load = loadAddon();
    if (!load.ok) throw new Error(load.reason);
    const [n, h, w, ci, co] = [8, 16, 16, 24, 40];
    const params = Int32Array.from([n, h, w, ci, 4, 4, co, 8, 8, 2, 2, 1, 1, 1, 1]);
    const x = randomArray(1, n * h * w * ci);
    const f = randomArray(2, 16 * ci * co);
    const size = n * 8 * 8 * co;
    const ref = new Float32Array(size);
    load.addon.conv2d(x, f, ref, params);
    const run = () =>
      new Promise<Float32Array[]>((resolve, reject) => {
        const worker = new Worker(WORKER, { eval: true, workerData: { path: load.path, x, f, params, size, runs: 20 } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const results = await Promise.all([run(), run()]);
    for (const outs of results) for (const y of outs) expect(Array.from(y)).toEqual(Array.from(ref));
  });
});
