import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeAdapter, isSoftwareAdapter, vulkanLoaderPresent } from '../../../src/main/engine/backend/webgpu-adapter.js';

// The parts of the adapter lookup that need no adapter: what counts as a
// software rasteriser, and how a missing Vulkan loader is told.
describe('WebGPU adapter lookup', () => {
  const info = (o: Partial<{ vendor: string; architecture: string; device: string; description: string; isFallbackAdapter: boolean }>) => ({
    vendor: '',
    architecture: '',
    device: '',
    description: '',
    ...o,
  });

  it('tells software adapters from hardware ones by the fallback flag or the rasteriser name', () => {
    // As Dawn 0.6.2 reports Mesa 25's lavapipe.
    expect(isSoftwareAdapter(info({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', isFallbackAdapter: true }))).toBe(true);
    expect(isSoftwareAdapter(info({ vendor: 'mesa', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' }))).toBe(true);
    expect(isSoftwareAdapter(info({ vendor: 'google', device: 'SwiftShader Device (Subzero)' }))).toBe(true);
    expect(isSoftwareAdapter(info({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }))).toBe(true);
    expect(isSoftwareAdapter(info({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080', isFallbackAdapter: false }))).toBe(false);
    expect(isSoftwareAdapter(info({ vendor: 'amd', architecture: 'rdna-3', device: 'Radeon RX 7900' }))).toBe(false);
    expect(isSoftwareAdapter(info({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' }))).toBe(false);
  });

  it('names an adapter by vendor, architecture, device and description', () => {
    const a = { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA RTX A4000', software: false };
    expect(describeAdapter(a)).toBe('nvidia ampere (NVIDIA RTX A4000)');
    expect(describeAdapter({ ...a, vendor: '', architecture: '', description: '' })).toBe('unnamed adapter');
  });

  it('finds the Vulkan loader in LD_LIBRARY_PATH or the linker cache, and says when it cannot tell', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gan-focus-vk-'));
    const cache = path.join(dir, 'ld.so.cache');
    writeFileSync(cache, Buffer.from('ld.so-1.7.0\0libc.so.6\0/lib/x86_64-linux-gnu/libc.so.6\0'));
    expect(vulkanLoaderPresent({}, cache)).toBe(false);
    writeFileSync(cache, Buffer.from('ld.so-1.7.0\0libvulkan.so.1\0/lib/x86_64-linux-gnu/libvulkan.so.1\0'));
    expect(vulkanLoaderPresent({}, cache)).toBe(true);
    writeFileSync(path.join(dir, 'libvulkan.so.1'), '');
    expect(vulkanLoaderPresent({ LD_LIBRARY_PATH: `/nonexistent:${dir}` }, path.join(dir, 'missing-cache'))).toBe(true);
    expect(vulkanLoaderPresent({}, path.join(dir, 'missing-cache'))).toBeNull();
  });
});
