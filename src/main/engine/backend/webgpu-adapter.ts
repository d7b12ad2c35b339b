import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GpuAdapterReport } from '../../../shared/types.js';

const require = createRequire(import.meta.url);

// Finds the WebGPU adapter Dawn (npm `webgpu`) offers, and says in words why
// there is none. Kept apart from tfjs: nothing here imports a tfjs backend.

/** The slice of the WebGPU API used here (the `webgpu` package's full types are not needed). */
export interface DawnGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<DawnAdapter | null>;
}

export interface DawnAdapter {
  info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
  requestDevice(): Promise<DawnDevice>;
}

interface DawnDevice {
  createBuffer(d: { size: number; usage: number; mappedAtCreation: boolean }): { getMappedRange(): ArrayBuffer; unmap(): void; destroy(): void };
  destroy(): void;
}

interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

export type AdapterProbe =
  | { ok: true; gpu: DawnGpu; globals: Record<string, unknown>; adapter: GpuAdapterReport }
  | { ok: false; reason: string; adapter?: GpuAdapterReport };

// Mesa's lavapipe reports itself as "llvmpipe"; SwiftShader and Windows' WARP
// ("Microsoft Basic Render Driver") are the other CPU rasterisers Dawn finds.
const SOFTWARE = /llvmpipe|lavapipe|swiftshader|basic render|\bwarp\b/i;

/** Whether an adapter renders on the CPU: Dawn's fallback flag, or a known software rasteriser's name. */
export function isSoftwareAdapter(info: DawnAdapter['info']): boolean {
  if (info.isFallbackAdapter === true) return true;
  if (info.architecture.toLowerCase() === 'software') return true;
  return SOFTWARE.test(`${info.vendor} ${info.device} ${info.description}`);
}

export function describeAdapter(a: GpuAdapterReport): string {
  const parts = [a.vendor, a.architecture, a.device].filter((p) => p !== '');
  return `${parts.join(' ') || 'unnamed adapter'}${a.description ? ` (${a.description})` : ''}`;
}

/**
 * Linux only: whether the Vulkan loader (libvulkan.so.1, which Dawn opens at
 * run time) is where the dynamic linker looks: LD_LIBRARY_PATH, then the
 * linker's cache. null where that cannot be told (no cache file).
 */
export function vulkanLoaderPresent(env: NodeJS.ProcessEnv = process.env, cacheFile = '/etc/ld.so.cache'): boolean | null {
  const name = 'libvulkan.so.1';
  for (const dir of (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) if (existsSync(path.join(dir, name))) return true;
  try {
    return readFileSync(cacheFile).includes(name);
  } catch {
    return null;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);
}

/**
 * Imports an optional package by a name the bundler cannot follow: electron-vite
 * externalises only `dependencies`, and Dawn's loader must find dawn.node next
 * to its own file in node_modules.
 */
export function importOptional(name: string): Promise<unknown> {
  return import(name);
}

async function loadDawn(): Promise<DawnModule | string> {
  try {
    return (await importOptional('webgpu')) as DawnModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'the optional package `webgpu` (Dawn) is not installed';
    return `Dawn's binding (npm webgpu) did not load: ${firstLine(err)}`;
  }
}

/** Where no adapter came back: the missing piece, as far as it can be told. */
function noAdapterReason(): string {
  if (process.platform !== 'linux') return 'Dawn found no WebGPU adapter (no Metal / Direct3D 12 / Vulkan device)';
  if (vulkanLoaderPresent() === false) return 'no Vulkan loader (libvulkan.so.1 not found; Debian: apt-get install libvulkan1)';
  return (
    'Dawn found no usable Vulkan adapter (no GPU driver; a software one needs Mesa 25 or later: ' +
    'Debian 12: mesa-vulkan-drivers from bookworm-backports, see docs/webgpu.md)'
  );
}

// dawn.node hands mapped GPU memory to JavaScript as external ArrayBuffers,
// which Electron's V8 sandbox forbids ("External buffers are not allowed",
// dawn-gpu/node-webgpu#5): the adapter is found but no tensor can be read or
// written. Mapping one small buffer tells, in any runtime.
const MAP_CHECK_BUFFER = { size: 16, usage: 0x0004 /* COPY_SRC */ | 0x0002 /* MAP_WRITE */, mappedAtCreation: true };

/** Why Dawn's buffers cannot be mapped in this runtime, in words. */
export function unmappableReason(message: string): string {
  const electron = process.versions.electron ? ` under Electron ${process.versions.electron}` : '';
  return (
    `Dawn's GPU buffers cannot be mapped${electron} (${message}): dawn.node exposes them as external ArrayBuffers, ` +
    "which Electron's V8 sandbox forbids (dawn-gpu/node-webgpu#5); WebGPU works with the engine under Node: gan-focus serve or the CLI (docs/electron.md)"
  );
}

/** null when one buffer maps, else the error's first line. */
async function mapCheck(adapter: DawnAdapter): Promise<string | null> {
  try {
    const device = await adapter.requestDevice();
    try {
      const buffer = device.createBuffer(MAP_CHECK_BUFFER);
      new Uint8Array(buffer.getMappedRange()).fill(1);
      buffer.unmap();
      buffer.destroy();
      return null;
    } finally {
      device.destroy();
    }
  } catch (err) {
    return firstLine(err);
  }
}

function adapterReport(i: DawnAdapter['info']): GpuAdapterReport {
  return { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, software: isSoftwareAdapter(i) };
}

/**
 * The adapter Dawn offers, looked up in a short-lived child process: Dawn
 * prints warnings straight to stderr for some adapters (lavapipe: "... artificially
 * reduced ...") and a broken driver can crash it, and neither should reach an
 * engine that then trains on the CPU. Under Electron the child is Electron run
 * as Node, so the mapping check meets the same V8 sandbox. Never throws.
 */
export async function findAdapter(
  timeoutMs = 30_000,
): Promise<{ ok: true; adapter: GpuAdapterReport } | { ok: false; reason: string; adapter?: GpuAdapterReport }> {
  let entry: string;
  try {
    entry = require.resolve('webgpu');
  } catch {
    return { ok: false, reason: 'the optional package `webgpu` (Dawn) is not installed' };
  }
  const script =
    `const { create } = await import(${JSON.stringify(pathToFileURL(entry).href)});` +
    `const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });` +
    `const i = a && a.info;` +
    `let mapError = null;` +
    `if (a) try { const d = await a.requestDevice(); const b = d.createBuffer(${JSON.stringify(MAP_CHECK_BUFFER)});` +
    ` new Uint8Array(b.getMappedRange()).fill(1); b.unmap(); b.destroy(); d.destroy(); } catch (e) { mapError = String(e && e.message || e).split('\\n')[0]; }` +
    `process.stdout.write(JSON.stringify(i ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter, mapError } : null));` +
    `process.exit(0);`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { timeout: timeoutMs, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const last = stderr.trim().split('\n').filter((l) => !/^Warning:/.test(l)).pop() ?? '';
          resolve({ ok: false, reason: `Dawn's adapter lookup failed (${err.killed ? 'timed out' : firstLine(last || err)})` });
          return;
        }
        try {
          const info = JSON.parse(stdout) as (DawnAdapter['info'] & { mapError: string | null }) | null;
          if (!info) resolve({ ok: false, reason: noAdapterReason() });
          else if (info.mapError) resolve({ ok: false, reason: unmappableReason(info.mapError), adapter: adapterReport(info) });
          else resolve({ ok: true, adapter: adapterReport(info) });
        } catch {
          resolve({ ok: false, reason: `Dawn's adapter lookup printed no result (${firstLine(stdout || stderr)})` });
        }
      },
    );
  });
}

/**
 * Dawn's adapter in this process, as tfjs-backend-webgpu will ask for it
 * (high-performance), or why there is none. Software adapters are reported,
 * not refused: the caller decides. Never throws.
 */
export async function openAdapter(): Promise<AdapterProbe> {
  const dawn = await loadDawn();
  if (typeof dawn === 'string') return { ok: false, reason: dawn };
  let gpu: DawnGpu;
  let adapter: DawnAdapter | null;
  try {
    gpu = dawn.create([]);
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return { ok: false, reason: `Dawn could not look for an adapter: ${firstLine(err)}` };
  }
  if (!adapter) return { ok: false, reason: noAdapterReason() };
  const mapError = await mapCheck(adapter);
  if (mapError) return { ok: false, reason: unmappableReason(mapError), adapter: adapterReport(adapter.info) };
  return { ok: true, gpu, globals: dawn.globals, adapter: adapterReport(adapter.info) };
}
